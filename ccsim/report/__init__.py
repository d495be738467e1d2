"""Reports: the charts (matplotlib Figures) and one-file HTML reports a planner forwards.

* :mod:`ccsim.report.charts`: one function per chart, each returning a Figure.
* :mod:`ccsim.report.html`: :func:`run_report` and :func:`compare_report`.
* :mod:`ccsim.report.sections`: the run report's IVR, shift plan and per-interval tables.
* :mod:`ccsim.report.markup`: HTML building blocks (escaped tables, sections, the page).
* :mod:`ccsim.report.labels`: KPI names and units shared by both.

Only this package imports matplotlib; it never runs a simulation.
"""

from ccsim.report.charts import (
    CHART_HEADINGS,
    FOREST_KPIS,
    cost_figure,
    forest_figure,
    occupancy_figure,
    offered_figure,
    service_level_figure,
    staffing_figure,
    waits_figure,
)
from ccsim.report.html import compare_report, run_report

__all__ = [
    "CHART_HEADINGS",
    "FOREST_KPIS",
    "compare_report",
    "cost_figure",
    "forest_figure",
    "occupancy_figure",
    "offered_figure",
    "run_report",
    "service_level_figure",
    "staffing_figure",
    "waits_figure",
]

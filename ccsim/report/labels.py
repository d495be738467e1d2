"""How KPIs are named and grouped for people: labels, units, which way is better.

Shared by the charts (:mod:`ccsim.report.charts`) and the HTML pages
(:mod:`ccsim.report.html`), so a KPI reads the same in a figure and in a table.
"""

from __future__ import annotations

__all__ = ["LOWER_IS_BETTER", "SECONDS_KPIS", "STATS", "kpi_label"]

#: KPIs measured in seconds.
SECONDS_KPIS = frozenset({"asa_s", "mean_wait_s", "aht_s"})
#: KPIs where a decrease is an improvement.
LOWER_IS_BETTER = frozenset(
    "abandon_rate block_rate asa_s mean_wait_s p_wait abandoned blocked unserved aht_s".split()
)
#: The columns of a mean with its 95 % confidence interval in the result tables.
STATS = ("mean", "ci95_low", "ci95_high")

# fmt: off
_LABELS = {
    "service_level_answered": "Service level of answered", "p_wait": "Share that waited",
    "service_level_excl_short_abandons": "Service level excl. short abandons",
    "service_level_incl_short_abandons": "Service level, short abandons as good",
    "abandon_rate": "Abandonment rate", "block_rate": "Blocking rate", "asa_s": "ASA",
    "mean_wait_s": "Mean wait", "aht_s": "AHT", "ivr_abandoned": "Abandoned in IVR",
    "deflected": "Self-served in IVR", "mean_queue": "Mean queue length",
}
# fmt: on


def kpi_label(kpi: str) -> str:
    """A KPI's name for people (``"abandon_rate"`` -> ``"Abandonment rate"``).

    Examples
    --------
    >>> kpi_label("asa_s"), kpi_label("service_level")
    ('ASA', 'Service level')
    """
    return _LABELS.get(kpi, kpi.replace("_", " ").capitalize())

"""One-file HTML reports of a simulated day or of an options comparison.

:func:`run_report` and :func:`compare_report` write one self-contained HTML file (the
charts of :mod:`ccsim.report.charts` embedded as PNG, inline CSS, nothing fetched) that
opens offline and can be forwarded as is: the scenario, KPIs with their confidence
intervals, the charts, and for comparisons the paired differences and the business case.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

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
from ccsim.report.labels import SECONDS_KPIS, STATS, kpi_label
from ccsim.results.kpis import SHARE_KPIS
from ccsim.results.tables import ALL, SimulationResult
from ccsim.scenario.units import format_duration, parse_clock

if TYPE_CHECKING:
    from ccsim.whatif.comparison import Comparison

__all__ = ["compare_report", "run_report"]

# fmt: off
_RUN_KPIS = ("offered answered abandoned blocked deflected ivr_abandoned unserved service_level "
             "service_level_answered p_wait abandon_rate block_rate asa_s mean_wait_s aht_s "
             "mean_queue occupancy").split()
_TYPE_KPIS = ("offered answered abandoned service_level abandon_rate asa_s mean_wait_s aht_s "
              "mean_queue").split()
_GROUP_KPIS = ("occupancy", "staffed_hours", "busy_hours", "handled")
_FINANCE = ("option saving_per_day saving_ci95 saving_per_year investment recurring_per_year "
            "net_benefit_per_year payback_months roi npv").split()  # Comparison.finance()
_FINANCE_HEADINGS = ("Option|Saving per day|95 % CI|Saving per year|Investment|Recurring per "
                     "year|Net benefit per year|Payback (months)|ROI (3 years)|NPV (3 years, 8 %)"
                     ).split("|")
# fmt: on
_CSS = """body{font-family:system-ui,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;
color:#222;background:#f3f4f7}main{max-width:1100px;margin:0 auto;padding:1.5em 2em;
background:#fff}h2{margin-top:1.8em;border-bottom:2px solid #dde;font-size:1.25em}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}th,td{border:1px solid #ccd;
padding:.25em .55em;text-align:right;vertical-align:top}th{background:#eef0f5}
.l{text-align:left}.sig{color:#b00;font-weight:bold}.muted{color:#666;font-size:.9em}
img{max-width:100%;height:auto}figcaption{color:#555;font-size:.9em}summary{cursor:pointer}"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _num(value: Any) -> str:
    """A money or count figure (or a (low, high) pair): thousands separated."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return f"{_num(value[0])} – {_num(value[1])}"
    if value is None or not math.isfinite(value):
        return "never" if value == math.inf else ("-inf" if value == -math.inf else "–")
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _value(kpi: str, value: float, signed: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if signed:  # a difference: percentage points, seconds or contacts
        return f"{value * (100 if kpi in SHARE_KPIS else 1):+.2f}"
    if kpi in SHARE_KPIS:
        return f"{100 * value:.1f} %"
    return f"{value:.1f} s" if kpi in SECONDS_KPIS else _num(value)


def _with_ci(kpi: str, mean: float, low: float, high: float, signed: bool = False) -> str:
    lo, hi = (_value(kpi, v, signed).removesuffix(" %").removesuffix(" s") for v in (low, high))
    return f"{_value(kpi, mean, signed)} [{lo} – {hi}]"


def _table(headers: Sequence[str] | None, rows: Sequence[Sequence[object]], left: int = 1) -> str:
    def cells(tag: str, values: Sequence[object]) -> str:
        out = ""
        for k, v in enumerate(values):
            css = "l" if k < left else ("sig" if str(v).startswith("yes") else "")
            attr = f' class="{css}"' if css else ""
            out += f"<{tag}{attr}>{_e(v)}</{tag}>"
        return out

    body = "".join(f"<tr>{cells('td', row)}</tr>\n" for row in rows)
    head = f"<thead><tr>{cells('th', headers)}</tr></thead>\n" if headers else ""
    return f"<table>\n{head}<tbody>\n{body}</tbody>\n</table>\n"


def _section(heading: str, body: str, note: str = "", level: int = 2) -> str:
    para = f'<p class="muted">{_e(note)}</p>\n' if note else ""
    return f"<section>\n<h{level}>{_e(heading)}</h{level}>\n{para}{body}</section>\n"


def _chart(heading: str, fig: Figure, caption: str, level: int = 2) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    img = f'<figure><img src="data:image/png;base64,{data}" alt="{_e(heading)}">'
    return _section(heading, f"{img}<figcaption>{_e(caption)}</figcaption></figure>\n", "", level)


def _page(title: str, parts: list[str]) -> str:
    from ccsim import __version__

    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{_e(title)}'
        f"</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n<h1>{_e(title)}</h1>\n"
        + "".join(parts)
        + f'<footer><p class="muted">ccsim {_e(__version__)}</p></footer>\n</main>\n</body>\n'
        "</html>\n"
    )


def _scenario_section(result: SimulationResult, heading: str = "Scenario") -> str:
    s, plan = result.scenario, result.plan
    end = int(round(parse_clock(s.horizon.start) + plan.n_intervals * plan.interval)) % 86400
    sl = [
        f"{t.name} (target {t.service_level.target:.0%} within "
        f"{format_duration(t.service_level.threshold)})"
        for t in s.contact_types
    ]
    groups = [f"{g.name} (skills: {', '.join(g.skills)})" for g in s.agent_groups]
    horizon = (
        f"{s.horizon.start}–{end // 3600:02d}:{end % 3600 // 60:02d}: "
        f"{plan.n_intervals} intervals of {format_duration(plan.interval)}, "
        f"warm-up {format_duration(float(s.horizon.warmup))}"
    )
    # fmt: off
    rows = [
        ("Scenario", s.name), ("Description", s.description.strip() or "–"),
        ("Horizon", horizon), ("Contact types", "; ".join(sl)),
        ("Agent groups", "; ".join(groups)), ("Replications", result.replications),
        ("Seed", result.seed), ("Engine", result.engine),
        ("Contacts simulated", f"{result.contacts_simulated:,}"),
        ("Warnings", "; ".join(result.warnings) or "none"),
    ]
    # fmt: on
    return _section(heading, _table(None, rows, left=2))


def _cells(frame: Any, kpis: Sequence[str]) -> list[str]:
    """Each KPI's "mean [low – high]" from a tidy table of one what (type, group...)."""
    by_kpi = {r["kpi"]: r for r in frame.to_dict("records")}
    return [_with_ci(k, *(by_kpi[k][c] for c in STATS)) if k in by_kpi else "–" for k in kpis]


def run_report(result: SimulationResult, path: str | Path) -> Path:
    """Write a self-contained HTML report of one simulated day.

    Parameters
    ----------
    result : SimulationResult
        From :func:`ccsim.simulate`.
    path : str or pathlib.Path
        The HTML file to write (its folder must exist).

    Returns
    -------
    pathlib.Path
        ``path``. The page holds the scenario summary, the centre-wide KPIs with 95 %
        intervals, the charts of this module (the cost chart and table only when the
        scenario has a ``costs:`` section) and tables per contact type and agent group.
    """
    from ccsim.whatif.costs import cost_table

    s = result.scenario
    kpis = [k for k in _RUN_KPIS if k in set(result.summary["kpi"])]
    summary = list(zip(map(kpi_label, kpis), _cells(result.summary, kpis), strict=True))
    note = "Whole centre over all counted intervals, mean across replications."
    parts = [
        _scenario_section(result),
        _section("KPI summary", _table(("KPI", "Mean [95 % CI]"), summary), note),
    ]
    charts = {  # chart function: caption
        service_level_figure: "Dashed: each type's target. Bands: 95 % confidence intervals.",
        waits_figure: "Mean wait of answered contacts; abandoned / offered; by arrival interval.",
        staffing_figure: "Bars: agents on seat (breaks excluded). Dashed: Erlang A for each "
        "type's target on its forecast (before IVR self-service), on its first group.",
        occupancy_figure: "Busy time (talk and wrap-up) over staffed time.",
        offered_figure: "The load over the day by arrival interval (and the mean queue).",
    }
    if s.costs is not None:
        charts[cost_figure] = f"Mean cost per day in {s.costs.currency}; 95 % CIs."
    for chart, caption in charts.items():
        parts.append(_chart(CHART_HEADINGS[chart.__name__], chart(result), caption))
    for what, frame, names, kpis in (
        ("Contact type", result.by_type, result.plan.type_names, _TYPE_KPIS),
        ("Agent group", result.by_group, result.plan.group_names, _GROUP_KPIS),
    ):
        column, kpis = frame.columns[0], [k for k in kpis if k in set(frame["kpi"])]
        rows = [(n, *_cells(frame[frame[column] == n], kpis)) for n in names]
        table = _table((what, *map(kpi_label, kpis)), rows)
        parts.append(_section(f"By {what.lower()}", table, "Mean [95 % CI]."))
    if s.costs is not None:
        cur = s.costs.currency
        costs = cost_table(result)
        costs["ci95"] = list(zip(costs.pop("ci95_low"), costs.pop("ci95_high"), strict=True))
        costs["component"] = costs["component"].str.replace("_", " ")
        rows = costs[["component", "per_day", "ci95", "per_year"]].map(_num).to_numpy()
        table = _table(("Component", f"Per day ({cur})", "95 % CI", f"Per year ({cur})"), rows)
        note = f"{s.costs.working_days_per_year:g} working days per year."
        parts.append(_section("Costs", table, note))
    path = Path(path)
    path.write_text(_page(f"ccsim run report: {s.name}", parts), encoding="utf-8")
    return path


def compare_report(comparison: Comparison, path: str | Path) -> Path:
    """Write a self-contained HTML report of an options comparison.

    Parameters
    ----------
    comparison : Comparison
        From :func:`ccsim.compare`.
    path : str or pathlib.Path
        The HTML file to write (its folder must exist).

    Returns
    -------
    pathlib.Path
        ``path``. The page holds the base scenario's summary, each option's KPIs, the
        paired differences to the base (centre-wide, and per contact type in folded
        sections; significant ones marked), forest plots of :data:`FOREST_KPIS`, and
        the cost/benefit table when the base scenario has a ``costs:`` section.
    """
    base = comparison.results["base"]
    kpis = [k for k in comparison.kpis if k in set(base.summary["kpi"])]
    means = [
        (kpi_label(k), *(_cells(r.summary, [k])[0] for r in comparison.results.values()))
        for k in kpis
    ]
    note = "Whole centre; mean [95 % CI] across replications."
    parts = [
        _scenario_section(base, "Base scenario"),
        _section("KPIs of each option", _table(("KPI", *comparison.results), means), note),
    ]
    table = comparison.table()
    headers = "Option|KPI|Base|Option's value|Difference [95 % CI]|Significant|Narrowing".split("|")

    def diff_rows(type_name: str) -> list[list[str]]:
        rows = []
        for r in table[table["type"] == type_name].to_dict("records"):
            k, ci = r["kpi"], (r["difference"], r["ci95_low"], r["ci95_high"])
            values = [_value(k, r["base"]), _value(k, r["value"]), _with_ci(k, *ci, signed=True)]
            significant = "yes *" if r["significant"] else "no"
            narrowing = f"{r['narrowing']:.1f}×" if math.isfinite(r["narrowing"]) else "–"
            rows.append([r["option"], kpi_label(k), *values, significant, narrowing])
        return rows

    body = _table(headers, diff_rows(ALL), left=2)
    for name in base.plan.type_names:
        body += f"<details><summary>{_e(name)}</summary>\n{_table(headers, diff_rows(name), 2)}"
        body += "</details>\n"
    note = (
        "Option - base, paired on common random numbers (rates in percentage points, times in "
        "seconds). Significant: the 95 % interval excludes 0. Per type: unfold below."
    )
    parts.append(_section("Differences to the base", body, note))
    heading, caption = CHART_HEADINGS["forest_figure"], "Filled: significant. Line at 0: no change."
    forests = [
        _chart(f"{heading}: {kpi_label(k)}", forest_figure(comparison, k), caption, level=3)
        for k in FOREST_KPIS
    ]
    parts.append(_section(heading, "".join(forests)))
    costs = base.scenario.costs
    if costs is not None:
        finance = comparison.finance()
        finance["roi"] = [f"{x:,.0%}" if math.isfinite(x) else _num(x) for x in finance["roi"]]
        finance["payback_months"] = finance["payback_months"].map(lambda x: _num(round(x, 1)))
        rows = [[_num(r[c]) for c in _FINANCE] for r in finance.to_dict("records")]
        note = (
            f"In {costs.currency}. Saving = base - option daily cost, paired; "
            f"{costs.working_days_per_year:g} working days a year. Payback never: no net saving."
        )
        parts.append(_section("Cost and benefit", _table(_FINANCE_HEADINGS, rows), note))
    path = Path(path)
    path.write_text(_page(f"ccsim options comparison: {base.scenario.name}", parts), "utf-8")
    return path

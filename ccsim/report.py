"""Charts and a one-file HTML report of a simulated day or of an options comparison.

A planner wants to see the day: each queue's service level by half hour against its
target, when callers waited and hung up, whether the roster matches what Erlang A asks
for, how busy each agent group was, how the load rose and fell and what the day cost;
and, comparing options, which option really moves service level, abandonment and speed
of answer (its paired 95 % interval excludes zero) and what the business case is.

Every chart function returns a :class:`matplotlib.figure.Figure` on its own Agg canvas
(no pyplot, no global state), so experiment scripts can reuse it. :func:`run_report`
and :func:`compare_report` write one self-contained HTML file (PNG charts embedded,
inline CSS, nothing fetched) that opens offline. Only this module imports matplotlib.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from ccsim.kpis import SHARE_KPIS
from ccsim.results import ALL, SimulationResult
from ccsim.units import format_duration, parse_clock

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ccsim.comparison import Comparison

# fmt: off
__all__ = [
    "CHART_HEADINGS", "FOREST_KPIS", "compare_report", "cost_figure", "forest_figure",
    "occupancy_figure", "offered_figure", "run_report", "service_level_figure",
    "staffing_figure", "waits_figure",
]
# fmt: on

#: Heading of each chart in the HTML reports, by chart function name.
CHART_HEADINGS = {
    "service_level_figure": "Service level by interval",
    "waits_figure": "Speed of answer and abandonment by interval",
    "staffing_figure": "Staffed agents against Erlang A",
    "occupancy_figure": "Agent occupancy",
    "offered_figure": "Contacts offered, answered and abandoned",
    "cost_figure": "Cost per day by component",
    "forest_figure": "Forest plots of the paired differences",
}
#: KPIs whose paired differences :func:`compare_report` draws as forest plots.
FOREST_KPIS = ("service_level", "abandon_rate", "asa_s")

# fmt: off
_SECONDS = {"asa_s", "mean_wait_s", "aht_s"}
_LOWER_IS_BETTER = set("abandon_rate block_rate asa_s mean_wait_s p_wait abandoned blocked "
                       "unserved aht_s".split())
_LABELS = {
    "service_level_answered": "Service level of answered", "p_wait": "Share that waited",
    "service_level_excl_short_abandons": "Service level excl. short abandons",
    "abandon_rate": "Abandonment rate", "block_rate": "Blocking rate", "asa_s": "ASA",
    "mean_wait_s": "Mean wait", "aht_s": "AHT", "ivr_abandoned": "Abandoned in IVR",
    "deflected": "Self-served in IVR", "mean_queue": "Mean queue length",
}
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
_NOTE = {"xytext": (5, 0), "textcoords": "offset points", "va": "center", "fontsize": 8}
_GREY = "0.45"
_STATS = ("mean", "ci95_low", "ci95_high")


# ------------------------------------------------------------------- helpers
def _label(kpi: str) -> str:
    return _LABELS.get(kpi, kpi.replace("_", " ").capitalize())


def _new_figure(rows: int = 1, cols: int = 1, height: float = 4.5, **kw: Any) -> tuple:
    fig = Figure(figsize=(10, height), layout="constrained")
    FigureCanvasAgg(fig)  # the non-interactive Agg canvas, attached to this figure only
    return fig, list(fig.subplots(rows, cols, squeeze=False, **kw).flat)


def _suptitle(fig: Figure, result: SimulationResult, what: str = "replications") -> None:
    text = f"{result.scenario.name}: {result.replications} {what}, mean and 95 % CI"
    fig.suptitle(text, fontsize=10, color=_GREY)


def _series(frame: Any, column: str, key: str, kpi: str) -> tuple[np.ndarray, ...]:
    rows = frame[(frame[column] == key) & (frame["kpi"] == kpi)].sort_values("interval")
    return tuple(rows[c].to_numpy(dtype=float) for c in _STATS)


def _band(ax: Axes, series: tuple, color: str, label: str, scale: float = 1.0) -> None:
    mean, low, high = (v * scale for v in series)
    x = np.arange(len(mean))
    ax.plot(x, mean, marker="o", markersize=3, color=color, label=label)
    ax.fill_between(x, low, high, color=color, alpha=0.2, linewidth=0)


def _dress(ax: Axes, run: SimulationResult, title: str, ylabel: str, xlabel: bool = True) -> None:
    """Title, labels, clock ticks, legend and y range of a by-interval panel.

    A y label with "%" gets a percent axis (values already in percent) up to at most 102.
    """
    labels = run.interval_labels()
    if run.plan.n_days > 1:  # a tick at the start of each day, a line between days
        per_day = run.plan.n_intervals // run.plan.n_days
        ticks = list(range(0, len(labels), per_day))
        for k in ticks[1:]:
            ax.axvline(k - 0.5, color="grey", lw=0.8, ls=":")
    else:
        ticks = list(range(0, len(labels), max(1, math.ceil(len(labels) / 12))))
    ax.set_xticks(ticks, [labels[k] for k in ticks])
    ax.set_xlim(-0.6, len(labels) - 0.4)
    if xlabel:
        ax.set_xlabel(f"Interval start (intervals of {format_duration(run.plan.interval)})")
    ax.set(title=title, ylabel=ylabel)
    ax.set_ylim(bottom=0)
    if "%" in ylabel:
        ax.set_ylim(top=min(ax.get_ylim()[1], 102))
        ax.yaxis.set_major_formatter(PercentFormatter(100.0, decimals=0))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=8)


def _ci_err(mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.clip(np.nan_to_num(np.vstack([mean - low, high - mean])), 0.0, None)


# ------------------------------------------------------------------- figures
def service_level_figure(result: SimulationResult) -> Figure:
    """Service level of each contact type by interval, against its target.

    Returns
    -------
    matplotlib.figure.Figure
        One panel: each type's mean service level (answered within its threshold /
        offered) per arrival interval with its 95 % confidence band, and its target as
        a dashed line of the same colour.
    """
    fig, (ax,) = _new_figure()
    plan, lows = result.plan, []
    for i, name in enumerate(plan.type_names):
        threshold = format_duration(float(plan.sl_threshold[i]))
        series = _series(result.by_interval, "type", name, "service_level")
        lows.append(series[1])
        _band(ax, series, f"C{i}", f"{name}: answered within {threshold}", 100.0)
        target = 100.0 * float(plan.sl_target[i])
        ax.axhline(target, color=f"C{i}", ls="--", lw=1.2, label=f"{name} target {target:.0f} %")
    _dress(ax, result, "Service level by interval against target", "Service level (% of offered)")
    lowest = 100 * np.nanmin(np.concatenate([*lows, plan.sl_target]))  # zoom in on the data
    ax.set_ylim(bottom=max(0.0, 10 * math.floor(lowest / 10) - 5))
    _suptitle(fig, result)
    return fig


def waits_figure(result: SimulationResult) -> Figure:
    """Average speed of answer and abandonment rate of each contact type by interval.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels sharing the time axis: ASA in seconds and abandoned contacts in % of
        offered, per contact type and arrival interval, with 95 % confidence bands.
    """
    fig, (top, bottom) = _new_figure(2, 1, height=7.0, sharex=True)
    for i, name in enumerate(result.plan.type_names):
        _band(top, _series(result.by_interval, "type", name, "asa_s"), f"C{i}", name)
        series = _series(result.by_interval, "type", name, "abandon_rate")
        _band(bottom, series, f"C{i}", name, 100.0)
    _dress(top, result, "Average speed of answer (ASA) by interval", "ASA (seconds)", xlabel=False)
    _dress(bottom, result, "Abandonment rate by interval", "Abandoned (% of offered)")
    _suptitle(fig, result)
    return fig


def staffing_figure(result: SimulationResult) -> Figure:
    """Agents staffed per interval in each group against what Erlang A would ask for.

    Staffed agents: the interval's mean staffed agent hours (breaks excluded) over its
    length. Erlang A (:func:`ccsim.staffing.erlang_start`): each contact type's need for
    its target on its arrival forecast (before IVR self-service), put on the first group
    of its routing order; a group that is no type's first choice asks for none.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per agent group: bars of staffed agents, a dashed line of Erlang A.
    """
    from ccsim.staffing import erlang_start

    plan, hours = result.plan, result.plan.interval / 3600.0
    need = erlang_start(plan)
    fig, axes = _new_figure(plan.n_groups, 1, height=1.2 + 2.4 * plan.n_groups, sharex=True)
    for j, (ax, name) in enumerate(zip(axes, plan.group_names, strict=True)):
        staffed = _series(result.by_group_interval, "group", name, "staffed_hours")[0] / hours
        x = np.arange(len(staffed))
        ax.bar(x, staffed, width=0.8, color=f"C{j}", alpha=0.55, label="staffed (on seat)")
        edges, level = np.append(x, len(x)) - 0.5, np.append(need[j], need[j][-1])
        ax.step(edges, level, where="post", color="black", lw=1.5, ls="--", label="Erlang A")
        title = f"{name}: staffed agents against Erlang A"
        _dress(ax, result, title, "Agents", xlabel=j == plan.n_groups - 1)
    _suptitle(fig, result)
    return fig


def occupancy_figure(result: SimulationResult) -> Figure:
    """Occupancy of each agent group over the day and by interval.

    Occupancy is busy time (talk and wrap-up) over staffed time, breaks excluded.

    Returns
    -------
    matplotlib.figure.Figure
        Top: each group's and all groups' occupancy over the day, bars with 95 % CI
        error bars. Bottom: each group's occupancy by interval with 95 % bands.
    """
    names = [*result.plan.group_names, "all groups"]
    size = 1.2 + 0.3 * len(names)  # inches for the bars
    fig, (top, bottom) = _new_figure(2, 1, height=size + 4.5, height_ratios=[size, 4.5])
    rows = [f[f["kpi"] == "occupancy"] for f in (result.by_group, result.summary)]
    mean, low, high = (100 * np.append(*(r[c] for r in rows)) for c in _STATS)
    colors = [f"C{j}" for j in range(len(names) - 1)] + [_GREY]
    top.barh(names, mean, xerr=_ci_err(mean, low, high), color=colors, alpha=0.7, capsize=4)
    top.set(title="Occupancy over the day", xlabel="Occupancy (% of staffed time)")
    top.set(ylabel="Agent group", xlim=(0, 102), ylim=(len(names) - 0.5, -0.5))
    top.xaxis.set_major_formatter(PercentFormatter(100.0, decimals=0))
    top.grid(True, axis="x", alpha=0.3)
    for j, name in enumerate(result.plan.group_names):
        series = _series(result.by_group_interval, "group", name, "occupancy")
        _band(bottom, series, f"C{j}", name, 100.0)
    _dress(bottom, result, "Occupancy by interval", "Occupancy (%)")
    _suptitle(fig, result)
    return fig


def offered_figure(result: SimulationResult) -> Figure:
    """Contacts offered, answered and abandoned per interval: the load over the day.

    When the results carry a ``mean_queue`` KPI, a second panel shows the mean number
    of contacts queued per interval and contact type; otherwise it is left out.

    Returns
    -------
    matplotlib.figure.Figure
    """
    frame = result.by_interval
    queue = "mean_queue" in set(frame["kpi"])
    fig, axes = _new_figure(1 + queue, 1, height=7.0 if queue else 4.5, sharex=True)
    for kpi, color in (("offered", "C0"), ("answered", "C2"), ("abandoned", "C3")):
        _band(axes[0], _series(frame, "type", ALL, kpi), color, kpi)
    title = "Contacts per interval, all contact types (by arrival interval)"
    _dress(axes[0], result, title, "Contacts per interval", xlabel=not queue)
    if queue:
        for i, name in enumerate(result.plan.type_names):
            _band(axes[1], _series(frame, "type", name, "mean_queue"), f"C{i}", name)
        _dress(axes[1], result, "Mean queue length by interval (by time)", "Contacts waiting")
    _suptitle(fig, result)
    return fig


def cost_figure(result: SimulationResult) -> Figure:
    """The day's cost by component: agents, telephony, IVR, fixed, abandonment, penalties.

    Returns
    -------
    matplotlib.figure.Figure
        Horizontal bars per component (mean per day, 95 % CI error bars, value labels).

    Raises
    ------
    ValueError
        If the scenario has no ``costs:`` section.
    """
    from ccsim.costs import COMPONENTS, cost_table

    if result.scenario.costs is None:
        raise ValueError(f"scenario {result.scenario.name!r} has no costs: section")
    currency = result.scenario.costs.currency
    table = cost_table(result).set_index("component")
    parts = table.loc[list(COMPONENTS)]
    mean = parts["per_day"].to_numpy(float)
    err = _ci_err(mean, parts["ci95_low"].to_numpy(float), parts["ci95_high"].to_numpy(float))
    fig, (ax,) = _new_figure(height=4.0)
    y = np.arange(len(COMPONENTS))
    ax.barh(y, mean, xerr=err, color=[f"C{k}" for k in y], alpha=0.75, capsize=4)
    for k, value in enumerate(mean):
        ax.annotate(f"{value:,.0f}", (value + err[1, k], k), **_NOTE)
    ax.set_yticks(y, list(COMPONENTS))
    ax.set_ylim(len(y) - 0.5, -0.5)
    ax.set_xlim(0, max(float(np.nanmax(mean + err[1])), 1.0) * 1.15)
    ax.grid(True, axis="x", alpha=0.3)
    day, year = table.loc["total", "per_day"], table.loc["total", "per_year"]
    title = f"Cost per day by component: total {day:,.0f} {currency} ({year:,.0f} per year)"
    ax.set(title=title, xlabel=f"{currency} per day", ylabel="Cost component")
    _suptitle(fig, result)
    return fig


def forest_figure(comparison: Comparison, kpi: str = "service_level") -> Figure:
    """Forest plot: each option's paired difference to the base in one centre-wide KPI.

    Parameters
    ----------
    comparison : Comparison
        From :func:`ccsim.compare`.
    kpi : str
        A centre-wide KPI: ``service_level``, ``abandon_rate``, ``asa_s``...

    Returns
    -------
    matplotlib.figure.Figure
        One row per option (first on top): the mean paired difference option - base with
        its 95 % interval (rates in percentage points, times in seconds); filled red when
        significant (the interval excludes 0), hollow grey otherwise; a line at 0.
    """
    options = comparison.options
    fig, (ax,) = _new_figure(height=1.8 + 0.55 * len(options))
    scale = 100.0 if kpi in SHARE_KPIS else 1.0
    for y, option in enumerate(options):
        d = comparison.difference(option, kpi)
        mean, low, high = (v * scale for v in (d.mean, d.low, d.high))
        color, fill = ("C3", "C3") if d.significant else (_GREY, "white")
        xerr = np.nan_to_num([[mean - low], [high - mean]])
        ax.errorbar(mean, y, xerr=xerr, fmt="o", color=color, capsize=4, ms=7, mfc=fill)
        text = f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]" + (" *" if d.significant else "")
        ax.annotate(text, (1.01, y), xycoords=("axes fraction", "data"), va="center", fontsize=8)
    ax.axvline(0.0, color="black", lw=1)
    ax.set_yticks(range(len(options)), options)
    ax.set_ylim(len(options) - 0.5, -0.5)
    ax.margins(x=0.1)
    ax.grid(True, axis="x", alpha=0.3)
    unit = "percentage points" if kpi in SHARE_KPIS else ("seconds" if kpi in _SECONDS else "")
    better = "lower" if kpi in _LOWER_IS_BETTER else "higher"
    xlabel = f"Difference to the base ({unit or kpi}; {better} is better)"
    ax.set(title=f"{_label(kpi)}: option - base, paired, 95 % CI", xlabel=xlabel, ylabel="Option")
    legend = (("C3", "C3", "significant (*)"), (_GREY, "white", "not significant (CI has 0)"))
    handles = [Line2D([], [], marker="o", ls="", color=c, mfc=f, label=t) for c, f, t in legend]
    ax.legend(handles=handles, loc="best", fontsize=8)
    _suptitle(fig, comparison.results["base"], "paired replications")
    return fig


# -------------------------------------------------------------------- HTML
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
    return f"{value:.1f} s" if kpi in _SECONDS else _num(value)


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
    return [_with_ci(k, *(by_kpi[k][c] for c in _STATS)) if k in by_kpi else "–" for k in kpis]


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
    from ccsim.costs import cost_table

    s = result.scenario
    kpis = [k for k in _RUN_KPIS if k in set(result.summary["kpi"])]
    summary = list(zip(map(_label, kpis), _cells(result.summary, kpis), strict=True))
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
        table = _table((what, *map(_label, kpis)), rows)
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
        (_label(k), *(_cells(r.summary, [k])[0] for r in comparison.results.values())) for k in kpis
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
            rows.append([r["option"], _label(k), *values, significant, narrowing])
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
        _chart(f"{heading}: {_label(k)}", forest_figure(comparison, k), caption, level=3)
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

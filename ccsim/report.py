"""Charts and a one-file HTML report of a simulated day or of an options comparison.

A planner who ran ``ccsim run`` wants to see the day, not read 300 numbers: the
service level of each queue by half hour against its target, when callers waited and
hung up, whether the rostered agents match what Erlang A would ask for, how busy each
agent group was, how the load rose and fell, and what the day cost. A planner who ran
``ccsim compare`` wants to see which option moves the service level, abandonment and
speed of answer, whether the move is real (its paired 95 % interval excludes zero), and
what the business case is.

Every chart function takes results and returns a :class:`matplotlib.figure.Figure`
(drawn with the non-interactive Agg canvas; no pyplot, no global state), so experiment
scripts can reuse them. :func:`run_report` and :func:`compare_report` write one
self-contained HTML file (charts embedded as PNG, inline CSS, nothing fetched from the
network) that opens offline and can be mailed as is.

This is the only ccsim module that imports matplotlib; ``import ccsim`` does not.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from ccsim.results import ALL, SimulationResult
from ccsim.units import format_duration, parse_clock

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ccsim.comparison import Comparison

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

#: Heading of each chart in the HTML reports, by chart function name.
CHART_HEADINGS = {
    "service_level_figure": "Service level by interval",
    "waits_figure": "Speed of answer and abandonment by interval",
    "staffing_figure": "Staffed agents against Erlang A",
    "occupancy_figure": "Agent occupancy",
    "offered_figure": "Contacts offered, answered and abandoned",
    "cost_figure": "Cost per day by component",
    "forest_figure": "Paired differences to the base",
}
#: KPIs whose paired differences :func:`compare_report` draws as forest plots.
FOREST_KPIS = ("service_level", "abandon_rate", "asa_s")

_PERCENT = {
    "service_level",
    "service_level_answered",
    "service_level_excl_short_abandons",
    "p_wait",
    "abandon_rate",
    "block_rate",
    "occupancy",
}
_SECONDS = {"asa_s", "mean_wait_s", "aht_s"}
_HOURS = {"staffed_hours", "busy_hours"}
_LABELS = {
    "service_level": "Service level",
    "service_level_answered": "Service level of answered contacts",
    "service_level_excl_short_abandons": "Service level excl. short abandons",
    "p_wait": "Share of contacts that waited",
    "abandon_rate": "Abandonment rate",
    "block_rate": "Blocking rate",
    "asa_s": "Average speed of answer",
    "mean_wait_s": "Mean wait",
    "aht_s": "Average handle time",
    "occupancy": "Occupancy",
    "staffed_hours": "Staffed hours",
    "busy_hours": "Busy hours",
}
_LOWER_IS_BETTER = {
    "abandon_rate",
    "block_rate",
    "asa_s",
    "mean_wait_s",
    "p_wait",
    "abandoned",
    "blocked",
    "unserved",
    "aht_s",
}
_TABLE_KPIS = (
    "offered",
    "answered",
    "abandoned",
    "blocked",
    "service_level",
    "asa_s",
    "abandon_rate",
    "p_wait",
    "mean_wait_s",
    "aht_s",
)


# ------------------------------------------------------------------- helpers
def _label(kpi: str) -> str:
    return _LABELS.get(kpi, kpi.replace("_", " ").capitalize())


def _unit(kpi: str, difference: bool = False) -> str:
    if kpi in _PERCENT:
        return "percentage points" if difference else "%"
    if kpi in _SECONDS:
        return "seconds"
    if kpi in _HOURS:
        return "hours"
    return "contacts"


def _scale(kpi: str) -> float:
    return 100.0 if kpi in _PERCENT else 1.0


def _new_figure(rows: int = 1, cols: int = 1, height: float = 4.5, **kw: object) -> tuple:
    fig = Figure(figsize=(10, height), layout="constrained")
    FigureCanvasAgg(fig)  # the non-interactive Agg canvas, attached to this figure only
    axes = fig.subplots(rows, cols, squeeze=False, **kw)
    return fig, list(axes.flat)


def _suptitle(fig: Figure, result: SimulationResult) -> None:
    fig.suptitle(
        f"{result.scenario.name}: {result.replications} replications, "
        "mean and 95 % confidence interval",
        fontsize=10,
        color="0.35",
    )


def _series(frame: object, column: str, key: str, kpi: str) -> tuple[np.ndarray, ...]:
    rows = frame[(frame[column] == key) & (frame["kpi"] == kpi)].sort_values("interval")
    return tuple(rows[c].to_numpy(dtype=float) for c in ("mean", "ci95_low", "ci95_high"))


def _interval_axis(ax: Axes, result: SimulationResult) -> None:
    labels = result.interval_labels()
    step = max(1, math.ceil(len(labels) / 12))
    ticks = list(range(0, len(labels), step))
    ax.set_xticks(ticks, [labels[k] for k in ticks])
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_xlabel(f"Interval start (intervals of {format_duration(result.plan.interval)})")
    ax.grid(True, alpha=0.3)


def _band(
    ax: Axes,
    x: np.ndarray,
    mean: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    color: str,
    label: str,
    scale: float = 1.0,
) -> None:
    ax.plot(x, mean * scale, marker="o", markersize=3, color=color, label=label)
    ax.fill_between(x, low * scale, high * scale, color=color, alpha=0.2, linewidth=0)


def _ci_err(mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    err = np.vstack([mean - low, high - mean])
    return np.clip(np.nan_to_num(err), 0.0, None)


# ------------------------------------------------------------------- figures
def service_level_figure(result: SimulationResult) -> Figure:
    """Service level of each contact type by interval, against its target.

    Parameters
    ----------
    result : SimulationResult

    Returns
    -------
    matplotlib.figure.Figure
        One panel: each type's mean service level per arrival interval with its 95 %
        confidence band, and its target as a dashed line of the same colour.
    """
    fig, (ax,) = _new_figure()
    plan, x = result.plan, np.arange(result.plan.n_intervals)
    for i, name in enumerate(plan.type_names):
        color = f"C{i}"
        threshold = format_duration(float(plan.sl_threshold[i]))
        _band(
            ax,
            x,
            *_series(result.by_interval, "type", name, "service_level"),
            color,
            f"{name} (answered within {threshold})",
        )
        target = float(plan.sl_target[i])
        ax.axhline(
            target, color=color, linestyle="--", linewidth=1.2, label=f"{name} target {target:.0%}"
        )
    ax.set_ylim(-0.02, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("Service level (% of offered contacts)")
    ax.set_title("Service level by interval against target")
    _interval_axis(ax, result)
    ax.legend(loc="lower left", fontsize=8, ncols=2)
    _suptitle(fig, result)
    return fig


def waits_figure(result: SimulationResult) -> Figure:
    """Average speed of answer and abandonment rate of each contact type by interval.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels sharing the time axis: ASA in seconds, abandonment in % of offered
        contacts, each with 95 % confidence bands.
    """
    fig, axes = _new_figure(2, 1, height=7.0, sharex=True)
    x = np.arange(result.plan.n_intervals)
    for i, name in enumerate(result.plan.type_names):
        _band(axes[0], x, *_series(result.by_interval, "type", name, "asa_s"), f"C{i}", name)
        _band(
            axes[1],
            x,
            *_series(result.by_interval, "type", name, "abandon_rate"),
            f"C{i}",
            name,
            scale=100.0,
        )
    axes[0].set_title("Average speed of answer (ASA) by interval")
    axes[0].set_ylabel("ASA (seconds)")
    axes[1].set_title("Abandonment rate by interval")
    axes[1].set_ylabel("Abandoned (% of offered)")
    axes[1].yaxis.set_major_formatter(PercentFormatter(100.0))
    for ax in axes:
        _interval_axis(ax, result)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", fontsize=8)
    axes[0].set_xlabel("")
    _suptitle(fig, result)
    return fig


def staffing_figure(result: SimulationResult) -> Figure:
    """Agents staffed per interval in each group against what Erlang A would ask for.

    Staffed agents are the mean staffed agent hours of the interval (breaks excluded)
    divided by its length. The Erlang A agents come from
    :func:`ccsim.staffing.erlang_start`: each contact type's need per interval, on its
    arrival forecast (before IVR self-service) and target, put on the first group of its
    routing order, so cross-skilled groups that are nobody's first choice ask for none.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per agent group: bars of staffed agents, a line of Erlang A agents.
    """
    from ccsim.staffing import erlang_start

    plan = result.plan
    need = erlang_start(plan)
    x = np.arange(plan.n_intervals)
    hours = plan.interval / 3600.0
    fig, axes = _new_figure(plan.n_groups, 1, height=1.0 + 2.4 * plan.n_groups, sharex=True)
    for j, (ax, name) in enumerate(zip(axes, plan.group_names, strict=True)):
        staffed = _series(result.by_group_interval, "group", name, "staffed_hours")[0] / hours
        ax.bar(x, staffed, width=0.8, color=f"C{j}", alpha=0.55, label="staffed (on seat)")
        ax.step(
            x,
            need[j],
            where="mid",
            color="black",
            linewidth=1.5,
            linestyle="--",
            label="Erlang A would ask for",
        )
        ax.set_title(f"{name}: staffed agents against Erlang A")
        ax.set_ylabel("Agents")
        ax.set_ylim(bottom=0)
        _interval_axis(ax, result)
        ax.legend(loc="upper left", fontsize=8)
        if j < plan.n_groups - 1:
            ax.set_xlabel("")
    _suptitle(fig, result)
    return fig


def occupancy_figure(result: SimulationResult) -> Figure:
    """Occupancy of each agent group over the day and by interval.

    Returns
    -------
    matplotlib.figure.Figure
        Left: each group's (and all groups') occupancy with 95 % CI error bars.
        Right: each group's occupancy by interval.
    """
    fig, axes = _new_figure(1, 2, height=4.5, width_ratios=[1, 2])
    names = [*result.plan.group_names, "all groups"]
    by_group = result.by_group[result.by_group["kpi"] == "occupancy"]
    overall = result.summary[result.summary["kpi"] == "occupancy"]
    cols = ("mean", "ci95_low", "ci95_high")
    mean, low, high = (
        np.append(by_group[c].to_numpy(float), overall[c].to_numpy(float)) for c in cols
    )
    colors = [f"C{j}" for j in range(len(names) - 1)] + ["0.5"]
    axes[0].bar(
        names, mean * 100, yerr=_ci_err(mean, low, high) * 100, color=colors, alpha=0.7, capsize=4
    )
    axes[0].set_title("Occupancy over the day")
    axes[0].set_ylabel("Occupancy (% of staffed time busy)")
    axes[0].set_xlabel("Agent group")
    axes[0].tick_params(axis="x", labelrotation=20)
    x = np.arange(result.plan.n_intervals)
    for j, name in enumerate(result.plan.group_names):
        _band(
            axes[1],
            x,
            *_series(result.by_group_interval, "group", name, "occupancy"),
            f"C{j}",
            name,
            scale=100.0,
        )
    axes[1].set_title("Occupancy by interval")
    axes[1].set_ylabel("Occupancy (%)")
    axes[1].legend(loc="lower center", fontsize=8)
    _interval_axis(axes[1], result)
    for ax in axes:
        ax.set_ylim(0, 105)
        ax.yaxis.set_major_formatter(PercentFormatter(100.0))
    _suptitle(fig, result)
    return fig


def offered_figure(result: SimulationResult) -> Figure:
    """Contacts offered, answered and abandoned per interval: the load over the day.

    When the results carry a ``mean_queue`` KPI, a second panel shows the mean
    number of contacts queued per interval and contact type.

    Returns
    -------
    matplotlib.figure.Figure
    """
    frame = result.by_interval
    queue = "mean_queue" in set(frame["kpi"])
    fig, axes = _new_figure(2 if queue else 1, 1, height=7.0 if queue else 4.5, sharex=True)
    x = np.arange(result.plan.n_intervals)
    for kpi, color in (("offered", "C0"), ("answered", "C2"), ("abandoned", "C3")):
        _band(axes[0], x, *_series(frame, "type", ALL, kpi), color, kpi)
    axes[0].set_title("Contacts per interval, all contact types (by arrival interval)")
    axes[0].set_ylabel("Contacts per interval")
    axes[0].set_ylim(bottom=0)
    axes[0].legend(loc="upper left", fontsize=8)
    _interval_axis(axes[0], result)
    if queue:
        axes[0].set_xlabel("")
        for i, name in enumerate(result.plan.type_names):
            _band(axes[1], x, *_series(frame, "type", name, "mean_queue"), f"C{i}", name)
        axes[1].set_title("Mean queue length by interval")
        axes[1].set_ylabel("Contacts waiting")
        axes[1].set_ylim(bottom=0)
        axes[1].legend(loc="upper left", fontsize=8)
        _interval_axis(axes[1], result)
    _suptitle(fig, result)
    return fig


def cost_figure(result: SimulationResult) -> Figure:
    """The day's cost by component (agents, telephony, IVR, fixed, abandonment, penalties).

    Raises
    ------
    ValueError
        If the scenario has no ``costs:`` section.

    Returns
    -------
    matplotlib.figure.Figure
        Horizontal bars per component with 95 % CI error bars, labelled with the mean.
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
        ax.annotate(
            f"{value:,.0f}",
            (value + err[1, k], k),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, list(COMPONENTS))
    ax.invert_yaxis()
    ax.set_xlim(0, max(float(np.nanmax(mean + err[1])), 1.0) * 1.15)
    ax.grid(True, axis="x", alpha=0.3)
    total = table.loc["total"]
    ax.set_title(
        f"Cost per day by component: total {total['per_day']:,.0f} {currency} "
        f"({total['per_year']:,.0f} {currency} per year)"
    )
    ax.set_xlabel(f"{currency} per day")
    ax.set_ylabel("Cost component")
    _suptitle(fig, result)
    return fig


def forest_figure(comparison: Comparison, kpi: str = "service_level") -> Figure:
    """Forest plot: each option's paired difference to the base in one KPI.

    Parameters
    ----------
    comparison : Comparison
        From :func:`ccsim.compare`.
    kpi : str
        A centre-wide KPI (``service_level``, ``abandon_rate``, ``asa_s``...).

    Returns
    -------
    matplotlib.figure.Figure
        One row per option (in the comparison's order, first on top): the mean paired
        difference (option - base) with its 95 % interval; filled markers for
        significant differences (interval excludes 0), hollow for the others, and a
        vertical line at 0 (no change).
    """
    options = comparison.options
    fig, (ax,) = _new_figure(height=1.6 + 0.55 * len(options))
    scale, better = _scale(kpi), "lower" if kpi in _LOWER_IS_BETTER else "higher"
    for y, option in enumerate(options):
        d = comparison.difference(option, kpi)
        mean, low, high = (v * scale for v in (d.mean, d.low, d.high))
        color = "C3" if d.significant else "0.45"
        xerr = np.nan_to_num([[mean - low], [high - mean]])
        ax.errorbar(
            mean,
            y,
            xerr=xerr,
            fmt="o",
            color=color,
            capsize=4,
            markersize=7,
            markerfacecolor=color if d.significant else "white",
        )
        text = f"{mean:+.3g} [{low:+.3g}, {high:+.3g}]" + (" *" if d.significant else "")
        ax.annotate(
            text,
            (high if math.isfinite(high) else mean, y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.axvline(0.0, color="black", linewidth=1)
    ax.set_yticks(range(len(options)), options)
    ax.set_ylim(len(options) - 0.5, -0.5)
    ax.margins(x=0.25)
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_xlabel(f"Option - base ({_unit(kpi, difference=True)}; {better} is better)")
    ax.set_ylabel("Option")
    ax.set_title(f"{_label(kpi)}: paired difference to the base, 95 % CI")
    ax.legend(
        handles=[
            Line2D([], [], marker="o", color="C3", linestyle="", label="significant (* )"),
            Line2D(
                [],
                [],
                marker="o",
                color="0.45",
                markerfacecolor="white",
                linestyle="",
                label="not significant (CI includes 0)",
            ),
        ],
        loc="lower right",
        fontsize=8,
    )
    base = comparison.results["base"]
    fig.suptitle(
        f"{base.scenario.name}: {base.replications} paired replications (common random numbers)",
        fontsize=10,
        color="0.35",
    )
    return fig


# -------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0;color:#222;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:1.5em 2em;background:#fff}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:2px solid #dde;
padding-bottom:.2em;font-size:1.25em}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccd;padding:.3em .6em;text-align:right}
th{background:#eef0f5}td.l,th.l{text-align:left}
.sig{color:#b00;font-weight:bold}.muted{color:#666;font-size:.9em}
figure{margin:.5em 0}img{max-width:100%;height:auto}figcaption{color:#555;font-size:.9em}
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _num(value: float, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "never" if value == math.inf else "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}" if abs(value) < 100 else f"{value:.1f}"


def _kpi_value(kpi: str, value: float, signed: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    v = value * _scale(kpi)
    text = f"{v:+.2f}" if signed else (f"{v:.1f}" if kpi in _PERCENT | _SECONDS else _num(v))
    return text + (" %" if kpi in _PERCENT and not signed else "")


def _with_ci(kpi: str, mean: float, low: float, high: float, signed: bool = False) -> str:
    ci = f"[{_kpi_value(kpi, low, signed).rstrip(' %')}, {_kpi_value(kpi, high, signed)}]"
    return f"{_kpi_value(kpi, mean, signed)} {ci}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], left: int = 1) -> str:
    def cell(tag: str, k: int, value: object) -> str:
        cls = ' class="l"' if k < left else ""
        return f"<{tag}{cls}>{_e(value)}</{tag}>"

    head = "".join(cell("th", k, h) for k, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", k, v) for k, v in enumerate(row)) + "</tr>\n" for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"


def _figure_html(heading: str, fig: Figure, caption: str, level: int = 2) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f"<section>\n<h{level}>{_e(heading)}</h{level}>\n<figure>"
        f'<img src="data:image/png;base64,{data}" alt="{_e(heading)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>\n</section>\n"
    )


def _section(heading: str, body: str, note: str = "") -> str:
    para = f'<p class="muted">{_e(note)}</p>\n' if note else ""
    return f"<section>\n<h2>{_e(heading)}</h2>\n{para}{body}</section>\n"


def _page(title: str, body: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{_e(title)}</h1>\n{body}"
        f'<footer><p class="muted">Written by ccsim on {_e(stamp)}.</p></footer>\n'
        "</main>\n</body>\n</html>\n"
    )


def _scenario_summary(result: SimulationResult) -> str:
    s, plan = result.scenario, result.plan
    start = parse_clock(s.horizon.start)
    seconds = int(round(start + plan.n_intervals * plan.interval)) % 86400
    end = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    types = [
        f"{t.name} (target {t.service_level.target:.0%} within "
        f"{format_duration(t.service_level.threshold)})"
        for t in s.contact_types
    ]
    groups = [f"{g.name} (skills: {', '.join(g.skills)})" for g in s.agent_groups]
    rows = [
        ("Scenario", s.name),
        ("Description", s.description.strip() or "–"),
        (
            "Horizon",
            f"{s.horizon.start}–{end}: {plan.n_intervals} intervals of "
            f"{format_duration(plan.interval)}, warm-up "
            f"{format_duration(float(s.horizon.warmup))}",
        ),
        ("Contact types", "; ".join(types)),
        ("Agent groups", "; ".join(groups)),
        ("Replications", result.replications),
        ("Seed", result.seed),
        ("Engine", result.engine),
        ("Contacts simulated", f"{result.contacts_simulated:,}"),
        ("Warnings", "; ".join(result.warnings) or "none"),
    ]
    body = "".join(
        f'<tr><th class="l">{_e(k)}</th><td class="l">{_e(v)}</td></tr>\n' for k, v in rows
    )
    return _section("Scenario", f"<table>\n<tbody>\n{body}</tbody>\n</table>\n")


def _kpi_rows(frame: object, kpis: Sequence[str]) -> list[tuple[str, str]]:
    by_kpi = {r["kpi"]: r for r in frame.to_dict("records")}
    return [
        (_label(k), _with_ci(k, by_kpi[k]["mean"], by_kpi[k]["ci95_low"], by_kpi[k]["ci95_high"]))
        for k in kpis
        if k in by_kpi
    ]


def _cost_rows(result: SimulationResult) -> list[tuple[str, ...]]:
    from ccsim.costs import cost_table

    return [
        (
            r["component"],
            _num(r["per_day"]),
            f"[{_num(r['ci95_low'])}, {_num(r['ci95_high'])}]",
            _num(r["per_year"]),
        )
        for r in cost_table(result).to_dict("records")
    ]


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
        ``path``. The page holds the scenario summary, centre-wide KPIs with 95 %
        intervals, the charts of this module (the cost chart and table only when the
        scenario has costs), and tables per contact type and agent group.
    """
    path = Path(path)
    s = result.scenario
    costs = s.costs is not None
    kpis = (
        "offered",
        "answered",
        "abandoned",
        "blocked",
        "deflected",
        "ivr_abandoned",
        "unserved",
        "service_level",
        "service_level_answered",
        "p_wait",
        "abandon_rate",
        "block_rate",
        "asa_s",
        "mean_wait_s",
        "aht_s",
        "occupancy",
    )
    parts = [
        _scenario_summary(result),
        _section(
            "KPI summary",
            _table(("KPI", "mean [95 % CI]"), _kpi_rows(result.summary, kpis)),
            "Whole centre, all counted intervals; mean across replications.",
        ),
    ]
    charts = [
        (
            "service_level_figure",
            service_level_figure,
            "Dashed lines: each contact type's target. Bands: 95 % confidence intervals.",
        ),
        (
            "waits_figure",
            waits_figure,
            "Mean wait of answered contacts, and abandoned / offered, by arrival interval.",
        ),
        (
            "staffing_figure",
            staffing_figure,
            "Bars: agents on seat (breaks excluded). Dashed: Erlang A agents for each type's "
            "target, on the arrival forecast before IVR self-service, on its first group.",
        ),
        (
            "occupancy_figure",
            occupancy_figure,
            "Busy time (talk and wrap-up) over staffed time; error bars are 95 % CIs.",
        ),
        (
            "offered_figure",
            offered_figure,
            "All contact types together; the shape of the load over the day.",
        ),
    ]
    if costs:
        currency = s.costs.currency
        charts.append(("cost_figure", cost_figure, f"Mean per day in {currency}, 95 % CIs."))
    for name, function, caption in charts:
        parts.append(_figure_html(CHART_HEADINGS[name], function(result), caption))
    by_type = [
        (
            name,
            *(v for _, v in _kpi_rows(result.by_type[result.by_type["type"] == name], _TABLE_KPIS)),
        )
        for name in result.plan.type_names
    ]
    headers = ("Contact type", *(_label(k) for k in _TABLE_KPIS))
    parts.append(_section("By contact type", _table(headers, by_type), "Mean [95 % CI]."))
    group_kpis = ("occupancy", "staffed_hours", "busy_hours", "handled")
    by_group = [
        (
            name,
            *(
                v
                for _, v in _kpi_rows(result.by_group[result.by_group["group"] == name], group_kpis)
            ),
        )
        for name in result.plan.group_names
    ]
    headers = ("Agent group", *(_label(k) for k in group_kpis))
    parts.append(_section("By agent group", _table(headers, by_group), "Mean [95 % CI]."))
    if costs:
        headers = ("Component", f"per day ({currency})", "95 % CI", f"per year ({currency})")
        note = f"{s.costs.working_days_per_year} working days per year."
        parts.append(_section("Costs", _table(headers, _cost_rows(result)), note))
    path.write_text(_page(f"ccsim run report: {s.name}", "".join(parts)), encoding="utf-8")
    return path


def compare_report(comparison: Comparison, path: str | Path) -> Path:
    """Write a self-contained HTML report of an options comparison.

    Parameters
    ----------
    comparison : Comparison
        From :func:`ccsim.compare`.
    path : str or pathlib.Path
        The HTML file to write.

    Returns
    -------
    pathlib.Path
        ``path``. The page holds the base scenario's summary, each option's KPIs, the
        paired differences to the base (centre-wide and per contact type, significant
        ones marked), forest plots of :data:`FOREST_KPIS`, and the cost/benefit table
        when the base scenario has costs.
    """
    path = Path(path)
    base = comparison.results["base"]
    names = list(comparison.results)
    kpis = [k for k in comparison.kpis if k in set(base.summary["kpi"])]
    means = [
        (
            _label(k),
            *(
                v
                for r in comparison.results.values()
                for kk, v in [next(iter(_kpi_rows(r.summary[r.summary["kpi"] == k], [k])))]
                if kk
            ),
        )
        for k in kpis
    ]
    parts = [
        _scenario_summary(base).replace("<h2>Scenario</h2>", "<h2>Base scenario</h2>", 1),
        _section(
            "KPIs of each option",
            _table(("KPI", *names), means),
            "Whole centre; mean [95 % CI] across replications.",
        ),
    ]
    table = comparison.table()
    headers = (
        "Option",
        "KPI",
        "Base",
        "Option value",
        "Difference [95 % CI]",
        "Significant",
        "CI narrowing by pairing",
    )

    def rows(frame: object) -> list[tuple[str, ...]]:
        return [
            (
                r["option"],
                _label(r["kpi"]),
                _kpi_value(r["kpi"], r["base"]),
                _kpi_value(r["kpi"], r["value"]),
                _with_ci(r["kpi"], r["difference"], r["ci95_low"], r["ci95_high"], signed=True),
                "yes *" if r["significant"] else "no",
                "–" if not math.isfinite(r["narrowing"]) else f"{r['narrowing']:.1f}×",
            )
            for r in frame.to_dict("records")
        ]

    note = (
        "Option − base, paired replication by replication on common random numbers; "
        "rates in percentage points, times in seconds. Significant: the 95 % interval "
        "excludes 0."
    )
    body = _table(headers, rows(table[table["type"] == ALL]), left=2)
    for name in base.plan.type_names:
        body += (
            f"<details><summary>{_e(name)}</summary>\n"
            f"{_table(headers, rows(table[table['type'] == name]), left=2)}</details>\n"
        )
    parts.append(_section("Differences to the base", body, note))
    heading = CHART_HEADINGS["forest_figure"]
    parts.append(f"<h2>{_e(heading)}</h2>\n")
    for kpi in FOREST_KPIS:
        parts.append(
            _figure_html(
                f"{heading}: {_label(kpi)}",
                forest_figure(comparison, kpi),
                "Filled markers: significant. Line at 0: no change.",
                3,
            )
        )
    if base.scenario.costs is not None:
        currency = base.scenario.costs.currency
        finance = [
            (
                r["option"],
                _num(r["saving_per_day"]),
                f"[{_num(r['saving_ci95'][0])}, {_num(r['saving_ci95'][1])}]",
                _num(r["saving_per_year"]),
                _num(r["investment"]),
                _num(r["recurring_per_year"]),
                _num(r["net_benefit_per_year"]),
                _num(r["payback_months"]),
                "–" if not math.isfinite(r["roi"]) else f"{r['roi']:.0%}",
                _num(r["npv"]),
            )
            for r in comparison.finance().to_dict("records")
        ]
        headers = (
            "Option",
            "Saving per day",
            "95 % CI",
            "Saving per year",
            "Investment",
            "Recurring per year",
            "Net benefit per year",
            "Payback (months)",
            "ROI (3 years)",
            "NPV (3 years, 8 %)",
        )
        note = (
            f"In {currency}. Saving = base − option daily cost, paired; "
            f"{base.scenario.costs.working_days_per_year} working days per year."
        )
        parts.append(_section("Cost and benefit", _table(headers, finance), note))
    title = f"ccsim options comparison: {base.scenario.name}"
    path.write_text(_page(title, "".join(parts)), encoding="utf-8")
    return path

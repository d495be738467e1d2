"""Charts of a simulated day or of an options comparison (matplotlib Figures).

A planner wants to see the day: each queue's service level by half hour against its
target, when callers waited and hung up, whether the roster matches what Erlang A asks
for, how busy each agent group was, how the load rose and fell and what the day cost;
and, comparing options, which option really moves service level, abandonment and speed
of answer (its paired 95 % interval excludes zero) and what the business case is.

Every chart function returns a :class:`matplotlib.figure.Figure` on its own Agg canvas
(no pyplot, no global state), so experiment scripts can reuse it; the HTML reports
(:mod:`ccsim.report.html`) embed them. Only the report package imports matplotlib.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter, StrMethodFormatter

from ccsim.report.labels import LOWER_IS_BETTER, SECONDS_KPIS, STATS, kpi_label
from ccsim.results.kpis import SHARE_KPIS
from ccsim.results.tables import ALL, SimulationResult
from ccsim.scenario.units import format_duration

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ccsim.whatif.comparison import Comparison

# fmt: off
__all__ = [
    "CHART_HEADINGS", "FOREST_KPIS", "PercentTicks", "cost_figure", "forest_figure",
    "occupancy_figure", "offered_figure", "service_level_figure", "staffing_figure",
    "waits_figure",
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

_NOTE = {"xytext": (5, 0), "textcoords": "offset points", "va": "center", "fontsize": 8}
_GREY = "0.45"


# ------------------------------------------------------------------- helpers
class PercentTicks(PercentFormatter):
    """Percent tick labels with as few decimals as the ticks need to read apart.

    The decimals are chosen from the tick values themselves (0 to 3: the fewest that
    write every tick exactly), so an axis from 0 % to 100 % reads "0%, 20%, ...", one
    from 0 % to 1.5 % reads "0.0%, 0.2%, 0.4%, ..." and one with ticks at 0.25 % steps
    "0.00%, 0.25%, ...": no two labels repeat.
    """

    def __init__(self, xmax: float = 100.0) -> None:
        super().__init__(xmax, decimals=0)

    def set_locs(self, locs: Any) -> None:
        """Choose the decimals for these tick locations (called before formatting)."""
        super().set_locs(locs)
        values = [self.convert_to_pct(float(x)) for x in locs]
        for decimals in range(4):
            if all(abs(round(v, decimals) - v) < 1e-9 * max(1.0, abs(v)) for v in values):
                break
        self.decimals = decimals


def _new_figure(rows: int = 1, cols: int = 1, height: float = 4.5, **kw: Any) -> tuple:
    fig = Figure(figsize=(10, height), layout="constrained")
    FigureCanvasAgg(fig)  # the non-interactive Agg canvas, attached to this figure only
    return fig, list(fig.subplots(rows, cols, squeeze=False, **kw).flat)


def _suptitle(fig: Figure, result: SimulationResult, what: str = "replications") -> None:
    text = f"{result.scenario.name}: {result.replications} {what}, mean and 95 % CI"
    fig.suptitle(text, fontsize=10, color=_GREY)


def _series(frame: Any, column: str, key: str, kpi: str) -> tuple[np.ndarray, ...]:
    rows = frame[(frame[column] == key) & (frame["kpi"] == kpi)].sort_values("interval")
    return tuple(rows[c].to_numpy(dtype=float) for c in STATS)


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
        ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(PercentTicks())
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
    length. Erlang A (:func:`ccsim.whatif.requirement.erlang_requirement`): each contact
    type's need for its target on the calls that reach agents (after IVR self-service and
    IVR hang-ups), put on the first group
    of its routing order; a group that is no type's first choice asks for none.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per agent group: bars of staffed agents, a dashed line of Erlang A.
    """
    from ccsim.whatif.requirement import erlang_requirement

    plan, hours = result.plan, result.plan.interval / 3600.0
    need = erlang_requirement(plan)
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
    mean, low, high = (100 * np.append(*(r[c] for r in rows)) for c in STATS)
    colors = [f"C{j}" for j in range(len(names) - 1)] + [_GREY]
    top.barh(names, mean, xerr=_ci_err(mean, low, high), color=colors, alpha=0.7, capsize=4)
    top.set(title="Occupancy over the day", xlabel="Occupancy (% of staffed time)")
    top.set(ylabel="Agent group", xlim=(0, 102), ylim=(len(names) - 0.5, -0.5))
    top.xaxis.set_major_formatter(PercentTicks())
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
    from ccsim.whatif.costs import COMPONENTS, cost_table

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
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))  # 5,000 not 5000
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
        significant (the interval excludes 0), hollow grey otherwise; a line at 0. A
        mix effect (:meth:`~ccsim.whatif.comparison.Comparison.mix`) is written "†".
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
        split = comparison.mix(option, kpi)
        mix = " † mix effect" if split is not None and split.mix_effect else ""
        text = f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]" + (" *" if d.significant else "") + mix
        ax.annotate(text, (1.01, y), xycoords=("axes fraction", "data"), va="center", fontsize=8)
    ax.axvline(0.0, color="black", lw=1)
    ax.set_yticks(range(len(options)), options)
    ax.set_ylim(len(options) - 0.5, -0.5)
    ax.margins(x=0.1)
    ax.grid(True, axis="x", alpha=0.3)
    unit = "percentage points" if kpi in SHARE_KPIS else ("seconds" if kpi in SECONDS_KPIS else "")
    better = "lower" if kpi in LOWER_IS_BETTER else "higher"
    xlabel = f"Difference to the base ({unit or kpi}; {better} is better)"
    ax.set(
        title=f"{kpi_label(kpi)}: option - base, paired, 95 % CI", xlabel=xlabel, ylabel="Option"
    )
    legend = (("C3", "C3", "significant (*)"), (_GREY, "white", "not significant (CI has 0)"))
    handles = [Line2D([], [], marker="o", ls="", color=c, mfc=f, label=t) for c, f, t in legend]
    ax.legend(handles=handles, loc="best", fontsize=8)
    _suptitle(fig, comparison.results["base"], "paired replications")
    return fig

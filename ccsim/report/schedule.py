"""The schedule report: the roster found, what it covers, what it costs against two-step.

A planner deciding on a roster wants to see, on one page: how many agents of which skill
set start when (the schedule table), whether the roster follows the load (the coverage
chart: agents on the phones per interval against the Erlang requirement and against
the two-step plan), whether every target holds on fresh simulated days (each target
with its confidence interval) and what it costs per day and per year against the
classic two-step plan. The report reads a :class:`~ccsim.whatif.scheduling.ScheduleResult`
and runs nothing.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ccsim.report.charts import PercentTicks
from ccsim.report.markup import chart, details, money, page, section, table

if TYPE_CHECKING:
    from ccsim.whatif.scheduling.result import Roster, ScheduleResult

__all__ = ["coverage_figure", "schedule_report"]

_COLOURS = {"scheduled": "C0", "two_step": "C1", "required": "0.3", "as_given": "C2"}


def coverage_figure(result: ScheduleResult) -> Figure:
    """Agents on the phones per interval: the schedule, the two-step plan, the requirement.

    One panel per skill set, with the roster as given in the scenario. The requirement
    is what two-step planning covers: Erlang A for each queue's target, less what the
    groups left as they are can take, on the first skill-set group of its routing.
    """
    frame = result.coverage
    groups = list(dict.fromkeys(frame["group"]))
    fig = Figure(figsize=(10, 2.2 + 2.3 * len(groups)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
    for ax, group in zip(axes, groups, strict=True):
        rows = frame[frame["group"] == group].sort_values("interval")
        x = np.arange(len(rows) + 1)
        for column, label in (
            ("required", "required (two-step)"),
            ("as_given", "as given"),
            ("two_step", "two-step plan"),
            ("scheduled", "schedule found"),
        ):
            values = rows[column].to_numpy(dtype=float)
            ax.stairs(values, x, baseline=None, color=_COLOURS[column], label=label,
                      linestyle={"required": "--", "as_given": ":"}.get(column, "-"),
                      linewidth=2.0 if column == "scheduled" else 1.2)  # fmt: skip
        labels = list(rows["start"])
        step = max(1, math.ceil(len(labels) / 12))
        ticks = list(range(0, len(labels), step))
        ax.set_xticks(ticks, [labels[k] for k in ticks])
        ax.set_xlim(0, len(labels))
        ax.set_ylim(bottom=0)
        ax.set(title=group, ylabel="agents on the phones")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=8)
    axes[-1].set_xlabel("Interval start (breaks taken out)")
    fig.suptitle(f"{result.scenario.name}: agents on the phones per interval", fontsize=10,
                 color="0.45")  # fmt: skip
    return fig


def targets_figure(result: ScheduleResult) -> Figure:
    """Each target's value on fresh replications (95 % CI), schedule and two-step."""
    found, base = result.found.targets, result.two_step.targets
    fig = Figure(figsize=(10, 3.2 + 0.12 * len(found)), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    y = np.arange(len(found))
    for frame, colour, label, shift in ((found, "C0", "schedule found", -0.15),
                                         (base, "C1", "two-step plan", 0.15)):  # fmt: skip
        mean = frame["check"].to_numpy(dtype=float)
        low = mean - frame["check_ci95_low"].to_numpy(dtype=float)
        high = frame["check_ci95_high"].to_numpy(dtype=float) - mean
        err = np.clip(np.nan_to_num(np.vstack([low, high])), 0, None)
        ax.errorbar(mean, y + shift, xerr=err, fmt="o", markersize=3, color=colour,
                    label=label, linewidth=1)  # fmt: skip
    bounds = found["bound"].to_numpy(dtype=float)
    ax.scatter(bounds, y, marker="|", s=120, color="0.2", label="target", zorder=3)
    ax.set_yticks(y, list(found["target"]), fontsize=7)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentTicks(1.0))
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_xlabel(f"on {result.result.replications} fresh replications (seed {result.check_seed})")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=8)
    return fig


_TARGETS_CAPTION = (
    "Each target's service level (or abandonment rate) on fresh replications, mean and "
    "95 % CI; bar: the target."
)


def _pct(x: float) -> str:
    return "–" if x != x else f"{100 * x:.1f} %"


def _met_text(r: Roster) -> str:
    n = len(r.targets)
    return f"{int(r.targets['met_check'].sum())} of {n}" if n else "–"


def _cost_rows(result: ScheduleResult) -> list[list[str]]:
    cur = result.cost["currency"]

    def line(label: str, get) -> list[str]:  # noqa: ANN001 - a small accessor
        return [label, get(result.given), get(result.found), get(result.two_step)]

    met = _met_text

    rows = [
        line("agents in the scheduled groups", lambda r: f"{r.headcount:,}"),
        line(
            f"scheduled groups' wages and training per day ({cur})".replace(" ()", ""),
            lambda r: money(r.cost["scheduled"]),
        ),  # fmt: skip
        line("agent cost per day, every group", lambda r: money(r.cost["agents"])),
        line("training per day", lambda r: money(r.cost["training"])),
        line("other costs per day (simulated)", lambda r: money(r.cost["other"])),
        line(
            "total per day [95 % CI]",
            lambda r: (
                f"{money(r.cost['total'])} "
                f"[{money(r.cost['total_ci95'][0])}, {money(r.cost['total_ci95'][1])}]"
            ),
        ),  # fmt: skip
        line("total per year", lambda r: money(r.cost["per_year"])),
        line("targets met on fresh days", met),
    ]
    return rows


def _roster_table(r: Roster) -> str:
    days = "days" in r.table.columns  # day patterns: the days each row works
    rows = [
        [x.skill_set, x.template, x.start, x.end, f"{x.agents:,}", x.breaks,
         *([x.days] if days else []), f"{x.paid_hours:g}", money(x.cost)]
        for x in r.table.itertuples()
    ]  # fmt: skip
    headers = ("Skill set", "Template", "Start", "End", "Agents", "Breaks",
               *(("Days",) if days else ()), "Paid hours", "Cost per day")  # fmt: skip
    return table(headers, rows, left=2, text=(5, 6) if days else (5,))


def _given_table(r: Roster) -> str:
    rows = [[x.skill_set, x.template, x.start, x.end, f"{x.agents:,}", x.breaks]
            for x in r.table.itertuples()]  # fmt: skip
    return table(("Group", "How", "Start", "End", "Agents", "Breaks or staffing"), rows,
                 left=2, text=(5,))  # fmt: skip


def schedule_report(result: ScheduleResult, path: str | Path) -> Path:
    """Write a self-contained HTML report of a schedule.

    Parameters
    ----------
    result : ScheduleResult
        From :func:`ccsim.schedule`.
    path : str or pathlib.Path
        The HTML file to write (its folder must exist).

    Returns
    -------
    pathlib.Path
        ``path``. The page holds the search (seeds, simulations, how it stopped), the
        cost and service of the schedule against the two-step plan, the coverage chart,
        the targets chart, the schedule table, the two-step table (folded), every target
        with its interval (folded) and the rounds of the search (folded).
    """
    s = result.scenario
    r = result
    search_note = (
        f"{r.evaluations} simulations of {r.replications} replications (seed {r.seed}, "
        f"the same days for every candidate) in {r.seconds:,.0f} s; stopped: {r.stop}"
        + (f"; the trim took out {r.trimmed} agents" if r.trimmed else "")
        + f". Checked on {r.result.replications} fresh replications (seed {r.check_seed})."
    )
    cur = r.cost["currency"]
    headline = " ".join(
        f"{name}: {_met_text(roster)} targets met on fresh days, "
        f"{money(roster.cost['scheduled'])} {cur} a day for the scheduled groups.".replace(
            "  ", " "
        )
        for name, roster in (("Schedule found", r.found), ("As given", r.given),
                             ("Two-step plan", r.two_step))
    )  # fmt: skip
    parts = [
        section("Search", f"<p>{headline}</p>\n", search_note),
        section(
            "Cost and service against the two-step plan",
            table(("", "As given", "Schedule found", "Two-step plan"), _cost_rows(r)),
            "As given: the scenario's own roster of the scheduled groups. Two-step: the "
            "Erlang A requirement per interval, then the cheapest cover by the templates. "
            "Costs per day; wages as the scenario's cost model pays them.",
        ),  # fmt: skip
        chart(
            "Coverage",
            coverage_figure(r),
            "Agents on the phones per interval (breaks taken out), per skill set.",
        ),  # fmt: skip
        chart("Targets on fresh days", targets_figure(r), _TARGETS_CAPTION),
        section("Schedule", _roster_table(r.found), f"{r.found.headcount:,} agents."),
        details(f"Two-step plan ({r.two_step.headcount:,} agents)", _roster_table(r.two_step)),
        details("The scheduled groups as given in the scenario", _given_table(r.given)),
    ]
    rows = [
        [t.target, _pct(t.bound), _pct(t.search),
         f"{_pct(t.check)} [{_pct(t.check_ci95_low)}, {_pct(t.check_ci95_high)}]",
         "yes" if not t.met_check else "", _pct(b.check)]
        for t, b in zip(r.found.targets.itertuples(), r.two_step.targets.itertuples(),
                        strict=True)
    ]  # fmt: skip
    headers = ("Target", "Bound", "Search sample", "Fresh days [95 % CI]", "Missed",
               "Two-step, fresh days")  # fmt: skip
    parts.append(details("Every target", table(headers, rows)))
    rounds = [
        [str(k), money(x.cost), str(x.agents), "yes" if x.met else "", str(x.missed),
         x.worst, f"{100 * x.margin:+.1f} pt", str(x.simulations), f"{x.seconds:.0f}"]
        for k, x in enumerate(r.rounds)
    ]  # fmt: skip
    headers = ("Round", "Cost per day", "Agents", "Met", "Missed", "Tightest target",
               "Its margin", "Simulations", "Seconds")  # fmt: skip
    parts.append(details("Rounds of the search", table(headers, rounds, text=(5,))))
    if r.notes:
        parts.append(section("Notes", "".join(f"<p>{n}</p>\n" for n in r.notes)))
    path = Path(path)
    path.write_text(page(f"ccsim schedule: {s.name}", parts), encoding="utf-8")
    return path

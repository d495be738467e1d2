"""Parts of the run report beyond the charts: the IVR, the shift plan, each interval.

A manager forwarding a run report wants to see what the centre was told to do and what
happened, not only the day's averages:

* **the IVR**: of the calls that arrived, how many the IVR self-served (deflected) and
  how many hung up in it, per contact type, against the shares the scenario sets; how
  long callers spent in it; how many ports it has;
* **the shift plan**: each shift of each agent group (start, end, agents) with its
  breaks (fixed, or staggered over a window) and the group's planned activities;
* **the day interval by interval**: per contact type, each interval's offered and
  answered contacts, service level with its 95 % interval (below target in red),
  abandonment and ASA, folded per type so that the page stays readable;
* **waiting times**: percentiles of the waits of answered contacts and the service
  level at several thresholds, per type (:attr:`SimulationResult.waits`).

Each function returns an HTML section (:mod:`ccsim.report.markup`), or ``""`` when the
scenario has nothing to show there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ccsim.report import markup
from ccsim.results.confidence import mean_ci
from ccsim.results.kpis import TYPE_FIELDS
from ccsim.results.tables import ALL
from ccsim.scenario.units import format_duration, parse_clock

if TYPE_CHECKING:
    from ccsim.results.tables import SimulationResult
    from ccsim.scenario.model import Shift

__all__ = ["intervals_section", "ivr_section", "shifts_section", "waits_section"]

_F = {name: i for i, name in enumerate(TYPE_FIELDS)}
INTERVAL_KPIS = ("offered", "answered", "service_level", "abandon_rate", "asa_s")


def _clock(seconds_after_midnight: float) -> str:
    t = int(round(seconds_after_midnight)) % 86400
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}"


def _ratio_ci(num: np.ndarray, den: np.ndarray, kpi: str) -> str:
    """Mean [95 % CI] across replications of num / den, written as ``kpi`` is."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    mean, low, high, _ = mean_ci(ratio)
    return markup.with_ci(kpi, float(mean), float(low), float(high))


def ivr_section(result: SimulationResult) -> str:
    """Deflection and IVR hang-ups per contact type, the IVR's time and ports.

    Shares are of the calls that arrived in the counted window (per replication, then
    mean and 95 % CI across replications), next to the probabilities the scenario sets;
    the mean time is per call that entered the IVR (arrived and not blocked).
    """
    s, plan = result.scenario, result.plan
    if s.ivr is None:
        return ""
    acc = result.stats.day_type  # (replications, types, fields): kept by every run
    rows = []
    for i, name in enumerate(plan.type_names):
        if not plan.type_voice[i]:
            arrived = markup.money(float(acc[:, i, _F["arrived"]].mean()))
            rows.append([name, arrived, "skips the IVR", *["–"] * 4])
            continue
        arrived = acc[:, i, _F["arrived"]]
        entered = arrived - acc[:, i, _F["blocked"]]
        rows.append(
            [
                name,
                markup.money(float(arrived.mean())),
                _ratio_ci(acc[:, i, _F["deflected"]], arrived, "service_level"),
                f"{100 * s.ivr.probability('deflection', name):.1f} %",
                _ratio_ci(acc[:, i, _F["ivr_abandoned"]], arrived, "service_level"),
                f"{100 * s.ivr.probability('abandon', name):.1f} %",
                _ratio_ci(acc[:, i, _F["ivr_time"]], entered, "asa_s"),
            ]
        )
    headers = ("Contact type", "Arrived", "Self-served [95 % CI]", "Set",
               "Hung up in it [95 % CI]", "Set", "Mean time in it [95 % CI]")  # fmt: skip
    means = plan.ivr_mean
    low, high = (format_duration(round(float(x), 1)) for x in (means.min(), means.max()))
    time = low if low == high else f"{low}–{high} by interval"
    ports = f"{s.ivr.ports} ports" if s.ivr.ports else "unlimited ports"
    note = (
        f"IVR: {ports}; time in it: {s.ivr.time.dist}, mean {time}. Shares of the calls that "
        "arrived (counted window), mean across replications; Set: the scenario's probability. "
        "Chat and e-mail skip the IVR."
    )
    return markup.section("IVR", markup.table(headers, rows), note)


def _breaks(shift: Shift, start: float) -> str:
    out = []
    for b in shift.breaks:
        if b.start is not None:
            out.append(f"{_clock(start + b.start)} ({format_duration(b.duration)})")
        else:
            earliest, latest = (_clock(start + w) for w in b.window)  # type: ignore[union-attr]
            out.append(f"{format_duration(b.duration)}, starts staggered {earliest}–{latest}")
    return "; ".join(out) or "none"


def shifts_section(result: SimulationResult) -> str:
    """The shifts (start, end, agents, breaks) and every group's planned activities.

    Activities are meetings and training: who, when, how many agents. Groups staffed
    per interval are named in the note; their agents are in the staffing
    chart.
    """
    s = result.scenario
    day_start = s.day_start()
    rows = []
    some_days = any(sh.days is not None for g in s.agent_groups for sh in g.shifts or [])
    for group in s.agent_groups:
        for k, shift in enumerate(group.shifts or []):
            start = day_start + parse_clock(shift.start, day_start)
            end = day_start + parse_clock(shift.end, day_start)
            name = group.name if k == 0 else ""
            row = [name, _clock(start), _clock(end), shift.agents, _breaks(shift, start)]
            if some_days:
                row.append(", ".join(shift.days) if shift.days is not None else "every day")
            rows.append(row)
    activities = []
    for group in s.agent_groups:
        for act in group.activities:
            begin, end = act.span(day_start)
            when = f"{_clock(day_start + begin)}–{_clock(day_start + end)}"
            activities.append([group.name, act.name, when, act.agents])
    if not rows and not activities:
        return ""
    body, notes = "", []
    if rows:
        headers = ("Agent group", "Start", "End", "Agents", "Breaks", *(("Days",) * some_days))
        body += markup.table(headers, rows, text=(4, 5) if some_days else (4,))
        notes.append("Breaks: at a fixed time, or starts staggered across the shift's agents.")
        by_interval = [g.name for g in s.agent_groups if not g.shifts]
        if by_interval:
            names = ", ".join(by_interval)
            notes.append(f"Staffed per interval (see the staffing chart): {names}.")
    if activities:
        body += markup.table(("Agent group", "Planned activity", "When", "Agents"), activities, 2)
        notes.append("Planned activities take agents off the phones (paid, not breaks).")
    if s.days and some_days:
        notes.append("Each day of the run works the shifts of that day (Days).")
    elif s.days:
        notes.append("Every day of the run has this plan.")
    return markup.section("Shift plan", body, " ".join(notes))


def intervals_section(result: SimulationResult) -> str:
    """Per contact type (and the centre), a folded table of the day interval by interval."""
    frame = result.by_interval
    plan = result.plan
    body = ""
    names = [*plan.type_names, *([ALL] if plan.n_types > 1 else [])]
    for name in names:
        rows = []
        mine = frame[frame["type"] == name]
        target = None if name == ALL else float(plan.sl_target[plan.type_names.index(name)])
        for (_, start), part in mine.groupby(["interval", "start"], sort=True):
            by_kpi = {r["kpi"]: r for r in part.to_dict("records")}
            sl = by_kpi["service_level"]
            text = markup.with_ci("service_level", sl["mean"], sl["ci95_low"], sl["ci95_high"])
            if target is not None and sl["mean"] < target:
                text = markup.Raw(f'<span class="miss">{markup.escape(text)}</span>')
            rows.append(
                [
                    start,
                    f"{by_kpi['offered']['mean']:,.1f}",
                    f"{by_kpi['answered']['mean']:,.1f}",
                    text,
                    markup.value("abandon_rate", by_kpi["abandon_rate"]["mean"]),
                    markup.value("asa_s", by_kpi["asa_s"]["mean"]),
                ]
            )
        headers = ("Interval start", "Offered", "Answered", "Service level [95 % CI]",
                   "Abandoned (% of offered)", "ASA")  # fmt: skip
        if target is None:
            email = plan.type_email
            some = " real-time" if email.any() and not email.all() else ""
            label = f"Centre: all{some} contact types together"
        else:
            i = plan.type_names.index(name)
            threshold = format_duration(float(plan.sl_threshold[i]))
            label = f"{name}: target {100 * target:.0f} % within {threshold}"
        body += markup.details(label, markup.table(headers, rows))
    note = (
        "By arrival interval, mean across replications (service level with its 95 % CI; in "
        "red when below the type's target). Unfold a contact type."
    )
    return markup.section("Interval by interval", body, note)


def waits_section(result: SimulationResult) -> str:
    """Percentiles of answered contacts' waits and service levels at several thresholds."""
    frame = result.waits
    if frame.empty:
        return ""
    plan = result.plan
    names = [*plan.type_names, *([ALL] if plan.n_types > 1 else [])]
    kpis = [k for k in dict.fromkeys(frame["kpi"]) if not k.startswith("wait_all_")]
    rows = []
    for kpi in kpis:
        shown = "service_level" if kpi.startswith("service_level_") else "asa_s"  # the unit
        label = kpi.removeprefix("wait_answered_").removesuffix("_s").upper()
        if shown == "service_level":
            seconds = float(kpi.removeprefix("service_level_").removesuffix("s"))
            label = f"answered within {format_duration(seconds)}"
        else:
            label = f"{label} of waits (answered)"
        cells = []
        for name in names:
            r = frame.loc[(name, kpi)]
            cells.append(markup.ci_below(shown, r["mean"], r["ci95_low"], r["ci95_high"]))
        rows.append([label, *cells])
    headers = ("", *("All types" if n == ALL else n for n in names))
    note = (
        "Mean over replications of each day's value [95 % CI]. A percentile in the first "
        "second reads as 0 s (answered at once); the service levels count answered "
        "contacts over offered, as the service level does at each type's own threshold."
    )
    return markup.section("Waiting times", markup.table(headers, rows), note)

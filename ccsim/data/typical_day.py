"""The typical day of a day type: the calibrated scenario, built from the estimates.

A calibrated scenario describes one day type's *typical* day: from its first to its
last interval with calls or agents, each type's mean arrival rate per interval and
its own day factor (the day-to-day variation beyond Poisson), the handle time (per
hour where the hours differ), the patience, the IVR, and the mean agents on the phones
per interval (rounded to whole agents) in one group with every skill. The capacity
calibration enters as it was fitted: a fixed wrap-up after every call (after-call
work), or the agents times the availability factor.

Every estimated value gets a comment in the file (:mod:`ccsim.data.scenario_file`);
:func:`estimates_table` gives the same estimates as one table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ccsim.data.replay import add_wrap
from ccsim.data.scenario_file import to_yaml
from ccsim.scenario.loader import scenario_from_dict
from ccsim.scenario.model import Scenario
from ccsim.scenario.units import format_duration

if TYPE_CHECKING:
    from ccsim.data.calibrate import Estimates
    from ccsim.data.capacity import CapacityFit

__all__ = ["DEFINITIONS", "DayTypeFit", "build_scenario", "estimates_table"]

#: How the KPIs of a log are defined (ccsim's definitions, docs/kpis.md).
DEFINITIONS = (
    "offered = calls that asked for an agent (answered + hung up in the queue); "
    "service level = answered within the threshold of asking for an agent / offered; "
    "abandonment = hung up in the queue / offered; IVR hang-ups are not offered"
)


@dataclass
class DayTypeFit:
    """What the days of one day type show: window, rates, agents, day factors."""

    name: str
    days: list[pd.Timestamp]
    window: tuple[int, int]  # first and last slot of the day (inclusive)
    interval: float
    rates: pd.DataFrame  # slot, type, rate_per_hour, ci95_low, ci95_high, days, ...
    agents: np.ndarray  # mean agents on the phones per window slot (fractional)
    day_factor: dict[str, dict[str, float]]
    excluded_intervals: int
    outside_arrivals: int

    def clock(self, slot: int) -> str:
        """``"HH:MM"`` of a slot's start."""
        s = int(round(slot * self.interval))
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def _ci(pair: tuple[float, float], digits: int = 1) -> str:
    lo, hi = pair
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "[n/a]"
    return f"[{lo:.{digits}f}, {hi:.{digits}f}]"


def build_scenario(
    est: Estimates, cap: CapacityFit | None, day_type: str, settings: dict[str, Any]
) -> tuple[Scenario, str]:
    """The scenario of ``day_type`` and its commented YAML text.

    ``cap`` None builds it without the capacity calibration (what the fit replays).
    """
    dt = est.day_types[day_type]
    lo, hi = dt.window
    L = dt.interval
    hours = [int((lo + k) * L // 3600) % 24 for k in range(hi - lo + 1)]
    notes: dict[tuple, str] = {}
    before: dict[tuple, str] = {}
    data: dict[str, Any] = {
        "name": f"{settings['name']} {day_type}",
        "description": f"Calibrated from {Path_name(settings['source'])}: a typical {day_type} "
        f"day ({len(dt.days)} days)",
        "horizon": {
            "start": dt.clock(lo),
            "intervals": hi - lo + 1,
            "interval": format_duration(L),
        },
        "forecast": {"day_factor_cv": 0.0},
    }
    notes[("horizon", "start")] = (
        f"first to last interval with calls offered or agents on "
        f"the phones, mean of {len(dt.days)} {day_type} days"
    )
    notes[("forecast", "day_factor_cv")] = (
        "no day factor shared by all types: each type has its own (arrivals.day_factor_cv)"
    )
    ivr = _ivr(est, notes)
    if ivr:
        data["ivr"] = ivr
    availability = cap.value if cap is not None and cap.kind == "availability" else 1.0
    wrap = cap.value if cap is not None and cap.kind in ("acw", "measured") else 0.0
    data["contact_types"] = [
        _type(est, dt, t, hours, wrap, cap, settings, notes, before) for t in est.types
    ]
    staffing = [int(round(availability * x)) for x in dt.agents]
    data["agent_groups"] = [{"name": "agents", "skills": list(est.types), "staffing": staffing}]
    source = (
        "inferred from agent activity (work sessions, idle gap "
        f"{format_duration(settings['session_gap'])})"
        if est.staffing_source == "log"
        else "from the interval report"
    )
    before[("agent_groups", "agents")] = (
        "one group with every skill (the log shows who answered, not who could have); no "
        "priorities between callers"
    )
    notes[("agent_groups", "agents", "staffing")] = (
        f"mean agents on the phones {source}, {len(dt.days)} days, rounded"
        + (f", times the availability {availability:.3f}" if availability != 1.0 else "")
        + f"; fractional peak {dt.agents.max():.2f}"
    )
    scenario = scenario_from_dict(data)
    header = _header(est, cap, dt, settings)
    file_settings = {**settings, "day_type": day_type}
    return scenario, to_yaml(data, notes, before, header, file_settings)


def Path_name(source: str) -> str:  # noqa: N802 - a tiny helper, named for what it gives
    """The file name of a source path."""
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def _ivr(est: Estimates, notes: dict) -> dict[str, Any]:
    shares = est.ivr_shares
    if (
        est.ivr_time is None
        and shares["ivr_abandoned"].sum() == 0
        and shares["deflected"].sum() == 0
    ):
        return {}
    out: dict[str, Any] = {}
    if est.ivr_time is not None:
        d = est.ivr_time
        out["time"] = d.distribution()
        notes[("ivr", "time")] = (
            f"{d.n:,} calls: mean {d.mean:.1f} s {_ci(d.mean_ci)}, cv "
            f"{d.cv:.2f}; best shape {d.shape}, KS {d.ks:.3f}"
        )
        if d.values is not None:
            notes[("ivr", "time")] += ": no shape fits, 100 observed quantiles"
    else:
        out["time"] = {"dist": "fixed", "mean": 0.0}
        notes[("ivr", "time")] = "the log records no IVR time"
    for key, col in (("abandon", "abandon"), ("deflection", "deflection")):
        if shares[col].sum() > 0:
            out[key] = {r.type: round(float(getattr(r, col)), 4) for r in shares.itertuples()}
            cis = "; ".join(
                f"{r.type} {_ci(getattr(r, col + '_ci'), 3)}" for r in shares.itertuples()
            )
            what = "IVR hang-ups" if key == "abandon" else "self-served in the IVR"
            notes[("ivr", key)] = (
                f"{what} / arrivals (anomalous intervals left out); 95 % CI: {cis}"
            )
    return out


def _type(
    est,
    dt: DayTypeFit,
    t: str,
    hours: list[int],
    wrap: float,
    cap,
    settings,
    notes: dict,
    before: dict,
) -> dict[str, Any]:
    path = ("contact_types", t)
    r = dt.rates[dt.rates["type"] == t].sort_values("slot")
    rates = [round(float(v), 2) for v in r["rate_per_hour"]]
    peak = int(np.argmax(rates)) if rates else 0
    f = dt.day_factor[t]
    cv = f["cv"] if math.isfinite(f["cv"]) else 0.0
    out: dict[str, Any] = {
        "name": t,
        "arrivals": {"rate_per_hour": rates, "day_factor_cv": round(cv, 4)},
    }
    raw = [k for k, v in est.type_map.items() if v == t]
    if raw != [t]:
        before[path] = f"pooled: {', '.join(raw)}"
    peak_ci = (
        (float(r["ci95_low"].iloc[peak]), float(r["ci95_high"].iloc[peak]))
        if rates
        else (math.nan, math.nan)
    )
    before[(*path, "arrivals")] = (
        f"calls arriving per hour by interval: mean of {len(dt.days)} {dt.name} days"
        f" ({dt.excluded_intervals} anomalous intervals left out); {f['mean']:.0f} a day; "
        f"peak {max(rates, default=0):.0f}/h {_ci(peak_ci, 0)} at {dt.clock(dt.window[0] + peak)}"
    )
    if math.isfinite(f["cv"]):
        trend = (
            f"; trend {f['trend_per_week']:+.0f} a week (p = {f['trend_p']:.2g})"
            if math.isfinite(f["trend_per_week"])
            else ""
        )
        notes[(*path, "arrivals", "day_factor_cv")] = (
            f"95 % CI {_ci((f['ci95_low'], f['ci95_high']), 3)}, {f['days']} days, dispersion "
            f"{f['dispersion']:.1f} (1 = Poisson){trend}"
        )
    else:
        notes[(*path, "arrivals", "day_factor_cv")] = f"only {f['days']} days: not estimated"
    h = est.handle[t]
    out["handle_time"] = h.distribution(hours)
    second = h.fits.iloc[1] if len(h.fits) > 1 else None
    before[(*path, "handle_time")] = (
        f"{h.shape} chosen by likelihood of talk > {h.short_cut:g} s"
        + (
            f" (next {second['shape']}, AIC +{second['delta_aic']:.0f})"
            if second is not None
            else ""
        )
        + f"; mean and cv = moments of {h.n:,} answered calls: mean {h.mean:.1f} s "
        f"{_ci(h.mean_ci)}, cv {h.cv:.3f} {_ci(h.cv_ci, 3)}; KS {h.ks:.3f}, quantile error "
        f"{h.q_err:.0%}; talk <= {h.short_cut:g} s: {h.short_share:.1%}"
        + (
            f"\nmean per hour of arrival (the hours differ: Kruskal-Wallis p = {h.kruskal_p:.1g})"
            if h.per_hour
            else ""
        )
    )
    recorded = est.wrap.get(t)
    wrap_up = add_wrap(recorded.distribution(hours) if recorded else None, wrap)
    if wrap_up is not None:
        out["wrap_up"] = wrap_up
        parts = []
        if recorded is not None:
            parts.append(
                f"recorded wrap-up of {recorded.n:,} calls: {recorded.shape}, mean "
                f"{recorded.mean:.1f} s {_ci(recorded.mean_ci)}, cv {recorded.cv:.2f}"
            )
        if wrap > 0:
            parts.append("capacity calibration: " + cap.describe())
        notes[(*path, "wrap_up")] = "; ".join(parts)
    p = est.patience[t]
    if p is not None:
        out["patience"] = p.distribution()
        s60 = float(p.km_table.loc[p.km_table["t"] == 60, "S"].iloc[0])
        median = f"{p.km_median:.0f} s" if math.isfinite(p.km_median) else "not reached"
        text = (
            f"{p.shape}, censored ML on {p.queued:,} queued calls ({p.abandoned:,} hung up): "
            f"mean {p.mean:.0f} s {_ci(p.mean_ci, 0)}, cv {p.cv:.2f}; Kaplan-Meier median "
            f"{median}, S(60 s) {s60:.3f}"
        )
        if p.extrapolated:
            text += f"; the mean lies beyond the longest wait ({p.max_wait:.0f} s): extrapolated"
        if p.immediate["material"]:
            text += (
                f"; {p.immediate['p0']:.1%} hang up within {p.immediate['t0']:g} s (not modelled)"
            )
        notes[(*path, "patience")] = text
    else:
        before[(*path, "service_level")] = (
            "no caller hung up in the queue: no patience (never abandons)"
        )
    out["service_level"] = {
        "threshold": format_duration(settings["threshold"]),
        "target": settings["target_sl"],
    }
    return out


def _header(est, cap, dt: DayTypeFit, settings) -> list[str]:
    from ccsim import __version__

    days = settings["days"]
    others = [f"{k} ({len(v.days)} days)" for k, v in est.day_types.items() if k != dt.name]
    lines = [
        f"Calibrated by ccsim {__version__} (ccsim calibrate) from {Path_name(settings['source'])} "
        f"({settings['format']} format).",
        f"Calibration days: {days[0]} to {days[-1]} ({len(days)} days). This file: the typical "
        f"{dt.name} day ({len(dt.days)} days).",
    ]
    if others:
        lines.append(f"Other day types: {', '.join(others)} (ccsim calibrate --day-type NAME).")
    lines += [
        f"KPI definitions: {DEFINITIONS}.",
        "Capacity calibration: " + (cap.describe() if cap else "none") + ".",
    ]
    red = est.redials
    if math.isfinite(red.get("share", math.nan)):
        lines.append(
            f"Redials: {red['share']:.0%} of {red['abandons_with_id']:,} queue abandons with a "
            f"customer id called again within {red['window_s'] / 3600:g} h; not modelled "
            "(the arrival rates include them)."
        )
    lines.append("Every estimated value carries a comment: estimate, 95 % CI, sample, method.")
    return lines


def estimates_table(est: Estimates, cap: CapacityFit, settings: dict[str, Any]) -> pd.DataFrame:
    """Every estimate in one table, with its 95 % interval and sample size."""
    rows: list[dict[str, Any]] = []

    def add(parameter, type_, value, ci, n, unit, method, day_type=""):
        rows.append(
            {
                "parameter": parameter,
                "type": type_,
                "day_type": day_type,
                "value": float(value),
                "ci95_low": float(ci[0]),
                "ci95_high": float(ci[1]),
                "n": int(n),
                "unit": unit,
                "method": method,
            }
        )

    for t in est.types:
        h = est.handle[t]
        add("handle_time.mean", t, h.mean, h.mean_ci, h.n, "s", f"sample mean ({h.shape})")
        add("handle_time.cv", t, h.cv, h.cv_ci, h.n, "", "sample cv")
        w = est.wrap.get(t)
        if w is not None:
            add("wrap_up.mean", t, w.mean, w.mean_ci, w.n, "s", f"sample mean ({w.shape})")
        p = est.patience[t]
        if p is not None:
            add("patience.mean", t, p.mean, p.mean_ci, p.queued, "s", f"censored ML ({p.shape})")
            if p.shape != "exponential":
                add("patience.cv", t, p.cv, p.cv_ci, p.queued, "", f"censored ML ({p.shape})")
        for r in est.ivr_shares[est.ivr_shares["type"] == t].itertuples():
            add("ivr.abandon", t, r.abandon, r.abandon_ci, r.arrivals, "share", "proportion")
        for name, dt in est.day_types.items():
            f = dt.day_factor[t]
            add(
                "arrivals.day_factor_cv",
                t,
                f["cv"],
                (f["ci95_low"], f["ci95_high"]),
                f["days"],
                "",
                "moments, bootstrap CI",
                name,
            )
            add(
                "arrivals.per_day",
                t,
                f["mean"],
                (math.nan, math.nan),
                f["days"],
                "calls",
                "mean of days",
                name,
            )
    if est.ivr_time is not None:
        d = est.ivr_time
        add("ivr.time.mean", "", d.mean, d.mean_ci, d.n, "s", f"sample mean ({d.shape})")
    if cap.kind != "none":
        unit = "" if cap.kind == "availability" else "s"
        se = float(settings.get("uncertainty", {}).get("capacity", {}).get("se", 0.0))
        ci = (cap.value - 1.96 * se, cap.value + 1.96 * se) if se > 0 else (math.nan, math.nan)
        add(
            f"capacity.{cap.kind}",
            "",
            cap.value,
            ci,
            len(settings["days"]),
            unit,
            cap.describe(),
        )
    add(
        "capacity.measured_post_call_gap",
        "",
        cap.measured_gap,
        cap.measured_gap_ci,
        cap.gaps,
        "s",
        "mean agent gap after a call while callers waited",
    )
    red = est.redials
    add(
        "redial.share_1h",
        "",
        red["share"],
        (red["ci95_low"], red["ci95_high"]),
        red["abandons_with_id"],
        "share",
        "queue abandons with an id calling again within 1 h",
    )
    return pd.DataFrame(rows)

"""Calibration: from an ACD log to a scenario with every estimate and its uncertainty.

:func:`calibrate` reads a per-call log (and optionally an interval report), and
estimates, per contact type: arrival rates per interval and day type with the day
factor's cv (:mod:`~ccsim.data.arrivals`), handle time (:mod:`~ccsim.data.durations`),
patience from censored waits (:mod:`~ccsim.data.patience`), the IVR's time and
outcome shares, and the redial share where customer ids allow it; agents on the phones
per interval from agent activity (:mod:`~ccsim.data.agents`); anomalous intervals
(:mod:`~ccsim.data.anomalies`), left out of the means; and the capacity calibration
(:mod:`~ccsim.data.capacity`) fitted on the calibration days. The result is a
:class:`Calibration`: the scenario of each day type (a typical day: mean rates and
mean agents), every estimate in one table with its 95 % interval and sample size,
and the fit diagnostics as DataFrames. ``Calibration.write`` saves a scenario file
with a comment on every estimated value (:mod:`~ccsim.data.typical_day`).

Types with under ``min_share`` of the offered calls are pooled as ``other``; all
agents form one group with every skill (the log shows who answered, not who could
have); priorities between callers are not modelled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ccsim.data import agents as agents_
from ccsim.data import anomalies, arrivals, observed
from ccsim.data.acdlog import CallLog, LogError, read_log
from ccsim.data.capacity import CapacityFit, fit_capacity
from ccsim.data.diagnostics import diagnostics_tables
from ccsim.data.durations import DurationEstimate, fit_duration
from ccsim.data.intervals import IntervalReport, compare_with_log, read_intervals
from ccsim.data.patience import PatienceEstimate, fit_patience
from ccsim.data.replay import DayInputs, at_day_level
from ccsim.data.typical_day import DayTypeFit, build_scenario, estimates_table
from ccsim.data.uncertainty import capacity_se, parameter_uncertainty
from ccsim.scenario.model import Scenario
from ccsim.scenario.units import parse_duration

__all__ = ["Calibration", "Estimates", "calibrate", "day_inputs", "parse_days", "pool_types"]

OTHER = "other"


@dataclass
class Estimates:
    """Everything estimated from the log, per contact type and per day type."""

    types: list[str]
    type_map: dict[str, str]
    handle: dict[str, DurationEstimate]
    wrap: dict[str, DurationEstimate | None]
    patience: dict[str, PatienceEstimate | None]
    ivr_time: DurationEstimate | None
    ivr_shares: pd.DataFrame
    day_types: dict[str, DayTypeFit]
    redials: dict[str, float]
    staffing_source: str


@dataclass
class Calibration:
    """The result of :func:`calibrate`.

    Attributes
    ----------
    scenario : Scenario
        The typical day of the main day type (the one with most days, or the one asked
        for); loads and runs as is.
    scenarios : dict
        Day type -> its scenario.
    estimates : pandas.DataFrame
        One row per estimated value: ``parameter, type, day_type, value, ci95_low,
        ci95_high, n, unit, method``.
    diagnostics : dict of pandas.DataFrame
        The fits against the data: ``exclusions``, ``day_types``, ``daily``,
        ``arrival_profile``, ``day_factor``, ``handle_fits``, ``handle_by_hour``,
        ``patience_fits``, ``kaplan_meier``, ``immediate_hangups``, ``ivr``,
        ``staffing``, ``anomalies``, ``observed`` (KPIs per day, ccsim's
        definitions), ``capacity_curve``; with an interval report also
        ``interval_report`` (its volumes next to the log's).
    capacity : CapacityFit
    settings : dict
        How it was calibrated (written into the scenario file for the backtest), with
        ``uncertainty``: the standard errors of the patience means and of the capacity
        calibration that a backtest's parameter draws use (:mod:`ccsim.data.uncertainty`).
    """

    scenario: Scenario
    scenarios: dict[str, Scenario]
    estimates: pd.DataFrame
    diagnostics: dict[str, pd.DataFrame]
    capacity: CapacityFit
    settings: dict[str, Any]
    log: CallLog
    fits: Estimates
    inputs: DayInputs
    observed: np.ndarray
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def uncertainty(self) -> dict[str, Any]:
        """The estimates' standard errors (``settings["uncertainty"]``)."""
        return self.settings.get("uncertainty", {})

    def to_yaml(self, day_type: str | None = None) -> str:
        """The scenario file of a day type (the main one by default), with comments."""
        return self.texts[day_type or self.settings["day_type"]]

    def write(self, path: str | Path, day_type: str | None = None) -> Path:
        """Write the scenario file of a day type (see :meth:`to_yaml`)."""
        path = Path(path)
        path.write_text(self.to_yaml(day_type), encoding="utf-8")
        return path

    def report(self, path: str | Path) -> Path:
        """Write the HTML calibration report (fits against the data)."""
        from ccsim.report.calibration import calibration_report

        return calibration_report(self, path)


def parse_days(spec: str | list | None, available: list[pd.Timestamp]) -> list[pd.Timestamp]:
    """Days from ``"1999-02-01:1999-02-21,1999-02-25"`` (ranges inclusive) or a list.

    Only days the log has are returned; a spec naming none of them is an error.
    """
    if spec is None:
        return list(available)
    have = pd.DatetimeIndex(available)
    if isinstance(spec, str):
        chosen: list[pd.Timestamp] = []
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            try:
                if ":" in part:
                    a, b = (pd.Timestamp(x) for x in part.split(":", 1))
                    chosen += [d for d in have if a <= d <= b]
                else:
                    chosen.append(pd.Timestamp(part))
            except ValueError:
                raise ValueError(
                    f"bad day {part!r} in {spec!r} (use YYYY-MM-DD or YYYY-MM-DD:YYYY-MM-DD)"
                ) from None
    else:
        chosen = [pd.Timestamp(d) for d in spec]
    out = sorted({d.normalize() for d in chosen} & set(have))
    if not out:
        raise ValueError(f"the log has none of the days {spec!r}")
    return out


def pool_types(
    calls: pd.DataFrame, types: dict[str, str] | list[str] | None, min_share: float
) -> dict[str, str]:
    """Raw type -> modelled type: types with ``min_share`` of the offered calls, else ``other``.

    ``types`` (a list to keep, or a mapping raw -> name) overrides the choice.
    """
    raw = sorted(calls["type"].astype(str).unique())
    if isinstance(types, dict):
        return {t: str(types.get(t, OTHER)) for t in raw}
    if types is not None:
        keep = set(types)
    else:
        share = calls.loc[calls["offered"], "type"].value_counts(normalize=True)
        keep = {t for t in raw if share.get(t, 0.0) >= min_share}
    return {t: (t if t in keep else OTHER) for t in raw}


def day_inputs(
    calls: pd.DataFrame,
    days: list[pd.Timestamp],
    interval: float,
    types: list[str],
    agents: np.ndarray,
    threshold: float,
) -> tuple[DayInputs, np.ndarray]:
    """Offered calls, agents and actual mean talk per (day, slot, type), and observed counters."""
    obs = observed.counters(calls, days, interval, types, threshold)
    answered, talk = obs[..., 1], obs[..., 5]
    with np.errstate(invalid="ignore", divide="ignore"):
        handle = np.where(answered >= 3, talk / np.maximum(answered, 1), np.nan)
    inputs = DayInputs(
        list(days), interval, list(types), obs[..., 0], agents, handle, answered, talk
    )
    return inputs, obs


def calibrate(
    log: str | Path | CallLog,
    *,
    format: str = "generic",
    mapping: dict | str | Path | None = None,
    intervals: str | Path | IntervalReport | None = None,
    days: str | list | None = None,
    interval: str | float = "30min",
    threshold: str | float = "20s",
    day_types: str | dict | None = "auto",
    day_type: str | None = None,
    types: dict[str, str] | list[str] | None = None,
    min_share: float = 0.02,
    short_call: str | float = "10s",
    session_gap: str | float = "20min",
    capacity: str = "acw",
    target: str = "sl",
    target_sl: float = 0.8,
    replications: int | None = None,
    seed: int = 1,
    name: str | None = None,
    records_start: str = "00:00",
) -> Calibration:
    """Calibrate a scenario from a per-call ACD log.

    Parameters
    ----------
    log : str, pathlib.Path or CallLog
        The log (read with :func:`ccsim.data.read_log` and ``format``/``mapping``).
    format, mapping :
        How to read it (``"generic"`` with an optional column mapping,
        ``"technion"``, ``"ccsim"``).
    intervals : str, pathlib.Path or IntervalReport, optional
        An interval report; its ``agents`` replace the agents inferred from the log.
    days : str or list, optional
        The calibration days (``"1999-02-01:1999-02-21"``); default all.
    interval, threshold : str or float
        Planning interval and service-level threshold (durations).
    day_types : str or dict
        ``"auto"`` (from the data), ``"all"``, ``"weekday"``, or groups such as
        ``"Sun-Thu,Fri,Sat"``.
    day_type : str, optional
        The day type of ``Calibration.scenario`` (default: the one with most days).
    types : list or dict, optional
        Types to model (others pooled as ``other``), or a mapping raw -> name.
    min_share : float
        Without ``types``: types under this share of the offered calls are pooled.
    short_call : str or float
        Talk times at or below it are left out of the handle-time shape's likelihood.
    session_gap : str or float
        Idle gap that ends an agent's work session.
    capacity : {"acw", "availability", "measured", "none"}
        The capacity calibration (:mod:`ccsim.data.capacity`).
    target : {"sl", "abandon", "both"}
        What the capacity calibration matches.
    target_sl : float
        The service-level target written into the scenario.
    replications, seed :
        Replications per evaluation of the capacity fit, and its seed.
    name : str, optional
        Scenario name (default: from the log's file name).
    records_start : str
        ``format="ccsim"`` only: the clock time of the records' t = 0.

    Returns
    -------
    Calibration

    Raises
    ------
    LogError
        An unreadable log, or no way to know the agents on the phones.
    ValueError
        Bad settings (an unknown day type, capacity kind, day...).
    """
    if not isinstance(log, CallLog):
        log = read_log(log, format, mapping=mapping, start=records_start)
    chosen = parse_days(days, log.days)
    log = log.select(chosen)
    L = parse_duration(interval)
    if 86400 % L:
        raise ValueError(f"the interval {interval!r} does not divide a day")
    thr = parse_duration(threshold)
    gap, cut = parse_duration(session_gap), parse_duration(short_call)
    type_map = pool_types(log.calls, types, min_share)
    calls = log.calls.assign(type=log.calls["type"].astype(str).map(type_map))
    kinds = sorted(set(type_map.values()), key=lambda t: (t == OTHER, t))
    offered_n = calls[calls["offered"]]["type"].value_counts()
    kinds = [t for t in kinds if offered_n.get(t, 0) > 0]
    n_slots = int(round(86400 / L))
    arr = arrivals.counts(calls, chosen, L, kinds, "arrivals")
    off = arrivals.counts(calls, chosen, L, kinds, "offered")
    ivr_ab = arrivals.counts(calls[calls["outcome"] == "ivr_abandoned"], chosen, L, kinds)
    ans = calls[calls["outcome"] == "answered"]
    answered = arrivals.counts(ans.assign(arrival=ans["answered_at"]), chosen, L, kinds).sum(2)
    agents, source, report = _agents(log, calls, chosen, L, gap, intervals)
    hourly = arrivals.counts(calls, chosen, 3600.0, kinds, "offered").sum(axis=2)
    dtype_of, weekdays = arrivals.assign_day_types(chosen, hourly, day_types)
    labels = [dtype_of[d] for d in chosen]
    flags = anomalies.flag_intervals(
        chosen, labels, arr.sum(2), ivr_ab.sum(2), off.sum(2), answered, L
    )
    keep = ~flags["anomalous"].to_numpy().reshape(len(chosen), n_slots)
    dt_fits = _day_types(chosen, labels, arr, off, agents, keep, L, kinds)
    main = day_type or max(dt_fits, key=lambda k: (len(dt_fits[k].days), k))
    if main not in dt_fits:
        raise ValueError(f"unknown day type {main!r}; the log's are {', '.join(dt_fits)}")
    est = Estimates(
        types=kinds,
        type_map=type_map,
        handle={t: _handle(calls, t, cut) for t in kinds},
        wrap={t: _wrap(calls, t) for t in kinds},
        patience={t: _patience(calls, t) for t in kinds},
        ivr_time=_ivr_time(calls),
        ivr_shares=_ivr_shares(calls, chosen, keep, L, kinds),
        day_types=dt_fits,
        redials=_redials(calls),
        staffing_source=source,
    )
    settings = {
        "version": 1,
        "source": str(log.source),
        "format": log.format,
        "interval": L,
        "threshold": thr,
        "types": type_map,
        "session_gap": gap,
        "short_call": cut,
        "days": [d.strftime("%Y-%m-%d") for d in chosen],
        "day_type": main,
        "day_types": {d.strftime("%Y-%m-%d"): dtype_of[d] for d in chosen},
        "staffing": source,
        "target_sl": target_sl,
        "name": name or Path(str(log.source)).stem or "calibrated",
    }
    inputs, obs = day_inputs(calls, chosen, L, kinds, agents, thr)
    gaps = agents_.post_call_gaps(calls, gap)["gap"].to_numpy() if source == "log" else []
    bare, _ = build_scenario(est, None, main, settings)
    same = [
        [j for j, other in enumerate(labels) if other == lab and j != i]
        for i, lab in enumerate(labels)
    ]  # other days of each day's day type
    inputs = at_day_level(inputs, bare, same)
    cap = fit_capacity(
        bare, inputs, obs, gaps, kind=capacity, target=target, replications=replications, seed=seed
    )
    settings["capacity"] = {"kind": cap.kind, "value": cap.value, "target": cap.target}
    settings["uncertainty"] = parameter_uncertainty(
        est.patience, capacity_se(bare, inputs, obs, cap, seed=seed)
    )
    scenarios, texts = {}, {}
    for name_ in dt_fits:
        scenarios[name_], texts[name_] = build_scenario(est, cap, name_, settings)
    diagnostics = diagnostics_tables(
        log, calls, est, chosen, labels, weekdays, flags, agents, obs, cap, L
    )
    if report is not None:
        diagnostics["interval_report"] = compare_with_log(report, calls)
    return Calibration(
        scenario=scenarios[main],
        scenarios=scenarios,
        estimates=estimates_table(est, cap, settings),
        diagnostics=diagnostics,
        capacity=cap,
        settings=settings,
        log=log,
        fits=est,
        inputs=inputs,
        observed=obs,
        texts=texts,
    )


def _agents(
    log: CallLog,
    calls: pd.DataFrame,
    days: list[pd.Timestamp],
    L: float,
    gap: float,
    intervals: str | Path | IntervalReport | None,
) -> tuple[np.ndarray, str, IntervalReport | None]:
    """Agents per (day, slot): from the interval report if given, else the log's sessions."""
    if intervals is not None:
        report = intervals if isinstance(intervals, IntervalReport) else read_intervals(intervals)
        return report.agents(days, L), "interval report", report
    if calls["agent"].notna().sum() == 0:
        raise LogError(
            f"{log.source}: the log names no agents, so the agents on the phones "
            "cannot be inferred: give an interval report with an 'agents' column "
            "(--intervals)"
        )
    present, _ = agents_.staffing(calls, days, L, gap)
    return present, "log", None


def _day_types(days, labels, arr, off, agents, keep, L, kinds) -> dict[str, DayTypeFit]:
    out = {}
    for name in dict.fromkeys(labels):
        idx = [i for i, lab in enumerate(labels) if lab == name]
        k = keep[idx]
        mean_off = np.where(k, off[idx].sum(2), 0).sum(0) / np.maximum(k.sum(0), 1)
        mean_agents = np.where(k, agents[idx], 0).sum(0) / np.maximum(k.sum(0), 1)
        open_ = (mean_off >= 0.5) | (mean_agents >= 0.5)
        if not open_.any():
            open_ = arr[idx].sum(axis=(0, 2)) > 0
        lo, hi = (int(v) for v in np.flatnonzero(open_)[[0, -1]])
        prof = arrivals.profile(arr[idx], k, L)
        prof = prof[(prof["slot"] >= lo) & (prof["slot"] <= hi)].copy()
        prof["type"] = [kinds[j] for j in prof["type_index"]]
        daily = arr[idx].sum(axis=1)  # (days, types)
        factor = {
            t: arrivals.day_factor(daily[:, j], [days[i] for i in idx]) for j, t in enumerate(kinds)
        }
        outside = int(arr[idx].sum() - arr[idx][:, lo : hi + 1].sum())
        out[name] = DayTypeFit(
            name=name,
            days=[days[i] for i in idx],
            window=(lo, hi),
            interval=L,
            rates=prof.drop(columns="type_index"),
            agents=mean_agents[lo : hi + 1],
            day_factor=factor,
            excluded_intervals=int((~k).sum()),
            outside_arrivals=outside,
        )
    return out


def _handle(calls: pd.DataFrame, t: str, cut: float) -> DurationEstimate:
    a = calls[(calls["type"] == t) & (calls["outcome"] == "answered")]
    if np.sum(a["talk"].to_numpy(float) > 0) < 10:  # too few: the pooled talk times
        a = calls[calls["outcome"] == "answered"]
    return fit_duration(
        a["talk"].to_numpy(float),
        a["arrival"].dt.hour.to_numpy(),
        what=f"{t} handle time",
        short_cut=cut,
    )


def _wrap(calls: pd.DataFrame, t: str) -> DurationEstimate | None:
    """The recorded wrap-up of a type, when the log has it for most answered calls."""
    a = calls[(calls["type"] == t) & (calls["outcome"] == "answered")]
    w = a["wrap"].to_numpy(float)
    known = np.isfinite(w) & (w >= 0)
    if known.sum() < max(10, 0.5 * len(a)) or np.mean(w[known]) < 0.5:
        return None
    return fit_duration(
        w[known], a["arrival"].dt.hour.to_numpy()[known], what=f"{t} wrap-up", short_cut=0.0
    )


def _patience(calls: pd.DataFrame, t: str) -> PatienceEstimate | None:
    q = calls[(calls["type"] == t) & calls["waited"]]
    abandoned = (q["outcome"] == "abandoned").to_numpy()
    if abandoned.sum() < 1:
        return None
    return fit_patience(q["wait"].to_numpy(float), abandoned, what=f"{t} patience")


def _ivr_time(calls: pd.DataFrame) -> DurationEstimate | None:
    x = calls["ivr_time"].to_numpy(float)
    if np.sum(np.isfinite(x) & (x > 0)) < 10:
        return None
    return fit_duration(x, what="IVR time", short_cut=0.0, empirical_above=0.1)


def _share_ci(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    ci = stats.binomtest(int(k), int(n)).proportion_ci(method="wilson")
    return (float(ci.low), float(ci.high))


def _ivr_shares(calls, days, keep, L, kinds) -> pd.DataFrame:
    """IVR hang-up and self-service shares of arrivals per type (anomalous intervals out)."""
    d = pd.Index(pd.DatetimeIndex(days)).get_indexer(pd.DatetimeIndex(calls["day"]))
    s = arrivals.slot_of(calls["arrival"], L)
    ok = (d >= 0) & keep[np.maximum(d, 0), np.minimum(s, keep.shape[1] - 1)]
    c = calls[ok]
    rows = []
    for t in kinds:
        g = c[c["type"] == t]
        n, k_ab, k_def = (
            len(g),
            int((g["outcome"] == "ivr_abandoned").sum()),
            int((g["outcome"] == "deflected").sum()),
        )
        rows.append(
            {
                "type": t,
                "arrivals": n,
                "ivr_abandoned": k_ab,
                "deflected": k_def,
                "abandon": k_ab / n if n else 0.0,
                "abandon_ci": _share_ci(k_ab, n),
                "deflection": k_def / n if n else 0.0,
                "deflection_ci": _share_ci(k_def, n),
            }
        )
    return pd.DataFrame(rows)


def _redials(calls: pd.DataFrame, window: float = 3600.0) -> dict[str, float]:
    """Share of queue abandons (with a customer id) followed by a call from the same id."""
    d = calls[calls["customer"].notna()].sort_values(["customer", "arrival"])
    out = {
        "window_s": window,
        "abandons_with_id": int((d["outcome"] == "abandoned").sum()),
        "share": math.nan,
        "ci95_low": math.nan,
        "ci95_high": math.nan,
    }
    if out["abandons_with_id"] == 0:
        return out
    nxt = d.groupby("customer")["arrival"].shift(-1)
    end = d["asked"] + pd.to_timedelta(d["wait"].fillna(0), unit="s")
    ab = (d["outcome"] == "abandoned").to_numpy()
    followed = ab & ((nxt - end).dt.total_seconds() <= window).to_numpy()
    k, n = int(followed.sum()), int(ab.sum())
    out["share"] = k / n
    out["ci95_low"], out["ci95_high"] = _share_ci(k, n)
    return out

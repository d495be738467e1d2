"""Backtest: how well a calibrated scenario predicts days it was not fitted to.

For each held-out day of an actual log, :func:`backtest` replays the day
(:mod:`ccsim.data.replay`) with its actual offered calls per interval and type, its
actual agents on the phones (inferred from agent activity, or an interval report) and,
by default, its actual mean talk time per interval and type (``aht="actual"``; with
``aht="model"`` the scenario's handle times, which then also tests the handle-time
forecast), with the scenario's patience and capacity calibration (the IVR is not
replayed: the offered calls are those that left it). ``condition="day"`` replays the
day's totals instead of each interval's counts (see :func:`backtest`).
The replications give, per day and per hour, the predicted service level,
abandonment, ASA and occupancy with a prediction interval (``level``, default 90 %),
compared with what the log shows (ccsim's definitions, :mod:`ccsim.data.observed`):

* **bias** (mean of predicted - observed) and **MAE** (mean absolute error), in the
  KPI's units (shares, seconds);
* **coverage**: the share of days (hours) whose observed value lies inside its
  prediction interval (nominal: ``level``);
* a **naive** benchmark where the actual log has the calibration days: each held-out
  day predicted by its day type's observed KPI over the calibration days.

With ``parameter_draws`` (the default for a scenario that carries the standard errors
of its estimates, :mod:`ccsim.data.uncertainty`), the replications are split over
draws of the patience means and the capacity calibration from their sampling
distributions, so the intervals hold the estimates' uncertainty too.

Hours with fewer than ``min_offered`` calls are left out of the hourly figures (their
KPIs are mostly noise). Days with anomalous intervals (outages, a closed queue,
:mod:`ccsim.data.anomalies`) are flagged and the figures are given with and without
them, never silently dropped.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ccsim.data import agents as agents_
from ccsim.data import anomalies, arrivals, observed, uncertainty
from ccsim.data.acdlog import CallLog, LogError, read_log
from ccsim.data.calibrate import OTHER, Calibration, day_inputs, parse_days
from ccsim.data.capacity import replay_kwargs
from ccsim.data.intervals import IntervalReport, read_intervals
from ccsim.data.replay import at_day_level, replay
from ccsim.data.scenario_file import read_settings
from ccsim.scenario.model import Scenario

__all__ = ["DEFAULT_DRAWS", "KPIS", "Backtest", "backtest"]

#: The KPIs a backtest compares.
KPIS = ("service_level", "abandon_rate", "asa_s", "occupancy")
#: Parameter draws of a backtest of a scenario that carries standard errors.
DEFAULT_DRAWS = 10


@dataclass
class Backtest:
    """The result of :func:`backtest`.

    Attributes
    ----------
    daily, hourly : pandas.DataFrame
        One row per (day, KPI) or (day, hour, KPI): ``observed``, ``predicted`` (mean
        over replications), ``pi_low``, ``pi_high``, ``covered``, ``offered`` and
        ``anomalous``.
    summary : pandas.DataFrame
        Per ``level`` (day, hour), ``days`` (all, or without anomalous days) and KPI:
        ``n``, pooled ``observed`` and ``predicted``, ``bias``, ``mae``, ``coverage``.
    naive : pandas.DataFrame
        Bias and MAE of the naive benchmark per KPI (empty without calibration days).
    settings : dict
        How the days were replayed.
    """

    daily: pd.DataFrame
    hourly: pd.DataFrame
    summary: pd.DataFrame
    naive: pd.DataFrame
    settings: dict[str, Any]
    anomalies: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain data (the ``--json`` object)."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out = frame.copy()
            for col in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[col]):
                    out[col] = out[col].dt.strftime("%Y-%m-%d")
            return json.loads(out.to_json(orient="records"))

        return {
            "settings": self.settings,
            "summary": records(self.summary),
            "naive": records(self.naive),
            "daily": records(self.daily),
            "anomalies": records(self.anomalies),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=2)

    def table(self, level: str = "day", days: str = "all") -> pd.DataFrame:
        """The summary of one level (``"day"``, ``"hour"``) and day set, indexed by KPI.

        ``days``: ``"all"`` or ``"without anomalous days"``.
        """
        s = self.summary
        return s[(s["level"] == level) & (s["days"] == days)].set_index("kpi")


def _resolve(scenario: Scenario | Calibration | str | Path) -> tuple[Scenario, dict[str, Any]]:
    """The scenario and the calibration settings that come with it (defaults if none)."""
    if isinstance(scenario, Calibration):
        return scenario.scenario, dict(scenario.settings)
    settings: dict[str, Any] | None = None
    if not isinstance(scenario, Scenario):
        from ccsim.scenario.loader import load_scenario

        settings = read_settings(scenario)
        scenario = load_scenario(scenario)
    defaults = {
        "interval": float(scenario.horizon.interval),
        "threshold": float(scenario.contact_types[0].service_level.threshold),
        "types": {t: t for t in scenario.type_names},
        "session_gap": 1200.0,
        "days": [],
        "day_types": {},
        "capacity": {"kind": "none", "value": 0.0, "target": "sl"},
    }
    return scenario, {**defaults, **(settings or {})}


def backtest(
    scenario: Scenario | Calibration | str | Path,
    actuals: str | Path | CallLog,
    *,
    days: str | list | None = None,
    format: str = "generic",
    mapping: dict | str | Path | None = None,
    intervals: str | Path | IntervalReport | None = None,
    replications: int = 100,
    seed: int = 20261125,
    level: float = 0.9,
    aht: str = "actual",
    condition: str = "interval",
    min_offered: int = 10,
    records_start: str = "00:00",
    parameter_draws: int | None = None,
) -> Backtest:
    """Backtest a calibrated scenario on held-out days of an actual log.

    Parameters
    ----------
    scenario : Scenario, Calibration, str or pathlib.Path
        A calibrated scenario file (its ``# ccsim-calibration:`` settings say how to
        replay days), a :class:`Calibration`, or any scenario (then: its types as the
        log's, no capacity calibration beyond its own wrap-up).
    actuals : str, pathlib.Path or CallLog
        The actual log (read with ``format`` and ``mapping``).
    days : str or list, optional
        The days to test (``"1999-02-22:1999-02-28"``); default: the actual log's
        days the scenario was not calibrated on.
    intervals : str, pathlib.Path or IntervalReport, optional
        Agents per interval, when the log names no agents.
    replications, seed : int
        Replications of every day (the fast engine) and the seed.
    level : float
        Level of the prediction intervals.
    aht : {"actual", "model"}
        The day's own talk times, or the scenario's handle time.
    condition : {"interval", "day"}
        What of the day is replayed: each interval's own offered calls and mean talk
        (the default: the day's intraday surprises too, but replaying counts as Poisson
        rates over-states congestion a little: in a closed loop with the true model,
        about -2 points of service level and +1.5 of abandonment), or the day's totals
        per type spread by its day type's intraday profile with the talk times scaled
        by the day's factor (unbiased in the closed loop; blind to intraday surprises;
        :func:`ccsim.data.replay.at_day_level`).
    min_offered : int
        Fewest calls an hour needs to be scored.
    records_start : str
        ``format="ccsim"`` only: the clock time of the records' t = 0.
    parameter_draws : int, optional
        Draws of the estimated parameters (patience means, capacity calibration) from
        their sampling distributions (:mod:`ccsim.data.uncertainty`): the replications
        are split over the draws, each replayed with its own share, so the prediction
        intervals hold the estimates' uncertainty as well as the day's randomness.
        0: the estimates as exact (the replications all with the calibrated values).
        Default: :data:`DEFAULT_DRAWS` when the scenario carries standard errors (a
        calibrated scenario), else 0.

    Returns
    -------
    Backtest
    """
    if aht not in ("actual", "model"):
        raise ValueError(f"aht must be 'actual' or 'model', not {aht!r}")
    if condition not in ("day", "interval"):
        raise ValueError(f"condition must be 'day' or 'interval', not {condition!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    model, st = _resolve(scenario)
    log = (
        actuals
        if isinstance(actuals, CallLog)
        else read_log(actuals, format, mapping=mapping, start=records_start)
    )
    calibrated = set(pd.DatetimeIndex(pd.to_datetime(st["days"]))) if st["days"] else set()
    if days is None:
        chosen = [d for d in log.days if d not in calibrated]
        if not chosen:
            raise ValueError(
                "every day of the actual log was used for the calibration: "
                "name the days to test (days=... / --days)"
            )
    else:
        chosen = parse_days(days, log.days)
    L, thr, gap = float(st["interval"]), float(st["threshold"]), float(st["session_gap"])
    types = list(model.type_names)
    fallback = OTHER if OTHER in types else None
    mapped = log.calls["type"].astype(str).map(lambda t: st["types"].get(t, fallback))
    unknown = sorted(set(log.calls.loc[mapped.isna(), "type"].astype(str)))
    calls = log.calls.assign(type=mapped)[mapped.notna()]
    every = log.days
    if intervals is not None:
        report = intervals if isinstance(intervals, IntervalReport) else read_intervals(intervals)
        staff = report.agents(every, L)
    elif calls["agent"].notna().any():
        staff, _ = agents_.staffing(calls, every, L, gap)
    else:
        raise LogError(
            f"{log.source}: the log names no agents, so the agents on the phones "
            "cannot be inferred: give an interval report (intervals=... / --intervals)"
        )
    inputs, obs = day_inputs(calls, every, L, types, staff, thr)
    flags = _flags(calls, every, L, types, st)
    bad_day = flags.groupby("day")["anomalous"].any()
    if condition == "day":
        inputs = at_day_level(inputs, model, _references(every, chosen, calibrated, st), aht)
    elif aht == "model":
        inputs = inputs.without_handle()
    test = inputs.subset(chosen)
    cap = st["capacity"]
    availability = replay_kwargs(cap["kind"], cap["value"])["availability"]
    ses = uncertainty.drawn(st.get("uncertainty"))
    draws = _n_draws(parameter_draws, ses, replications)
    if draws == 0:
        counters = replay(
            model, test, replications=replications, seed=seed, availability=availability
        ).counters
        drawn_sets: list[dict[str, Any]] = []
    else:
        counters, drawn_sets = _replay_draws(model, test, st, draws, replications, seed)
    idx = [every.index(d) for d in chosen]
    flagged = {d: bool(bad_day.get(d, False)) for d in chosen}
    alpha = (1 - level) / 2
    daily = _compare(
        obs[idx].sum(axis=(1, 2)), counters.sum(axis=(2, 3)), staff[idx].sum(axis=1) * L, alpha
    )
    daily.insert(0, "day", np.repeat(pd.DatetimeIndex(chosen), len(KPIS)))
    daily["anomalous"] = daily["day"].map(flagged)
    per_hour = max(1, int(round(3600 / L)))
    n_h = obs.shape[1] // per_hour
    o_h = obs[idx].sum(axis=2).reshape(len(idx), n_h, per_hour, -1).sum(axis=2)
    p_h = counters.sum(axis=3).reshape(replications, len(idx), n_h, per_hour, -1).sum(axis=3)
    a_h = staff[idx].reshape(len(idx), n_h, per_hour).sum(axis=2) * L
    hourly = _compare(
        o_h.reshape(-1, o_h.shape[-1]),
        p_h.reshape(replications, -1, p_h.shape[-1]),
        a_h.ravel(),
        alpha,
    )
    hourly.insert(0, "day", np.repeat(np.repeat(pd.DatetimeIndex(chosen), n_h), len(KPIS)))
    hourly.insert(
        1,
        "hour",
        np.repeat(np.tile(np.arange(n_h) * per_hour * L / 3600, len(idx)), len(KPIS)).astype(int),
    )
    hourly["anomalous"] = hourly["day"].map(flagged)
    hourly = hourly[hourly["offered"] >= min_offered].reset_index(drop=True)
    settings = {
        "days": [d.strftime("%Y-%m-%d") for d in chosen],
        "replications": replications,
        "seed": seed,
        "level": level,
        "aht": aht,
        "condition": condition,
        "interval": L,
        "threshold": thr,
        "capacity": cap,
        "staffing": "interval report" if intervals is not None else "log",
        "min_offered": min_offered,
        "parameter_draws": draws,
        "drawn": ses if draws else {},
        "draws": drawn_sets,
        "unmapped_types": unknown,
        "calibration_days_overlap": sorted(
            d.strftime("%Y-%m-%d") for d in set(chosen) & calibrated
        ),
    }
    summary = pd.concat(
        [_summary(daily, "day", level), _summary(hourly, "hour", level)], ignore_index=True
    )
    naive = _naive(obs, every, chosen, calibrated, st, daily)
    episodes = anomalies.episodes(flags[flags["day"].isin(chosen)], L)
    return Backtest(daily, hourly, summary, naive, settings, episodes)


def _n_draws(asked: int | None, ses: dict[str, float], replications: int) -> int:
    """How many parameter draws: the default (with standard errors) or the asked number."""
    if asked is None:
        return min(DEFAULT_DRAWS, replications) if ses else 0
    if asked < 0:
        raise ValueError(f"parameter_draws must be 0 or more, not {asked}")
    if asked > replications:
        raise ValueError(
            f"parameter_draws ({asked}) must be at most the replications ({replications}): "
            "each draw is replayed with a share of them"
        )
    if asked and not ses:
        raise ValueError(
            "the scenario carries no standard errors of its estimates (a scenario "
            "calibrated by this version of ccsim does): nothing to draw; use "
            "parameter_draws=0 (--parameter-draws 0)"
        )
    return int(asked)


def _replay_draws(model, test, st, draws, replications, seed):
    """Counters of ``draws`` parameter draws, replications split over them, and the draws.

    Each draw has its own seed (derived from ``seed`` and the draw's number), so the
    replications pooled over the draws are as many independent days as without draws.
    """
    sets = uncertainty.draw_parameters(st.get("uncertainty"), draws, seed)
    share = np.full(draws, replications // draws)
    share[: replications % draws] += 1
    cap = st["capacity"]
    # the calibrated after-call work is in the scenario's wrap-up already: a draw adds
    # its difference to it
    written = replay_kwargs(cap["kind"], cap["value"])["extra_wrap"]
    out, described = [], []
    for k, p in enumerate(sets):
        kw = replay_kwargs(cap["kind"], cap["value"] if p["capacity"] is None else p["capacity"])
        kw["extra_wrap"] -= written
        sub_seed = int(np.random.SeedSequence([seed, k]).generate_state(1)[0])
        rp = replay(
            model,
            test,
            replications=int(share[k]),
            seed=sub_seed,
            patience_scale=p["patience"],
            **kw,
        )
        out.append(rp.counters)
        described.append({**p, "replications": int(share[k]), "seed": sub_seed})
    return np.concatenate(out), described


def _day_type(day: pd.Timestamp, st: dict[str, Any]) -> str:
    """A day's day type: that of its weekday in the calibration (else the weekday)."""
    weekday = {pd.Timestamp(d).day_of_week: t for d, t in st.get("day_types", {}).items()}
    return weekday.get(day.day_of_week, f"weekday {day.day_of_week}")


def _references(every, chosen, calibrated, st) -> list[list[int]]:
    """For each day, the days whose intraday profile it is replayed with.

    The calibration days of its day type that the actual log has; failing those, the
    log's other days of its day type (never the day itself).
    """
    labels = [_day_type(d, st) for d in every]
    out = []
    for i, day in enumerate(every):
        same = [j for j, lab in enumerate(labels) if lab == labels[i] and j != i]
        cal = [j for j in same if every[j] in calibrated]
        out.append(cal or same if day in chosen else [])
    return out


def _flags(calls, days, L, types, st) -> pd.DataFrame:
    """Anomalous intervals of every day of the actual log (day types as calibrated)."""
    labels = [_day_type(d, st) for d in days]
    arr = arrivals.counts(calls, days, L, types).sum(2)
    ivr = arrivals.counts(calls[calls["outcome"] == "ivr_abandoned"], days, L, types).sum(2)
    off = arrivals.counts(calls, days, L, types, "offered").sum(2)
    ans = calls[calls["outcome"] == "answered"]
    answered = arrivals.counts(ans.assign(arrival=ans["answered_at"]), days, L, types).sum(2)
    return anomalies.flag_intervals(days, labels, arr, ivr, off, answered, L)


def _compare(
    obs: np.ndarray, pred: np.ndarray, agent_seconds: np.ndarray, alpha: float
) -> pd.DataFrame:
    """Observed against predicted KPIs: obs (rows, FIELDS), pred (reps, rows, FIELDS)."""
    o = observed.kpis(obs, agent_seconds)
    p = observed.kpis(pred, np.broadcast_to(agent_seconds, pred.shape[:-1]))
    frames = []
    for kpi in KPIS:
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                lo, hi = np.nanquantile(p[kpi], [alpha, 1 - alpha], axis=0)
                mean = np.nanmean(p[kpi], axis=0)
        frames.append(
            pd.DataFrame(
                {
                    "kpi": kpi,
                    "offered": o["offered"],
                    "observed": o[kpi],
                    "predicted": mean,
                    "pi_low": lo,
                    "pi_high": hi,
                }
            )
        )
    out = pd.concat(frames).sort_index(kind="stable").reset_index(drop=True)
    out["covered"] = (out["observed"] >= out["pi_low"] - 1e-12) & (
        out["observed"] <= out["pi_high"] + 1e-12
    )
    return out


def _summary(rows: pd.DataFrame, level: str, nominal: float) -> pd.DataFrame:
    out = []
    for subset, frame in (("all", rows), ("without anomalous days", rows[~rows["anomalous"]])):
        for kpi in KPIS:
            r = frame[
                (frame["kpi"] == kpi) & frame["observed"].notna() & frame["predicted"].notna()
            ]
            err = r["predicted"] - r["observed"]
            w = r["offered"]
            out.append(
                {
                    "level": level,
                    "days": subset,
                    "kpi": kpi,
                    "n": len(r),
                    "observed": float(np.average(r["observed"], weights=w))
                    if w.sum()
                    else math.nan,
                    "predicted": float(np.average(r["predicted"], weights=w))
                    if w.sum()
                    else math.nan,
                    "bias": float(err.mean()) if len(r) else math.nan,
                    "mae": float(err.abs().mean()) if len(r) else math.nan,
                    "coverage": float(r["covered"].mean()) if len(r) else math.nan,
                    "nominal": nominal,
                }
            )
    return pd.DataFrame(out)


def _naive(obs, every, chosen, calibrated, st, daily) -> pd.DataFrame:
    """Each held-out day predicted by its day type's pooled KPIs over the calibration days."""
    have = [d for d in every if d in calibrated]
    if not have:
        return pd.DataFrame(columns=["kpi", "n", "bias", "mae"])
    kind = {pd.Timestamp(d): t for d, t in st.get("day_types", {}).items()}
    weekday_type = {d.day_of_week: t for d, t in kind.items()}
    rows = []
    for kpi in ("service_level", "abandon_rate", "asa_s"):
        errs = []
        for d in chosen:
            t = weekday_type.get(d.day_of_week)
            same = [every.index(x) for x in have if kind.get(x) == t] if t else []
            if not same:
                continue
            guess = observed.kpis(obs[same].sum(axis=(0, 1, 2)))[kpi]
            seen = daily[(daily["day"] == d) & (daily["kpi"] == kpi)]["observed"].iloc[0]
            errs.append(float(guess) - float(seen))
        e = np.array(errs)
        rows.append(
            {
                "kpi": kpi,
                "n": len(e),
                "bias": float(e.mean()) if e.size else math.nan,
                "mae": float(np.abs(e).mean()) if e.size else math.nan,
            }
        )
    return pd.DataFrame(rows)

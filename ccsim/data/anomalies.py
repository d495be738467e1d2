"""Anomalous intervals in a log: outages, a closed queue, bursts of demand.

An outage leaves a typical trace in an ACD log: callers pile up in the IVR and hang up
there, and no agent starts a call although the same half hour is busy on other days.
Such intervals are not the centre's normal behaviour, so the calibration leaves them
out of its means (counted and reported) and the backtest flags the days they fall on
(reported with and without them, never silently dropped).

Each count of an interval is compared with its **baseline**: the median of the same
interval of the day on the *other* days of the same day type. Thresholds are per 30
minutes, scaled up for longer intervals (never down: small counts are noisy):

* **burst**: IVR hang-ups >= 15 and >= 4 x max(baseline, 1);
* **stall**: at least 5 arrivals, no call answered, although the baseline answers
  at least 5 (closed hours are not flagged);
* **surge** (reported, not anomalous: real demand): offered >= 30 and >= 2.5 x
  max(baseline, 1).

On the Technion bank log (February 1999) the two rules find exactly the two outages
the documentation names (3 Feb around 13:00, 21 Feb 17:00-19:00).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["episodes", "flag_intervals"]


def _loo_median(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Leave-one-out median over the days (axis 0) of the same group."""
    out = np.empty_like(values, dtype=float)
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        block = values[idx].astype(float)
        for k, i in enumerate(idx):
            others = np.delete(block, k, axis=0)
            out[i] = np.median(others, axis=0) if len(others) else block[k]
    return out


def flag_intervals(
    days: list[pd.Timestamp],
    day_types: list[str],
    arrivals: np.ndarray,
    ivr_abandoned: np.ndarray,
    offered: np.ndarray,
    answered: np.ndarray,
    interval: float,
) -> pd.DataFrame:
    """Flag anomalous intervals (see the module docstring).

    Parameters
    ----------
    days, day_types : list
        The days and their day types.
    arrivals, ivr_abandoned, offered, answered : numpy.ndarray
        Counts per (day, slot): calls arriving, hanging up in the IVR, asking for an
        agent (by arrival) and answered (by answer time).
    interval : float
        Interval length in seconds.

    Returns
    -------
    pandas.DataFrame
        One row per (day, slot): the counts, their baselines, ``burst``, ``stall``,
        ``surge``, ``anomalous`` (burst or stall) and ``episode`` (consecutive flagged
        intervals of a day share a number > 0).
    """
    scale = max(1.0, interval / 1800.0)
    groups = np.asarray(day_types, dtype=object)
    base_ivr = _loo_median(ivr_abandoned, groups)
    base_ans = _loo_median(answered, groups)
    base_off = _loo_median(offered, groups)
    burst = (ivr_abandoned >= 15 * scale) & (ivr_abandoned >= 4 * np.maximum(base_ivr, 1))
    stall = (arrivals >= 5 * scale) & (answered == 0) & (base_ans >= 5 * scale)
    surge = (offered >= 30 * scale) & (offered >= 2.5 * np.maximum(base_off, 1))
    n_days, n_slots = arrivals.shape
    frame = pd.DataFrame(
        {
            "day": np.repeat(pd.DatetimeIndex(days), n_slots),
            "slot": np.tile(np.arange(n_slots), n_days),
            "day_type": np.repeat(groups, n_slots),
            "arrivals": arrivals.ravel(),
            "ivr_abandoned": ivr_abandoned.ravel(),
            "ivr_baseline": base_ivr.ravel(),
            "offered": offered.ravel(),
            "offered_baseline": base_off.ravel(),
            "answered": answered.ravel(),
            "answered_baseline": base_ans.ravel(),
            "burst": burst.ravel(),
            "stall": stall.ravel(),
            "surge": surge.ravel(),
        }
    )
    frame["anomalous"] = frame["burst"] | frame["stall"]
    flagged = (frame["anomalous"] | frame["surge"]).to_numpy()
    start = flagged & ~np.r_[False, flagged[:-1]]
    start |= flagged & (frame["slot"].to_numpy() == 0)
    frame["episode"] = np.where(flagged, np.cumsum(start), 0)
    return frame


def episodes(flags: pd.DataFrame, interval: float) -> pd.DataFrame:
    """One row per episode: ``day, start, end`` (clock times), the rules that fired and counts."""
    cols = [
        "day",
        "start",
        "end",
        "kind",
        "intervals",
        "arrivals",
        "ivr_abandoned",
        "offered",
        "answered",
    ]
    hit = flags[flags["episode"] > 0]
    if hit.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for _, g in hit.groupby("episode"):
        kinds = [k for k in ("burst", "stall", "surge") if g[k].any()]
        first, last = int(g["slot"].min()), int(g["slot"].max()) + 1
        rows.append(
            {
                "day": g["day"].iloc[0],
                "start": _clock(first * interval),
                "end": _clock(last * interval),
                "kind": ("anomalous: " if g["anomalous"].any() else "") + "+".join(kinds),
                "intervals": len(g),
                "arrivals": int(g["arrivals"].sum()),
                "ivr_abandoned": int(g["ivr_abandoned"].sum()),
                "offered": int(g["offered"].sum()),
                "answered": int(g["answered"].sum()),
            }
        )
    return pd.DataFrame(rows, columns=cols)


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"

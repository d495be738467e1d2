"""Agents on the phones, inferred from agent activity in the log.

A call log says which agent talked when, not who was logged in. An agent's calls
belong to one **work session** while the idle gap since their previous call is at
most ``gap`` (default 20 min: in the Technion bank log half the gaps are under 40 s,
95 % under 16 min, beyond that lie breaks and shift ends); the agent counts as on
the phones from the session's first answer to its last end of talk. Summed per
interval (agent-seconds / interval length) this is the fractional number of agents
on the phones, the staffing a replay of the day uses.

Talk time is all a log like that records, so the sessions include time the agent was
not available for calls (after-call work, short breaks, other tasks): in the bank log
75 % of the time a caller waited, some agent "present" was not talking. Two measures
of that gap, used by the capacity calibration (:mod:`ccsim.data.capacity`):

* :func:`post_call_gaps`: at each end of talk while callers were waiting, the same
  agent's time to their next call (an estimate of after-call work per call that needs
  no fitting);
* :func:`idle_while_waiting`: the share of caller-waiting time with a present agent
  not talking (0 in a work-conserving centre with the inferred staffing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["idle_while_waiting", "post_call_gaps", "sessions", "staffing"]


def _services(calls: pd.DataFrame) -> pd.DataFrame:
    """Answered calls with an agent, an answer and an end of talk, by agent and start."""
    s = calls[
        (calls["outcome"] == "answered")
        & calls["agent"].notna()
        & calls["answered_at"].notna()
        & calls["talk_end"].notna()
    ]
    return s.sort_values(["agent", "answered_at"], kind="stable")


def sessions(calls: pd.DataFrame, gap: float = 1200.0) -> pd.DataFrame:
    """Work sessions of each agent: ``agent, start, end, calls, talk``.

    A new session starts when an agent's idle time since the latest end of talk so far
    exceeds ``gap`` seconds.
    """
    s = _services(calls)
    if s.empty:
        return pd.DataFrame(columns=["agent", "start", "end", "calls", "talk"])
    end_so_far = s.groupby("agent")["talk_end"].cummax()
    prev_end = end_so_far.groupby(s["agent"]).shift()
    new = prev_end.isna() | ((s["answered_at"] - prev_end).dt.total_seconds() > gap)
    sid = new.cumsum().to_numpy()
    out = s.groupby(sid).agg(
        agent=("agent", "first"),
        start=("answered_at", "min"),
        end=("talk_end", "max"),
        calls=("talk", "size"),
        talk=("talk", "sum"),
    )
    return out.reset_index(drop=True)


def _per_slot(
    starts: pd.Series, ends: pd.Series, origin: pd.Timestamp, step: float, n: int
) -> np.ndarray:
    """Seconds of the spans [start, end) inside each of ``n`` slots of ``step`` seconds."""
    s = (pd.DatetimeIndex(starts) - origin).total_seconds().to_numpy()
    e = (pd.DatetimeIndex(ends) - origin).total_seconds().to_numpy()
    total = n * step
    s, e = np.clip(s, 0, total), np.clip(e, 0, total)
    edges = np.arange(n + 1) * step
    cum = np.zeros(n + 1)
    for points, sign in ((s, 1.0), (e, -1.0)):  # integral of "spans open" up to each edge
        order = np.sort(points)
        csum = np.r_[0.0, np.cumsum(order)]
        k = np.searchsorted(order, edges, side="right")
        cum += sign * (k * edges - csum[k])
    return np.diff(cum)


def staffing(
    calls: pd.DataFrame, days: list[pd.Timestamp], interval: float, gap: float = 1200.0
) -> tuple[np.ndarray, np.ndarray]:
    """Agents on the phones and agents talking per (day, slot), fractional.

    Returns ``(present, talking)``, each of shape (days, slots a day): mean agents
    inside a work session (:func:`sessions`) and mean agents talking over each
    interval of ``interval`` seconds.
    """
    per_day = int(round(86400 / interval))
    days = list(pd.DatetimeIndex(days))
    if not days:
        return np.zeros((0, per_day)), np.zeros((0, per_day))
    origin = min(days)
    span = (max(days) - origin).days + 1
    n = span * per_day
    ses = sessions(calls, gap)
    svc = _services(calls)
    present = _per_slot(ses["start"], ses["end"], origin, interval, n) / interval
    talking = _per_slot(svc["answered_at"], svc["talk_end"], origin, interval, n) / interval
    index = [(d - origin).days for d in days]
    return (present.reshape(span, per_day)[index], talking.reshape(span, per_day)[index])


def _level(starts: np.ndarray, ends: np.ndarray, n: int) -> np.ndarray:
    """Number of spans open in each second 0..n-1 (seconds since the origin)."""
    d = np.zeros(n + 1, np.int64)
    np.add.at(d, np.clip(starts.astype(np.int64), 0, n), 1)
    np.add.at(d, np.clip(ends.astype(np.int64), 0, n), -1)
    return np.cumsum(d)[:n]


def _waiting_level(calls: pd.DataFrame, origin: pd.Timestamp, n: int) -> np.ndarray:
    q = calls[calls["waited"]]
    start = (q["asked"] - origin).dt.total_seconds().to_numpy()
    return _level(start, start + q["wait"].to_numpy(float), n)


def post_call_gaps(calls: pd.DataFrame, max_gap: float = 1200.0) -> pd.DataFrame:
    """Agents' time from an end of talk to their next call, when callers were waiting.

    For every end of talk after which a caller was still waiting (one second later),
    the same agent's time until their next answer, if at most ``max_gap`` seconds
    (longer: the end of a session). In a centre where agents take the next caller at
    once this is the connect delay (a few seconds); its mean estimates the
    unrecorded after-call work and short unavailability per call. Returns
    ``agent, type, end, gap``.
    """
    svc = _services(calls)
    if svc.empty:
        return pd.DataFrame(columns=["agent", "type", "end", "gap"])
    origin = calls["day"].min()
    n = int((calls["day"].max() - origin).days + 2) * 86400
    waiting = _waiting_level(calls, origin, n)
    nxt = svc.groupby("agent")["answered_at"].shift(-1)
    gap = (nxt - svc["talk_end"]).dt.total_seconds()
    end = (svc["talk_end"] - origin).dt.total_seconds().to_numpy().astype(np.int64)
    busy_queue = waiting[np.clip(end + 1, 0, n - 1)] > 0
    keep = busy_queue & gap.notna().to_numpy() & (gap <= max_gap).to_numpy() & (gap >= 0).to_numpy()
    return pd.DataFrame(
        {"agent": svc["agent"], "type": svc["type"], "end": svc["talk_end"], "gap": gap}
    )[keep].reset_index(drop=True)


def idle_while_waiting(calls: pd.DataFrame, gap: float = 1200.0) -> dict[str, float]:
    """How often agents counted present were not talking while callers waited.

    Second by second: callers waiting Q, agents talking B, agents in a session S.
    Returns ``waiting_hours`` (seconds with Q > 0, in hours), ``share`` of them with
    S - B >= 1 and ``mean_free`` (mean S - B then).
    """
    svc = _services(calls)
    if svc.empty:
        return {"waiting_hours": 0.0, "share": float("nan"), "mean_free": float("nan")}
    origin = calls["day"].min()
    n = int((calls["day"].max() - origin).days + 2) * 86400

    def secs(t: pd.Series) -> np.ndarray:
        return (t - origin).dt.total_seconds().to_numpy()

    q = _waiting_level(calls, origin, n)
    b = _level(secs(svc["answered_at"]), secs(svc["talk_end"]), n)
    ses = sessions(calls, gap)
    s = _level(secs(ses["start"]), secs(ses["end"]), n)
    waiting = q > 0
    free = s - b
    return {
        "waiting_hours": float(waiting.sum() / 3600),
        "share": float(np.mean(free[waiting] >= 1)) if waiting.any() else float("nan"),
        "mean_free": float(np.mean(free[waiting])) if waiting.any() else float("nan"),
    }

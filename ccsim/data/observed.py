"""The KPIs a log shows, with ccsim's definitions, from counters that add up.

How a KPI is defined moves it by several points: on the Technion bank log the
service level is 0.51 with ccsim's definition, 0.47 if the clock starts at IVR entry,
and the abandonment is 12.9 % or 13.7 % depending on whether PHANTOM rows count as
hang-ups. Calibration and backtests therefore use ccsim's definitions
(``docs/kpis.md``) on both sides, and say so:

* **offered**: calls that asked for an agent (reached the queue, or an agent straight
  from the IVR): answered + abandoned in the queue. IVR hang-ups are not offered.
* **service level**: answered with a wait <= threshold (from asking for an agent to
  the answer) / offered.
* **abandonment**: hung up in the queue / offered.
* **ASA**: mean wait of the answered calls (0 for those answered at once).
* **occupancy** (what a log can measure): talk time of the calls / agent time on the
  phones inferred from agent activity (:mod:`ccsim.data.agents`).

Every KPI is a ratio of counters per (day, interval, type), summed first and divided
after, so an hour, a day or a type aggregates exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.data.arrivals import slot_of

__all__ = ["FIELDS", "counters", "kpis"]

#: Counters per (day, slot, type), by arrival slot.
FIELDS = ("offered", "answered", "abandoned", "answered_in_sl", "wait_answered", "talk")


def counters(
    calls: pd.DataFrame,
    days: list[pd.Timestamp],
    interval: float,
    types: list[str],
    threshold: float,
) -> np.ndarray:
    """Observed counters, shape (days, slots a day, types, len(FIELDS)).

    ``talk`` is the talk seconds of the answered calls, those with an unknown talk time
    counted at their type's mean talk (so it matches answered x mean talk).
    """
    n_slots = int(round(86400 / interval))
    o = calls[calls["offered"]]
    d = pd.Index(pd.DatetimeIndex(days)).get_indexer(pd.DatetimeIndex(o["day"]))
    k = pd.Index(types).get_indexer(o["type"])
    s = slot_of(o["arrival"], interval)
    ok = (d >= 0) & (k >= 0) & (s < n_slots)
    answered = (o["outcome"] == "answered").to_numpy()
    wait = o["wait"].to_numpy(float)
    talk = o["talk"].to_numpy(float)
    mean_talk = o.assign(t=talk).groupby("type")["t"].mean()
    fill = o["type"].map(mean_talk).to_numpy(float)
    talk = np.where(answered, np.where(np.isfinite(talk), talk, np.nan_to_num(fill)), 0.0)
    weights = {
        "offered": np.ones(len(o)),
        "answered": answered.astype(float),
        "abandoned": (o["outcome"] == "abandoned").to_numpy(float),
        "answered_in_sl": (answered & (wait <= threshold)).astype(float),
        "wait_answered": np.where(answered, np.nan_to_num(wait), 0.0),
        "talk": talk,
    }
    cell = ((d * n_slots + s) * len(types) + k)[ok]
    size = len(days) * n_slots * len(types)
    out = np.stack(
        [np.bincount(cell, weights=weights[f][ok], minlength=size) for f in FIELDS], axis=-1
    )
    return out.reshape(len(days), n_slots, len(types), len(FIELDS))


def kpis(acc: np.ndarray, agent_seconds: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Service level, abandonment, ASA and occupancy from summed counters.

    ``acc`` has FIELDS on its last axis (any leading shape); ``agent_seconds`` (the
    same leading shape) gives occupancy = talk / agent time. Undefined ratios are NaN.

    Examples
    --------
    >>> acc = np.array([[10, 8, 2, 6, 80.0, 1200.0]])
    >>> k = kpis(acc, np.array([3600.0]))
    >>> [round(float(k[name][0]), 3) for name in k]
    [10.0, 0.6, 0.2, 10.0, 0.333]
    """
    f = {name: acc[..., i] for i, name in enumerate(FIELDS)}

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)

    out = {
        "offered": f["offered"],
        "service_level": ratio(f["answered_in_sl"], f["offered"]),
        "abandon_rate": ratio(f["abandoned"], f["offered"]),
        "asa_s": ratio(f["wait_answered"], f["answered"]),
    }
    if agent_seconds is not None:
        out["occupancy"] = ratio(f["talk"], np.asarray(agent_seconds, float))
    return out

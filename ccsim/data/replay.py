"""Replaying actual days: simulate each day with its own volumes and staffing.

A backtest (and the capacity calibration) asks: given what a day actually brought --
the calls offered per interval and type, the agents the log shows on the phones --
what does the model predict for its service level, abandonment, speed of answer and
occupancy? A **replay** builds one ccsim scenario holding every such day one after
another:

* each day covers its open window (the intervals from the first to the last with
  calls offered or agents on the phones), followed by one closing interval with no
  arrivals and the last interval's agents, so the day's queue drains before the next
  day starts;
* arrival rates per interval are the day's **offered** calls (the IVR is not
  replayed: its hang-ups are not offered, and the wait is measured from asking for
  an agent);
* handle time, wrap-up and patience are the calibrated scenario's, per clock time
  (per-interval means follow the clock of the day; outside the scenario's window the
  nearest interval's); optionally (``DayInputs.handle``) each interval's mean talk
  is the day's own, where at least a few calls were answered, which separates a
  wrong workload forecast from a wrong queueing model;
* the agents are the inferred agents per interval (times the availability factor,
  when that is the capacity calibration), fractional ones exactly: 7.4 agents over a
  half hour are 7 agents for the half hour and an eighth for its first 12 minutes
  (shifts of the one agent group, whose skills are every type).

Replications draw each day's contacts afresh, so the spread of a day's KPIs across
replications is the day's **prediction interval** given its volume and staffing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccsim.data.observed import FIELDS
from ccsim.results.kpis import TYPE_FIELDS
from ccsim.scenario.loader import scenario_from_dict
from ccsim.scenario.model import Scenario
from ccsim.scenario.units import parse_clock

__all__ = ["DayInputs", "Replay", "replay"]

_F = {name: i for i, name in enumerate(TYPE_FIELDS)}


@dataclass
class DayInputs:
    """What the actual days brought, per (day, slot of ``interval`` seconds, type)."""

    days: list[pd.Timestamp]
    interval: float
    types: list[str]
    volumes: np.ndarray  # (days, slots, types): calls offered
    agents: np.ndarray  # (days, slots): agents on the phones (inferred, fractional)
    handle: np.ndarray | None = None  # (days, slots, types): actual mean talk, NaN unknown

    def subset(self, days: list[pd.Timestamp]) -> DayInputs:
        """The same inputs for some of the days."""
        idx = pd.Index(self.days).get_indexer(pd.DatetimeIndex(days))
        if (idx < 0).any():
            raise ValueError("subset: a day is not in the inputs")
        handle = None if self.handle is None else self.handle[idx]
        return DayInputs(
            list(pd.DatetimeIndex(days)),
            self.interval,
            self.types,
            self.volumes[idx],
            self.agents[idx],
            handle,
        )

    def without_handle(self) -> DayInputs:
        """The same inputs with the model's handle times (not the days' actual ones)."""
        return DayInputs(self.days, self.interval, self.types, self.volumes, self.agents)


@dataclass
class Replay:
    """Predicted counters of replayed days: shape (replications, days, slots, types, FIELDS)."""

    counters: np.ndarray
    inputs: DayInputs
    replications: int
    contacts: int


def _clock_mean(dist: dict, scenario: Scenario) -> callable:
    """A distribution's mean as a function of the clock time (seconds after midnight)."""
    mean = dist.get("mean")
    if not isinstance(mean, list):
        return lambda clock: mean
    start = parse_clock(scenario.horizon.start)
    step = float(scenario.horizon.interval)
    values = [float(v) for v in mean]

    def at(clock: float) -> float:
        k = int(math.floor(((clock - start) % 86400) / step)) if clock >= start else -1
        return values[min(max(k, 0), len(values) - 1)]

    return at


def _type_dists(scenario: Scenario) -> dict[str, dict]:
    """Per type: handle_time, patience, wrap_up and threshold as plain dicts."""
    out = {}
    for t in scenario.contact_types:
        out[t.name] = {
            "handle_time": t.handle_time.model_dump(exclude_none=True),
            "patience": t.patience.model_dump(exclude_none=True) if t.patience else None,
            "wrap_up": t.wrap_up.model_dump(exclude_none=True) if t.wrap_up else None,
            "threshold": float(t.service_level.threshold),
        }
    return out


def build(
    scenario: Scenario,
    inputs: DayInputs,
    *,
    availability: float = 1.0,
    wrap_up: float | None = None,
) -> tuple[Scenario, np.ndarray, np.ndarray]:
    """The replay scenario, and the (day, slot) of each of its intervals (-1: closing).

    ``wrap_up`` (seconds, fixed) replaces the types' wrap-up when given;
    ``availability`` multiplies the agents.
    """
    dists = _type_dists(scenario)
    missing = [t for t in inputs.types if t not in dists]
    if missing:
        raise ValueError(
            f"the scenario has no contact type {missing[0]!r} that the log "
            f"has (its types: {', '.join(dists)})"
        )
    L = inputs.interval
    day_of, slot_of = [], []
    for d in range(len(inputs.days)):
        busy = (inputs.volumes[d].sum(axis=1) > 0) | (inputs.agents[d] > 0.01)
        if not busy.any():
            continue
        lo, hi = np.flatnonzero(busy)[[0, -1]]
        day_of += [d] * (hi - lo + 2)
        slot_of += list(range(lo, hi + 1)) + [-1]
    if not day_of:
        raise ValueError("nothing to replay: no calls offered and no agents on these days")
    day_of_a, slot_of_a = np.array(day_of), np.array(slot_of)
    K = len(day_of_a)
    live = slot_of_a >= 0
    clock = np.where(live, slot_of_a * L, 0.0)
    types = []
    for j, name in enumerate(inputs.types):
        vol = np.where(live, inputs.volumes[day_of_a, np.maximum(slot_of_a, 0), j], 0.0)
        spec = dists[name]
        t: dict = {
            "name": name,
            "arrivals": {"rate_per_hour": (vol * 3600 / L).tolist()},
            "service_level": {"threshold": spec["threshold"]},
        }
        for key in ("handle_time", "patience", "wrap_up"):
            d = spec[key]
            if key == "wrap_up" and wrap_up is not None:
                d = {"dist": "fixed", "mean": float(wrap_up)} if wrap_up > 0 else None
            if d is None:
                continue
            d = dict(d)
            actual = key == "handle_time" and inputs.handle is not None
            if isinstance(d.get("mean"), list) or actual:
                f = _clock_mean(d, scenario)
                means = np.array([f(c) for c in clock], float)
                if actual:  # the day's own mean talk where it has one
                    own = inputs.handle[day_of_a, np.maximum(slot_of_a, 0), j]
                    means = np.where(live & np.isfinite(own) & (own > 0), own, means)
                d["mean"] = means.tolist()
            t[key] = d
        types.append(t)
    staff = availability * np.where(live, inputs.agents[day_of_a, np.maximum(slot_of_a, 0)], 0.0)
    for k in np.flatnonzero(~live):  # the closing interval keeps the day's last agents
        staff[k] = staff[k - 1]
    shifts = []
    for k, x in enumerate(staff):
        whole, frac = int(math.floor(x + 1e-9)), x - math.floor(x + 1e-9)
        if whole:
            shifts.append({"start": k * L, "end": (k + 1) * L, "agents": whole})
        if frac > 1e-3:
            shifts.append({"start": k * L, "end": k * L + frac * L, "agents": 1})
    if not shifts:
        shifts = [{"start": 0.0, "end": L, "agents": 0}]
    data = {
        "name": f"replay of {len(inputs.days)} days",
        "horizon": {"intervals": K, "interval": L, "max_drain": "6h"},
        "contact_types": types,
        "agent_groups": [{"name": "agents", "skills": list(inputs.types), "shifts": shifts}],
    }
    return scenario_from_dict(data), day_of_a, slot_of_a


def replay(
    scenario: Scenario,
    inputs: DayInputs,
    *,
    replications: int = 100,
    seed: int = 1,
    availability: float = 1.0,
    wrap_up: float | None = None,
) -> Replay:
    """Simulate the days of ``inputs`` with the model of ``scenario`` (fast engine).

    Parameters
    ----------
    scenario : Scenario
        The calibrated scenario: its types' handle time, wrap-up, patience and
        service-level threshold are used (by clock time).
    inputs : DayInputs
        Offered calls per (day, slot, type) and agents per (day, slot).
    replications, seed : int
        Replications of every day; the same seed gives the same contacts (common random
        numbers across capacity values).
    availability, wrap_up : float
        The capacity calibration: agents times ``availability``; a fixed wrap-up of
        ``wrap_up`` seconds after every call (None: the scenario's).

    Returns
    -------
    Replay
        Predicted counters per replication, day, slot and type, in
        :data:`ccsim.data.observed.FIELDS` (talk excludes the wrap-up).
    """
    import warnings

    from ccsim.simulation import CapacityWarning, simulate

    sc, day_of, slot_of = build(scenario, inputs, availability=availability, wrap_up=wrap_up)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        result = simulate(sc, replications=replications, seed=seed)
    acc = result.type_acc  # (reps, types, K, TYPE_FIELDS)
    wrap = np.array([_fixed_wrap(t) for t in sc.contact_types])
    talk = acc[..., _F["handle"]] - acc[..., _F["answered"]] * wrap[None, :, None]
    pred = np.stack(
        [
            acc[..., _F["offered"]],
            acc[..., _F["answered"]],
            acc[..., _F["abandoned"]],
            acc[..., _F["answered_in_sl"]],
            acc[..., _F["wait_answered"]],
            talk,
        ],
        axis=-1,
    )  # (reps, types, K, FIELDS)
    n_days, n_slots = inputs.agents.shape
    out = np.zeros((replications, n_days, n_slots, len(inputs.types), len(FIELDS)))
    live = slot_of >= 0
    out[:, day_of[live], slot_of[live]] = np.moveaxis(pred[:, :, live], 1, 2)
    return Replay(out, inputs, replications, int(result.contacts_simulated))


def _fixed_wrap(t) -> float:
    """Mean wrap-up of a type (0 without); its expected total is answered x this."""
    if t.wrap_up is None:
        return 0.0
    return float(np.mean(t.wrap_up.means(1)))

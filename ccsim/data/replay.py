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
* arrival rates are the day's **offered** calls (the IVR is not replayed: its
  hang-ups are not offered, and the wait is measured from asking for an agent):
  each interval's own count, or (:func:`at_day_level`, the default of the backtest
  and of the capacity fit) the day's total per type spread by the intraday profile
  of other days of its day type, which avoids a bias of replaying counts as rates;
* handle time, wrap-up and patience are the calibrated scenario's, per clock time
  (per-interval means follow the clock of the day; outside the scenario's window the
  nearest interval's); optionally (``DayInputs.handle``) the mean talk follows the
  day's own (per interval, or the model's scaled by the day's factor), which
  separates a wrong workload forecast from a wrong queueing model;
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

__all__ = ["DayInputs", "Replay", "add_wrap", "at_day_level", "build", "replay"]

_F = {name: i for i, name in enumerate(TYPE_FIELDS)}
_MAX_SHIFTED_CV = 3.0


@dataclass
class DayInputs:
    """What the actual days brought, per (day, slot of ``interval`` seconds, type).

    ``volumes`` are the arrival rates a replay uses (calls per interval) and ``handle``
    the mean talk per interval (NaN: the model's); ``answered`` and ``talk`` are what
    the log shows, from which :func:`at_day_level` derives the day-level forms.
    """

    days: list[pd.Timestamp]
    interval: float
    types: list[str]
    volumes: np.ndarray  # (days, slots, types): calls offered
    agents: np.ndarray  # (days, slots): agents on the phones (inferred, fractional)
    handle: np.ndarray | None = None  # (days, slots, types): mean talk, NaN = the model's
    answered: np.ndarray | None = None  # (days, slots, types): calls answered
    talk: np.ndarray | None = None  # (days, slots, types): talk seconds

    def _take(self, value: np.ndarray | None, idx: np.ndarray) -> np.ndarray | None:
        return None if value is None else value[idx]

    def subset(self, days: list[pd.Timestamp]) -> DayInputs:
        """The same inputs for some of the days."""
        idx = pd.Index(self.days).get_indexer(pd.DatetimeIndex(days))
        if (idx < 0).any():
            raise ValueError("subset: a day is not in the inputs")
        return DayInputs(
            list(pd.DatetimeIndex(days)),
            self.interval,
            self.types,
            self.volumes[idx],
            self.agents[idx],
            self._take(self.handle, idx),
            self._take(self.answered, idx),
            self._take(self.talk, idx),
        )

    def without_handle(self) -> DayInputs:
        """The same inputs with the model's handle times (not the days' actual ones)."""
        return DayInputs(
            self.days,
            self.interval,
            self.types,
            self.volumes,
            self.agents,
            None,
            self.answered,
            self.talk,
        )


def at_day_level(
    inputs: DayInputs, scenario: Scenario, reference: list[list[int]], aht: str = "actual"
) -> DayInputs:
    """The inputs conditioned on each day's totals instead of each interval's counts.

    Replaying an interval's *actual* count as a Poisson rate adds a second dose of
    Poisson noise (the simulated count varies around a count that already varied),
    and queueing is convex in the load: in a closed loop with the true model that
    under-states the service level by about 2 points and over-states abandonment by
    about 1.5. So, per type, a day's offered calls are spread over its intervals by
    the intraday profile of its ``reference`` days (indices into ``inputs``: other
    days of its day type), and with ``aht="actual"`` the model's mean talk per
    interval is scaled by the day's own talk over the model's (one factor per day and
    type); ``aht="model"``: the model's. A day without reference days keeps its own
    counts.
    """
    vol = inputs.volumes
    total = vol.sum(axis=1)  # (days, types)
    smooth = vol.copy()
    for d, ref in enumerate(reference):
        if not ref:
            continue
        prof = vol[ref].sum(axis=0)  # (slots, types)
        share = prof / np.maximum(prof.sum(axis=0, keepdims=True), 1e-12)
        has = prof.sum(axis=0) > 0
        smooth[d][:, has] = total[d, has] * share[:, has]
    handle = None
    if aht == "actual" and inputs.answered is not None and inputs.talk is not None:
        dists = _type_dists(scenario)
        clock = np.arange(vol.shape[1]) * inputs.interval
        model = np.array(
            [
                [_clock_mean(dists[t]["handle_time"], scenario)(c) for t in inputs.types]
                for c in clock
            ]
        )  # (slots, types)
        expected = (inputs.answered * model[None]).sum(axis=1)  # (days, types)
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(expected > 0, inputs.talk.sum(axis=1) / expected, np.nan)
        handle = model[None] * factor[:, None, :]
    return DayInputs(
        inputs.days,
        inputs.interval,
        inputs.types,
        smooth,
        inputs.agents,
        handle,
        inputs.answered,
        inputs.talk,
    )


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
    extra_wrap: float = 0.0,
    patience_scale: dict[str, float] | None = None,
) -> tuple[Scenario, np.ndarray, np.ndarray]:
    """The replay scenario, and the (day, slot) of each of its intervals (-1: closing).

    ``extra_wrap`` (seconds) is added to every type's wrap-up (:func:`add_wrap`;
    negative: shortened); ``availability`` multiplies the agents; ``patience_scale``
    (type -> factor) multiplies a type's patience mean, its cv kept (a parameter draw,
    :mod:`ccsim.data.uncertainty`).
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
            if key == "wrap_up" and extra_wrap != 0:
                d = add_wrap(d, extra_wrap)
            if d is None:
                continue
            d = dict(d)
            if key == "patience" and patience_scale and name in patience_scale:
                d = _scaled(d, float(patience_scale[name]))
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
    extra_wrap: float = 0.0,
    patience_scale: dict[str, float] | None = None,
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
    availability, extra_wrap : float
        The capacity calibration: agents times ``availability``; ``extra_wrap``
        seconds of after-call work added to every call's wrap-up.
    patience_scale : dict, optional
        Type -> factor on its patience mean (see :func:`build`).

    Returns
    -------
    Replay
        Predicted counters per replication, day, slot and type, in
        :data:`ccsim.data.observed.FIELDS` (talk excludes the wrap-up).
    """
    import warnings

    from ccsim.simulation import CapacityWarning, simulate

    sc, day_of, slot_of = build(
        scenario,
        inputs,
        availability=availability,
        extra_wrap=extra_wrap,
        patience_scale=patience_scale,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        result = simulate(sc, replications=replications, seed=seed, keep_counters=True)
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


def _scaled(dist: dict, factor: float) -> dict:
    """A distribution (plain data) with its mean (or empirical values) times ``factor``."""
    d = dict(dist)
    if d.get("dist") == "empirical":
        d["values"] = [float(v) * factor for v in d["values"]]
    elif isinstance(d.get("mean"), list):
        d["mean"] = [float(v) * factor for v in d["mean"]]
    elif d.get("mean") is not None:
        d["mean"] = float(d["mean"]) * factor
    return d


def _fixed_wrap(t) -> float:
    """Mean wrap-up of a type (0 without); its expected total is answered x this."""
    if t.wrap_up is None:
        return 0.0
    return float(np.mean(t.wrap_up.means(1)))


def add_wrap(dist: dict | None, seconds: float) -> dict | None:
    """A wrap-up distribution (plain data) lengthened by ``seconds`` on every call.

    Without a wrap-up: a fixed one of ``seconds``. A shape with a cv keeps its standard
    deviation (the cv becomes sd / new mean, at most 3); ``fixed`` and ``empirical``
    shift. Negative ``seconds`` shorten it (a drawn after-call work below the calibrated
    one), never below 0 (a wrap-up shortened to nothing is None).

    Examples
    --------
    >>> add_wrap(None, 30.0)
    {'dist': 'fixed', 'mean': 30.0}
    >>> add_wrap({"dist": "gamma", "mean": 20.0, "cv": 1.0}, 20.0)
    {'dist': 'gamma', 'mean': 40.0, 'cv': 0.5}
    """
    if seconds == 0:
        return dist
    if dist is None:
        return {"dist": "fixed", "mean": round(float(seconds), 1)} if seconds > 0 else None
    d = dict(dist)
    if d["dist"] == "empirical":
        d["values"] = [max(float(v) + seconds, 0.0) for v in d["values"]]
        return d if max(d["values"]) > 0 else None
    mean = d.get("mean")
    base = float(np.mean(mean)) if isinstance(mean, list) else float(mean)
    d["mean"] = (
        [max(float(v) + seconds, 0.0) for v in mean]
        if isinstance(mean, list)
        else max(base + seconds, 0.0)
    )
    if float(np.max(d["mean"])) <= 0:
        return None
    if d["dist"] == "exponential":  # no cv to adjust: the same sd as a gamma
        d = {"dist": "gamma", "mean": d["mean"], "cv": 1.0}
    if d.get("cv") and base > 0:
        cv = float(d["cv"]) * base / max(base + seconds, 1e-9)
        d["cv"] = round(min(cv, _MAX_SHIFTED_CV), 4)
    return d

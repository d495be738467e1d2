"""The capacity calibration: what the log's talk times leave out, fitted and reported.

A log that records talk time only under-states the work: agents also wrap calls up,
take short breaks, do other tasks, and the log's "agents on the phones" (inferred from
their calls, :mod:`ccsim.data.agents`) include that time. Fed the raw volumes, those
agents and talk as handle time, any queueing model predicts a far better service
than the centre gave (on the Technion bank log: about 0.8 of the calls answered
within 20 s, when 0.51 were). One explicit, documented parameter closes the gap:

* ``acw``: *w* seconds of after-call work after every call (ccsim's ``wrap_up``:
  fixed, or added to the wrap-up the log records), fitted;
* ``availability``: only a share *a* of the inferred agents take calls (the agents
  per interval times *a*), fitted;
* ``measured``: after-call work *w* = the mean post-call gap the log shows while
  callers waited (:func:`ccsim.data.agents.post_call_gaps`), not fitted;
* ``none``: no calibration (the raw inputs, for comparison).

A fitted value makes the calibration days' replay (:mod:`ccsim.data.replay`: each day
with its actual agents per interval, its actual offered calls per type spread by its
day type's intraday profile, its talk level, and the calibrated handle-time shapes
and patience) match the observed service level (``target="sl"``), abandonment
(``"abandon"``) or both (``"both"``: the sum of the squared errors), pooled over the
days. Replaying at day level keeps the fit free of the bias that replaying each
interval's count as a Poisson rate would bring into the scenario a planner uses. The replications
use common random numbers, so the predicted KPIs move smoothly with the value; the
root (one target) or the minimum (both) is found with scipy's Brent methods. Every
evaluation is kept (``curve``), and the fitted value, its train errors and the
measured gap are reported, never hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from ccsim.data.observed import kpis
from ccsim.data.replay import DayInputs, replay
from ccsim.scenario.model import Scenario

__all__ = ["KINDS", "TARGETS", "CapacityFit", "fit_capacity", "replay_kwargs"]

KINDS = ("acw", "availability", "measured", "none")
TARGETS = ("sl", "abandon", "both")
_BOUNDS = {"acw": (0.0, 600.0), "availability": (0.2, 1.5)}
_LIKELY = {"acw": (0.0, 120.0), "availability": (0.6, 1.0)}  # (0 and 1: the raw replay)
_XTOL = {"acw": 0.5, "availability": 0.002}


def replay_kwargs(kind: str, value: float) -> dict[str, float]:
    """The replay arguments (``availability``, ``extra_wrap``) of a capacity calibration.

    ``availability``: agents times ``value``; ``acw`` and ``measured``: ``value`` seconds
    of after-call work added to every call; ``none``: neither.
    """
    if kind == "availability":
        return {"availability": float(value), "extra_wrap": 0.0}
    if kind in ("acw", "measured"):
        return {"availability": 1.0, "extra_wrap": float(value)}
    return {"availability": 1.0, "extra_wrap": 0.0}


@dataclass
class CapacityFit:
    """The capacity calibration: its kind, value, how it was found, and its train errors.

    ``value`` is seconds of after-call work (``acw``, ``measured``) or the availability
    factor; ``measured_gap`` (with its 95 % interval) is the mean post-call gap while
    callers waited, whatever the kind; ``curve`` has one row per evaluation (value,
    predicted service level and abandonment); ``at_bound`` says the fit hit a bound.
    """

    kind: str
    value: float
    target: str
    observed: dict[str, float]
    predicted: dict[str, float]
    raw: dict[str, float]
    measured_gap: float
    measured_gap_ci: tuple[float, float]
    gaps: int
    replications: int
    curve: pd.DataFrame = field(default_factory=pd.DataFrame)
    at_bound: bool = False

    def describe(self) -> str:
        """One line for people: what was fitted, to what, with which value."""
        if self.kind == "none":
            return "no capacity calibration (raw inputs)"
        what = {
            "acw": f"after-call work {self.value:.1f} s per call (fitted)",
            "measured": f"after-call work {self.value:.1f} s per call (measured "
            "post-call gap, not fitted)",
            "availability": f"availability {self.value:.3f} of the inferred agents (fitted)",
        }[self.kind]
        if self.kind != "measured":
            what += f" to the calibration days' {_TARGET_WORDS[self.target]}"
        return what + (" (at the bound of its range)" if self.at_bound else "")


_TARGET_WORDS = {
    "sl": "service level",
    "abandon": "abandonment",
    "both": "service level and abandonment",
}


def _pooled(counters: np.ndarray) -> dict[str, float]:
    """Service level and abandonment pooled over days, slots and types (one replay)."""
    k = kpis(counters.reshape(-1, counters.shape[-1]).sum(axis=0))
    return {"service_level": float(k["service_level"]), "abandon_rate": float(k["abandon_rate"])}


def fit_capacity(
    scenario: Scenario,
    inputs: DayInputs,
    observed: np.ndarray,
    gaps: np.ndarray,
    *,
    kind: str = "acw",
    target: str = "sl",
    replications: int | None = None,
    seed: int = 1,
) -> CapacityFit:
    """Fit the capacity calibration on the calibration days.

    Parameters
    ----------
    scenario : Scenario
        The calibrated scenario without capacity calibration (its types' handle time
        and patience are replayed).
    inputs : DayInputs
        The calibration days' offered calls and inferred agents.
    observed : numpy.ndarray
        Their observed counters (:func:`ccsim.data.observed.counters`).
    gaps : numpy.ndarray
        Post-call gaps while callers waited, seconds (the ``measured`` value).
    kind : {"acw", "availability", "measured", "none"}
    target : {"sl", "abandon", "both"}
    replications : int, optional
        Replications of every day per evaluation (default: about 400 000 simulated
        calls per evaluation, between 3 and 20).
    seed : int
        Seed of the replays (the same for every evaluation).

    Returns
    -------
    CapacityFit
    """
    if kind not in KINDS:
        raise ValueError(f"unknown capacity calibration {kind!r}; choose one of {', '.join(KINDS)}")
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    offered = float(inputs.volumes.sum())
    reps = replications or int(np.clip(round(4e5 / max(offered, 1.0)), 3, 20))
    obs = _pooled(observed)
    gaps = np.asarray(gaps, float)
    gap_mean = float(gaps.mean()) if gaps.size else math.nan
    half = 1.96 * float(gaps.std(ddof=1)) / math.sqrt(gaps.size) if gaps.size > 1 else math.nan
    rows: list[dict[str, float]] = []

    def evaluate(value: float) -> dict[str, float]:
        for r in rows:
            if r["value"] == value:
                return r
        kw = replay_kwargs(kind, value)
        pred = replay(scenario, inputs, replications=reps, seed=seed, **kw)
        row = {"value": float(value), **_pooled(pred.counters)}
        rows.append(row)
        return row

    raw = evaluate(1.0 if kind == "availability" else 0.0)
    at_bound = False
    if kind == "none":
        value = 0.0
    elif kind == "measured":
        value = gap_mean if math.isfinite(gap_mean) else 0.0
        evaluate(value)
    else:
        value, at_bound = _solve(kind, target, obs, evaluate)
    best = evaluate(value)
    curve = pd.DataFrame(rows).sort_values("value").reset_index(drop=True)
    return CapacityFit(
        kind=kind,
        value=float(value),
        target=target,
        observed=obs,
        predicted={k: best[k] for k in ("service_level", "abandon_rate")},
        raw={k: raw[k] for k in ("service_level", "abandon_rate")},
        measured_gap=gap_mean,
        measured_gap_ci=(gap_mean - half, gap_mean + half),
        gaps=int(gaps.size),
        replications=reps,
        curve=curve,
        at_bound=at_bound,
    )


def _solve(kind: str, target: str, obs: dict[str, float], evaluate) -> tuple[float, bool]:
    """The value that matches the target: a root (one KPI) or a minimum (both)."""
    lo, hi = _BOUNDS[kind]

    def miss(value: float, kpi: str) -> float:
        return evaluate(value)[kpi] - obs[kpi]

    if target in ("sl", "abandon"):
        kpi = "service_level" if target == "sl" else "abandon_rate"
        # a likely bracket first (one replay fewer or two), the whole range if needed
        points = [lo, *_LIKELY[kind], hi]
        f = {v: miss(v, kpi) for v in points[1:3]}
        a, b = points[1], points[2]
        if f[a] * f[b] > 0:
            f[lo], f[hi] = miss(lo, kpi), miss(hi, kpi)
            pairs = [(x, y) for x, y in zip(points, points[1:], strict=False) if f[x] * f[y] <= 0]
            if not pairs:  # no root inside the range: the nearer bound
                return (lo, True) if abs(f[lo]) < abs(f[hi]) else (hi, True)
            a, b = pairs[0]
        value = optimize.brentq(lambda v: miss(v, kpi), a, b, xtol=_XTOL[kind])
        return float(value), False

    def loss(value: float) -> float:
        return miss(value, "service_level") ** 2 + miss(value, "abandon_rate") ** 2

    res = optimize.minimize_scalar(
        loss, bounds=(lo, hi), method="bounded", options={"xatol": _XTOL[kind]}
    )
    value = float(res.x)
    return value, bool(min(value - lo, hi - value) < 2 * _XTOL[kind])

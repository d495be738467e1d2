"""Parameter uncertainty: the standard errors of the estimates that drive the queue, and draws.

A calibrated scenario's patience and capacity calibration are estimates: a backtest that
replays them as if exact gives prediction intervals that hold the day's randomness only.
This module records how uncertain they are (:func:`parameter_uncertainty`, written into
the calibration settings) and draws parameter sets from their sampling distributions
(:func:`draw_parameters`), which the backtest replays with a share of its replications
each (:func:`ccsim.data.backtest.backtest`, ``parameter_draws``):

* **patience** of each type: the censored fit's 95 % interval of its mean (observed
  information, delta method on the log scale; :mod:`ccsim.data.fitting`) gives a
  standard error of the log mean, ``log_se = (log hi - log lo) / (2 x 1.96)``. A draw
  multiplies the mean by ``exp(log_se z)`` with the shape's cv kept (so its scale moves
  with it);
* the **capacity calibration**: ``measured`` after-call work has the standard error of
  the mean post-call gap. A *fitted* value (``acw``, ``availability``) has none from the
  root finder, so it is derived: the value solves "predicted = observed" for the pooled
  target KPI over the calibration days; linearised, its error is the pooled residual's
  divided by the slope of the prediction in the value. The residual's standard error is
  clustered by day (each calibration day's predicted minus observed KPI, weighted by its
  offered calls: the day-to-day spread the fit averages over), and the slope a central
  difference of two replays on common random numbers. A draw is normal around the value
  (after-call work clipped at 0, availability at 0.05).

Not drawn: handle times (a backtest replays each day's actual talk by default), arrival
rates (the replay conditions on each day's actual calls), the shapes and cvs (their
uncertainty is second order next to the means'), and the agents on the phones.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from ccsim.data.observed import kpis

__all__ = ["capacity_se", "draw_parameters", "drawn", "parameter_uncertainty", "patience_se"]

_Z95 = 1.959963984540054
#: Step of the slope's central difference, per capacity kind.
_STEP = {"acw": 5.0, "availability": 0.02}
#: Lowest drawn value, per capacity kind.
_FLOOR = {"acw": 0.0, "measured": 0.0, "availability": 0.05}


def patience_se(patience: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per type with a patience estimate: its shape, mean, ``log_se`` and abandons.

    ``patience`` maps a type to its :class:`~ccsim.data.patience.PatienceEstimate` (or
    None: no patience, nothing to draw).
    """
    out = {}
    for t, p in patience.items():
        if p is None:
            continue
        lo, hi = p.mean_ci
        ok = all(math.isfinite(v) and v > 0 for v in (lo, hi))
        log_se = (math.log(hi) - math.log(lo)) / (2 * _Z95) if ok else 0.0
        out[t] = {
            "shape": p.shape,
            "mean": float(p.mean),
            "log_se": float(log_se),
            "abandoned": int(p.abandoned),
        }
    return out


def _residuals(counters: np.ndarray, observed: np.ndarray) -> tuple[dict, np.ndarray]:
    """Per day: predicted minus observed service level and abandonment, and offered calls.

    ``counters`` (reps, days, slots, types, FIELDS); ``observed`` (days, slots, types, FIELDS).
    """
    pred = kpis(counters.sum(axis=(2, 3)).mean(axis=0))
    obs = kpis(observed.sum(axis=(1, 2)))
    res = {k: pred[k] - obs[k] for k in ("service_level", "abandon_rate")}
    return res, obs["offered"]


def capacity_se(scenario, inputs, observed: np.ndarray, cap, *, seed: int = 1) -> dict[str, Any]:
    """The standard error of the capacity calibration (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        The scenario the capacity was fitted with (without the calibration).
    inputs : DayInputs
        The calibration days as replayed by the fit.
    observed : numpy.ndarray
        Their observed counters.
    cap : CapacityFit
        The fit.
    seed : int
        Seed of the replays (the fit's).

    Returns
    -------
    dict
        ``kind, value, se, method`` (``se`` 0 for ``none``).
    """
    from ccsim.data.capacity import replay_kwargs
    from ccsim.data.replay import replay

    out: dict[str, Any] = {"kind": cap.kind, "value": float(cap.value), "se": 0.0}
    if cap.kind == "none":
        return {**out, "method": "no capacity calibration"}
    if cap.kind == "measured":
        lo, hi = cap.measured_gap_ci
        se = (hi - lo) / (2 * _Z95) if math.isfinite(hi - lo) else 0.0
        return {**out, "se": float(se), "method": "standard error of the mean post-call gap"}
    h = _STEP[cap.kind]

    def run(value: float) -> np.ndarray:
        kw = replay_kwargs(cap.kind, value)
        return replay(scenario, inputs, replications=cap.replications, seed=seed, **kw).counters

    res, offered = _residuals(run(cap.value), observed)
    lo_v = max(cap.value - h, _FLOOR[cap.kind])
    hi_v = cap.value + h
    up, _ = _residuals(run(hi_v), observed)
    down, _ = _residuals(run(lo_v), observed)
    kpi_names = {"sl": ["service_level"], "abandon": ["abandon_rate"]}.get(
        cap.target, ["service_level", "abandon_rate"]
    )
    w = np.asarray(offered, float)
    # slope of the pooled prediction per KPI (the observed part cancels in the difference)
    slope = {k: float(np.average(up[k] - down[k], weights=w)) / (hi_v - lo_v) for k in kpi_names}
    denom = sum(s * s for s in slope.values())
    if denom <= 0 or not np.isfinite(denom):
        return {**out, "method": "not derived: the prediction does not move with the value"}
    # linearised: value error = sum_k slope_k r_k / sum_k slope_k^2, r_k pooled residuals
    z = sum(slope[k] * np.nan_to_num(res[k]) for k in kpi_names) / denom
    n = z.size
    zbar = float(np.average(z, weights=w))
    var = n / max(n - 1, 1) * float(np.sum(w**2 * (z - zbar) ** 2)) / float(w.sum()) ** 2
    return {
        **out,
        "se": float(math.sqrt(var)),
        "method": f"day-clustered residual of the pooled target over {n} calibration days "
        "through the slope of the prediction (delta method)",
    }


def parameter_uncertainty(patience: dict[str, Any], capacity: dict[str, Any]) -> dict[str, Any]:
    """The settings block: ``{"patience": patience_se(...), "capacity": capacity_se(...)}``."""
    return {"patience": patience_se(patience), "capacity": capacity}


def drawn(uncertainty: dict[str, Any] | None) -> dict[str, float]:
    """The parameters with a positive standard error: name -> SE (log SE for patience)."""
    if not uncertainty:
        return {}
    out = {
        f"patience.{t}.log_mean": float(p["log_se"])
        for t, p in uncertainty.get("patience", {}).items()
        if p.get("log_se", 0) > 0
    }
    cap = uncertainty.get("capacity") or {}
    if cap.get("se", 0) > 0 and cap.get("kind") != "none":
        out[f"capacity.{cap['kind']}"] = float(cap["se"])
    return out


def _normal_scores(k: int, rng: np.random.Generator) -> np.ndarray:
    """Standard-normal scores, one from each of ``k`` equal-probability strata (shuffled)."""
    u = (rng.permutation(k) + rng.random(k)) / k
    return stats.norm.ppf(u)


def draw_parameters(uncertainty: dict[str, Any] | None, k: int, seed: int) -> list[dict[str, Any]]:
    """``k`` parameter sets from the estimates' sampling distributions.

    Each set is ``{"patience": {type: factor on the mean}, "capacity": value or None}``
    (None: the calibrated value; no capacity calibration, or its SE is 0). Draws are
    stratified (Latin hypercube: one normal score from each of ``k`` equal-probability
    strata per parameter, shuffled independently), so even ten draws spread as the SEs
    say. The same ``uncertainty``, ``k`` and ``seed`` give the same draws.

    Examples
    --------
    >>> u = {"patience": {"a": {"mean": 100.0, "log_se": 0.1}},
    ...      "capacity": {"kind": "acw", "value": 20.0, "se": 2.0}}
    >>> sets = draw_parameters(u, 4, seed=1)
    >>> len(sets), sorted(sets[0])
    (4, ['capacity', 'patience'])
    """
    if k < 1:
        return []
    rng = np.random.default_rng([int(seed), 0x5EED, k])
    u = uncertainty or {}
    sets: list[dict[str, Any]] = [{"patience": {}, "capacity": None} for _ in range(k)]
    for t, p in sorted(u.get("patience", {}).items()):
        z = _normal_scores(k, rng)
        for i in range(k):
            sets[i]["patience"][t] = float(math.exp(float(p.get("log_se", 0.0)) * z[i]))
    cap = u.get("capacity") or {}
    if cap.get("kind", "none") != "none" and cap.get("se", 0) > 0:
        z = _normal_scores(k, rng)
        floor = _FLOOR.get(cap["kind"], 0.0)
        for i in range(k):
            sets[i]["capacity"] = max(float(cap["value"]) + float(cap["se"]) * z[i], floor)
    return sets

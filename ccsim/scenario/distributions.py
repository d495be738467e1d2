"""Distributions of handle time, wrap-up, patience and time in the IVR.

A planner knows the mean handle time of a contact type, often per half hour, and
roughly how variable it is (the coefficient of variation, cv = standard deviation /
mean). ccsim therefore describes every time distribution as *a mean times a unit-mean
shape*: ``{dist: lognormal, mean: 4min, cv: 0.8}``. The mean may vary by the
interval in which the contact arrived (``mean: [4min, 210s, ...]``); the shape does not.

Each contact's variate is drawn when it arrives as ``unit * mean[arrival interval]``,
where ``unit`` comes from the shape. This keeps the draws of one contact independent
of everything that happens to it later (common random numbers across options).

Shapes and their parameters:

============  =====================================  ==========================
dist          parameters                             cv
============  =====================================  ==========================
exponential   mean                                   1
lognormal     mean, cv                               cv
gamma         mean, cv                               cv
erlang        mean, k (phases) or cv                 1/sqrt(k)
weibull       mean, cv                               cv
uniform       low, high -- or mean, cv (<= 0.577)    (high-low)/(sqrt(12) mean)
fixed         mean                                   0
empirical     values (observed durations)            of the sample
============  =====================================  ==========================
"""

from __future__ import annotations

import functools
import math
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ccsim.scenario import limits
from ccsim.scenario.units import Duration

__all__ = ["DIST_NAMES", "Distribution", "weibull_shape_for_cv"]

DIST_NAMES = (
    "exponential",
    "lognormal",
    "gamma",
    "erlang",
    "weibull",
    "uniform",
    "fixed",
    "empirical",
)
_NEEDS_CV = {"lognormal", "gamma", "weibull"}


class Distribution(BaseModel):
    """A time distribution: a mean (scalar or per interval) and a unit-mean shape."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    dist: Literal[
        "exponential", "lognormal", "gamma", "erlang", "weibull", "uniform", "fixed", "empirical"
    ]
    mean: Duration | list[Duration] | None = None
    cv: float | None = Field(default=None, ge=0, le=limits.MAX_CV)
    k: int | None = Field(default=None, ge=1, le=limits.MAX_PHASES)
    low: Duration | None = None
    high: Duration | None = None
    values: list[Duration] | None = Field(default=None, min_length=1, max_length=limits.MAX_NODES)

    @model_validator(mode="after")
    def _check_parameters(self) -> Distribution:
        d = self.dist
        allowed = {
            "exponential": {"mean"},
            "lognormal": {"mean", "cv"},
            "gamma": {"mean", "cv"},
            "erlang": {"mean", "k", "cv"},
            "weibull": {"mean", "cv"},
            "uniform": {"mean", "cv", "low", "high"},
            "fixed": {"mean"},
            "empirical": {"values"},
        }[d]
        given = {
            f for f in ("mean", "cv", "k", "low", "high", "values") if getattr(self, f) is not None
        }
        extra = given - allowed
        if extra:
            raise ValueError(
                f"'{d}' takes {', '.join(sorted(allowed))}; remove {', '.join(sorted(extra))}"
            )
        if d == "empirical":
            if sum(self.values or []) <= 0:
                raise ValueError("an empirical distribution needs at least one positive value")
            return self
        if d == "uniform" and (self.low is not None or self.high is not None):
            if (
                self.low is None
                or self.high is None
                or self.mean is not None
                or self.cv is not None
            ):
                raise ValueError("a uniform distribution takes either low and high, or mean and cv")
            if self.high < self.low:
                raise ValueError("uniform: high must be at least low")
            return self
        if self.mean is None:
            raise ValueError(f"'{d}' needs a mean")
        if d in _NEEDS_CV and self.cv is None:
            raise ValueError(f"'{d}' needs a cv (coefficient of variation) beside its mean")
        if d in _NEEDS_CV and self.cv == 0:
            raise ValueError(f"'{d}' needs cv > 0 (use dist: fixed for no variation)")
        if d == "erlang" and (self.k is None) == (self.cv is None):
            raise ValueError("'erlang' takes either k (number of phases) or cv, not both")
        if d == "erlang" and self.cv is not None and self.cv <= 0:
            raise ValueError("'erlang' needs cv > 0")
        if d == "uniform":
            if self.cv is None:
                raise ValueError("uniform with a mean needs a cv")
            if self.cv > 1 / math.sqrt(3):
                raise ValueError("uniform: cv cannot exceed 1/sqrt(3) = 0.577 (times would be < 0)")
        return self

    # ----------------------------------------------------------------- properties
    @property
    def phases(self) -> int:
        """Number of phases of an Erlang distribution (k, or the nearest to 1/cv^2)."""
        if self.k is not None:
            return self.k
        return max(1, round(1.0 / (self.cv or 1.0) ** 2))

    def means(self, intervals: int) -> np.ndarray:
        """Mean per arrival interval, in seconds (length ``intervals``)."""
        if self.dist == "empirical":
            return np.full(intervals, float(np.mean(self.values)))
        if self.dist == "uniform" and self.low is not None:
            return np.full(intervals, (self.low + (self.high or 0.0)) / 2)
        mean = self.mean
        if isinstance(mean, list):
            return np.asarray(mean, dtype=float)
        return np.full(intervals, float(mean or 0.0))

    def shape_cv(self) -> float:
        """Coefficient of variation of the shape (the same in every interval)."""
        d = self.dist
        if d == "exponential":
            return 1.0
        if d == "fixed":
            return 0.0
        if d == "erlang":
            return 1.0 / math.sqrt(self.phases)
        if d == "empirical":
            v = np.asarray(self.values, dtype=float)
            return float(v.std() / v.mean())
        if d == "uniform" and self.low is not None:
            m = (self.low + (self.high or 0.0)) / 2
            return 0.0 if m == 0 else ((self.high or 0.0) - self.low) / (math.sqrt(12) * m)
        return float(self.cv or 0.0)

    # ------------------------------------------------------------------- sampling
    def sample_unit(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` variates of the unit-mean shape.

        Parameters
        ----------
        rng : numpy.random.Generator
            The named stream to draw from.
        n : int
            How many variates.

        Returns
        -------
        numpy.ndarray
            ``n`` non-negative floats with mean 1 (in expectation).
        """
        d = self.dist
        if d == "exponential":
            return rng.standard_exponential(n)
        if d == "fixed":
            return np.ones(n)
        if d in ("gamma", "erlang"):
            shape = float(self.phases) if d == "erlang" else 1.0 / float(self.cv) ** 2
            unit = rng.standard_gamma(shape, n)
            unit /= shape  # (in place: no second array)
            return unit
        if d == "lognormal":
            sigma2 = math.log1p(float(self.cv) ** 2)
            return rng.lognormal(-sigma2 / 2, math.sqrt(sigma2), n)
        if d == "weibull":
            shape = weibull_shape_for_cv(float(self.cv))
            unit = rng.weibull(shape, n)
            unit /= math.gamma(1 + 1 / shape)
            return unit
        if d == "uniform":
            half = math.sqrt(3) * self.shape_cv()
            return rng.uniform(1 - half, 1 + half, n)
        values = np.asarray(self.values, dtype=float)
        return values[rng.integers(0, len(values), n)] / values.mean()


@functools.lru_cache(maxsize=256)
def weibull_shape_for_cv(cv: float) -> float:
    """Return the Weibull shape parameter whose coefficient of variation is ``cv``.

    Notes
    -----
    Solves ``Gamma(1 + 2/k) / Gamma(1 + 1/k)**2 - 1 = cv**2`` for k by bisection
    on log k; the left side decreases in k.

    Examples
    --------
    >>> round(weibull_shape_for_cv(1.0), 6)
    1.0
    """
    if cv <= 0:
        raise ValueError("cv must be positive")
    target = math.log1p(cv * cv)

    def log_ratio(k: float) -> float:
        return math.lgamma(1 + 2 / k) - 2 * math.lgamma(1 + 1 / k)

    lo, hi = math.log(0.02), math.log(500.0)
    for _ in range(200):
        mid = (lo + hi) / 2
        if log_ratio(math.exp(mid)) > target:
            lo = mid
        else:
            hi = mid
    return math.exp((lo + hi) / 2)

"""A control variate: fewer replications for the same precision, from the day's volume.

Much of a simulated day's service level is explained by how many customers happened to
call: a busy day (a high day factor, or Poisson luck) answers fewer within the target.
The number of first contacts C of a replication is simulated alongside every KPI Y, and
its expectation E[C] is known exactly from the forecast (the rates over the counted
window; the day factors have mean 1). The controlled estimator

    Y_cv = mean(Y) - beta (mean(C) - E[C]),  beta = cov(Y, C) / var(C),

is unbiased for large n and its variance is (1 - rho^2) times that of mean(Y), rho the
correlation of Y and C: a KPI that varies with the volume needs 1 / (1 - rho^2) times
fewer replications for the same interval (see benchmarks/test_bench_variance.py). Its
interval is a t interval with n - 2 degrees of freedom on the residuals Y - beta C.

A contact type's KPIs are controlled by that type's first contacts, the centre's by all
real-time types' together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.plan import Plan
from ccsim.results.confidence import t_quantile
from ccsim.results.kpis import TYPE_FIELDS
from ccsim.results.running import interval_window

__all__ = ["Controlled", "controlled", "expected_first_contacts", "first_contacts"]

_F = {name: i for i, name in enumerate(TYPE_FIELDS)}


@dataclass(frozen=True)
class Controlled:
    """A KPI's controlled mean, its 95 % interval, and how much the control helped."""

    mean: float
    low: float
    high: float
    rho: float  # correlation of the KPI with the control

    @property
    def replications_saved(self) -> float:
        """The factor 1 / (1 - rho^2): replications plain estimation needs per one here."""
        return 1.0 / max(1.0 - self.rho**2, 1e-12)


def expected_first_contacts(plan: Plan) -> np.ndarray:
    """Expected first contacts per type arriving in the counted window of a replication.

    The forecast rates (per interval, after ``days`` volumes) over the seconds of
    each interval inside [warm-up, end]; day factors have mean 1. Contacts waiting at the
    start (``start_state``) count when there is no warm-up.
    """
    expected = (plan.rate * interval_window(plan)[None, :]).sum(axis=1)  # rates per second
    if plan.warmup <= 0:
        expected = expected + plan.start_waiting
    return expected


def first_contacts(day_type: np.ndarray) -> np.ndarray:
    """Each replication's first contacts (arrived - redials - repeats), per type."""
    return (
        day_type[..., _F["arrived"]] - day_type[..., _F["redials"]] - day_type[..., _F["repeats"]]
    )


def controlled(y: np.ndarray, c: np.ndarray, expected: float, level: float = 0.95) -> Controlled:
    """The control-variate estimate of E[Y] with control ``c`` of known mean ``expected``.

    Replications where Y is undefined (NaN) are left out. With fewer than three, or a
    control that does not vary, the plain mean and its interval come back (rho 0).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> c = rng.poisson(100, 200).astype(float)
    >>> y = 0.9 - 0.004 * (c - 100) + rng.normal(0, 0.005, 200)
    >>> est = controlled(y, c, 100.0)
    >>> round(est.mean, 2), est.replications_saved > 5
    (0.9, True)
    """
    y, c = np.asarray(y, dtype=float), np.asarray(c, dtype=float)
    keep = np.isfinite(y)
    y, c = y[keep], c[keep]
    n = len(y)
    if n < 3 or np.var(c) == 0:
        mean = float(np.mean(y)) if n else float("nan")
        half = (
            float(t_quantile((1 + level) / 2, max(n - 1, 1)) * np.std(y, ddof=1) / np.sqrt(n))
            if n >= 2
            else float("nan")
        )
        return Controlled(mean, mean - half, mean + half, 0.0)
    cov = np.cov(y, c)
    beta = cov[0, 1] / cov[1, 1]
    rho = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]) if cov[0, 0] > 0 else 0.0
    mean = float(y.mean() - beta * (c.mean() - expected))
    residual = y - beta * c
    half = float(t_quantile((1 + level) / 2, n - 2) * np.std(residual, ddof=2) / np.sqrt(n))
    return Controlled(mean, mean - half, mean + half, float(rho))

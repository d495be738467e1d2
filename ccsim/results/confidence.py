"""Confidence intervals: of a mean across replications, a pooled ratio, a paired difference.

A KPI's value differs from one simulated day to the next; the mean over replications
comes with a 95 % Student-t interval (:func:`mean_ci`). Period reports and published
tables *pool* instead (total answered within T over total offered): :func:`pooled_ci`
gives that ratio with its delta-method interval. Options are compared on common random
numbers, replication by replication: :func:`paired_difference`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

__all__ = [
    "Difference",
    "ci_of",
    "mean_ci",
    "paired_difference",
    "pooled_ci",
    "pooled_from_sums",
    "t_quantile",
]


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, ...]:
    """Mean and confidence interval across replications (axis 0), ignoring NaN.

    Parameters
    ----------
    values : numpy.ndarray
        Per-replication values, replications on axis 0.
    level : float
        Confidence level.

    Returns
    -------
    mean, low, high, n : numpy.ndarray
        ``n`` counts the replications where the KPI is defined. The interval is
        ``mean +- t_{(1+level)/2, n-1} * sd / sqrt(n)``; NaN when n < 2.

    Examples
    --------
    >>> m, lo, hi, n = mean_ci(np.array([1.0, 2.0, 3.0]))
    >>> float(m), round(float(hi - m), 4)
    (2.0, 2.4841)
    """
    values = np.asarray(values, dtype=float)
    n = np.sum(~np.isnan(values), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells give NaN, quietly
        mean = np.nanmean(values, axis=0)
        sd = np.nanstd(values, axis=0, ddof=1)
    return ci_of(mean, sd, n, level)


def ci_of(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, ...]:
    """``(mean, low, high, n)`` from a mean, a sample standard deviation and a count.

    The interval of :func:`mean_ci`, for statistics kept as running moments.
    """
    n = np.asarray(n)
    tq = t_quantile((1 + level) / 2, np.maximum(n - 1, 1))
    half = np.where(n >= 2, tq * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    return mean, mean - half, mean + half, n


def pooled_ci(
    num: np.ndarray, den: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A ratio pooled over replications (axis 0), sum(num) / sum(den), and its interval.

    Notes
    -----
    The delta method (the ratio estimator of survey sampling): with R = sum(num) /
    sum(den) over n replications and z_r = num_r - R den_r,
    Var(R) ~ s_z^2 / (n dbar^2), dbar the mean denominator; the interval is
    R +- t_{n-1} sqrt(Var(R)). Period reports and published tables pool this way (total
    answered within T over total offered), while the per-replication mean weighs every
    replication alike.

    Examples
    --------
    >>> r, lo, hi = pooled_ci(np.array([8.0, 9.0, 7.0]), np.array([10.0, 10.0, 10.0]))
    >>> float(r), round(float(hi - r), 4)
    (0.8, 0.2484)
    """
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    n = num.shape[0]
    sn, sd = num.sum(axis=0), den.sum(axis=0)
    sums = (sn, sd, (num * num).sum(axis=0), (den * den).sum(axis=0), (num * den).sum(axis=0))
    return pooled_from_sums(n, *sums, level=level)


def pooled_from_sums(
    n: int, sn: np.ndarray, sd: np.ndarray, snn: np.ndarray, sdd: np.ndarray, snd: np.ndarray,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """:func:`pooled_ci` from running sums of num, den, num^2, den^2 and num x den."""
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(sd > 0, sn / np.where(sd > 0, sd, 1.0), np.nan)
        var_z = np.maximum(snn - 2 * r * snd + r * r * sdd, 0.0) / max(n - 1, 1)
        se = np.sqrt(var_z / n) / (sd / n)
    half = t_quantile((1 + level) / 2, max(n - 1, 1)) * se if n >= 2 else np.nan
    return r, r - half, r + half


def t_quantile(p: float, df: np.ndarray | int) -> np.ndarray:
    """Quantile ``p`` of Student's t distribution with ``df`` degrees of freedom.

    Notes
    -----
    For df >= 20 a Cornish-Fisher expansion around the normal quantile z (terms up to
    1/df^4; Abramowitz & Stegun 26.7.5), relative error below 2e-6 at p = 0.995 and
    falling fast with df; below that, SciPy's exact ``stdtrit`` (imported only then,
    to keep ``ccsim`` quick to start).
    """
    df = np.asarray(df, dtype=float)
    z = NormalDist().inv_cdf(p)
    v = np.maximum(df, 1.0)
    out = (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )
    small = df < 20
    if np.any(small):
        from scipy.special import stdtrit

        out = np.where(small, stdtrit(np.where(small, df, 20.0), p), out)
    return out


@dataclass(frozen=True)
class Difference:
    """A paired difference (option - base) of one KPI across replications."""

    base: float
    option: float
    mean: float
    low: float
    high: float
    n: int
    independent_half_width: float

    @property
    def significant(self) -> bool:
        """The 95 % interval excludes zero."""
        return bool(self.low > 0 or self.high < 0)

    @property
    def half_width(self) -> float:
        """Half-width of the paired 95 % interval."""
        return (self.high - self.low) / 2

    @property
    def narrowing(self) -> float:
        """Independent half-width / paired half-width (how much pairing helps)."""
        if self.half_width > 0:
            return self.independent_half_width / self.half_width
        return math.inf if self.independent_half_width > 0 else math.nan


def paired_difference(base: np.ndarray, option: np.ndarray, level: float = 0.95) -> Difference:
    """Mean paired difference ``option - base`` and its confidence interval.

    Parameters
    ----------
    base, option : numpy.ndarray
        One KPI's value per replication, replication r of both run on the same
        random numbers. Replications where either is undefined (NaN) are dropped.
    level : float
        Confidence level.

    Returns
    -------
    Difference

    Notes
    -----
    With d_r = option_r - base_r over n replications, the interval is
    ``mean(d) +- t_{(1+level)/2, n-1} * sd(d) / sqrt(n)``. The independent half-width
    is ``t * sqrt((var(base) + var(option)) / n)`` with n - 1 degrees of freedom: what
    two independent runs of n replications each would give.

    Examples
    --------
    >>> d = paired_difference(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.5, 4.0]))
    >>> round(d.mean, 4), round(d.half_width, 4)
    (1.1667, 0.7171)
    """
    base, option = np.asarray(base, dtype=float), np.asarray(option, dtype=float)
    keep = ~(np.isnan(base) | np.isnan(option))
    base, option = base[keep], option[keep]
    n = len(base)
    mean, low, high, _ = mean_ci(option - base, level)
    if n >= 2:
        tq = float(t_quantile((1 + level) / 2, n - 1))
        independent = tq * math.sqrt((base.var(ddof=1) + option.var(ddof=1)) / n)
    else:
        independent = math.nan
    return Difference(
        base=float(base.mean()) if n else math.nan,
        option=float(option.mean()) if n else math.nan,
        mean=float(mean),
        low=float(low),
        high=float(high),
        n=n,
        independent_half_width=independent,
    )

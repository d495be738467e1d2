"""Fitting ccsim's duration shapes to observed times, censored or not.

ccsim writes a duration as a mean and a coefficient of variation times a unit-mean
shape (exponential, lognormal, gamma, weibull; :mod:`ccsim.scenario.distributions`).
A log gives such durations in two kinds: *observed* ones (a talk time, the wait of a
caller who hung up) and *right-censored* ones (a caller answered after 40 s would
have waited at least 40 s). This module fits the shapes by maximum likelihood with
both kinds (and, for talk times, with a left truncation that sets a spike of very
short calls apart), gives confidence intervals of the mean and cv from the observed
information, and scores a fit against the data (Kolmogorov-Smirnov distance, error of
the quantiles).

The distributions are scipy's (``scipy.stats``); the likelihood is summed over the
distinct values with their counts (logs record whole seconds, so a month of 18 000
waits has about 1 000 distinct values), which gives the same maximum as summing over
every call and is many times faster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from ccsim.scenario.distributions import weibull_shape_for_cv

__all__ = [
    "SHAPES",
    "ShapeFit",
    "fit_shape",
    "frozen",
    "ks_distance",
    "mean_cv_ci",
    "quantile_error",
]

#: ccsim shape -> the scipy distribution with the same family (location fixed at 0)
SHAPES = {
    "exponential": stats.expon,
    "lognormal": stats.lognorm,
    "gamma": stats.gamma,
    "weibull": stats.weibull_min,
}
_Z95 = 1.959963984540054


def frozen(shape: str, mean: float, cv: float = 1.0):
    """The scipy distribution of a ccsim shape with this ``mean`` and ``cv``.

    Examples
    --------
    >>> d = frozen("lognormal", 180.0, 1.2)
    >>> round(float(d.mean()), 6), round(float(d.std() / d.mean()), 6)
    (180.0, 1.2)
    """
    if shape == "exponential":
        return stats.expon(scale=mean)
    if shape == "lognormal":
        s2 = math.log1p(cv * cv)
        return stats.lognorm(math.sqrt(s2), scale=mean / math.sqrt(1 + cv * cv))
    if shape == "gamma":
        return stats.gamma(1 / cv**2, scale=mean * cv**2)
    if shape == "weibull":
        k = weibull_shape_for_cv(float(cv))
        return stats.weibull_min(k, scale=mean / math.gamma(1 + 1 / k))
    raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")


@dataclass(frozen=True)
class ShapeFit:
    """A shape fitted by maximum likelihood.

    ``mean`` and ``cv`` are those of the fitted (untruncated) distribution, with 95 %
    intervals from the observed information (delta method on the log scale);
    ``loglik`` and ``aic`` compare shapes fitted to the same data.
    """

    shape: str
    mean: float
    cv: float
    mean_ci: tuple[float, float]
    cv_ci: tuple[float, float]
    loglik: float
    aic: float
    events: int
    censored: int
    params: tuple[float, ...]

    def dist(self):
        """The fitted scipy distribution (location 0)."""
        return SHAPES[self.shape](*self.params[:-1], scale=self.params[-1])


def _tied(x: np.ndarray, resolution: float) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (rounded to ``resolution`` seconds) and their counts."""
    if x.size == 0:
        return np.zeros(0), np.zeros(0)
    v, c = np.unique(np.round(x / resolution) * resolution, return_counts=True)
    return v, c.astype(float)


def _start(shape: str, mean: float, cv: float) -> np.ndarray:
    """Starting native parameters (shape..., scale): the shape with this mean and cv."""
    d = frozen(shape, mean, min(max(cv, 0.2), 5.0))
    return np.array([*d.args, d.kwds["scale"]], float)


def _hessian(f, x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of a scalar function at ``x``."""
    n = x.size
    out = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            val = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
            out[i, j] = out[j, i] = val
    return out


def fit_shape(
    shape: str,
    events: np.ndarray,
    censored: np.ndarray | None = None,
    *,
    truncate: float | None = None,
    resolution: float = 0.1,
    floor: float = 0.5,
) -> ShapeFit:
    """Fit one ccsim shape by maximum likelihood, with right-censored values.

    Parameters
    ----------
    shape : {"exponential", "lognormal", "gamma", "weibull"}
    events : numpy.ndarray
        Observed durations in seconds (talk times; waits of callers who hung up).
    censored : numpy.ndarray, optional
        Right-censored durations: the true value is at least this (waits of callers
        who were answered).
    truncate : float, optional
        Left truncation: only values above it are in ``events`` and ``censored``; the
        likelihood is conditional on exceeding it (``f(x) / S(truncate)``).
    resolution : float
        Values are rounded to this many seconds and the likelihood is summed over the
        distinct values with their counts (the maximum is the same for whole-second
        data).
    floor : float
        Values at or below 0 are moved to this many seconds (the log-scale shapes have
        no density at 0).

    Returns
    -------
    ShapeFit

    Notes
    -----
    The exponential has closed forms: mean = total time / events (memoryless, so a
    truncation at tau subtracts tau from every value), with the interval
    ``exp(log mean +- 1.96 / sqrt(events))``. The other shapes are fitted on the log
    of their native parameters (shape, scale) with Nelder-Mead; the covariance is the
    inverse of the numerical Hessian of the negative log-likelihood there, carried to
    log mean and log cv by the delta method.
    """
    events = np.maximum(np.asarray(events, float), floor)
    censored = np.maximum(np.asarray(censored if censored is not None else [], float), floor)
    n_ev, n_ce = events.size, censored.size
    if n_ev == 0:
        raise ValueError(f"cannot fit a {shape} shape: no observed (uncensored) values")
    tau = float(truncate) if truncate else None
    ev_x, ev_w = _tied(events, resolution)
    ce_x, ce_w = _tied(censored, resolution)
    n_tot = n_ev + n_ce
    if shape == "exponential":
        total = events.sum() + censored.sum() - (tau or 0.0) * n_tot
        mean = total / n_ev
        dist = stats.expon(loc=0, scale=mean)
        loglik = float(np.dot(ev_w, dist.logpdf(ev_x)) + np.dot(ce_w, dist.logsf(ce_x)))
        if tau is not None:
            loglik -= n_tot * float(dist.logsf(tau))
        half = _Z95 / math.sqrt(n_ev)
        return ShapeFit(
            shape,
            mean,
            1.0,
            (mean * math.exp(-half), mean * math.exp(half)),
            (1.0, 1.0),
            loglik,
            2 - 2 * loglik,
            n_ev,
            n_ce,
            (mean,),
        )
    family = SHAPES[shape]
    tau_arr = np.array([tau]) if tau is not None else None

    def nll(theta: np.ndarray) -> float:
        # scipy's standardised log-density and log-survival (the methods a subclass of
        # rv_continuous provides), on the positive parameters the log scale keeps: the
        # public logpdf would re-check the arguments at every step of the optimiser
        p = np.exp(theta)
        shp, sc = p[:-1], p[-1]
        with np.errstate(all="ignore"):
            ll = np.dot(ev_w, family._logpdf(ev_x / sc, *shp)) - n_ev * math.log(sc)
            if ce_x.size:
                ll += np.dot(ce_w, family._logsf(ce_x / sc, *shp))
            if tau_arr is not None:
                ll -= n_tot * float(family._logsf(tau_arr / sc, *shp)[0])
        return -float(ll) if np.isfinite(ll) else 1e300

    mean0 = (events.sum() + censored.sum()) / n_ev
    cv0 = float(events.std() / events.mean()) if n_ce == 0 and events.mean() > 0 else 1.0
    x0 = np.log(_start(shape, mean0, cv0))
    simplex = np.vstack([x0, x0 + 0.2 * np.eye(x0.size)])  # steps of about 20 % each way
    res = optimize.minimize(
        nll,
        x0,
        method="Nelder-Mead",
        options={"xatol": 1e-5, "fatol": 1e-4, "maxiter": 4000, "initial_simplex": simplex},
    )
    theta = res.x

    def log_mean_cv(th: np.ndarray) -> np.ndarray:
        p = np.exp(th)
        m, v = family.stats(*p[:-1], scale=p[-1], moments="mv")
        return np.array([math.log(float(m)), 0.5 * math.log(float(v)) - math.log(float(m))])

    g = log_mean_cv(theta)
    try:
        cov = np.linalg.inv(_hessian(nll, theta))
        jac = np.empty((2, theta.size))
        for j in range(theta.size):
            e = np.eye(theta.size)[j] * 1e-5
            jac[:, j] = (log_mean_cv(theta + e) - log_mean_cv(theta - e)) / 2e-5
        se = np.sqrt(np.clip(np.diag(jac @ cov @ jac.T), 0, None))
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        se = np.array([np.nan, np.nan])
    mean, cv = math.exp(g[0]), math.exp(g[1])
    mean_ci = (math.exp(g[0] - _Z95 * se[0]), math.exp(g[0] + _Z95 * se[0]))
    cv_ci = (math.exp(g[1] - _Z95 * se[1]), math.exp(g[1] + _Z95 * se[1]))
    loglik = -float(res.fun)
    params = tuple(float(v) for v in np.exp(theta))
    return ShapeFit(
        shape, mean, cv, mean_ci, cv_ci, loglik, 2 * theta.size - 2 * loglik, n_ev, n_ce, params
    )


def mean_cv_ci(x: np.ndarray) -> tuple[float, float, tuple[float, float], tuple[float, float]]:
    """Sample mean and cv with 95 % intervals (large-sample, delta method).

    Returns ``(mean, cv, mean_ci, cv_ci)``. The cv's interval uses the covariance of
    the first two sample moments, so heavy tails widen it as they should.

    Examples
    --------
    >>> x = np.random.default_rng(1).exponential(100.0, 20000)
    >>> m, cv, (lo, hi), (clo, chi) = mean_cv_ci(x)
    >>> lo < 100 < hi and clo < 1 < chi
    True
    """
    x = np.asarray(x, float)
    n = x.size
    if n < 2:
        return (float(x.mean()) if n else math.nan), math.nan, (math.nan,) * 2, (math.nan,) * 2
    m1, m2 = x.mean(), np.mean(x * x)
    var = max(m2 - m1 * m1, 0.0)
    cv = math.sqrt(var) / m1
    cov = np.cov(np.vstack([x, x * x])) / n
    se_mean = math.sqrt(cov[0, 0])
    # cv = sqrt(m2 - m1^2) / m1: gradient with respect to (m1, m2)
    sd = math.sqrt(var) if var > 0 else 1e-300
    grad = np.array([(-m1 / sd) / m1 - sd / m1**2, (0.5 / sd) / m1])
    se_cv = math.sqrt(max(float(grad @ cov @ grad), 0.0))
    return (
        float(m1),
        float(cv),
        (float(m1 - _Z95 * se_mean), float(m1 + _Z95 * se_mean)),
        (float(cv - _Z95 * se_cv), float(cv + _Z95 * se_cv)),
    )


def ks_distance(
    x: np.ndarray, dist, *, above: float = 0.0, whole_seconds: bool | None = None, seed: int = 0
) -> float:
    """Kolmogorov-Smirnov distance between data and a distribution (conditional on > above).

    Whole-second data are jittered by U(-0.5, 0.5) first (a step function against a
    continuous one would otherwise show a spurious distance); ``whole_seconds=None``
    detects them.
    """
    x = np.asarray(x, float)
    x = x[x > above]
    if x.size == 0:
        return math.nan
    if whole_seconds is None:
        whole_seconds = bool(np.all(x == np.round(x)))
    if whole_seconds:
        rng = np.random.default_rng(seed)
        x = np.clip(x + rng.uniform(-0.5, 0.5, x.size), max(above, 1e-3), None)
    lo = float(dist.cdf(above)) if above > 0 else 0.0
    scale = 1.0 - lo

    def cdf(t: np.ndarray) -> np.ndarray:
        return (dist.cdf(t) - lo) / scale

    return float(stats.kstest(x, cdf, method="asymp").statistic)  # the p-value is not used


def quantile_error(
    x: np.ndarray,
    dist,
    *,
    above: float = 0.0,
    probs: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9, 0.99),
) -> float:
    """Mean of ``|fitted quantile / observed quantile - 1|`` at ``probs`` (values > above)."""
    x = np.asarray(x, float)
    x = x[x > above]
    if x.size == 0:
        return math.nan
    lo = float(dist.cdf(above)) if above > 0 else 0.0
    fitted = dist.ppf(lo + (1 - lo) * np.asarray(probs))
    observed = np.quantile(x, probs)
    return float(np.mean(np.abs(fitted / observed - 1)))

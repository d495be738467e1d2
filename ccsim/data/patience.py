"""Patience from a log: how long callers are willing to wait, from censored waits.

A log never shows a caller's patience directly. A caller who hung up after 70 s in
the queue had a patience of 70 s (an *event*); a caller answered after 40 s would
have waited at least 40 s (*right-censored*); a caller answered at once says nothing.
So patience is estimated from the queued calls only, with censoring:

* **Kaplan-Meier** (``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``): the share
  of callers still willing to wait after t seconds, with a 95 % log-log band; no
  shape assumed, the reference the fits are drawn against.
* **Censored maximum likelihood** of ccsim's shapes (:func:`fit_shape`): the shape
  is the lowest AIC among the *plausible* fits, those with a cv of at most 3 (on the
  Technion bank log a lognormal wins on likelihood with a cv of 6.8 and a mean of
  3 300 s, far beyond the longest wait: its tail is where no caller was seen). A mean
  beyond the longest observed wait is flagged ``extrapolated``: the data show the
  survival up to that wait, the rest is the shape's.
* **Immediate hang-ups**: the share p0 of callers who hang up within ``t0`` seconds
  beyond what the chosen shape predicts (Kaplan-Meier against the fit at ``t0``).
  ccsim has no such point mass, so a material one (p0 >= 1 % and the fit above the
  Kaplan-Meier band) is reported as a limit of the fitted shape, not written into
  the scenario.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ccsim.data.fitting import SHAPES, fit_shape

__all__ = ["PatienceEstimate", "fit_patience", "immediate_hangups", "kaplan_meier"]

_SHAPES = ("exponential", "weibull", "gamma", "lognormal")
#: Largest plausible patience cv: beyond it a fit describes a tail no caller was seen in.
MAX_CV = 3.0
#: Times (s) of the Kaplan-Meier table.
KM_TIMES = (10, 20, 30, 60, 120, 300)


@dataclass
class PatienceEstimate:
    """Patience of one contact type: the chosen shape, Kaplan-Meier, every fit."""

    what: str
    shape: str
    mean: float
    cv: float
    mean_ci: tuple[float, float]
    cv_ci: tuple[float, float]
    queued: int
    abandoned: int
    max_wait: float
    extrapolated: bool
    fits: pd.DataFrame
    km: pd.DataFrame
    km_table: pd.DataFrame
    km_median: float
    immediate: dict

    def distribution(self) -> dict:
        """The scenario's ``{dist, mean, cv}``."""
        out: dict = {"dist": self.shape, "mean": round(self.mean, 1)}
        if self.shape != "exponential":
            out["cv"] = round(self.cv, 3)
        return out

    def sf(self, t: np.ndarray, shape: str | None = None) -> np.ndarray:
        """Survival of a fitted shape (the chosen one by default) at ``t`` seconds."""
        row = self.fits[self.fits["shape"] == (shape or self.shape)].iloc[0]
        params = row["params"]
        return SHAPES[row["shape"]](*params[:-1], scale=params[-1]).sf(np.asarray(t, float))


def kaplan_meier(wait: np.ndarray, abandoned: np.ndarray) -> tuple[pd.DataFrame, float]:
    """Kaplan-Meier survival of patience: its steps with a 95 % log-log band, and the median.

    Returns ``(steps, median)``: ``steps`` has ``t, S, ci95_low, ci95_high`` at each
    distinct event time (starting at t = 0, S = 1); the median is infinite when S never
    falls to one half.
    """
    wait = np.asarray(wait, float)
    abandoned = np.asarray(abandoned, bool)
    res = stats.ecdf(stats.CensoredData(uncensored=wait[abandoned], right=wait[~abandoned]))
    with warnings.catch_warnings():  # the band is undefined where S is 0 or 1: harmless
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = res.sf.confidence_interval(0.95, method="log-log")
    t = res.sf.quantiles
    steps = pd.DataFrame(
        {
            "t": np.r_[0.0, t],
            "S": np.r_[1.0, res.sf.probabilities],
            "ci95_low": np.r_[1.0, ci.low.probabilities],
            "ci95_high": np.r_[1.0, ci.high.probabilities],
        }
    )
    below = np.flatnonzero(res.sf.probabilities <= 0.5)
    return steps, float(t[below[0]]) if below.size else math.inf


def _sf(row: pd.Series, t: float) -> float:
    """Survival at ``t`` of a fit row (its native parameters)."""
    params = row["params"]
    return float(SHAPES[row["shape"]](*params[:-1], scale=params[-1]).sf(t))


def _step_at(steps: pd.DataFrame, t: np.ndarray, column: str = "S") -> np.ndarray:
    idx = np.searchsorted(steps["t"].to_numpy(), t, side="right") - 1
    return steps[column].to_numpy()[np.clip(idx, 0, None)]


def immediate_hangups(steps: pd.DataFrame, fitted_sf: float, t0: float = 2.0) -> dict:
    """Share of callers who hang up within ``t0`` s beyond what the fitted shape says.

    Compares the Kaplan-Meier survival at ``t0`` with the fitted shape's: the excess
    ``p0 = S_fit(t0) - S_KM(t0)`` is the share of immediate hang-ups the shape does not
    carry. It is ``material`` when p0 >= 1 % and the fitted value lies above the
    Kaplan-Meier 95 % band. Returns ``t0, km, km_low, km_high, fitted, p0, material``.
    """
    km = float(_step_at(steps, np.array([t0]))[0])
    low = float(_step_at(steps, np.array([t0]), "ci95_low")[0])
    high = float(_step_at(steps, np.array([t0]), "ci95_high")[0])
    p0 = max(fitted_sf - km, 0.0)
    return {
        "t0": t0,
        "km": km,
        "km_low": low,
        "km_high": high,
        "fitted": float(fitted_sf),
        "p0": p0,
        "material": bool(p0 >= 0.01 and fitted_sf > high),
    }


def fit_patience(
    wait: np.ndarray,
    abandoned: np.ndarray,
    *,
    what: str = "patience",
    shapes: tuple[str, ...] = _SHAPES,
) -> PatienceEstimate:
    """Estimate patience from the waits of queued calls (see the module docstring).

    Parameters
    ----------
    wait : numpy.ndarray
        Seconds each queued call waited (to answer or hang-up).
    abandoned : numpy.ndarray
        True for the calls that hung up in the queue (events); False for answered
        ones (censored at their wait).
    what : str
        Name used in messages.
    shapes : tuple of str
        Candidate shapes.

    Returns
    -------
    PatienceEstimate

    Raises
    ------
    ValueError
        Without any abandoned call (patience cannot be estimated).
    """
    wait = np.asarray(wait, float)
    abandoned = np.asarray(abandoned, bool)
    ok = np.isfinite(wait) & (wait >= 0)
    wait, abandoned = wait[ok], abandoned[ok]
    if abandoned.sum() < 1:
        raise ValueError(
            f"{what}: no caller hung up in the queue, so patience cannot be "
            "estimated (leave it out: callers never abandon)"
        )
    steps, median = kaplan_meier(wait, abandoned)
    max_wait = float(wait.max())
    grid = np.linspace(0, float(np.quantile(wait, 0.9)) or max_wait, 50)[1:]
    km_grid = _step_at(steps, grid)
    rows = []
    for shape in shapes:
        fit = fit_shape(shape, wait[abandoned], wait[~abandoned], resolution=0.1)
        sf = fit.dist().sf(grid)
        rows.append(
            {
                "shape": shape,
                "mean": fit.mean,
                "cv": fit.cv,
                "mean_ci": fit.mean_ci,
                "cv_ci": fit.cv_ci,
                "loglik": fit.loglik,
                "aic": fit.aic,
                "params": fit.params,
                "km_err": float(np.mean(np.abs(sf - km_grid))),
                "plausible": bool(fit.cv <= MAX_CV),
            }
        )
    fits = pd.DataFrame(rows)
    fits["delta_aic"] = fits["aic"] - fits["aic"].min()
    fits = fits.sort_values("aic").reset_index(drop=True)
    best = fits[fits["plausible"]].iloc[0]  # the exponential (cv 1) always is
    extrapolated = bool(best["mean"] > max_wait)
    at = np.asarray(KM_TIMES, float)
    table = pd.DataFrame(
        {
            "t": at,
            "S": _step_at(steps, at),
            "ci95_low": _step_at(steps, at, "ci95_low"),
            "ci95_high": _step_at(steps, at, "ci95_high"),
        }
    )
    return PatienceEstimate(
        what=what,
        shape=str(best["shape"]),
        mean=float(best["mean"]),
        cv=float(best["cv"]) if best["shape"] != "exponential" else 1.0,
        mean_ci=tuple(best["mean_ci"]),
        cv_ci=tuple(best["cv_ci"]),
        queued=int(wait.size),
        abandoned=int(abandoned.sum()),
        max_wait=max_wait,
        extrapolated=extrapolated,
        fits=fits,
        km=steps,
        km_table=table,
        km_median=median,
        immediate=immediate_hangups(steps, float(_sf(best, 2.0))),
    )

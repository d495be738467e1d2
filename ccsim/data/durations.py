"""Handle time and IVR time from a log: which shape, what mean and cv, per interval.

A contact type's handle time in ccsim is a mean (one, or one per interval) times a
unit-mean shape with a cv. Logs of talk times usually hold a spike of very short
calls (hang-ups on pick-up, transfers: 5.5 % of the calls of the Technion bank log
last 10 s or less) that is not the bulk's shape; plain maximum likelihood lets the
spike choose the shape (a too-light tail) or pulls a lognormal's mean far above the
data. So:

* the **shape** is chosen by the likelihood of the calls above a short-call cut
  (``short_cut``, default 10 s; a left-truncated likelihood, :func:`fit_shape`),
  lowest AIC among exponential, lognormal, gamma and weibull (shapes within 2 of the
  lowest AIC are as good: of those, the one whose moment-matched form is closest to
  the data by Kolmogorov-Smirnov);
* its **mean and cv are the sample moments of every answered call** (talk > 0),
  so the offered load the scenario carries is the load the log shows;
* the **goodness of fit** of that moment-matched shape is reported against all the
  calls: the Kolmogorov-Smirnov distance and the mean error of its quantiles;
* **per interval**: when the hourly means differ (Kruskal-Wallis p < 0.01 over hours
  with at least ``min_per_hour`` calls), each hour with enough calls gets its own
  mean (others the type's); the cv is then that of the calls divided by their
  hour's mean, so the within-hour spread is not counted twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ccsim.data.fitting import fit_shape, frozen, ks_distance, mean_cv_ci, quantile_error

__all__ = ["CANDIDATES", "DurationEstimate", "fit_duration"]

#: The ccsim shapes a handle or IVR time is chosen from.
CANDIDATES = ("exponential", "lognormal", "gamma", "weibull")


@dataclass
class DurationEstimate:
    """A duration's estimate: the chosen shape, its mean and cv, fits and hourly means.

    ``hour_means`` maps an hour of the day (0-23) to its mean, only when the hours
    differ (``per_hour``); ``fits`` compares every candidate shape.
    """

    what: str
    shape: str
    mean: float
    cv: float
    mean_ci: tuple[float, float]
    cv_ci: tuple[float, float]
    n: int
    dropped: int
    short_cut: float
    short_share: float
    ks: float
    q_err: float
    fits: pd.DataFrame
    hours: pd.DataFrame
    kruskal_p: float
    per_hour: bool
    hour_means: dict[int, float] = field(default_factory=dict)
    values: list[float] | None = None  # the observed quantiles, when no shape fits

    def dist(self):
        """The moment-matched scipy distribution of the chosen shape."""
        return frozen(self.shape, self.mean, self.cv)

    def distribution(self, slot_hours: list[int] | None = None) -> dict:
        """The scenario's ``{dist, mean, cv}``; per interval when ``per_hour``.

        ``slot_hours``: the hour of the day of each scenario interval.
        """
        if self.values is not None:
            return {"dist": "empirical", "values": self.values}
        out: dict = {"dist": self.shape}
        if self.per_hour and slot_hours is not None:
            out["mean"] = [round(self.hour_means.get(h, self.mean), 1) for h in slot_hours]
        else:
            out["mean"] = round(self.mean, 1)
        if self.shape != "exponential":
            out["cv"] = round(self.cv, 3)
        return out


def fit_duration(
    values: np.ndarray,
    hours: np.ndarray | None = None,
    *,
    what: str = "handle time",
    short_cut: float = 10.0,
    min_per_hour: int = 50,
    shapes: tuple[str, ...] = CANDIDATES,
    empirical_above: float | None = None,
) -> DurationEstimate:
    """Estimate a duration's ccsim distribution (see the module docstring).

    Parameters
    ----------
    values : numpy.ndarray
        Durations in seconds (NaN and values <= 0 are dropped and counted).
    hours : numpy.ndarray, optional
        Hour of the day of each value's call (arrival); enables per-hour means.
    what : str
        Name used in messages.
    short_cut : float
        Short-call cut in seconds for the shape's likelihood (0: no truncation).
    min_per_hour : int
        Fewest calls an hour needs for its own mean.
    shapes : tuple of str
        Candidate shapes.
    empirical_above : float, optional
        When the chosen shape's Kolmogorov-Smirnov distance exceeds this, the
        distribution is ccsim's ``empirical`` one: 100 quantiles of the data (for a
        multi-modal IVR time, say, whose menu paths no shape describes).

    Returns
    -------
    DurationEstimate

    Raises
    ------
    ValueError
        With fewer than 10 positive values.
    """
    x_all = np.asarray(values, float)
    keep = np.isfinite(x_all) & (x_all > 0)
    x = x_all[keep]
    if x.size < 10:
        raise ValueError(f"{what}: {x.size} positive values; at least 10 are needed for a fit")
    mean, cv, mean_ci, cv_ci = mean_cv_ci(x)
    tau = short_cut if short_cut and np.sum(x > short_cut) >= 10 else 0.0
    bulk = x[x > tau] if tau else x
    rows = []
    for shape in shapes:
        fit = fit_shape(shape, bulk, truncate=tau or None, resolution=1.0)
        matched = frozen(shape, mean, cv if shape != "exponential" else 1.0)
        rows.append(
            {
                "shape": shape,
                "loglik": fit.loglik,
                "aic": fit.aic,
                "ml_mean": fit.mean,
                "ml_cv": fit.cv,
                "ks": ks_distance(x, matched),
                "q_err": quantile_error(x, matched),
            }
        )
    fits = pd.DataFrame(rows)
    fits["delta_aic"] = fits["aic"] - fits["aic"].min()
    fits = fits.sort_values("aic").reset_index(drop=True)
    close = fits[fits["delta_aic"] < 2.0]  # as good by likelihood: the better moment match
    best = str(close.sort_values("ks").iloc[0]["shape"])
    hours_tab, kw_p, per_hour, hour_means = _by_hour(x, hours, keep, min_per_hour)
    if per_hour:  # the shape's cv: spread around each call's own hour mean
        h = np.asarray(hours)[keep]
        scale = np.array([hour_means.get(int(v), mean) for v in h])
        _, cv, _, cv_ci = mean_cv_ci(x / scale)
    best_cv = cv if best != "exponential" else 1.0
    chosen = frozen(best, mean, best_cv)
    ks = ks_distance(x, chosen)
    values = None
    if empirical_above is not None and ks > empirical_above and not per_hour:
        values = [round(float(v), 2) for v in np.quantile(x, (np.arange(100) + 0.5) / 100)]
    return DurationEstimate(
        what=what,
        shape=best,
        mean=mean,
        cv=best_cv,
        mean_ci=mean_ci,
        cv_ci=cv_ci if best != "exponential" else (1.0, 1.0),
        n=int(x.size),
        dropped=int((~keep).sum()),
        short_cut=float(tau),
        short_share=float(np.mean(x <= tau)) if tau else 0.0,
        ks=ks,
        q_err=quantile_error(x, chosen),
        fits=fits,
        hours=hours_tab,
        kruskal_p=kw_p,
        per_hour=per_hour,
        hour_means=hour_means,
        values=values,
    )


def _by_hour(x: np.ndarray, hours: np.ndarray | None, keep: np.ndarray, min_n: int):
    """Hourly means with 95 % CIs, the Kruskal-Wallis p-value, and whether to use them."""
    empty = pd.DataFrame(columns=["hour", "n", "mean", "ci95_low", "ci95_high"])
    if hours is None:
        return empty, math.nan, False, {}
    h = np.asarray(hours)[keep].astype(int)
    frame = pd.DataFrame({"hour": h, "x": x})
    g = frame.groupby("hour")["x"].agg(["count", "mean", "std"]).reset_index()
    g.columns = ["hour", "n", "mean", "sd"]
    half = 1.96 * g["sd"] / np.sqrt(g["n"])
    g["ci95_low"], g["ci95_high"] = g["mean"] - half, g["mean"] + half
    big = g[g["n"] >= min_n]
    if len(big) < 2:
        return g.drop(columns="sd"), math.nan, False, {}
    groups = [frame.loc[frame["hour"] == hr, "x"].to_numpy() for hr in big["hour"]]
    p = float(stats.kruskal(*groups).pvalue)
    used = p < 0.01
    means = {int(r.hour): float(r.mean) for r in big.itertuples()} if used else {}
    return g.drop(columns="sd"), p, used, means

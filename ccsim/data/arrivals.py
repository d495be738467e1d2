"""Arrivals from a log: rates per interval and day type, and the day factor's cv.

A centre's days are not all alike: a bank open Sunday to Thursday has a short Friday
and an evening-only Saturday, an office line a quiet weekend. Days whose intraday
shape and volume agree form a **day type**; the scenario's ``rate_per_hour`` of a
type is its mean count per interval over the days of a day type, divided by the
interval's length in hours. Day types are given (``"Sun-Thu,Fri,Sat"``) or chosen
from the data: weekdays are grouped when their hourly profiles correlate at 0.8 or
more and their daily volumes differ by less than 30 % (complete linkage, so every
pair in a day type meets both; in the Technion bank log Sunday to Thursday correlate
at 0.89-0.99 with each other, Friday at 0.5-0.6 with them).

Day-to-day variation beyond Poisson is ccsim's **day factor**: a gamma factor with
mean 1 and coefficient of variation cv multiplying the day's rates, so a day type's
daily count N has ``Var N = m + cv^2 m^2``. Its estimate (method of moments,
``cv = sqrt(max(s^2 - m, 0)) / m``) comes with a percentile bootstrap interval over
days (``scipy.stats.bootstrap``) and, as a diagnostic, the linear trend of the
daily counts.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats
from scipy.cluster import hierarchy

__all__ = [
    "WEEKDAYS",
    "assign_day_types",
    "counts",
    "day_factor",
    "parse_day_types",
    "profile",
    "slot_of",
]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_Z95 = 1.959963984540054


def slot_of(times: pd.Series, interval: float) -> np.ndarray:
    """Interval of the day (0, 1, ...) of each timestamp, for intervals of ``interval`` s."""
    t = pd.DatetimeIndex(times)
    seconds = (t - t.normalize()).total_seconds().to_numpy()
    return (seconds // interval).astype(np.int64)


def counts(
    calls: pd.DataFrame,
    days: list[pd.Timestamp],
    interval: float,
    types: list[str],
    which: str = "arrivals",
) -> np.ndarray:
    """Calls per (day, slot, type) on a complete grid: shape (days, slots a day, types).

    ``which``: ``"arrivals"`` (every call that reached the centre) or ``"offered"``
    (calls that asked for an agent). Calls of types not in ``types`` are left out.
    """
    sel = calls if which == "arrivals" else calls[calls["offered"]]
    n_slots = int(round(86400 / interval))
    day_index = pd.Index(pd.DatetimeIndex(days))
    d = day_index.get_indexer(pd.DatetimeIndex(sel["day"]))
    k = pd.Index(types).get_indexer(sel["type"])
    s = slot_of(sel["arrival"], interval)
    ok = (d >= 0) & (k >= 0) & (s < n_slots)
    flat = (d[ok] * n_slots + s[ok]) * len(types) + k[ok]
    out = np.bincount(flat, minlength=len(days) * n_slots * len(types))
    return out.reshape(len(days), n_slots, len(types)).astype(float)


def parse_day_types(spec: str) -> dict[str, list[int]]:
    """Day types written as weekday groups: ``"Sun-Thu,Fri,Sat"``, ``"Mon-Fri,Sat+Sun"``.

    A group is a weekday, a range ``A-B`` (wrapping past Sunday) or weekdays joined by
    ``+``; its name is the text of the group. Returns name -> weekday numbers
    (Monday 0).

    Examples
    --------
    >>> parse_day_types("Sun-Thu,Fri,Sat")
    {'Sun-Thu': [6, 0, 1, 2, 3], 'Fri': [4], 'Sat': [5]}
    """
    out: dict[str, list[int]] = {}
    lookup = {w.lower(): i for i, w in enumerate(WEEKDAYS)}

    def day(text: str) -> int:
        key = text.strip().lower()[:3]
        if key not in lookup:
            raise ValueError(
                f"unknown weekday {text.strip()!r} in day types {spec!r} "
                f"(use {', '.join(WEEKDAYS)})"
            )
        return lookup[key]

    for group in (g.strip() for g in spec.split(",") if g.strip()):
        members: list[int] = []
        for part in group.split("+"):
            if "-" in part:
                a, b = (day(x) for x in part.split("-", 1))
                members += [(a + i) % 7 for i in range((b - a) % 7 + 1)]
            else:
                members.append(day(part))
        out[group] = members
    seen = [d for m in out.values() for d in m]
    if len(seen) != len(set(seen)):
        raise ValueError(f"a weekday is in two day types in {spec!r}")
    return out


def _group_name(members: list[int]) -> str:
    """``[6, 0, 1, 2, 3]`` -> ``"Sun-Thu"``; non-contiguous groups join with ``+``."""
    s = set(members)
    starts = [d for d in s if (d - 1) % 7 not in s]
    if len(s) == 1:
        return WEEKDAYS[members[0]]
    if len(starts) == 1 and len(s) < 7:
        a = starts[0]
        b = (a + len(s) - 1) % 7
        return f"{WEEKDAYS[a]}-{WEEKDAYS[b]}"
    if len(s) == 7:
        return "all days"
    return "+".join(WEEKDAYS[d] for d in sorted(s))


def assign_day_types(
    days: list[pd.Timestamp], daily_hourly: np.ndarray, spec: str | Mapping | None = "auto"
) -> tuple[dict[pd.Timestamp, str], pd.DataFrame]:
    """The day type of every day, and how the weekdays compare.

    Parameters
    ----------
    days : list of Timestamp
    daily_hourly : numpy.ndarray
        Offered calls per (day, hour of the day), shape (days, 24).
    spec : "auto", "all", "weekday", a string such as ``"Sun-Thu,Fri,Sat"``, or a
        mapping name -> weekday numbers

    Returns
    -------
    day_type : dict
        Day -> day type name.
    weekdays : pandas.DataFrame
        Per weekday: days, mean daily calls, its day type, and the correlation of its
        hourly profile with its day type's.
    """
    dow = np.array([d.day_of_week for d in days])
    present = sorted(set(dow.tolist()))
    if spec in (None, "auto"):
        groups = _auto_groups(dow, daily_hourly, present)
    elif spec == "all":
        groups = {"all days": present}
    elif spec == "weekday":
        groups = {WEEKDAYS[w]: [w] for w in present}
    else:
        groups = parse_day_types(spec) if isinstance(spec, str) else dict(spec)
        missing = [WEEKDAYS[w] for w in present if not any(w in g for g in groups.values())]
        if missing:
            raise ValueError(
                f"day types {spec!r} leave out {', '.join(missing)}, which the log has"
            )
    name_of = {w: name for name, ws in groups.items() for w in ws}
    day_type = {d: name_of[w] for d, w in zip(days, dow, strict=True)}
    rows = []
    for w in present:
        mine = daily_hourly[dow == w]
        group = [v for v in groups[name_of[w]] if v in present]
        ref = daily_hourly[np.isin(dow, group)].mean(axis=0)
        prof = mine.mean(axis=0)
        corr = float(np.corrcoef(prof, ref)[0, 1]) if prof.std() > 0 and ref.std() > 0 else 1.0
        rows.append(
            {
                "weekday": WEEKDAYS[w],
                "days": int(len(mine)),
                "mean_daily": float(mine.sum(axis=1).mean()),
                "day_type": name_of[w],
                "corr_with_day_type": corr,
            }
        )
    return day_type, pd.DataFrame(rows)


def _auto_groups(dow: np.ndarray, hourly: np.ndarray, present: list[int]) -> dict[str, list[int]]:
    if len(present) == 1:
        return {_group_name(present): present}
    prof = np.array([hourly[dow == w].mean(axis=0) for w in present])
    total = prof.sum(axis=1)
    n = len(present)
    dist = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a, b = prof[i], prof[j]
            corr = np.corrcoef(a, b)[0, 1] if a.std() > 0 and b.std() > 0 else 0.0
            ratio = abs(math.log(max(total[i], 1) / max(total[j], 1))) / math.log(1.3)
            dist[i, j] = dist[j, i] = max((1 - corr) / 0.2, ratio)  # 1 = at the limit
    link = hierarchy.linkage(dist[np.triu_indices(n, 1)], method="complete")
    labels = hierarchy.fcluster(link, t=1.0, criterion="distance")
    groups: dict[int, list[int]] = {}
    for w, lab in zip(present, labels, strict=True):
        groups.setdefault(int(lab), []).append(w)
    ordered = sorted(groups.values(), key=lambda g: -len(g))
    return {_group_name(g): g for g in ordered}


def profile(n: np.ndarray, keep: np.ndarray, interval: float) -> pd.DataFrame:
    """Mean rate per slot and type over the days of one day type, with a 95 % CI.

    Parameters
    ----------
    n : numpy.ndarray
        Counts, shape (days, slots, types) (:func:`counts`, days of one day type).
    keep : numpy.ndarray
        Boolean (days, slots): False for intervals left out (anomalous ones); the
        mean of a slot is over the other days.
    interval : float
        Interval length in seconds.

    Returns
    -------
    pandas.DataFrame
        ``slot, type_index, days, mean, sd, rate_per_hour, ci95_low, ci95_high``
        (rates per hour; the interval is ``mean +- t sd / sqrt(days)``).
    """
    w = np.broadcast_to(keep[:, :, None], n.shape).astype(float)
    days = w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (n * w).sum(axis=0) / days
        var = ((n - mean) ** 2 * w).sum(axis=0) / (days - 1)
    sd = np.sqrt(np.where(days > 1, var, np.nan))
    tq = stats.t.ppf(0.975, np.maximum(days - 1, 1))
    half = tq * sd / np.sqrt(np.maximum(days, 1))
    per_hour = 3600.0 / interval
    slots, types = np.meshgrid(np.arange(n.shape[1]), np.arange(n.shape[2]), indexing="ij")
    mean_f = np.nan_to_num(mean)
    return pd.DataFrame(
        {
            "slot": slots.ravel(),
            "type_index": types.ravel(),
            "days": days.ravel().astype(int),
            "mean": mean_f.ravel(),
            "sd": sd.ravel(),
            "rate_per_hour": mean_f.ravel() * per_hour,
            "ci95_low": np.clip(mean_f - half, 0, None).ravel() * per_hour,
            "ci95_high": (mean_f + half).ravel() * per_hour,
        }
    )


def _cv_mom(x: np.ndarray, axis: int = -1) -> np.ndarray:
    m = x.mean(axis=axis)
    s2 = x.var(axis=axis, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(m > 0, np.sqrt(np.clip(s2 - m, 0, None)) / m, np.nan)


def day_factor(daily: np.ndarray, days: list[pd.Timestamp], seed: int = 0) -> dict[str, float]:
    """The day factor's cv from daily totals of one day type (and one contact type).

    Returns ``days, mean, dispersion (s^2/m; 1 for Poisson), cv, ci95_low, ci95_high,
    trend_per_week, trend_p``. With fewer than 3 days the cv is NaN.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> f = rng.gamma(1 / 0.1**2, 0.1**2, 400)
    >>> d = day_factor(rng.poisson(1000 * f), list(pd.date_range("2000-01-03", periods=400)))
    >>> d["ci95_low"] < 0.1 < d["ci95_high"]
    True
    """
    x = np.asarray(daily, float)
    out = {
        "days": int(x.size),
        "mean": float(x.mean()) if x.size else math.nan,
        "dispersion": math.nan,
        "cv": math.nan,
        "ci95_low": math.nan,
        "ci95_high": math.nan,
        "trend_per_week": math.nan,
        "trend_p": math.nan,
    }
    if x.size < 3 or x.mean() <= 0:
        return out
    out["dispersion"] = float(x.var(ddof=1) / x.mean())
    out["cv"] = float(_cv_mom(x))
    if np.ptp(x) > 0:
        with warnings.catch_warnings():  # resamples of identical days: a NaN cv, harmless
            warnings.simplefilter("ignore")
            res = stats.bootstrap(
                (x,),
                _cv_mom,
                vectorized=True,
                n_resamples=999,
                method="percentile",
                random_state=seed,
            )
        out["ci95_low"] = float(np.nan_to_num(res.confidence_interval.low))
        out["ci95_high"] = float(np.nan_to_num(res.confidence_interval.high))
        t = np.array([(d - days[0]).days for d in days], float)
        if np.ptp(t) > 0:
            fit = stats.linregress(t, x)
            out["trend_per_week"] = float(fit.slope * 7)
            out["trend_p"] = float(fit.pvalue)
    return out


def day_type_label(name: str) -> str:
    """A day type's name as a scenario-file suffix (``"Sun-Thu"`` -> ``"sun-thu"``)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")

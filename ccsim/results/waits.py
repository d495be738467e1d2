"""Waiting-time percentiles and the service level at several thresholds, from histograms.

Service agreements are often written as percentiles ("90 % of callers answered within
60 s", "P95 wait under 3 minutes") or at several thresholds at once. Both engines count,
per replication and contact type, a histogram of the waits of the counted contacts (from
queue entry to answer, row 0, or to hanging up, row 1) on the fixed bins
:data:`~ccsim.results.kpis.WAIT_EDGES` (1 s wide up to 10 minutes, then 2 % wider each).
From it, per replication:

* the percentiles P50, P80, P90, P95 of the waits of **answered** contacts, and of
  **all** contacts that waited for an agent (answered or abandoned), read off the
  cumulative histogram with linear interpolation inside a bin (exact to the bin: 1 s up
  to 10 minutes), except in the first bin, [0, 1 s), which reads as 0: most of its
  contacts were answered at once (a wait of exactly 0), and spreading them over the
  second would report a median wait of 0.6 s for a centre that answers 80 % at once;
* the service level at each threshold T: answered with a wait below T over offered (T
  on a bin edge, every whole second up to 10 minutes, is exact).

Their means over replications come with the usual t interval (running moments, so the
memory does not grow with replications, :class:`ccsim.results.running.RunningStats`),
the **pooled** percentile is read off the histogram summed over all replications, and
the pooled service level at a threshold is a ratio of sums with its delta-method
interval, like every pooled ratio (:func:`ccsim.results.confidence.pooled_ci`).

KPI names (:func:`wait_kpi_names`): ``wait_answered_p50_s`` ... ``wait_answered_p95_s``,
``wait_all_p50_s`` ... ``wait_all_p95_s`` and ``service_level_10s`` ...
``service_level_300s`` (answered within the threshold over offered, as
``service_level`` at the type's own threshold).
"""

from __future__ import annotations

import numpy as np

from ccsim.results.kpis import WAIT_ABANDONED, WAIT_ANSWERED, WAIT_EDGES

__all__ = [
    "DEFAULT_THRESHOLDS",
    "PERCENTILES",
    "all_waits",
    "check_thresholds",
    "percentiles",
    "pooled_percentiles",
    "service_level_name",
    "service_levels",
    "wait_kpi_names",
    "wait_kpis",
]

#: The percentiles reported (as fractions).
PERCENTILES = (0.5, 0.8, 0.9, 0.95)
#: The thresholds (seconds) of the service level reported at several thresholds.
DEFAULT_THRESHOLDS = (10.0, 20.0, 30.0, 60.0, 120.0, 300.0)


def percentiles(hist: np.ndarray, qs: tuple[float, ...] = PERCENTILES) -> np.ndarray:
    """The ``qs`` quantiles of waits counted in ``hist`` (..., bins), in seconds.

    Linear inside a bin; the first bin, [0, 1 s), and the open last bin read as their
    lower edge (the first holds the contacts answered at once). NaN where the
    histogram is empty.

    Examples
    --------
    >>> h = np.zeros(len(WAIT_EDGES)); h[[0, 10, 20, 30]] = 1  # waits in [0,1), [10,11), ...
    >>> percentiles(h, (0.5, 1.0)).round(2).tolist()
    [11.0, 31.0]
    """
    hist = np.asarray(hist, dtype=float)
    cum = np.cumsum(hist, axis=-1)
    total = cum[..., -1:]
    widths = np.diff(np.append(WAIT_EDGES, WAIT_EDGES[-1]))
    out = np.full((*hist.shape[:-1], len(qs)), np.nan)
    # every row's first bin whose cumulative count reaches each target: a binary search
    # per row (rows are few, bins many)
    bins = hist.shape[-1]
    rows = cum.reshape(-1, bins)
    targets = np.multiply.outer(rows[:, -1], np.asarray(qs, dtype=float))
    found = [np.searchsorted(row, t, side="left") for row, t in zip(rows, targets, strict=True)]
    first = np.array(found, dtype=np.int64).reshape(len(rows), len(qs))
    first = np.minimum(first.reshape(*hist.shape[:-1], len(qs)), bins - 1)
    for j, q in enumerate(qs):
        target = q * total
        k = first[..., j : j + 1]
        below = np.take_along_axis(cum, k, axis=-1) - np.take_along_axis(hist, k, axis=-1)
        inside = np.take_along_axis(hist, k, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(inside > 0, (target - below) / np.where(inside > 0, inside, 1), 0)
        value = WAIT_EDGES[k] + np.where(k > 0, np.clip(share, 0, 1) * widths[k], 0.0)
        out[..., j] = np.where(total > 0, value, np.nan)[..., 0]
    return out


def service_levels(
    hist: np.ndarray, offered: np.ndarray, thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
) -> np.ndarray:
    """Answered with a wait below each threshold over offered: (..., len(thresholds)).

    ``hist`` is (..., 2, bins) with the answered waits in row ``WAIT_ANSWERED``;
    ``offered`` (...) the contacts offered. A threshold inside a bin counts the bin's
    share linearly (exact on bin edges). NaN where nothing was offered.
    """
    answered = np.cumsum(np.asarray(hist, dtype=float)[..., WAIT_ANSWERED, :], axis=-1)
    out = np.empty((*answered.shape[:-1], len(thresholds)))
    for j, t in enumerate(thresholds):
        k = int(np.searchsorted(WAIT_EDGES, t, side="right")) - 1
        below = answered[..., k - 1] if k > 0 else 0.0
        width = (WAIT_EDGES[k + 1] - WAIT_EDGES[k]) if k + 1 < len(WAIT_EDGES) else 1.0
        share = (t - WAIT_EDGES[k]) / width
        count = below + share * (answered[..., k] - below)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[..., j] = np.where(offered > 0, count / np.where(offered > 0, offered, 1), np.nan)
    return out


def all_waits(hist: np.ndarray) -> np.ndarray:
    """The histogram of every wait for an agent: answered and abandoned together."""
    hist = np.asarray(hist)
    return hist[..., WAIT_ANSWERED, :] + hist[..., WAIT_ABANDONED, :]


#: The most thresholds a run reports.
MAX_THRESHOLDS = 20


def check_thresholds(thresholds: object) -> tuple[float, ...]:
    """Thresholds (seconds) as a sorted tuple without repeats; ValueError if not usable."""
    try:
        if isinstance(thresholds, str | bytes):
            raise TypeError  # a text is not a list of thresholds
        values = sorted({float(t) for t in thresholds})  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise ValueError(f"wait thresholds must be seconds, got {thresholds!r}") from None
    bad = [t for t in values if not (0 < t < np.inf)]
    if bad or not values:
        raise ValueError(f"wait thresholds must be positive seconds, got {thresholds!r}")
    if len(values) > MAX_THRESHOLDS:
        raise ValueError(f"at most {MAX_THRESHOLDS} wait thresholds, got {len(values)}")
    return tuple(values)


def service_level_name(threshold: float) -> str:
    """The KPI name of the service level at ``threshold`` seconds: ``service_level_20s``."""
    return f"service_level_{threshold:g}s"


def wait_kpi_names(thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS) -> tuple[str, ...]:
    """The waiting-time KPIs, in table order."""
    ps = [f"p{round(100 * q)}" for q in PERCENTILES]
    return (
        *(f"wait_answered_{p}_s" for p in ps),
        *(f"wait_all_{p}_s" for p in ps),
        *(service_level_name(t) for t in thresholds),
    )


def wait_kpis(
    hist: np.ndarray, offered: np.ndarray, thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
) -> dict[str, np.ndarray]:
    """Every waiting-time KPI of histograms ``hist`` (..., 2, bins), each (...).

    ``offered`` (...) are the contacts offered, the service levels' denominator.
    """
    values = np.concatenate(
        [
            percentiles(hist[..., WAIT_ANSWERED, :]),
            percentiles(all_waits(hist)),
            service_levels(hist, offered, thresholds),
        ],
        axis=-1,
    )
    return {name: values[..., j] for j, name in enumerate(wait_kpi_names(thresholds))}


def pooled_percentiles(hist: np.ndarray) -> dict[str, np.ndarray]:
    """The percentile KPIs of ``hist`` (..., 2, bins) summed over replications."""
    names = wait_kpi_names(())
    values = np.concatenate(
        [percentiles(hist[..., WAIT_ANSWERED, :]), percentiles(all_waits(hist))], axis=-1
    )
    return {name: values[..., j] for j, name in enumerate(names)}

"""What a run keeps of its replications: day totals, running moments, and nothing more.

A replication's counters are small, but per contact type, interval and field they add up:
a million replications of a 28-interval multi-skill day would be tens of gigabytes.
What the statistics need is far less, so replications are folded in, block by block and
in replication order, into:

* **day totals per replication** -- each type's counters and each group's sums over the
  whole day (replications x types x fields): the day's KPIs, their confidence intervals,
  the costs and the paired comparisons of options all read these, replication by
  replication, exactly as before;
* **running moments per interval** -- for every KPI of every type (and of all real-time
  types together) and every group in every interval: the number of replications where
  it is defined, its mean and its sum of squared deviations (Chan et al.'s parallel
  update), enough for the mean and the confidence interval of each interval;
* **running sums for pooled ratios per interval** -- of each ratio KPI's numerator and
  denominator, their squares and product (:func:`ccsim.results.kpis.pooled_from_sums`);
* **intervals below target per replication**, for the cost model's penalties;
* **waiting-time histograms** summed over replications, and the running moments and
  pooled sums of each replication's waiting-time percentiles and service levels at
  several thresholds (:mod:`ccsim.results.waits`), per type and centre-wide;
* the full counters (replications x types x intervals x fields) only while they stay
  small (:data:`KEEP_COUNTERS_BYTES`), for tests and experiment scripts that read them.

Blocks are folded in replication order whatever the number of threads, so a run gives
the same numbers on one core or many.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ccsim.plan import Plan
from ccsim.results.kpis import (
    GROUP_FIELDS,
    GROUP_RATIOS,
    RATIOS,
    TYPE_FIELDS,
    group_kpis,
    ratio_parts,
    type_kpis,
)
from ccsim.results.waits import DEFAULT_THRESHOLDS, service_level_name, wait_kpis

__all__ = [
    "BLOCK",
    "KEEP_COUNTERS_BYTES",
    "Moments",
    "RunningStats",
    "bytes_per_replication",
    "counter_bytes",
]

#: Replications folded at a time (fixed, so that numbers do not depend on threads).
BLOCK = 256
#: Runs whose full counters take at most this many bytes keep them (``type_acc``).
KEEP_COUNTERS_BYTES = 64 * 2**20
_QUEUE = TYPE_FIELDS.index("queue_time")
_OFFERED = TYPE_FIELDS.index("offered")


@dataclass
class Moments:
    """Running count, mean and sum of squared deviations of values, NaN ignored."""

    n: np.ndarray
    mean: np.ndarray
    m2: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> Moments:
        """The moments of a block of values (replications on axis 0)."""
        n = np.sum(~np.isnan(values), axis=0).astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells
            mean = np.nanmean(values, axis=0)
            m2 = np.nansum((values - mean) ** 2, axis=0)
        return cls(n, np.where(n > 0, mean, 0.0), np.where(n > 0, m2, 0.0))

    def merge(self, other: Moments) -> None:
        """Fold ``other`` in (Chan, Golub & LeVeque's pairwise update)."""
        n = self.n + other.n
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(n > 0, other.n / np.where(n > 0, n, 1.0), 0.0)
        delta = other.mean - self.mean
        self.mean = self.mean + delta * share
        self.m2 = self.m2 + other.m2 + delta**2 * self.n * share
        self.n = n

    def sd(self) -> np.ndarray:
        """Sample standard deviation (NaN with fewer than two values)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n >= 2, np.sqrt(self.m2 / np.maximum(self.n - 1, 1)), np.nan)

    def mean_or_nan(self) -> np.ndarray:
        """The mean, NaN where no value was defined."""
        return np.where(self.n > 0, self.mean, np.nan)


def bytes_per_replication(plan: Plan, keep_counters: bool = False) -> int:
    """Bytes a run keeps per replication (day totals and the cost model's counts).

    With ``keep_counters``, the full counters too (:func:`counter_bytes`).
    """
    kept = 8 * (plan.n_types * len(TYPE_FIELDS) + plan.n_groups * len(GROUP_FIELDS) + 1)
    return kept + (counter_bytes(plan) if keep_counters else 0)


def counter_bytes(plan: Plan) -> int:
    """Bytes of one replication's full counters (types' and groups', every interval)."""
    return (
        8 * plan.n_intervals * (plan.n_types * len(TYPE_FIELDS) + plan.n_groups * len(GROUP_FIELDS))
    )


def interval_type_kpis(plan: Plan, acc: np.ndarray, hidden: tuple[str, ...]) -> dict:
    """Type KPIs per interval of counters ``acc`` (..., intervals, fields), with mean_queue."""
    values = type_kpis(acc)
    for name in hidden:
        del values[name]
    values["mean_queue"] = mean_queue(acc[..., _QUEUE], interval_window(plan))
    return values


def interval_window(plan: Plan) -> np.ndarray:
    """Seconds of each interval inside the counted window [warm-up, end]."""
    edges = plan.interval_edges()
    return np.clip(edges[1:] - np.maximum(edges[:-1], plan.warmup), 0, None)


def mean_queue(queue_time: np.ndarray, window: np.ndarray | float) -> np.ndarray:
    """Mean number of contacts waiting: contact-seconds in queue / seconds."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.asarray(window) > 0, queue_time / window, np.nan)


@dataclass
class RunningStats:
    """The statistics of a run, fed block by block in replication order (module docstring).

    Parameters
    ----------
    plan : Plan
    centre : numpy.ndarray
        Boolean mask of the types centre-wide KPIs cover (the real-time ones).
    hidden : tuple of str
        KPIs of behaviours the scenario does not have (not computed per interval).
    keep_counters : bool
        Keep the full counters too (``type_acc``, ``group_acc``).
    """

    plan: Plan
    centre: np.ndarray
    hidden: tuple[str, ...] = ()
    keep_counters: bool = False
    replications: int = 0
    _day_type: list[np.ndarray] = field(default_factory=list)
    _day_group: list[np.ndarray] = field(default_factory=list)
    _missed: list[np.ndarray] = field(default_factory=list)
    _type_acc: list[np.ndarray] = field(default_factory=list)
    _group_acc: list[np.ndarray] = field(default_factory=list)
    by_type_interval: dict[str, Moments] = field(default_factory=dict)  # (types + 1, intervals)
    by_group_interval: dict[str, Moments] = field(default_factory=dict)  # (groups + 1, intervals)
    #: ratio KPI -> sums (num, den, num^2, den^2, num x den), each (types + 1, intervals)
    pooled_type_interval: dict[str, list[np.ndarray]] = field(default_factory=dict)
    pooled_group_interval: dict[str, list[np.ndarray]] = field(default_factory=dict)
    #: waiting-time histograms summed over replications, (types, 2, len(WAIT_EDGES))
    #: int64 (rows WAIT_ANSWERED, WAIT_ABANDONED); None until a block brings some
    wait_hist_sum: np.ndarray | None = None
    #: the service levels' thresholds (seconds) of the waiting-time KPIs
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
    #: waiting-time KPI -> moments over replications, (types + 1,): the last is centre-wide
    waits: dict[str, Moments] = field(default_factory=dict)
    #: service level at a threshold -> pooled sums (as ``pooled_type_interval``), (types + 1,)
    pooled_waits: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(
        self, type_acc: np.ndarray, group_acc: np.ndarray, wait_hist: np.ndarray | None = None
    ) -> None:
        """Fold in the next replications' counters, (b, types, intervals, fields) and groups'.

        ``wait_hist`` (b, types, 2, len(WAIT_EDGES)): the replications' waiting-time
        histograms (:func:`ccsim.results.kpis.accumulate`), added to ``wait_hist_sum``.
        """
        plan = self.plan
        if wait_hist is not None:
            self._fold_waits(np.asarray(wait_hist), type_acc[..., _OFFERED].sum(axis=2))
        self.replications += len(type_acc)
        self._day_type.append(type_acc.sum(axis=2))
        self._day_group.append(group_acc.sum(axis=2))
        per_type = interval_type_kpis(plan, type_acc, self.hidden)  # (b, types, intervals)
        centre = interval_type_kpis(plan, type_acc[:, self.centre].sum(axis=1), self.hidden)
        below = per_type["service_level"] < plan.sl_target[None, :, None]
        self._missed.append(below.sum(axis=(1, 2)).astype(float))
        self._fold(self.by_type_interval, per_type, centre)
        self._fold(self.by_group_interval, group_kpis(group_acc), group_kpis(group_acc.sum(axis=1)))
        rows = np.concatenate([type_acc, type_acc[:, self.centre].sum(axis=1)[:, None]], axis=1)
        for kpi in RATIOS:
            if kpi in self.by_type_interval:
                _sum_parts(self.pooled_type_interval, kpi, *ratio_parts(rows, kpi))
        rows = np.concatenate([group_acc, group_acc.sum(axis=1)[:, None]], axis=1)
        for kpi in GROUP_RATIOS:
            _sum_parts(self.pooled_group_interval, kpi, *ratio_parts(rows, kpi, GROUP_FIELDS))
        if self.keep_counters:
            self._type_acc.append(type_acc.copy())
            self._group_acc.append(group_acc.copy())

    def _fold_waits(self, wait_hist: np.ndarray, offered: np.ndarray) -> None:
        """Fold in a block's waiting-time histograms (b, types, 2, bins) and offered (b, types)."""
        block = wait_hist.sum(axis=0)
        self.wait_hist_sum = block if self.wait_hist_sum is None else self.wait_hist_sum + block
        hist = np.concatenate([wait_hist, wait_hist[:, self.centre].sum(axis=1)[:, None]], axis=1)
        offered = np.concatenate([offered, offered[:, self.centre].sum(axis=1)[:, None]], axis=1)
        values = wait_kpis(hist, offered, self.thresholds)
        for name, per_rep in values.items():
            _merge(self.waits, name, Moments.of(per_rep))
        for t in self.thresholds:
            name = service_level_name(t)
            answered = np.nan_to_num(values[name]) * offered  # answered within t
            _sum_parts(self.pooled_waits, name, answered, offered)

    @staticmethod
    def _fold(into: dict[str, Moments], each: dict, total: dict) -> None:
        for name, values in each.items():
            _merge(into, name, Moments.of(np.concatenate([values, total[name][:, None]], axis=1)))

    # ------------------------------------------------------------ what is kept
    @property
    def day_type(self) -> np.ndarray:
        """Each replication's type counters over the day: (replications, types, fields)."""
        return _joined(self._day_type, (0, self.plan.n_types, len(TYPE_FIELDS)))

    @property
    def day_group(self) -> np.ndarray:
        """Each replication's group sums over the day: (replications, groups, fields)."""
        return _joined(self._day_group, (0, self.plan.n_groups, len(GROUP_FIELDS)))

    @property
    def missed_intervals(self) -> np.ndarray:
        """Per replication, the (type, interval) cells whose service level missed target."""
        return _joined(self._missed, (0,))

    def counters(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The full counters ``(type_acc, group_acc)``, or None when they were not kept."""
        if not self.keep_counters:
            return None
        plan = self.plan
        return (
            _joined(self._type_acc, (0, plan.n_types, plan.n_intervals, len(TYPE_FIELDS))),
            _joined(self._group_acc, (0, plan.n_groups, plan.n_intervals, len(GROUP_FIELDS))),
        )


def _merge(into: dict[str, Moments], name: str, block: Moments) -> None:
    """Fold a block's moments into ``into[name]`` (or start it)."""
    if name in into:
        into[name].merge(block)
    else:
        into[name] = block


def _sum_parts(
    into: dict[str, list[np.ndarray]], kpi: str, num: np.ndarray, den: np.ndarray
) -> None:
    """Add a block's sums of num, den, num^2, den^2, num x den (over axis 0) for ``kpi``."""
    block = [num.sum(0), den.sum(0), (num * num).sum(0), (den * den).sum(0), (num * den).sum(0)]
    if kpi in into:
        into[kpi] = [a + b for a, b in zip(into[kpi], block, strict=True)]
    else:
        into[kpi] = block


def _joined(parts: list[np.ndarray], empty: tuple[int, ...]) -> np.ndarray:
    if not parts:
        return np.zeros(empty)
    if len(parts) > 1:  # join once, keep the joined array
        parts[:] = [np.concatenate(parts)]
    return parts[0]

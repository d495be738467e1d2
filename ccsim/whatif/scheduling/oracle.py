"""The simulation in the loop: which targets a schedule meets, measured on the same days.

A schedule's service cannot be computed interval by interval: queues carry over from
one half hour to the next, a cross-trained group takes calls of several queues, breaks
are taken after the call in progress. So every candidate schedule is *simulated*, and
always on the same simulated days: the same seed gives every candidate the same
customers (arrival times, handle times, patience), so two schedules differ only by
their staffing (common random numbers), and the search solves one sample problem
exactly rather than chasing noise (sample average approximation).

A *target* is one row of what the schedule must meet: a contact type's service level
(answered within its threshold / offered) in one period of one day, or over one whole
day, at least its ``service_level.target``; or its abandonment rate (abandoned /
offered) at most the ceiling. A target's value is measured as ccsim's tables measure
it: in each replication (a simulated day) the period's counts are added up and divided,
and the value is the mean over replications. With ``measure: pooled`` the period's
counts of all replications are added up first (a share of all the contacts, E[S] /
E[N], as SimOpt's call-centre problem defines it; busy days weigh more). Periods with
no contact in any replication hold no target.

Candidates are simulated here one after another (each with every core), or on a Dask
cluster, all of a round at once (``cluster``), as :func:`ccsim.sweep` does.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ccsim.plan import Plan
from ccsim.results.kpis import TYPE_FIELDS
from ccsim.results.tables import SimulationResult
from ccsim.scenario.model import Scenario
from ccsim.simulation import CapacityWarning, Progress, simulate
from ccsim.whatif.scheduling.templates import Targets

__all__ = ["Counts", "Oracle", "Target", "TargetSet", "counts_in", "counts_of", "targets_of"]

_S, _N, _A = (TYPE_FIELDS.index(f) for f in ("answered_in_sl", "offered", "abandoned"))


@dataclass(frozen=True)
class Target:
    """One row the schedule must meet (see the module docstring)."""

    kpi: str  # "service_level" or "abandon_rate"
    type: int  # row in the measured types (TargetSet.types)
    first: int  # the run's intervals [first, last)
    last: int
    bound: float  # at least this service level, or at most this abandonment rate
    label: str  # "service 09:00-10:00", "service Mon (day)"
    per_day: bool

    @property
    def sign(self) -> float:
        """+1 when more is better (service level), -1 when less is (abandonment)."""
        return 1.0 if self.kpi == "service_level" else -1.0


@dataclass(frozen=True)
class Counts:
    """One candidate's counts per replication, measured type and interval of the run."""

    answered_in_sl: np.ndarray  # (replications, types, intervals)
    offered: np.ndarray
    abandoned: np.ndarray


@dataclass
class TargetSet:
    """The targets of a schedule, and how to measure them on counts."""

    types: list[int]  # the scenario's type indices that are measured
    type_names: list[str]
    targets: list[Target]
    intervals: int  # intervals of one day
    days: int
    pooled: bool = False  # all simulated days' contacts together, not each day's share

    def drop_empty(self, counts: Counts) -> None:
        """Drop the targets of periods without any contact in ``counts``."""
        offered = [self._sums(counts, t)[1].sum() for t in self.targets]
        self.targets = [t for t, n in zip(self.targets, offered, strict=True) if n > 0]

    def values(self, counts: Counts) -> np.ndarray:
        """Each target's value: the mean over replications of its ratio (NaN: no contact).

        ``pooled``: the period's counts of every replication added up, then divided.
        """
        if self.pooled:
            out = np.full(len(self.targets), np.nan)
            for c, t in enumerate(self.targets):
                num, den = self._sums(counts, t)
                if den.sum() > 0:
                    out[c] = num.sum() / den.sum()
            return out
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a period never offered
            return np.nanmean(self.per_replication(counts), axis=0)

    def per_replication(self, counts: Counts) -> np.ndarray:
        """Each target's ratio in each replication: (replications, targets), NaN: no contact."""
        out = np.full((counts.offered.shape[0], len(self.targets)), np.nan)
        for c, t in enumerate(self.targets):
            num, den = self._sums(counts, t)
            ok = den > 0
            out[ok, c] = num[ok] / den[ok]
        return out

    def slack(self, counts: Counts) -> np.ndarray:
        """Each target's margin (value - bound for service, bound - value for abandonment)."""
        bounds = np.array([t.bound for t in self.targets])
        signs = np.array([t.sign for t in self.targets])
        return signs * (self.values(counts) - bounds)

    def _sums(self, counts: Counts, t: Target) -> tuple[np.ndarray, np.ndarray]:
        field = counts.answered_in_sl if t.kpi == "service_level" else counts.abandoned
        num = field[:, t.type, t.first : t.last].sum(axis=1)
        den = counts.offered[:, t.type, t.first : t.last].sum(axis=1)
        return num, den

    def effects(
        self, base: Counts, moved: Counts, cells: Sequence[int], window: int, by_day: bool = False
    ) -> np.ndarray:
        """Each target's change per perturbed cell, from one simulation with ``cells`` moved.

        ``cells`` are clock intervals of one day that each got one more agent (every
        day), or with ``by_day`` intervals of the run (day x intervals + interval), each
        moved on its day only. An interval's change is put down to the perturbed cell
        whose window holds it (the interval before the cell, the cell, and ``window``
        intervals after, on the cell's day); with cells spread wider than that, at most
        one does. Changes of a
        target's counts are divided by its offered contacts at ``base`` replication by
        replication and averaged, the first-order change of its value.

        Returns
        -------
        numpy.ndarray
            (targets, len(cells)), in the direction of improvement (>= 0 is better).
        """
        n_k = self.intervals * self.days
        owner = np.full(n_k, -1)
        for i, cell in enumerate(cells):
            days = [cell // self.intervals] if by_day else range(self.days)
            cell = cell % self.intervals
            for d in days:
                lo = d * self.intervals + max(cell - 1, 0)
                hi = d * self.intervals + min(cell + window, self.intervals - 1)
                owner[lo : hi + 1] = i
        out = np.zeros((len(self.targets), len(cells)))
        for c, t in enumerate(self.targets):
            field = "answered_in_sl" if t.kpi == "service_level" else "abandoned"
            delta = getattr(moved, field)[:, t.type] - getattr(base, field)[:, t.type]
            den = base.offered[:, t.type, t.first : t.last].sum(axis=1)
            ok = den > 0
            if not ok.any():
                continue
            for k in range(t.first, t.last):
                if owner[k] < 0:
                    continue
                if self.pooled:
                    change = delta[:, k].sum() / den.sum()
                else:
                    change = np.mean(delta[ok, k] / den[ok])
                out[c, owner[k]] += t.sign * float(change)
        return out


def targets_of(plan: Plan, spec: Targets) -> TargetSet:
    """The targets of a shift file's ``targets`` section for a plan.

    The types held to their targets are ``spec.types``, or every real-time type (calls
    and chat; e-mail, deferred work with its own due time, only when named).
    """
    scenario = plan.scenario
    names = list(plan.type_names)
    chosen = (
        [names.index(n) for n in spec.types]
        if spec.types is not None
        else [t for t in range(plan.n_types) if not plan.type_email[t]]
    )
    per_day_k = scenario.horizon.intervals
    days = plan.n_days
    step = int(round((spec.period or plan.interval) / plan.interval))
    day_names = [d.name for d in scenario.days] if scenario.days else [""]
    targets: list[Target] = []
    kinds = [("service_level", None)]
    if spec.max_abandon is not None:
        kinds.append(("abandon_rate", spec.max_abandon))
    for row, t in enumerate(chosen):
        for kpi, ceiling in kinds:
            bound = float(plan.sl_target[t]) if ceiling is None else float(ceiling)
            short = "" if kpi == "service_level" else " abandonment"
            for d in range(days):
                prefix = f"{day_names[d]} " if day_names[d] else ""
                if spec.service_level in ("per_interval", "both"):
                    for first in range(0, per_day_k, step):
                        last = min(first + step, per_day_k)
                        span = (f"{_clock(scenario, first * plan.interval)}-"
                                f"{_clock(scenario, last * plan.interval)}")  # fmt: skip
                        label = f"{names[t]}{short} {prefix}{span}"
                        k0 = d * per_day_k
                        targets.append(Target(kpi, row, k0 + first, k0 + last, bound, label, False))
                if spec.service_level in ("per_day", "both"):
                    label = f"{names[t]}{short} {prefix or 'the '}day".replace("  ", " ")
                    k0 = d * per_day_k
                    targets.append(Target(kpi, row, k0, k0 + per_day_k, bound, label, True))
    pooled = spec.measure == "pooled"
    return TargetSet(chosen, [names[t] for t in chosen], targets, per_day_k, days, pooled)


def _clock(scenario: Scenario, seconds: float) -> str:
    from ccsim.whatif.scheduling.columns import clock

    return clock(scenario, seconds)


def counts_of(
    scenario: Scenario, types: list[int], replications: int, seed: int, engine: str,
    threads: int | None = None,
) -> Counts:  # fmt: skip
    """Simulate a candidate and keep the counts its targets need."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        result = simulate(scenario, replications, seed, engine, threads=threads, keep_counters=True)
    return counts_in(result, types)


def counts_in(result: SimulationResult, types: list[int]) -> Counts:
    """The counts of a run that the targets of ``types`` need.

    The run must have kept its full counters (``simulate(..., keep_counters=True)``).
    """
    acc = result.type_acc[:, types]
    return Counts(acc[..., _S].copy(), acc[..., _N].copy(), acc[..., _A].copy())


class Oracle:
    """Simulates candidates on common random numbers, here or on a Dask cluster.

    Counts evaluations (for ``progress`` and the budget) and the time spent. ``progress``
    gets ``expected`` as its total when set (what the search expects to need, at most
    the budget; passed when exceeded).
    """

    def __init__(
        self,
        types: list[int],
        replications: int,
        seed: int,
        engine: str,
        cluster: str | None = None,
        progress: Progress | None = None,
        budget: int = 1000,
    ):
        self.types, self.replications, self.seed, self.engine = types, replications, seed, engine
        self.cluster, self.progress, self.budget = cluster, progress, budget
        self.evaluations = 0
        self.expected = 0  # simulations the search expects (the progress total), 0: budget
        self.seconds = 0.0
        self._client = None

    def __enter__(self) -> Oracle:
        if self.cluster is not None:
            try:
                from dask.distributed import Client
            except ImportError:
                raise ImportError(
                    "running on a Dask cluster needs dask.distributed: pip install 'ccsim[dask]'"
                ) from None
            self._client = Client(self.cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def measure(self, scenarios: Sequence[Scenario]) -> list[Counts]:
        """The counts of each candidate, in order."""
        start = time.perf_counter()
        args = (self.types, self.replications, self.seed, self.engine)
        if self._client is None:
            out = []
            for scenario in scenarios:
                out.append(counts_of(scenario, *args))
                self._tick()
        else:
            futures = [self._client.submit(counts_of, s, *args, pure=False) for s in scenarios]
            out = []
            for future in futures:
                out.append(future.result())
                self._tick()
        self.seconds += time.perf_counter() - start
        return out

    def _tick(self) -> None:
        self.evaluations += 1
        if self.progress is not None:
            total = min(self.budget, self.expected or self.budget)
            self.progress(self.evaluations, max(total, self.evaluations))

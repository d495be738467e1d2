"""Running replications of a scenario: :func:`simulate`.

A replication is one simulated day: its own contacts (drawn from the seed and the
replication number only), one engine run, and the day's KPI counters. Replications are
independent, so their KPIs give confidence intervals; and because a replication's
contacts do not depend on staffing or routing, two scenarios simulated with the same
seed are compared on common random numbers.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ccsim.plan import Plan, compile_plan
from ccsim.plausibility import plausibility_warnings
from ccsim.results.kpis import GROUP_KPIS, accumulate, capacity_notes
from ccsim.results.outcome import FATES, Outcome
from ccsim.results.precision import (
    Precision,
    check_targets,
    next_replications,
    parse_precision,
    reached,
)
from ccsim.results.running import BLOCK, bytes_per_replication
from ccsim.results.tables import SimulationResult, new_stats, type_kpi_names
from ccsim.results.waits import DEFAULT_THRESHOLDS, check_thresholds, wait_kpi_names
from ccsim.scenario.loader import load_scenario
from ccsim.scenario.model import Scenario
from ccsim.streams import Contacts, day_roster, draw_contacts, followup_pool

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "check_memory",
    "DEFAULT_ENGINE",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SEED",
    "ENGINES",
    "CapacityWarning",
    "Progress",
    "as_scenario",
    "simulate",
]

ENGINES = ("fast", "simpy")
#: Every entry point's engine unless told otherwise: the engines give the same numbers
#: contact by contact, so the faster one.
DEFAULT_ENGINE = "fast"
#: Every entry point's replications unless told otherwise (per option, per point, per
#: candidate staffing).
DEFAULT_REPLICATIONS = 100
DEFAULT_SEED = 20261125


class Progress(Protocol):
    """How every long-running entry point reports: ``progress(done, total)``.

    Called after each unit of work, in the entry point's own unit (replications, sweep
    points, staffing evaluations); ``total`` may be an upper bound. Any function of two
    integers will do, e.g. ``lambda done, total: print(f"{done}/{total}")``.
    """

    def __call__(self, done: int, total: int, /) -> None:
        """Report that ``done`` of ``total`` units are finished."""


class CapacityWarning(UserWarning):
    """The centre could not serve its load within the horizon (it still finished)."""


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A loaded scenario as is, or the scenario file at a path, loaded and validated.

    Every entry point (:func:`simulate`, :func:`ccsim.compare`, :func:`ccsim.sweep`, the
    staffing search) takes either.

    Raises
    ------
    ScenarioError
        If the file does not describe a valid scenario.
    """
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def simulate(
    scenario: Scenario | str | Path,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    engine: str = DEFAULT_ENGINE,
    records: bool = False,
    progress: Progress | None = None,
    threads: int | None = None,
    precision: Mapping[str, float] | None = None,
    max_replications: int | None = None,
    variance_reduction: str | None = None,
    wait_thresholds: Sequence[float] | None = None,
    keep_counters: bool | None = None,
) -> SimulationResult:
    """Simulate replications of a scenario and compute its KPIs.

    Parameters
    ----------
    scenario : Scenario, str or pathlib.Path
        A loaded scenario, or the path of a scenario file.
    replications : int
        Number of independent simulated days (at least 1; 2 or more for intervals).
        With ``precision``: the first batch.
    seed : int
        Seed of the run. The same scenario, seed and engine give the same numbers.
    engine : {"fast", "simpy"}
        ``"fast"`` (the default): the model compiled with numba, replications in
        parallel. ``"simpy"``: the same model as readable SimPy code, the reference;
        the same seed gives every contact the same fate as ``"fast"``.
    records : bool
        Keep one row per contact in ``result.records`` (memory grows with contacts).
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication (with ``precision``,
        ``total`` is the replications planned so far).
    threads : int, optional
        Worker threads of the fast engine (default: all cores); results do not
        depend on it.
    precision : mapping, optional
        Run to a precision: KPI (``"service_level"``, or ``"sales.asa_s"`` for a type)
        to the largest 95 % half-width wanted. Replications are added until every one
        is reached or ``max_replications`` ran (see :mod:`ccsim.results.precision`);
        ``result.precision`` says what was reached.
    max_replications : int, optional
        The cap of a run to a precision (default: 50 x ``replications``).
    variance_reduction : {None, "control"}
        ``"control"``: estimate ratio KPIs with the day's volume as a control variate
        (:mod:`ccsim.results.control`): ``result.controlled(kpi)``, the JSON's
        ``"controlled"`` block, and the half-widths a run to a precision aims at.
    wait_thresholds : sequence of float, optional
        The thresholds (seconds) of the service levels in ``result.waits``
        (``service_level_20s``, ...; default
        :data:`~ccsim.results.waits.DEFAULT_THRESHOLDS`: 10, 20, 30, 60, 120, 300 s).
    keep_counters : bool, optional
        Keep every replication's full counters (``result.type_acc``, per interval):
        True whatever their size (the memory check counts them), False never; by
        default while they take at most
        :data:`~ccsim.results.running.KEEP_COUNTERS_BYTES`.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> import ccsim
    >>> result = ccsim.simulate("scenarios/small-helpdesk.yaml", replications=5)  # doctest: +SKIP
    >>> result.kpi("service_level")  # doctest: +SKIP
    0.78...
    >>> path = "scenarios/small-helpdesk.yaml"
    >>> ccsim.simulate(path, precision={"service_level": 0.005})  # doctest: +SKIP
    """
    scenario = as_scenario(scenario)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if int(replications) < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if int(seed) < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if variance_reduction not in (None, "control"):
        raise ValueError(f"unknown variance_reduction {variance_reduction!r}; use 'control'")
    thresholds = DEFAULT_THRESHOLDS
    if wait_thresholds is not None:
        thresholds = check_thresholds(wait_thresholds)
    plan = compile_plan(scenario)
    replications, seed = int(replications), int(seed)
    goal = None
    if precision is not None:
        most = int(max_replications or 50 * replications)
        goal = Precision(parse_precision(precision), max_replications=most)
        known = (*type_kpi_names(plan), *GROUP_KPIS, *wait_kpi_names(thresholds))
        check_targets(goal.targets, plan.type_names, known)
        replications = min(max(replications, 2), most)
    check_memory(plan, goal.max_replications if goal else replications, keep_counters=keep_counters)
    stats = new_stats(plan, goal.max_replications if goal else replications, keep_counters)
    stats.thresholds = thresholds
    run = _Run(plan, engine, seed, stats, records, threads, progress)
    run.replicate(0, replications)
    result = run.result(replications)
    result.variance_reduction = variance_reduction
    while goal is not None:
        goal.reached = reached(result, goal.targets)
        goal.replications = result.replications
        if goal.met or result.replications >= goal.max_replications:
            break
        more = next_replications(result.replications, goal.reached, goal.targets,
                                 goal.max_replications)  # fmt: skip
        run.replicate(result.replications, more - result.replications)
        result = run.result(more)
        result.variance_reduction = variance_reduction
    messages = plausibility_warnings(scenario, plan) + _summarise_notes(
        run.notes, result.replications
    )
    if goal is not None and goal.message():
        messages.append(goal.message())
    for message in messages:
        warnings.warn(message, CapacityWarning, stacklevel=2)
    result.warnings = messages
    result.precision = goal
    return result


class _Run:
    """One run's replications through an engine, into its statistics, in order."""

    def __init__(self, plan, engine, seed, stats, records, threads, progress):  # noqa: ANN001
        self.plan, self.engine, self.seed, self.stats = plan, engine, seed, stats
        self.records, self.threads, self.progress = records, threads, progress
        self.simulated, self.notes, self.frames = 0, [], []

    def replicate(self, start: int, count: int) -> None:
        """Run replications ``start .. start+count-1`` and fold them in."""
        plan, seed, stats, records = self.plan, self.seed, self.stats, self.records
        total = start + count

        def step(done: int, _: int) -> None:
            if self.progress is not None:
                self.progress(start + done, total)

        if self.engine == "fast":
            from ccsim.engines import fast  # numba is loaded only for the fast engine

            run = fast.run_replications(
                plan, seed, count, records, self.threads, step, stats, start=start
            )
            self.simulated += run.contacts_simulated
            self.notes += run.notes
            self.frames += [
                contact_records(plan, c, o, r) for r, (c, o) in sorted(run.outcomes.items())
            ]
            return
        from ccsim.engines import reference as simpy_engine  # simpy is loaded only for this engine

        blocks: tuple[list[np.ndarray], ...] = ([], [], [])
        for rep in range(start, total):
            first = draw_contacts(plan, seed, rep)
            pool = followup_pool(plan, seed, rep, first)
            out = simpy_engine.run_replication(plan, first, day_roster(plan, seed, rep), pool)
            contacts = out.all_contacts(first)
            for block, acc in zip(blocks, accumulate(plan, contacts, out), strict=True):
                block.append(acc)
            if len(blocks[0]) == BLOCK or rep == total - 1:  # fold in order
                stats.add(*(np.stack(block) for block in blocks))  # counters, histograms
                blocks = ([], [], [])
            self.simulated += len(contacts)
            self.notes.extend(capacity_notes(plan, out.fate, out.left, out.answered))
            if records:
                self.frames.append(contact_records(plan, contacts, out, rep))
            step(rep + 1 - start, count)

    def result(self, replications: int) -> SimulationResult:
        """The result of the replications run so far."""
        return SimulationResult(
            plan=self.plan,
            engine=self.engine,
            seed=self.seed,
            replications=replications,
            stats=self.stats,
            contacts_simulated=self.simulated,
            records=_concat(self.frames) if self.records else None,
        )


def check_memory(
    plan: Plan, replications: int, available: int | None = None, keep_counters: bool | None = None
) -> None:
    """Refuse, before anything runs, a run whose kept statistics cannot fit in memory.

    A run keeps :func:`~ccsim.results.running.bytes_per_replication` bytes per
    replication (its day totals; the interval statistics do not grow with
    replications), and its full counters too when asked to (``keep_counters`` True).
    ``available`` defaults to the memory the system reports available (Linux
    ``MemAvailable``); without that figure nothing is checked.

    Raises
    ------
    MemoryError
        If the run would need more than half of the available memory; the message says
        how much it needs and how many replications fit.
    """
    available = _available_memory() if available is None else available
    per_rep = bytes_per_replication(plan, bool(keep_counters))
    if available is None or replications * per_rep <= available // 2:
        return
    fits = available // 2 // per_rep
    raise MemoryError(
        f"{replications:,} replications of {plan.scenario.name!r} would keep "
        f"{replications * per_rep / 2**30:.1f} GiB of statistics ({per_rep:,} bytes each); "
        f"{available / 2**30:.1f} GiB is available: run at most {fits:,} replications, "
        "or several runs with different seeds"
    )


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def contact_records(plan: Plan, contacts: Contacts, out: Outcome, replication: int) -> pd.DataFrame:
    """One row per contact: its type, arrival, fate, group and times.

    With follow-ups also its ``kind`` (first, redial, repeat, transfer), its
    ``customer`` (the number of the customer's first contact in the replication) and
    what ``followed`` it (redialled, unresolved, transferred or empty). With callbacks,
    whether one was offered and ``declined`` or ``accepted``, and when
    (``callback_at``).
    """
    import pandas as pd

    types = np.array(plan.type_names, dtype=object)
    groups = np.array((*plan.group_names, ""), dtype=object)
    wait = np.where(np.isnan(out.answered), out.left, out.answered) - out.queued
    behaviours = {}
    if contacts.kind is not None and out.followed is not None:
        followed = ("", "redialled", "unresolved", "transferred")
        behaviours = {
            "kind": np.array(("first", "redial", "repeat", "transfer"), dtype=object)[
                contacts.kind
            ],
            "customer": contacts.customer,
            "followed": np.array(followed, dtype=object)[out.followed],
        }
    if out.callback is not None:
        states = np.array(("", "declined", "accepted"), dtype=object)
        behaviours["callback"] = states[out.callback]
        behaviours["callback_at"] = out.callback_at
    return pd.DataFrame(
        {
            "replication": replication,
            "contact": np.arange(len(contacts)),
            "type": types[contacts.type],
            "arrival": contacts.arrival,
            "interval": contacts.interval,
            "counted": contacts.arrival >= plan.warmup,
            "fate": np.array(FATES, dtype=object)[out.fate],
            "group": groups[out.group],
            "queued": out.queued,
            "answered": out.answered,
            "left": out.left,
            "freed": out.freed,
            "wait": wait,
            **behaviours,
        }
    )


def _summarise_notes(notes: list[tuple[str, float]], replications: int) -> list[str]:
    out = []
    unserved = [v for k, v in notes if k == "unserved"]
    drains = [v for k, v in notes if k == "drain"]
    if unserved:
        out.append(
            f"{int(sum(unserved))} contacts in {len(unserved)} of {replications} replications "
            "were still waiting when the drain limit (horizon.max_drain) was reached: "
            "counted as unserved"
        )
    if drains:
        out.append(
            f"the queue took up to {max(drains) / 3600:.1f} h after the last interval to empty "
            f"(in {len(drains)} of {replications} replications): the centre is overloaded"
        )
    return out

"""Running replications of a scenario: :func:`simulate`.

A replication is one simulated day: its own contacts (drawn from the seed and the
replication number only), one engine run, and the day's KPI counters. Replications are
independent, so their KPIs give confidence intervals; and because a replication's
contacts do not depend on staffing or routing, two scenarios simulated with the same
seed are compared on common random numbers.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ccsim.plan import Plan, compile_plan
from ccsim.plausibility import plausibility_warnings
from ccsim.results.kpis import accumulate, capacity_notes
from ccsim.results.outcome import FATES, Outcome
from ccsim.results.running import BLOCK, bytes_per_replication
from ccsim.results.tables import SimulationResult, new_stats
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
) -> SimulationResult:
    """Simulate replications of a scenario and compute its KPIs.

    Parameters
    ----------
    scenario : Scenario, str or pathlib.Path
        A loaded scenario, or the path of a scenario file.
    replications : int
        Number of independent simulated days (at least 1; 2 or more for intervals).
    seed : int
        Seed of the run. The same scenario, seed and engine give the same numbers.
    engine : {"fast", "simpy"}
        ``"fast"`` (the default): the model compiled with numba, replications in
        parallel. ``"simpy"``: the same model as readable SimPy code, the reference;
        the same seed gives every contact the same fate as ``"fast"``.
    records : bool
        Keep one row per contact in ``result.records`` (memory grows with contacts).
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication.
    threads : int, optional
        Worker threads of the fast engine (default: all cores); results do not
        depend on it.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> import ccsim
    >>> result = ccsim.simulate("scenarios/small-helpdesk.yaml", replications=5)  # doctest: +SKIP
    >>> result.kpi("service_level")  # doctest: +SKIP
    0.78...
    """
    scenario = as_scenario(scenario)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if int(replications) < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if int(seed) < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    plan = compile_plan(scenario)
    replications, seed = int(replications), int(seed)
    check_memory(plan, replications)
    stats = new_stats(plan, replications)
    if engine == "fast":
        from ccsim.engines import fast  # numba is loaded only for the fast engine

        run = fast.run_replications(plan, seed, replications, records, threads, progress, stats)
        simulated, notes = run.contacts_simulated, run.notes
        frames = [contact_records(plan, c, o, rep) for rep, (c, o) in sorted(run.outcomes.items())]
    else:
        from ccsim.engines import reference as simpy_engine  # simpy is loaded only for this engine

        blocks: tuple[list[np.ndarray], ...] = ([], [], [])
        frames, notes = [], []
        simulated = 0
        for rep in range(replications):
            first = draw_contacts(plan, seed, rep)
            pool = followup_pool(plan, seed, rep, first)
            out = simpy_engine.run_replication(plan, first, day_roster(plan, seed, rep), pool)
            contacts = out.all_contacts(first)
            for block, acc in zip(blocks, accumulate(plan, contacts, out), strict=True):
                block.append(acc)
            if len(blocks[0]) == BLOCK or rep == replications - 1:  # fold in order
                stats.add(*(np.stack(block) for block in blocks))  # counters, histograms
                blocks = ([], [], [])
            simulated += len(contacts)
            notes.extend(capacity_notes(plan, out.fate, out.left, out.answered))
            if records:
                frames.append(contact_records(plan, contacts, out, rep))
            if progress is not None:
                progress(rep + 1, replications)
    messages = plausibility_warnings(scenario, plan) + _summarise_notes(notes, replications)
    for message in messages:
        warnings.warn(message, CapacityWarning, stacklevel=2)
    return SimulationResult(
        plan=plan,
        engine=engine,
        seed=seed,
        replications=replications,
        stats=stats,
        contacts_simulated=simulated,
        records=_concat(frames) if records else None,
        warnings=messages,
    )


def check_memory(plan: Plan, replications: int, available: int | None = None) -> None:
    """Refuse, before anything runs, a run whose kept statistics cannot fit in memory.

    A run keeps :func:`~ccsim.results.running.bytes_per_replication` bytes per
    replication (its day totals; the interval statistics do not grow with
    replications). ``available`` defaults to the memory the system reports available
    (Linux ``MemAvailable``); without that figure nothing is checked.

    Raises
    ------
    MemoryError
        If the run would need more than half of the available memory; the message says
        how much it needs and how many replications fit.
    """
    available = _available_memory() if available is None else available
    per_rep = bytes_per_replication(plan)
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

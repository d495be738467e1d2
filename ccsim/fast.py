"""The fast engine: replications through the numba kernel, in parallel.

``engine="fast"`` runs exactly the model of the SimPy engine (:mod:`ccsim.engine`)
through the compiled kernel (:mod:`ccsim.kernel`): the same plan, the same contacts
drawn from the same streams, the same rules and tie-breaks, so the same seed gives the
same fate to every contact. Replications run on all cores (threads; the kernel
releases the GIL) and each writes its own slot of the result, so the numbers do not
depend on the number of threads. KPI counters are accumulated inside the kernel;
per-contact records are kept only when asked for.

The first run in a fresh environment compiles the kernel (a few seconds, see the
README); the compiled code is cached on disk and later runs start at once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ccsim import kernel
from ccsim.kpis import GROUP_FIELDS, TYPE_FIELDS, capacity_notes
from ccsim.outcome import Outcome
from ccsim.plan import BREAK, Plan
from ccsim.streams import Contacts, day_roster, draw_contacts

__all__ = ["FastRun", "run_day", "run_replications"]

assert kernel.N_TYPE_FIELDS == len(TYPE_FIELDS) and kernel.N_GROUP_FIELDS == len(GROUP_FIELDS)


@dataclass
class FastRun:
    """Counters of every replication, and per-contact outcomes when asked for."""

    type_acc: np.ndarray
    group_acc: np.ndarray
    contacts_simulated: int
    outcomes: dict[int, tuple[Contacts, Outcome]] = field(default_factory=dict)
    notes: list[tuple[str, float]] = field(default_factory=list)


def run_day(
    plan: Plan, contacts: Contacts, roster: tuple[np.ndarray, ...] | None = None
) -> Outcome:
    """Simulate one replication's contacts with the kernel (as ``engine.run_replication``).

    Parameters
    ----------
    plan : Plan
    contacts : Contacts

    Returns
    -------
    Outcome
        The fate and times of every contact and the staffing log.
    """
    out = _buffers(plan, len(contacts))
    n_log = _simulate(plan, contacts, out, roster)
    return _outcome(out, out["log"][:n_log])


def run_replications(
    plan: Plan,
    seed: int,
    replications: int,
    records: bool = False,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FastRun:
    """Run replications ``0 .. replications-1`` through the kernel on ``threads`` threads.

    Parameters
    ----------
    plan : Plan
    seed : int
    replications : int
    records : bool
        Keep each replication's contacts and outcome (memory grows with contacts).
    threads : int, optional
        Worker threads (default: all cores). Results do not depend on it.
    progress : callable, optional
        ``progress(done, total)`` after each replication.

    Returns
    -------
    FastRun
    """
    shape_t = (replications, plan.n_types, plan.n_intervals, len(TYPE_FIELDS))
    shape_g = (replications, plan.n_groups, plan.n_intervals, len(GROUP_FIELDS))
    run = FastRun(np.zeros(shape_t), np.zeros(shape_g), 0)
    counts = np.zeros(replications, dtype=np.int64)
    lock = threading.Lock()
    done = [0]
    workers = max(1, min(threads or os.cpu_count() or 1, replications))

    def work(first: int) -> None:
        out = None
        for rep in range(first, replications, workers):
            contacts = draw_contacts(plan, seed, rep)
            out = _buffers(plan, len(contacts), out)
            n_log = _simulate(plan, contacts, out, day_roster(plan, seed, rep))
            kernel.accumulate_day(
                contacts.type, contacts.arrival, contacts.interval, contacts.ivr_time,
                out["fate"], out["group"], out["queued"], out["answered"], out["left"],
                out["freed"], out["log"], n_log, plan.warmup, plan.end,
                plan.end + plan.max_drain, plan.interval, plan.sl_threshold,
                run.type_acc[rep], run.group_acc[rep],
            )  # fmt: skip
            counts[rep] = len(contacts)
            notes = capacity_notes(plan, out["fate"], out["left"], out["answered"])
            with lock:
                run.notes.extend(notes)
                if records:
                    log = out["log"][:n_log]
                    run.outcomes[rep] = (contacts, _outcome(out, log))
                done[0] += 1
                if progress is not None:
                    progress(done[0], replications)

    if workers == 1:
        work(0)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(work, w) for w in range(workers)]:
                future.result()
    run.contacts_simulated = int(counts.sum())
    return run


def _buffers(plan: Plan, n: int, old: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Output and work arrays for ``n`` contacts, reusing ``old`` when large enough.

    Reusing them across replications saves the operating system from handing out
    fresh (zeroed) memory pages every replication.
    """
    if old is not None and len(old["fate_all"]) >= n:
        out = old
    else:
        size = int(n * 1.25) + 64
        breaks = int(plan.roster_count[plan.roster_kind == BREAK].sum())
        heap = kernel.heap_capacity(size, breaks, plan.n_groups)
        log_rows = len(plan.roster_time) + 2 * int(plan.roster_count.sum()) + 8
        out = {
            "fate_all": np.empty(size, np.int64),
            "group_all": np.empty(size, np.int64),
            "times_all": np.empty((4, size)),
            "log": np.empty((log_rows, 3)),
            "ht": np.empty(heap),
            "hk": np.empty(heap, np.int64),
            "q_all": np.empty(size, np.int64),
        }
    out["fate"] = out["fate_all"][:n]
    out["group"] = out["group_all"][:n]
    for row, name in enumerate(("queued", "answered", "left", "freed")):
        out[name] = out["times_all"][row, :n]
    out["q_buf"] = out["q_all"][:n]
    return out


def _simulate(
    plan: Plan,
    c: Contacts,
    out: dict[str, np.ndarray],
    roster: tuple[np.ndarray, ...] | None = None,
) -> int:
    if len(c) >= kernel.MAX_CONTACTS:
        raise ValueError(
            f"{len(c):,} contacts in one replication: the fast engine takes at most "
            f"{kernel.MAX_CONTACTS - 1:,} (split the horizon, or use engine='simpy')"
        )
    return int(
        kernel.simulate_day(
            c.type,
            c.arrival,
            c.interval,
            c.handle,
            c.wrap_up,
            c.patience,
            c.ivr_time,
            c.ivr_deflect,
            c.ivr_abandon,
            plan.type_groups,
            plan.group_types,
            plan.group_speed,
            plan.group_policy,
            *(plan.roster if roster is None else roster),
            plan.lines,
            plan.ivr_ports,
            plan.ivr is not None,
            plan.end + plan.max_drain,
            out["fate"],
            out["group"],
            out["queued"],
            out["answered"],
            out["left"],
            out["freed"],
            out["log"],
            out["ht"],
            out["hk"],
            out["q_buf"],
        )
    )


def _outcome(out: dict[str, np.ndarray], log: np.ndarray) -> Outcome:
    return Outcome(  # copies: the buffers are reused by the next replication
        fate=out["fate"].astype(np.int8),
        group=out["group"].copy(),
        queued=out["queued"].copy(),
        answered=out["answered"].copy(),
        left=out["left"].copy(),
        freed=out["freed"].copy(),
        staff_time=log[:, 0].copy(),
        staff_group=log[:, 1].astype(np.int64),
        staff_delta=log[:, 2].copy(),
    )

"""The fast engine: replications through the numba kernel, in parallel.

``engine="fast"`` runs exactly the model of the SimPy engine (:mod:`ccsim.engines.reference`)
through the compiled kernel (:mod:`ccsim.engines.kernel`): the same plan, the same contacts
drawn from the same streams, the same rules and tie-breaks, so the same seed gives the
same fate to every contact. Replications run on all cores (threads; the kernel
releases the GIL) in blocks folded into the run's statistics in replication order, so
the numbers do not depend on the number of threads and memory does not grow with the
replications. Each replication's KPI counters are added up, compiled, right after its
day by :mod:`ccsim.engines.counters`, in the same worker thread; per-contact records are
kept only when asked for. Ctrl-C, or an exception from the progress callback, stops
every worker after its current replication.

The first run in a fresh environment compiles the kernel (a few seconds, see the
README); the compiled code is cached on disk and later runs start at once.
"""

from __future__ import annotations

import operator
import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ccsim.engines import counters, kernel
from ccsim.engines.codes import PRIORITY_AGE
from ccsim.followups import FollowUpPool, followup_pool
from ccsim.plan import BREAK, Plan
from ccsim.results.kpis import GROUP_FIELDS, TYPE_FIELDS, WAIT_EDGES
from ccsim.results.outcome import Outcome
from ccsim.results.running import BLOCK, RunningStats
from ccsim.results.tables import new_stats
from ccsim.streams import Contacts, day_roster, draw_contacts

__all__ = ["FastRun", "run_day", "run_replications"]


@dataclass
class FastRun:
    """What a run kept: its statistics, and per-contact outcomes when asked for."""

    stats: RunningStats
    contacts_simulated: int
    outcomes: dict[int, tuple[Contacts, Outcome]] = field(default_factory=dict)
    notes: list[tuple[str, float]] = field(default_factory=list)


def run_day(
    plan: Plan,
    contacts: Contacts,
    roster: tuple[np.ndarray, ...] | None = None,
    pool: FollowUpPool | None = None,
) -> Outcome:
    """Simulate one replication's contacts with the kernel (as ``engine.run_replication``).

    Parameters
    ----------
    plan : Plan
    contacts : Contacts
    roster : tuple of numpy.ndarray, optional
        The day's roster; default: the plan's.
    pool : FollowUpPool, optional
        Variates of follow-up contacts (needed when the scenario has them).

    Returns
    -------
    Outcome
        The fate and times of every contact and the staffing log.
    """
    out, n_log, n_rows = _run(plan, contacts, roster, pool, _tables(plan))
    return _outcome(out, n_log, n_rows)


def run_replications(
    plan: Plan,
    seed: int,
    replications: int,
    records: bool = False,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    stats: RunningStats | None = None,
    start: int = 0,
) -> FastRun:
    """Run replications ``start .. start+replications-1`` through the kernel on all threads.

    Replications run in blocks of :data:`~ccsim.results.running.BLOCK`; each finished
    block is folded into ``stats`` in replication order, so memory does not grow with
    the number of replications and the numbers do not depend on the threads.

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
        ``progress(done, total)`` after each replication. If it raises, the run stops
        (each worker after its current replication) and the exception propagates.
    stats : RunningStats, optional
        Where to fold the replications (default: a new one for ``plan``).
    start : int
        The first replication's number: a run extended to more replications continues
        where it stopped (replication r's contacts depend on the seed and r only).

    Returns
    -------
    FastRun

    Notes
    -----
    Ctrl-C (KeyboardInterrupt) stops the workers the same way, within one
    replication, and propagates.
    """
    run = FastRun(stats if stats is not None else new_stats(plan, replications), 0)
    lock = threading.Lock()
    # One thread draws at a time. Drawing is numpy calls from Python: two threads
    # drawing at once pass the GIL back and forth at every call that releases it,
    # which cost a quarter of the speed of multi-type scenarios on two cores; with
    # the lock, one thread draws while the others are in the kernel (which releases
    # the GIL). The numbers do not depend on it (each replication has its streams).
    drawing = threading.Lock()
    stop = threading.Event()
    done = [0]
    workers = max(1, min(threads or os.cpu_count() or 1, replications))
    size = min(BLOCK, replications)
    type_acc = np.zeros((size, plan.n_types, plan.n_intervals, len(TYPE_FIELDS)))
    group_acc = np.zeros((size, plan.n_groups, plan.n_intervals, len(GROUP_FIELDS)))
    wait_hist = np.zeros((size, plan.n_types, 2, len(WAIT_EDGES)), np.int64)
    tables = _tables(plan)

    def work(queue: list[int], first: int) -> None:
        out = None
        try:
            while not stop.is_set():
                with lock:
                    if not queue:
                        return
                    rep = queue.pop()
                with drawing:
                    contacts = draw_contacts(plan, seed, rep)
                    pool = followup_pool(plan, seed, rep, contacts)
                    roster = day_roster(plan, seed, rep)
                out, n_log, n = _run(plan, contacts, roster, pool, tables, out)
                slot = rep - first
                type_acc[slot] = 0.0
                group_acc[slot] = 0.0
                wait_hist[slot] = 0
                unserved, last_out = counters.accumulate_day(
                    *counters.day_arguments(plan, out, n, n_log), type_acc[slot],
                    group_acc[slot], wait_hist[slot])  # fmt: skip
                notes = _capacity_notes(plan, n, unserved, last_out)
                with lock:
                    run.contacts_simulated += n
                    run.notes.extend(notes)
                    if records:
                        outcome = _outcome(out, n_log, n)
                        run.outcomes[rep] = (outcome.all_contacts(contacts), outcome)
                    done[0] += 1
                    if progress is not None:
                        progress(done[0], replications)
        except BaseException:
            stop.set()  # the other workers stop after their current replication
            raise

    with ThreadPoolExecutor(max_workers=workers) as executor:
        try:
            for first in range(start, start + replications, size):
                n = min(size, start + replications - first)
                queue = list(range(first + n - 1, first - 1, -1))  # popped in order
                futures = [executor.submit(work, queue, first) for _ in range(workers)]
                _wait(futures)
                run.stats.add(type_acc[:n], group_acc[:n], wait_hist[:n])
        except BaseException:  # Ctrl-C in this thread, or a worker's error
            stop.set()
            raise
    return run


def _wait(futures: list[Future]) -> None:
    """Wait for every future (waking up often, so Ctrl-C is seen); raise the first error."""
    pending = set(futures)
    while pending:
        finished, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
        for future in finished:
            future.result()  # raises a worker's exception here


def _capacity_notes(plan: Plan, n: int, unserved: int, last_out: float) -> list[tuple[str, float]]:
    """:func:`ccsim.results.kpis.capacity_notes` from what ``accumulate_day`` found on its way."""
    notes: list[tuple[str, float]] = []
    if unserved:
        notes.append(("unserved", int(unserved)))
    drain = float(last_out) - plan.end if n else 0.0
    if drain > plan.interval:
        notes.append(("drain", drain))
    return notes


_BASE = ("arrival", "handle", "wrap_up", "patience", "ivr_time", "type", "interval",
         "ivr_deflect", "ivr_abandon")  # fmt: skip
_FOLLOW_FLOAT = ("follow_u", "redial_delay", "repeat_delay")
_FOLLOW_INT = ("kind", "customer", "redials", "repeats")
_CALLBACK = ("callback_u", "no_answer_u", "dial_time")
_BEHAVIOUR = ("balk_u", "transfer_u")
_COLUMNS = (*_BASE, *_FOLLOW_FLOAT, *_FOLLOW_INT, *_CALLBACK, *_BEHAVIOUR)
_EMPTY = {"f": np.empty(0), "i": np.empty(0, np.int64), "b": np.empty(0, np.int8),
          "f2": np.empty((0, 0))}  # fmt: skip


def _tables(plan: Plan) -> dict[str, tuple]:
    """The plan's tables as :func:`~ccsim.engines.kernel.simulate_day` takes them.

    Made once per run: the centre, the follow-up plan, the callback plan, the channels
    (bundles of :mod:`ccsim.engines.kernel.arrays`, as plain tuples: see
    ``simulate_day``), by the name of their argument.
    """
    day_length = plan.interval * plan.scenario.horizon.intervals if plan.n_days > 1 else 0.0
    tables = {
        "centre": kernel.Centre(
            type_groups=plan.type_groups, group_types=plan.group_types,
            group_speed=plan.group_speed, group_policy=plan.group_policy, lines=plan.lines,
            ivr_ports=plan.ivr_ports, use_ivr=plan.ivr is not None,
            stop_time=plan.end + plan.max_drain, type_after=plan.type_after,
            type_keep=plan.type_keep, group_after=plan.group_after, group_keep=plan.group_keep,
            overflow_after=plan.overflow_after, head_start=plan.head_start,
            wait_weight=plan.wait_weight, balk=plan.balk, handle_factor=plan.handle_factor,
            pair_row=plan.pair_row, routed=plan.has_routing,
            overflow=bool(np.isfinite(plan.overflow_after).any()), scaled=plan.scaled,
            rich=(True,) if _rich(plan) else (),
        ),
        "follow_ups": kernel.FollowUpPlan(
            redial_p=plan.redial_p, redial_max=plan.redial_max, redial_mean=plan.redial_mean,
            fcr=plan.fcr, repeat_type=plan.repeat_type, repeat_max=plan.repeat_max,
            repeat_mean=plan.repeat_mean, handle_mean=plan.handle_mean,
            wrap_up_mean=plan.wrap_up_mean, patience_mean=plan.patience_mean,
            ivr_mean=plan.ivr_mean, ivr_deflect=plan.ivr_deflect, ivr_abandon=plan.ivr_abandon,
            interval=float(plan.interval), end=float(plan.end), transfer_p=plan.transfer_p,
            transfer_to=plan.transfer_to, transfer_stay=plan.transfer_stay,
            pair_type=plan.pair_type, pair_mean=plan.pair_mean, stay=plan.has_stay,
        ),
        "callbacks": kernel.CallbackPlan(
            threshold=plan.callback_threshold, acceptance=plan.callback_acceptance,
            no_answer=plan.callback_no_answer, dial_mean=plan.dial_mean,
        ),
        "channels": kernel.Channels(
            group_sessions=plan.group_sessions, group_stretch=plan.group_stretch,
            group_agents=plan.group_agents, type_email=plan.type_email,
            type_voice=plan.type_voice, group_email_from=plan.group_email_from,
            n_start=int(plan.start_waiting.sum()), day_len=day_length,
            chat=(True,) if plan.has_sessions else (),
        ),
    }  # fmt: skip
    return {name: tuple(bundle) for name, bundle in tables.items()}


def _rich(plan: Plan) -> bool:
    """Whether the plan uses the routing and behaviour features of issue 15.

    Overflow after a delay, reservation, handle time per (type, group), balking,
    transfers or the ``priority_age`` policy: the kernel's loop with their code
    (:class:`ccsim.engines.kernel.Centre`, ``rich``).
    """
    return bool(
        plan.has_routing or plan.scaled or plan.has_balking or plan.has_transfers
        or (plan.group_policy == PRIORITY_AGE).any()
    )  # fmt: skip


def _run(
    plan: Plan,
    contacts: Contacts,
    roster: tuple[np.ndarray, ...] | None,
    pool: FollowUpPool | None,
    tables: dict[str, tuple],
    out: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], int, int]:
    """Run one replication (again with a longer pool when the pool ran out).

    Returns the buffers, the staffing-log length and the number of contacts.
    """
    if plan.has_followups and pool is None:
        raise ValueError("a scenario with follow-ups needs their FollowUpPool")
    while True:
        capacity = len(contacts) + (int(pool.offsets[-1]) if pool is not None else 0)
        if capacity >= kernel.MAX_CONTACTS:
            raise ValueError(
                f"{capacity:,} contacts (with room for follow-ups) in one replication: the "
                f"fast engine takes at most {kernel.MAX_CONTACTS - 1:,} (split the horizon, "
                "or use engine='simpy')"
            )
        out = _buffers(plan, contacts, capacity, pool is not None, out)
        n_log = _simulate(plan, out, roster, pool, tables, len(contacts))
        if n_log >= 0:
            return out, n_log, int(out["n_rows"][0])
        if n_log == -2:
            raise ValueError(
                "more than 2**28 events in one replication: the fast engine cannot order "
                "them (use engine='simpy', or fewer overflow delays or a shorter horizon)"
            )
        pool.grow()  # type: ignore[union-attr]


def _buffers(
    plan: Plan, contacts: Contacts, capacity: int, follow: bool, old: dict[str, Any] | None
) -> dict[str, Any]:
    """Output and work arrays for ``capacity`` contacts, reusing ``old`` when large enough.

    Reusing them across replications saves the operating system from handing out
    fresh (zeroed) memory pages every replication. With follow-ups the contacts are
    copied into arrays with room for the follow-ups the kernel adds.
    """
    callbacks = plan.has_callbacks
    if old is not None and len(old["fate_all"]) >= capacity and old["follow"] == follow:
        out = old
    else:
        size = int(capacity * 1.25) + 64
        breaks = int(plan.roster_count[plan.roster_kind == BREAK].sum())
        heap = kernel.heap_capacity(size, breaks, plan.n_groups)
        log_rows = len(plan.roster_time) + 2 * int(plan.roster_count.sum()) + 8
        out = {
            "follow": follow,
            "fate_all": np.empty(size, np.int64),
            "group_all": np.empty(size, np.int64),
            "times_all": np.empty((5, size)),  # queued, answered, left, freed, callback at
            "log": np.empty((log_rows, 3)),
            "ht": np.empty(heap),
            "hk": np.empty(heap, np.int64),
            "q_all": np.empty(size, np.int64),
            "n_rows": np.zeros(1, np.int64),
            "int8_all": np.empty((2, size), np.int8),  # followed, callback state
        }
        if follow:  # the contacts, with room for follow-ups
            out["column_all"] = {
                name: np.empty(size, getattr(contacts, name).dtype)
                for name in _COLUMNS
                if getattr(contacts, name) is not None
            }
            if contacts.group_handle is not None:
                out["column_all"]["group_handle"] = np.empty((len(contacts.group_handle), size))
    n = capacity
    out["day_factor"] = contacts.day_factor
    out["fate"] = out["fate_all"][:n]
    out["group"] = out["group_all"][:n]
    for row, name in enumerate(("queued", "answered", "left", "freed", "callback_at")):
        out[name] = out["times_all"][row, :n]
    out["q_buf"] = out["q_all"][:n]
    out["followed"] = out["int8_all"][0, :n] if follow else _EMPTY["b"]
    out["callback"] = out["int8_all"][1, :n] if callbacks else _EMPTY["b"]
    out["callbacks"] = callbacks
    if not callbacks:
        out["callback_at"] = _EMPTY["f"]
    columns: dict[str, np.ndarray] = {}
    first = len(contacts)
    for name in (*_COLUMNS, "group_handle"):
        given = getattr(contacts, name)
        if given is None:
            empty = "i" if name in _FOLLOW_INT else "f2" if name == "group_handle" else "f"
            columns[name] = _EMPTY[empty]
        elif follow:
            columns[name] = out["column_all"][name][..., :n]
            columns[name][..., :first] = given
        else:
            columns[name] = given
    out["contacts"] = columns
    return out


def _simulate(
    plan: Plan,
    out: dict[str, Any],
    roster: tuple[np.ndarray, ...] | None,
    pool: FollowUpPool | None,
    tables: dict[str, tuple],
    n_first: int,
) -> int:
    """Run the kernel on the buffers ``out``; return the staffing log's length (-1: pool)."""
    if pool is None:
        pool_arrays = kernel.Pool(_EMPTY_POOL, np.zeros(plan.n_types + 1, np.int64), 0,
                                  _EMPTY["f2"])  # fmt: skip
    else:
        pool_arrays = kernel.Pool(data=pool.data, offsets=pool.offsets, size=pool.size,
                                  group_handle=pool.group_handle)  # fmt: skip
    return int(
        kernel.simulate_day(
            contacts=_CONTACTS(out["contacts"]),
            n_first=n_first,
            pool=pool_arrays,
            roster=plan.roster if roster is None else roster,  # (as kernel.Roster)
            out=_OUTPUTS(out),
            work=_WORK(out),
            **tables,
        )
    )


#: The buffer (key of the dict ``_buffers`` makes) of each field of kernel.Outputs and
#: kernel.Work (the others have the field's name); the bundles as plain tuples, in the
#: order of their fields, from the buffers (see ``kernel.simulate_day``).
_BUFFER = {"staff_log": "log", "heap_time": "ht", "heap_key": "hk", "queue": "q_buf"}
_OUTPUTS = operator.itemgetter(*(_BUFFER.get(f, f) for f in kernel.Outputs._fields))
_WORK = operator.itemgetter(*(_BUFFER.get(f, f) for f in kernel.Work._fields))
_CONTACTS = operator.itemgetter(*kernel.Contacts._fields)
_EMPTY_POOL = np.zeros((len(FollowUpPool.COLUMNS), 0))


def _outcome(out: dict[str, Any], n_log: int, n: int) -> Outcome:
    log = out["log"][:n_log]
    extra: dict[str, Any] = {}
    if out["follow"]:
        c = {name: col[..., :n].copy() for name, col in out["contacts"].items() if len(col)}
        extra["contacts"] = Contacts(day_factor=out["day_factor"], **c)
        extra["followed"] = out["followed"][:n].copy()
    if out["callbacks"]:
        extra["callback"] = out["callback"][:n].copy()
        extra["callback_at"] = out["callback_at"][:n].copy()
    return Outcome(  # copies: the buffers are reused by the next replication
        fate=out["fate"][:n].astype(np.int8),
        group=out["group"][:n].copy(),
        queued=out["queued"][:n].copy(),
        answered=out["answered"][:n].copy(),
        left=out["left"][:n].copy(),
        freed=out["freed"][:n].copy(),
        staff_time=log[:, 0].copy(),
        staff_group=log[:, 1].astype(np.int64),
        staff_delta=log[:, 2].copy(),
        **extra,
    )

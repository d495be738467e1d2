"""Runs in the background: what the planner started, how far it is, and what came out.

A simulation, a comparison or a staffing search can take seconds to minutes. The web
app never runs one inside a request: :meth:`RunRegistry.submit` hands the work to a
small pool of threads (ccsim's fast engine releases the GIL in its compiled kernel, so
the server keeps answering other requests and other browser tabs meanwhile) and
returns a run id at once. The page polls :meth:`RunRegistry.status` for the progress
reported through ccsim's ``progress(done, total)`` callback.

Cancelling sets a flag that the next progress call turns into :class:`RunCancelled`,
which stops the run as ccsim's progress contract says (an exception raised from the
callback propagates out of ``simulate``, ``compare`` and ``search_staffing``). A run
that raises anything else is kept as *failed* with its message: a crashed run never
takes the server down.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Run", "RunCancelled", "RunRegistry"]

log = logging.getLogger("ccsim.app")

#: What a run's work function receives: ``progress(done, total)`` (ccsim's signature).
Work = Callable[[Callable[[int, int], None]], Any]


class RunCancelled(Exception):
    """Raised from the progress callback of a run the planner cancelled."""


@dataclass
class Run:
    """One run: its kind, state, progress, and its value or error once finished.

    ``status`` is ``"queued"``, ``"running"``, ``"done"``, ``"failed"`` or
    ``"cancelled"``. ``value`` is what the work returned (a ccsim result object);
    ``payload`` the JSON the page shows, computed once in the worker thread.
    """

    id: str
    kind: str
    label: str
    status: str = "queued"
    done: int = 0
    total: int = 0
    error: str | None = None
    value: Any = None
    payload: dict[str, Any] | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    # things derived from the value on demand (the HTML report, CSV tables), kept once
    cache: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def finished_ok(self) -> bool:
        """Whether the run finished with a value."""
        return self.status == "done"

    def state(self) -> dict[str, Any]:
        """What the page polls: status, progress, timing and the error or the payload."""
        end = self.finished or time.time()
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "elapsed_s": round(end - self.started, 3) if self.started else 0.0,
            "error": self.error,
            "result": self.payload if self.status == "done" else None,
        }


class RunRegistry:
    """Runs by id, executed on a pool of ``workers`` threads.

    Parameters
    ----------
    workers : int
        Runs executed at once; more wait their turn (``queued``).
    keep : int
        Finished runs kept for their results and downloads; the oldest finished ones
        are forgotten beyond this.
    """

    def __init__(self, workers: int = 2, keep: int = 40):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ccsim-run")
        self._runs: OrderedDict[str, Run] = OrderedDict()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._keep = keep

    def submit(
        self,
        kind: str,
        label: str,
        work: Work,
        view: Callable[[Any], dict[str, Any]],
    ) -> Run:
        """Start ``work(progress)`` in the background; ``view(value)`` makes its payload."""
        run = Run(id=f"r{next(self._ids)}", kind=kind, label=label)
        with self._lock:
            self._runs[run.id] = run
            self._forget_old()
        self._pool.submit(self._execute, run, work, view)
        return run

    def get(self, run_id: str) -> Run | None:
        """The run with this id, or None (unknown or forgotten)."""
        with self._lock:
            return self._runs.get(run_id)

    def cancel(self, run_id: str) -> Run | None:
        """Ask a run to stop at its next progress report; None if there is no such run."""
        run = self.get(run_id)
        if run is not None and run.status in ("queued", "running"):
            run.cancel.set()
        return run

    def shutdown(self) -> None:
        """Cancel every run and stop the threads (waits for the running ones to stop)."""
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            run.cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _forget_old(self) -> None:
        finished = [r for r in self._runs.values() if r.status in ("done", "failed", "cancelled")]
        for run in finished[: max(0, len(finished) - self._keep)]:
            del self._runs[run.id]

    def _execute(self, run: Run, work: Work, view: Callable[[Any], dict[str, Any]]) -> None:
        def progress(done: int, total: int) -> None:
            run.done, run.total = int(done), int(total)
            if run.cancel.is_set():
                raise RunCancelled

        run.started = time.time()
        if run.cancel.is_set():
            run.status, run.finished = "cancelled", time.time()
            return
        run.status = "running"
        try:
            value = work(progress)
            payload = view(value)
        except RunCancelled:
            run.status = "cancelled"
        except Exception as exc:  # noqa: BLE001 - any failure is shown, the server goes on
            log.error("run %s (%s) failed:\n%s", run.id, run.label, traceback.format_exc())
            run.error = str(exc) or type(exc).__name__
            run.status = "failed"
        else:
            run.value, run.payload = value, payload
            run.done = max(run.done, run.total)
            run.status = "done"
        finally:
            run.finished = time.time()

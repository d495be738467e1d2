"""The fast engine's KPI counters (``ccsim.engines.counters``) on spans that end on the edges.

``accumulate_day`` starts each time span (busy, in queue, staffed) at the interval
holding its start and stops at the one holding its end. These tests check it against
the plain definition, every span against every counted interval, with times one
floating-point step either side of interval starts and of the warm-up, and that the
overload notes it finds on its way are :func:`ccsim.results.kpis.capacity_notes`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ccsim
from ccsim.engines import counters, fast
from ccsim.engines.codes import ABANDONED as _ABANDONED
from ccsim.engines.codes import ANSWERED as _ANSWERED
from ccsim.plan import compile_plan
from ccsim.results.kpis import WAIT_EDGES, capacity_notes
from ccsim.streams import day_roster, draw_contacts, followup_pool
from tests.helpers import ROOT, SCENARIOS

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")


def _spans(starts, stops, weights, owners, n_owners, interval, warmup, nk):
    """Overlap of every span with every counted interval, in span order."""
    acc = np.zeros((n_owners, nk))
    for a, b, w, o in zip(starts, stops, weights, owners, strict=True):
        for k in range(nk):
            lo, hi = max(k * interval, warmup), (k + 1) * interval
            overlap = min(b, hi) - max(a, lo)
            if overlap > 0:
                acc[o, k] += overlap * w
    return acc


def _near(rng, interval, nk, size):
    """Times on, or one step either side of, interval starts; some anywhere."""
    edges = rng.integers(0, nk + 1, size) * interval
    side = rng.integers(0, 4, size)
    near = np.where(side == 0, np.nextafter(edges, -np.inf), edges)
    near = np.where(side == 1, np.nextafter(edges, np.inf), near)
    anywhere = rng.random(size) * (nk + 1) * interval
    return np.maximum(np.where(side == 3, anywhere, near), 0.0)


@pytest.mark.parametrize("interval", [1800.0, 0.1, 1 / 3, 7.3])
@pytest.mark.parametrize("warmup_at", [0.0, 1.0, 2.5])
def test_spans_near_interval_edges_match_the_definition(interval, warmup_at) -> None:
    rng = np.random.default_rng(int(interval * 1000) + int(warmup_at * 10))
    nk, n, n_groups = 6, 4000, 2
    warmup = warmup_at * interval
    # answered contacts (queue, then busy) and abandoned ones (queue only)
    times = np.sort(np.stack([_near(rng, interval, nk, n) for _ in range(3)]), axis=0)
    queued, answered, freed = times
    fate = np.where(rng.random(n) < 0.7, _ANSWERED, _ABANDONED).astype(np.int64)
    group = rng.integers(0, n_groups, n)
    left = np.where(fate == _ANSWERED, freed, answered)
    answered = np.where(fate == _ANSWERED, answered, np.nan)
    freed = np.where(fate == _ANSWERED, freed, np.nan)
    freed[:5] = np.nan  # still busy at the end
    # staffing log in time order: +/- agents of either group
    log_t = np.sort(_near(rng, interval, nk, 300))
    log_g = rng.integers(0, n_groups, 300).astype(float)
    log_d = rng.integers(1, 4, 300) * np.where(rng.random(300) < 0.6, 1.0, -1.0)
    log = np.column_stack([log_t, log_g, log_d])
    end = nk * interval
    stop_time = end + 10 * interval
    type_acc = np.zeros((1, nk, counters.N_TYPE_FIELDS))
    group_acc = np.zeros((n_groups, nk, counters.N_GROUP_FIELDS))
    empty_f, empty_b = np.empty(0), np.empty(0, np.int8)
    counters.accumulate_day(
        n, np.zeros(n, np.int64), queued, np.minimum(queued // interval, nk - 1).astype(np.int64),
        np.zeros(n), np.empty(0, np.int64), fate, empty_b, empty_f, empty_b, empty_f, group,
        queued, answered, left, freed, log, len(log), warmup, end, stop_time, interval,
        np.array([20.0]), np.array([False]), np.ones(n_groups, np.int64), WAIT_EDGES,
        counters.linear_edges(WAIT_EDGES), type_acc, group_acc,
        np.zeros((1, 2, len(WAIT_EDGES)), np.int64),
    )  # fmt: skip

    worked = fate == _ANSWERED
    busy = _spans(answered[worked], np.where(np.isnan(freed), end, freed)[worked],
                  np.ones(worked.sum()), group[worked], n_groups, interval, warmup, nk)  # fmt: skip
    np.testing.assert_array_equal(group_acc[:, :, 0], busy)
    q_stop = np.where(worked, answered, left)
    waited = (q_stop > queued) | ~worked
    queue = _spans(queued[waited], q_stop[waited], np.ones(waited.sum()), np.zeros(n, np.int64)[waited], 1,
                   interval, warmup, nk)  # fmt: skip
    np.testing.assert_array_equal(type_acc[:, :, 16], queue)  # queue_time
    starts, stops, weights, owners = [], [], [], []
    for g in range(n_groups):
        mine = np.flatnonzero(log_g == g)
        level = np.cumsum(log_d[mine])
        starts += list(log_t[mine])
        stops += [*log_t[mine[1:]], math.inf]
        weights += list(level)
        owners += [g] * len(mine)
    order = np.argsort(owners, kind="stable")  # per group in time order, as the log
    staffed = _spans(*(np.asarray(x)[order] for x in (starts, stops, weights, owners)),
                     n_groups, interval, warmup, nk)  # fmt: skip
    np.testing.assert_array_equal(group_acc[:, :, 1], staffed)


CORPUS = sorted(SCENARIOS.glob("*.yaml")) + sorted((ROOT / "tests" / "corpus").glob("*.yaml"))


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_overload_notes_are_capacity_notes(path) -> None:
    plan = compile_plan(ccsim.load_scenario(path))
    tables = fast._tables(plan)
    for rep in range(1 if path.stem.startswith(("w", "multisite")) else 4):
        contacts = draw_contacts(plan, 3, rep)
        pool = followup_pool(plan, 3, rep, contacts)
        out, n_log, n = fast._run(plan, contacts, day_roster(plan, 3, rep), pool, tables)
        type_acc = np.zeros((plan.n_types, plan.n_intervals, counters.N_TYPE_FIELDS))
        group_acc = np.zeros((plan.n_groups, plan.n_intervals, counters.N_GROUP_FIELDS))
        wait_hist = np.zeros((plan.n_types, 2, len(WAIT_EDGES)), np.int64)
        unserved, last_out = counters.accumulate_day(
            *counters.day_arguments(plan, out, n, n_log), type_acc, group_acc, wait_hist
        )
        expected = capacity_notes(plan, out["fate"][:n], out["left"][:n], out["answered"][:n])
        assert fast._capacity_notes(plan, n, unserved, last_out) == expected


def test_contacts_still_in_talk_at_the_drain_limit_count_their_time_until_then() -> None:
    """AHT stays defined when the drain limit stops calls in progress (both engines)."""
    path = ROOT / "tests" / "corpus" / "overload-no-patience.yaml"
    runs = {}
    for engine in ("simpy", "fast"):
        r = ccsim.simulate(path, 2, seed=11, engine=engine, records=True)
        rec = r.records
        in_talk = rec[(rec["fate"] == "answered") & rec["freed"].isna() & rec["counted"]]
        assert len(in_talk) > 0  # the case this checks
        aht = r.per_replication("aht_s")
        assert np.isfinite(aht).all()
        runs[engine] = aht
    np.testing.assert_allclose(runs["simpy"], runs["fast"], rtol=1e-12)

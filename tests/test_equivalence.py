"""The fast kernel and the SimPy engine: the same model, contact by contact.

Both engines read the same plan and the same contacts and follow the same rules, so
with the same seed every contact must meet the same fate (answered, abandoned,
blocked, deflected, hung up in the IVR, unserved), by the same group, at the same
times. This is the guard for every feature: a scenario corpus that together uses all
of them (``tests/test_corpus_coverage.py`` checks that they do), plus hand-made
timelines full of exact ties.
"""

from __future__ import annotations

import numpy as np
import pytest

import ccsim
from ccsim.engines import fast
from ccsim.engines import reference as engine
from ccsim.plan import compile_plan
from ccsim.results.kpis import TYPE_FIELDS
from ccsim.scenario.loader import scenario_from_dict
from ccsim.streams import contacts_from_rows, day_roster, draw_contacts, followup_pool
from tests.helpers import CORPUS, SCENARIOS, assert_same_outcome

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")

TIMES = ["queued", "answered", "left", "freed"]


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_every_contact_meets_the_same_fate(path) -> None:
    scenario = ccsim.load_scenario(path)
    reps = 1 if path.stem.startswith(("w", "multisite")) else 3
    a = ccsim.simulate(scenario, replications=reps, seed=11, engine="simpy", records=True)
    b = ccsim.simulate(scenario, replications=reps, seed=11, engine="fast", records=True)
    assert a.records is not None and b.records is not None
    assert len(a.records) == len(b.records) > 0
    for col in ("type", "fate", "group", "interval", "kind", "customer", "followed", "callback"):
        if col in a.records or col in b.records:
            assert (a.records[col] == b.records[col]).all(), col
    for col in TIMES + ["wait"] + (["callback_at"] if "callback_at" in a.records else []):
        np.testing.assert_allclose(a.records[col], b.records[col], rtol=0, atol=1e-9)
    # the kernel's own counters equal the SimPy engine's
    np.testing.assert_allclose(a.type_acc, b.type_acc, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(a.group_acc, b.group_acc, rtol=1e-12, atol=1e-6)
    np.testing.assert_array_equal(a.stats.wait_hist_sum, b.stats.wait_hist_sum)
    # the histograms count the contacts the counters count as answered and abandoned
    fields = [TYPE_FIELDS.index("answered"), TYPE_FIELDS.index("abandoned")]
    counted = a.type_acc.sum(axis=(0, 2))[:, fields]
    np.testing.assert_array_equal(a.stats.wait_hist_sum.sum(axis=2), counted)
    assert a.warnings == b.warnings


def test_the_corpus_uses_every_fate() -> None:
    fates = set()
    for path in CORPUS:
        r = ccsim.simulate(
            ccsim.load_scenario(path), replications=1, seed=11, engine="fast", records=True
        )
        fates |= set(r.records["fate"])
    assert fates == set(engine.FATES) - {"pending"}


TIES = {
    "name": "ties",
    "horizon": {"intervals": 2, "interval": 100, "max_drain": 1000},
    "lines": 4,
    "contact_types": [
        {
            "name": "a",
            "arrivals": {"rate_per_hour": 1},
            "handle_time": {"dist": "fixed", "mean": 10},
        },
        {
            "name": "b",
            "arrivals": {"rate_per_hour": 1},
            "handle_time": {"dist": "fixed", "mean": 10},
        },
    ],
    "agent_groups": [
        {"name": "x", "skills": ["a", "b"], "staffing": [2, 1]},
        {
            "name": "y",
            "skills": ["b"],
            "policy": "priority",
            "shifts": [
                {"start": 0, "end": 60, "agents": 1, "breaks": [{"start": 20, "duration": 10}]}
            ],
        },
    ],
}


@pytest.mark.parametrize("lines", [None, 4, 2])
def test_exact_ties_resolve_alike(lines) -> None:
    """Round times make events coincide: tie-break rules decide, identically."""
    spec = dict(TIES, lines=lines) if lines else {k: v for k, v in TIES.items() if k != "lines"}
    plan = compile_plan(scenario_from_dict(spec))
    rows = []
    for i in range(30):
        rows.append(
            {
                "type": "ab"[i % 2],
                "at": float(5 * (i // 3)),
                "handle": 10.0 + 5 * (i % 3),
                "patience": float(5 * (i % 4)) if i % 5 else np.inf,
                "wrap_up": 5.0 * (i % 2),
            }
        )
    contacts = contacts_from_rows(plan, rows)
    assert_same_outcome(engine.run_replication(plan, contacts), fast.run_day(plan, contacts))


def test_results_do_not_depend_on_threads() -> None:
    scenario = ccsim.load_scenario(SCENARIOS / "multiskill-day.yaml")
    one = ccsim.simulate(scenario, replications=6, seed=3, engine="fast", threads=1)
    two = ccsim.simulate(scenario, replications=6, seed=3, engine="fast", threads=2)
    np.testing.assert_array_equal(one.type_acc, two.type_acc)
    np.testing.assert_array_equal(one.group_acc, two.group_acc)
    assert one.to_json() == two.to_json()


def test_the_replay_helper_compares_every_field_of_an_outcome() -> None:
    """Change any one field of an outcome (or of the contacts it carries): the helper fails."""
    import dataclasses

    scenario = ccsim.load_scenario(SCENARIOS / "telco-week.yaml")
    plan = compile_plan(scenario)
    first = draw_contacts(plan, 11, 0)
    pool = followup_pool(plan, 11, 0, first)
    out = engine.run_replication(plan, first, day_roster(plan, 11, 0), pool)
    assert out.contacts is not None and out.callback is not None  # every optional field set
    assert_same_outcome(out, out)
    for field in dataclasses.fields(out):
        value = getattr(out, field.name)
        if field.name == "contacts":  # a field of the carried contacts
            changed = dataclasses.replace(value, arrival=value.arrival + 1.0)
            with pytest.raises(AssertionError):
                assert_same_outcome(out, dataclasses.replace(out, contacts=changed))
            continue
        array = np.array(value, copy=True)
        last = array[-1]
        array[-1] = 1.0 if array.dtype.kind == "f" and np.isnan(last) else last + 1
        with pytest.raises(AssertionError):
            assert_same_outcome(out, dataclasses.replace(out, **{field.name: array}))


def test_waits_on_the_bin_edges_fall_alike() -> None:
    """Waits on, and one step either side of, the histogram's edges: both engines bin them
    as ``searchsorted(WAIT_EDGES, wait, "right") - 1`` (the kernel skips the search for
    waits under 599 s)."""
    from ccsim.engines import counters
    from ccsim.results.kpis import WAIT_ABANDONED, WAIT_ANSWERED, WAIT_EDGES, accumulate

    plan = compile_plan(scenario_from_dict({
        "name": "bins", "horizon": {"intervals": 1, "interval": "30d"},
        "contact_types": [{"name": "a", "arrivals": {"rate_per_hour": 0},
                           "handle_time": {"dist": "fixed", "mean": 1}}],
        "agent_groups": [{"name": "g", "skills": ["a"], "staffing": 1}],
    }))  # fmt: skip
    rng = np.random.default_rng(3)
    edges = WAIT_EDGES[rng.integers(1, len(WAIT_EDGES), 300)]
    waits = np.concatenate([edges, np.nextafter(edges, 0), np.nextafter(edges, np.inf),
                            rng.random(100) * 2000, [0.0, 598.5, 599.0, 600.0, 612.0]])  # fmt: skip
    # the first contact keeps the one agent busy; the others, queued at 0, abandon
    # after their patience: their waits are exactly these numbers
    rows = [{"type": "a", "at": 0.0, "handle": 1e9}]
    rows += [{"type": "a", "at": 0.0, "handle": 1.0, "patience": w} for w in waits]
    contacts = contacts_from_rows(plan, rows)
    a = engine.run_replication(plan, contacts)
    b = fast.run_day(plan, contacts)
    assert_same_outcome(a, b)
    np.testing.assert_array_equal(a.left[1:] - a.queued[1:], waits)
    hist = accumulate(plan, contacts, a)[2]
    expected = np.zeros_like(hist)
    np.add.at(expected[0, WAIT_ABANDONED], np.searchsorted(WAIT_EDGES, waits, "right") - 1, 1)
    expected[0, WAIT_ANSWERED, 0] = 1  # the first contact, answered at once
    np.testing.assert_array_equal(hist, expected)
    out, n_log, n = fast._run(plan, contacts, None, None, fast._tables(plan))
    kernel_hist = np.zeros_like(hist)
    counters.accumulate_day(*counters.day_arguments(plan, out, n, n_log),
                            np.zeros((1, 1, counters.N_TYPE_FIELDS)),
                            np.zeros((1, 1, counters.N_GROUP_FIELDS)), kernel_hist)  # fmt: skip
    np.testing.assert_array_equal(kernel_hist, hist)

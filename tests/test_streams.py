"""Random streams and contacts: reproducibility, common random numbers, arrivals.

Statistical checks use ``assert_matches`` (a mean within 4 standard errors) and, for
variances, the standard error of the sample variance estimated from the sample's 4th
central moment, se = sqrt((m4 - s**4) / n).
"""

from __future__ import annotations

import copy
import hashlib
import math
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields

import numpy as np
import pytest

import ccsim
from ccsim.plan import Plan, compile_plan
from ccsim.scenario.loader import scenario_from_dict
from ccsim.streams import STREAMS, Contacts, draw_contacts, poisson_arrivals, stream
from tests.helpers import assert_matches, stationary

SEED = 20240611
CONTACT_FIELDS = [f.name for f in fields(Contacts)]


def assert_variance(x: np.ndarray, exact: float, what: str, z: float = 4.0) -> None:
    x = np.asarray(x, dtype=float)
    n = len(x)
    var = x.var(ddof=1)
    m4 = float(np.mean((x - x.mean()) ** 4))
    se = math.sqrt(max(m4 - var**2, 0.0) / n)
    assert abs(var - exact) <= z * se, (
        f"{what}: variance {var:.6g} +- {se:.2g} (n={n}) vs exact {exact:.6g}: "
        f"{abs(var - exact) / se:.1f} standard errors apart"
    )


def base_scenario() -> dict:
    """Two half hours-worth of sales calls, with every per-contact variate in use."""
    return {
        "name": "crn",
        "horizon": {"start": "08:00", "intervals": 4, "interval": "30min"},
        "contact_types": [
            {
                "name": "sales",
                "arrivals": {"rate_per_hour": [60, 120, 0, 90]},
                "handle_time": {
                    "dist": "lognormal",
                    "mean": ["4min", "5min", "5min", "3min"],
                    "cv": 0.7,
                },
                "wrap_up": {"dist": "gamma", "mean": "30s", "cv": 0.5},
                "patience": {"dist": "exponential", "mean": "2min"},
            }
        ],
        "agent_groups": [{"name": "team", "skills": ["sales"], "staffing": [3, 4, 4, 3]}],
    }


def with_ivr(s: dict, deflection: object = 0.1, abandon: object = 0.05) -> dict:
    s = copy.deepcopy(s)
    s["ivr"] = {
        "time": {"dist": "exponential", "mean": "45s"},
        "deflection": deflection,
        "abandon": abandon,
    }
    return s


def plan_of(s: dict) -> Plan:
    return compile_plan(scenario_from_dict(s))


def assert_same_contacts(a: Contacts, b: Contacts) -> None:
    for name in CONTACT_FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def type_rows(c: Contacts, index: int) -> dict[str, np.ndarray]:
    keep = c.type == index
    return {
        n: getattr(c, n)[keep]
        for n in CONTACT_FIELDS
        if n not in ("type", "day_factor") and getattr(c, n) is not None
    }


# ------------------------------------------------------------- reproducibility
def test_same_seed_and_replication_give_identical_contacts() -> None:
    plan = plan_of(with_ivr(base_scenario()))
    a = draw_contacts(plan, SEED, 3)
    b = draw_contacts(plan, SEED, 3)
    assert len(a) > 50
    assert_same_contacts(a, b)


def test_replications_and_seeds_differ() -> None:
    plan = plan_of(base_scenario())
    r0, r1 = draw_contacts(plan, SEED, 0), draw_contacts(plan, SEED, 1)
    other = draw_contacts(plan, SEED + 1, 0)
    for c in (r1, other):
        assert len(c) != len(r0) or not np.array_equal(c.arrival, r0.arrival)
        n = min(len(c), len(r0))
        assert not np.array_equal(c.handle[:n], r0.handle[:n])


def test_named_streams_are_distinct_and_reproducible() -> None:
    draws = {
        (rep, owner, name): stream(SEED, rep, owner, name).random(4).tobytes()
        for rep in (0, 1)
        for owner in ("", "sales", "service")
        for name in STREAMS
    }
    assert len(set(draws.values())) == len(draws)
    assert stream(SEED, 1, "sales", "handle").random(4).tobytes() == draws[(1, "sales", "handle")]


PCG_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341


def test_stream_state_is_the_documented_hash_of_its_key() -> None:
    """Recompute a stream's PCG64 state by hand from the encoding in the module notes."""
    for seed, rep, owner, name in [
        (SEED, 3, "sales", "handle"),
        (0, 0, "", "day_factor"),
        (2**80 + 5, 12, "Kundendienst/Österreich", "absence"),
    ]:
        seed_bytes = seed.to_bytes((seed.bit_length() + 7) // 8, "little")
        owner_bytes = owner.encode()
        head = struct.pack("<QIII", rep, STREAMS.index(name), len(seed_bytes), len(owner_bytes))
        digest = hashlib.blake2b(
            head + seed_bytes + owner_bytes, digest_size=32, person=b"ccsim.stream"
        ).digest()
        w = [int.from_bytes(digest[8 * i : 8 * i + 8], "little") for i in range(4)]
        # PCG's seeding (pcg_setseq_128_srandom_r), as numpy does from a SeedSequence
        inc = ((((w[2] << 64) + w[3]) << 1) | 1) % 2**128
        state = (inc + (w[0] << 64) + w[1]) % 2**128  # state 0, one step, plus initstate
        state = (state * PCG_MULTIPLIER + inc) % 2**128
        got = stream(seed, rep, owner, name).bit_generator.state["state"]
        assert got == {"state": state, "inc": inc}
        assert inc % 2 == 1


def test_stream_keys_are_encoded_unambiguously() -> None:
    def first(seed: int, rep: int, owner: str, name: str = "handle") -> bytes:
        return stream(seed, rep, owner, name).random(2).tobytes()

    # CRC-32 collides on these two names (the former key used crc32(owner))
    assert zlib.crc32(b"plumless") == zlib.crc32(b"buckeroo")
    assert first(SEED, 0, "plumless") != first(SEED, 0, "buckeroo")
    # seed and owner bytes run together identically: the lengths tell them apart
    assert first(0x61, 0, "") != first(0, 0, "a")
    assert first(0x6162, 0, "") != first(0x62, 0, "a") != first(0, 0, "ba")
    # large seeds are fine, and differ from their low 64 bits
    assert first(2**64 + SEED, 0, "sales") != first(SEED, 0, "sales")
    for seed, rep in ((-1, 0), (0, -1)):
        with pytest.raises(ValueError, match="non-negative"):
            stream(seed, rep, "sales", "handle")
    with pytest.raises(ValueError):
        stream(SEED, 0, "sales", "no such stream")


def test_every_call_returns_a_new_generator() -> None:
    a, b = stream(SEED, 0, "sales", "handle"), stream(SEED, 0, "sales", "handle")
    assert a is not b and a.bit_generator is not b.bit_generator
    x = a.random(5)  # drawing from one leaves the other at the start
    np.testing.assert_array_equal(b.random(5), x)


def test_draws_do_not_depend_on_threads() -> None:
    plan = plan_of(with_ivr(base_scenario()))
    plan_two = plan_of(_routing_variant(with_ivr(base_scenario())))
    expected = [draw_contacts(plan, SEED, rep) for rep in range(16)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        # interleave two plans so that the threads' draws really overlap
        jobs = [
            pool.submit(draw_contacts, p, SEED, rep) for rep in range(16) for p in (plan, plan_two)
        ]
        got = [job.result() for job in jobs]
    for rep in range(16):
        assert_same_contacts(got[2 * rep], expected[rep])
        assert_same_contacts(got[2 * rep + 1], expected[rep])


def test_contacts_are_sorted_and_well_formed() -> None:
    plan = plan_of(base_scenario())
    c = draw_contacts(plan, SEED, 0)
    assert np.all(np.diff(c.arrival) >= 0)
    assert c.arrival.min() >= 0 and c.arrival.max() < plan.end
    np.testing.assert_array_equal(c.interval, (c.arrival // plan.interval).astype(np.int64))
    assert not np.any(c.interval == 2), "interval 2 has rate 0"
    assert np.all(c.handle > 0) and np.all(c.wrap_up > 0) and np.all(c.patience > 0)
    # without an IVR: no time in it, never deflected or abandoned there
    assert np.all(c.ivr_time == 0) and not c.ivr_deflect.any() and not c.ivr_abandon.any()
    np.testing.assert_array_equal(c.day_factor, [1.0])


def test_omitted_distributions_have_their_defaults() -> None:
    s = base_scenario()
    del s["contact_types"][0]["wrap_up"], s["contact_types"][0]["patience"]
    c = draw_contacts(plan_of(s), SEED, 0)
    assert np.all(c.wrap_up == 0) and np.all(np.isinf(c.patience))


def test_replication_does_not_depend_on_number_of_replications() -> None:
    scenario = ccsim.load_scenario(stationary(3, 2.0, hours=1.0, warmup_hours=0.25, patience=90.0))
    r3 = ccsim.simulate(scenario, replications=3, seed=SEED)
    r5 = ccsim.simulate(scenario, replications=5, seed=SEED)
    assert r3.type_acc.shape[0] == 3 and r5.type_acc.shape[0] == 5
    np.testing.assert_array_equal(r3.type_acc, r5.type_acc[:3])
    np.testing.assert_array_equal(r3.group_acc, r5.group_acc[:3])
    assert not np.array_equal(r5.type_acc[3], r5.type_acc[4])


# ------------------------------------------------------- common random numbers
def _staffing_variant(s: dict) -> dict:
    s["agent_groups"][0]["staffing"] = 12
    return s


def _shifts_variant(s: dict) -> dict:
    g = s["agent_groups"][0]
    del g["staffing"]
    g["shifts"] = [
        {
            "start": "08:00",
            "end": "10:00",
            "agents": 5,
            "breaks": [{"start": "1h", "duration": "10min"}],
        }
    ]
    return s


def _speed_policy_variant(s: dict) -> dict:
    s["agent_groups"][0].update(speed=1.4, policy="priority")
    return s


def _routing_variant(s: dict) -> dict:
    s["agent_groups"].append({"name": "backup", "skills": ["sales"], "staffing": 2})
    s["contact_types"][0]["groups"] = ["backup", "team"]
    return s


def _lines_variant(s: dict) -> dict:
    s["lines"] = 4
    return s


def _warmup_variant(s: dict) -> dict:
    s["horizon"]["warmup"] = "30min"
    s["horizon"]["max_drain"] = "1h"
    return s


@pytest.mark.parametrize(
    "change",
    [
        _staffing_variant,
        _shifts_variant,
        _speed_policy_variant,
        _routing_variant,
        _lines_variant,
        _warmup_variant,
    ],
    ids=["staffing", "shifts", "speed-policy", "routing", "lines", "warmup-drain"],
)
@pytest.mark.parametrize("ivr", [False, True], ids=["no-ivr", "ivr"])
def test_staffing_routing_and_lines_do_not_change_contacts(change, ivr: bool) -> None:  # noqa: ANN001
    s = with_ivr(base_scenario()) if ivr else base_scenario()
    a, b = plan_of(s), plan_of(change(copy.deepcopy(s)))
    for rep in (0, 7):
        assert_same_contacts(draw_contacts(a, SEED, rep), draw_contacts(b, SEED, rep))


@pytest.mark.parametrize("first", [True, False], ids=["new-type-first", "new-type-last"])
@pytest.mark.parametrize("ivr", [False, True], ids=["no-ivr", "ivr"])
def test_adding_a_contact_type_leaves_the_others_unchanged(first: bool, ivr: bool) -> None:
    one = with_ivr(base_scenario()) if ivr else base_scenario()
    two = copy.deepcopy(one)
    service = {
        "name": "service",
        "arrivals": {"rate_per_hour": 200},
        "handle_time": {"dist": "exponential", "mean": "6min"},
        "patience": {"dist": "weibull", "mean": "3min", "cv": 0.8},
    }
    if first:
        two["contact_types"].insert(0, service)
    else:
        two["contact_types"].append(service)
    two["agent_groups"][0]["skills"].append("service")
    p1, p2 = plan_of(one), plan_of(two)
    sales = p2.type_names.index("sales")
    assert sales == (1 if first else 0)
    for rep in (0, 4):
        a, b = draw_contacts(p1, SEED, rep), draw_contacts(p2, SEED, rep)
        assert np.sum(b.type != sales) > 50, "the new type has contacts"
        expected, got = type_rows(a, 0), type_rows(b, sales)
        for name, column in expected.items():
            np.testing.assert_array_equal(got[name], column, err_msg=name)


def test_adding_an_ivr_leaves_arrivals_and_times_unchanged() -> None:
    a = draw_contacts(plan_of(base_scenario()), SEED, 2)
    b = draw_contacts(plan_of(with_ivr(base_scenario())), SEED, 2)
    for name in ("type", "arrival", "interval", "handle", "wrap_up", "patience"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert np.all(b.ivr_time > 0)


def test_changing_one_rate_only_moves_contacts_from_that_interval_on() -> None:
    s = base_scenario()
    a = draw_contacts(plan_of(s), SEED, 0)
    s["contact_types"][0]["arrivals"]["rate_per_hour"] = [60, 120, 0, 150]
    b = draw_contacts(plan_of(s), SEED, 0)
    early = a.arrival < 3 * 1800.0
    np.testing.assert_array_equal(b.arrival[: early.sum()], a.arrival[early])
    np.testing.assert_array_equal(b.handle[: early.sum()], a.handle[early])


# ------------------------------------------------------------ Poisson arrivals
RATES = np.array([60.0, 0.0, 180.0, 30.0, 0.0, 120.0]) / 3600.0  # per second
LENGTH = 600.0


def test_poisson_counts_per_interval() -> None:
    reps = 3000
    counts = np.empty((reps, len(RATES)))
    fractions = [[] for _ in RATES]
    end = len(RATES) * LENGTH
    for i in range(reps):
        t, which = poisson_arrivals(np.random.default_rng([SEED, i]), RATES, LENGTH)
        assert (which == np.floor(t / LENGTH)).all()
        assert np.all(np.diff(t) >= 0), "sorted"
        assert len(t) == 0 or (t[0] >= 0 and t[-1] < end)
        k = (t // LENGTH).astype(int)
        counts[i] = np.bincount(k, minlength=len(RATES))
        if i < 300:
            for j in range(len(RATES)):
                fractions[j].extend(t[k == j] / LENGTH - j)
    for j, rate in enumerate(RATES):
        if rate == 0:
            assert np.all(counts[:, j] == 0), f"interval {j} has rate 0"
            continue
        assert_matches(counts[:, j], rate * LENGTH, f"count in interval {j}")
        assert_variance(counts[:, j], rate * LENGTH, f"Poisson variance in interval {j}")
        # within an interval, arrival times are uniform
        assert_matches(np.array(fractions[j]), 0.5, f"position within interval {j}")
    # counts of different intervals are independent
    r = np.corrcoef(counts[:, 0], counts[:, 2])[0, 1]
    assert abs(r) < 4 / math.sqrt(reps)


@pytest.mark.parametrize(
    "rate",
    [10 * RATES, np.full(4, 4.0), np.array([0.0, 3.0, 0.0, 0.5])],
    ids=["mixed", "busy", "zeros"],
)
def test_poisson_maps_the_same_interval_by_interval_or_all_at_once(rate, monkeypatch) -> None:  # noqa: ANN001
    import ccsim.streams

    def draw(loop_from: float) -> tuple[np.ndarray, np.ndarray]:
        monkeypatch.setattr(ccsim.streams, "_LOOP_FROM", loop_from)
        return poisson_arrivals(np.random.default_rng(SEED), rate, LENGTH)

    (t1, k1), (t2, k2) = draw(0), draw(math.inf)
    assert len(t1) > 100
    np.testing.assert_array_equal(t1, t2)
    np.testing.assert_array_equal(k1, k2)


def test_poisson_no_rate_no_arrivals() -> None:
    rng = np.random.default_rng(1)
    assert len(poisson_arrivals(rng, np.zeros(5), 1800.0)[0]) == 0
    assert len(poisson_arrivals(rng, np.array([0.0]), 1800.0)[0]) == 0


class _HalfGaps:
    """A stand-in generator whose 'exponential' gaps are all 0.5 (a regular grid)."""

    def standard_exponential(self, n: int) -> np.ndarray:
        return np.full(n, 0.5)


def test_poisson_inverts_the_cumulative_rate() -> None:
    # rate 1/s in [0, 10), 0 in [10, 20), 2/s in [20, 30): Lambda has a flat step
    t, which = poisson_arrivals(_HalfGaps(), np.array([1.0, 0.0, 2.0]), 10.0)  # type: ignore[arg-type]
    points = 0.5 * np.arange(1, 60)  # unit-rate points below Lambda(end) = 30
    expected = np.where(points < 10, points, 20 + (points - 10) / 2)
    np.testing.assert_allclose(t, expected, rtol=1e-12)


def test_poisson_draws_more_gaps_when_the_first_batch_falls_short() -> None:
    # 176 gaps of 0.5 reach 88 < Lambda(end) = 100: the loop must add more
    t, _ = poisson_arrivals(_HalfGaps(), np.array([1.0]), 100.0)  # type: ignore[arg-type]
    np.testing.assert_allclose(t, 0.5 * np.arange(1, 200), rtol=1e-12)


# ------------------------------------------------------- per-interval means
def test_handle_time_mean_per_arrival_interval() -> None:
    s = {
        "name": "means",
        "horizon": {"intervals": 3, "interval": "30min"},
        "contact_types": [
            {
                "name": "calls",
                "arrivals": {"rate_per_hour": 600},
                "handle_time": {"dist": "gamma", "mean": ["60s", "120s", "180s"], "cv": 0.8},
                "wrap_up": {"dist": "fixed", "mean": ["10s", "20s", "30s"]},
            }
        ],
        "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": 10}],
    }
    plan = plan_of(s)
    parts = [draw_contacts(plan, SEED, rep) for rep in range(30)]
    interval = np.concatenate([c.interval for c in parts])
    handle = np.concatenate([c.handle for c in parts])
    wrap = np.concatenate([c.wrap_up for c in parts])
    for k, mean in enumerate((60.0, 120.0, 180.0)):
        here = handle[interval == k]
        assert len(here) > 5000
        assert_matches(here, mean, f"handle mean in interval {k}")
        assert_variance(here / mean, 0.8**2, f"handle cv^2 in interval {k}")
        np.testing.assert_array_equal(wrap[interval == k], 10.0 * (k + 1))


# ------------------------------------------------------------------ day factor
def two_types(
    forecast_cv: float = 0.0, cvs: tuple[float, float] = (0.0, 0.0), rate: float = 1.0
) -> dict:
    types = [
        {
            "name": name,
            "arrivals": {"rate_per_hour": rate, "day_factor_cv": cv},
            "handle_time": {"dist": "fixed", "mean": "1min"},
        }
        for name, cv in zip(("a", "b"), cvs, strict=True)
    ]
    return {
        "name": "day-factor",
        "horizon": {"intervals": 1, "interval": "1h"},
        "forecast": {"day_factor_cv": forecast_cv},
        "contact_types": types,
        "agent_groups": [{"name": "team", "skills": ["a", "b"], "staffing": 1}],
    }


def day_factors(s: dict, reps: int) -> np.ndarray:
    plan = plan_of(s)
    return np.array([draw_contacts(plan, SEED, rep).day_factor for rep in range(reps)])


def test_no_day_factor_by_default() -> None:
    np.testing.assert_array_equal(day_factors(two_types(), 5), np.ones((5, 2)))


def test_shared_day_factor_has_mean_one_and_cv() -> None:
    f = day_factors(two_types(forecast_cv=0.2), 4000)
    np.testing.assert_array_equal(f[:, 0], f[:, 1])  # shared by all types
    assert_matches(f[:, 0], 1.0, "day factor mean")
    assert_variance(f[:, 0], 0.2**2, "day factor variance")
    assert np.all(f > 0)


def test_per_type_day_factors_are_independent() -> None:
    reps = 4000
    f = day_factors(two_types(cvs=(0.2, 0.3)), reps)
    for i, cv in enumerate((0.2, 0.3)):
        assert_matches(f[:, i], 1.0, f"type {i} day factor mean")
        assert_variance(f[:, i], cv**2, f"type {i} day factor variance")
    assert not np.any(f[:, 0] == f[:, 1])
    r = np.corrcoef(f[:, 0], f[:, 1])[0, 1]
    assert abs(r) < 4 / math.sqrt(reps), f"correlation {r:.3f}"


def test_shared_and_per_type_day_factors_multiply() -> None:
    reps = 4000
    f = day_factors(two_types(forecast_cv=0.2, cvs=(0.3, 0.0)), reps)
    assert_matches(f[:, 0], 1.0, "combined day factor mean")
    assert_variance(f[:, 0], (1 + 0.2**2) * (1 + 0.3**2) - 1, "combined day factor variance")
    assert_variance(f[:, 1], 0.2**2, "shared-only day factor variance")
    r = np.corrcoef(f[:, 0], f[:, 1])[0, 1]  # the shared part correlates the types
    exact = 0.2**2 / math.sqrt(0.2**2 * ((1 + 0.2**2) * (1 + 0.3**2) - 1))
    assert abs(r - exact) < 4 / math.sqrt(reps) * (1 - exact**2) + 0.02


@pytest.mark.parametrize(
    ("cv", "reps"), [(0.0, 800), (0.2, 1500)], ids=["poisson", "day-factor-0.2"]
)
def test_arrival_count_variance_with_day_factor(cv: float, reps: int) -> None:
    lam_t = 2000.0
    s = {
        "name": "overdispersed",
        "horizon": {"intervals": 8, "interval": "1h"},
        "forecast": {"day_factor_cv": cv},
        "contact_types": [
            {
                "name": "calls",
                "arrivals": {"rate_per_hour": lam_t / 8},
                "handle_time": {"dist": "fixed", "mean": "1min"},
            }
        ],
        "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": 1}],
    }
    plan = plan_of(s)
    counts = np.array([len(draw_contacts(plan, SEED, rep)) for rep in range(reps)], dtype=float)
    exact_var = lam_t + lam_t**2 * cv**2
    assert_matches(counts, lam_t, "arrivals per replication")
    assert_variance(counts, exact_var, "variance of arrivals per replication")
    if cv > 0:
        assert counts.var(ddof=1) / lam_t > 3, "far above Poisson's variance"


# ------------------------------------------------------------------- IVR flags
def test_ivr_deflection_and_abandon_fractions() -> None:
    s = with_ivr(base_scenario(), deflection=0.1, abandon=0.05)
    s["contact_types"][0]["arrivals"]["rate_per_hour"] = 2000
    plan = plan_of(s)
    parts = [draw_contacts(plan, SEED, rep) for rep in range(12)]
    deflect = np.concatenate([c.ivr_deflect for c in parts])
    abandon = np.concatenate([c.ivr_abandon for c in parts])
    ivr_time = np.concatenate([c.ivr_time for c in parts])
    assert len(deflect) > 40_000
    # the IVR's outcomes are exclusive and both probabilities unconditional
    assert not np.any(deflect & abandon), "deflected or hangs up in the IVR, not both"
    assert_matches(deflect, 0.1, "fraction deflected")
    assert_matches(abandon, 0.05, "fraction abandoning in the IVR")
    assert_matches(ivr_time, 45.0, "mean time in the IVR")


def test_ivr_probability_per_type() -> None:
    s = with_ivr(base_scenario(), deflection={"sales": 0.3}, abandon=0.0)
    s["contact_types"].append(
        {
            "name": "service",
            "arrivals": {"rate_per_hour": 2000},
            "handle_time": {"dist": "exponential", "mean": "5min"},
        }
    )
    s["contact_types"][0]["arrivals"]["rate_per_hour"] = 2000
    s["agent_groups"][0]["skills"].append("service")
    c = draw_contacts(plan_of(s), SEED, 0)
    assert not c.ivr_abandon.any()
    assert not c.ivr_deflect[c.type == 1].any(), (
        "a type missing from the mapping is never deflected"
    )
    assert_matches(c.ivr_deflect[c.type == 0], 0.3, "sales deflected")


def test_raising_deflection_deflects_a_superset() -> None:
    low = plan_of(with_ivr(base_scenario(), deflection=0.10))
    high = plan_of(with_ivr(base_scenario(), deflection=0.25))
    more = 0
    for rep in range(5):
        a, b = draw_contacts(low, SEED, rep), draw_contacts(high, SEED, rep)
        for name in CONTACT_FIELDS:
            if name not in ("ivr_deflect", "ivr_abandon"):
                np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
        assert not np.any(a.ivr_deflect & ~b.ivr_deflect), (
            "every contact deflected at 0.10 is at 0.25"
        )
        more += int(np.sum(b.ivr_deflect & ~a.ivr_deflect))
    assert more > 0

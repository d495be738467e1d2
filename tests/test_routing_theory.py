"""Routing and behaviour against queueing theory (issue 15).

Each case is a Markovian centre at constant load, warmed up for several relaxation
times, then measured over independent replications on the fast engine (the engines
agree contact by contact: tests/test_equivalence*.py). Every figure must match the
exact value within four standard errors of the replications' mean (``assert_matches``):

* priority: non-preemptive priority M/M/c, two classes (Cobham's formulas), with
  ``policy: priority`` and with ``priority_age`` and a head start so large that it is
  strict priority; ``priority_age`` with wait weights is Kleinrock's delay-dependent
  priority (the M/G/1 formula with the M/M/c residual C(c, a) / (c mu), as Cobham's);
* reservation: a group of c agents keeping k for its own skill is Erlang C with c - k
  agents for the other type, and with c agents for its own;
* balking: M/M/c + M where a caller who finds every agent busy hangs up at once with
  probability b, against the birth-death chain solved here (numpy, truncated);
* overflow after a delay d to the only group with agents: every wait is d + an
  Erlang C wait;
* a group's handle-time multiplier and own distribution: Erlang C with that mean;
* patience as a mixture, with no agent: every caller waits exactly its patience.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ccsim
from ccsim import erlang
from ccsim.results.kpis import WAIT_ABANDONED, WAIT_EDGES
from tests.helpers import assert_matches

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")

HANDLE = 60.0  # seconds; mu = 1 / 60


def centre(types: list[dict], groups: list[dict], hours: float, warmup: float = 1.0) -> dict:
    return {
        "name": "theory",
        "horizon": {"intervals": 1, "interval": f"{hours + warmup}h", "warmup": f"{warmup}h"},
        "contact_types": types,
        "agent_groups": groups,
    }


def ctype(name: str, rate_per_s: float, **extra: object) -> dict:
    return {
        "name": name,
        "arrivals": {"rate_per_hour": rate_per_s * 3600},
        "handle_time": {"dist": "exponential", "mean": HANDLE},
        **extra,
    }


def run(spec: dict, reps: int, seed: int = 7) -> ccsim.SimulationResult:
    return ccsim.simulate(ccsim.load_scenario(spec), replications=reps, seed=seed, engine="fast")


# --------------------------------------------------------------------------- priority
def cobham(agents: int, rates: list[float]) -> list[float]:
    """Mean waits per class, highest priority first, non-preemptive priority M/M/c.

    W_k = C(c, a) / (c mu) / ((1 - s_{k-1}) (1 - s_k)), s_k = sum_{i <= k} lambda_i / (c mu)
    (Cobham 1954; e.g. Kleinrock, Queueing Systems II, 3.7).
    """
    mu = 1 / HANDLE
    c_wait = erlang.erlang_c(agents, sum(rates) / mu)
    sigma = np.concatenate(([0.0], np.cumsum(rates) / (agents * mu)))
    return [
        c_wait / (agents * mu) / ((1 - sigma[k]) * (1 - sigma[k + 1])) for k in range(len(rates))
    ]


def kleinrock(agents: int, rates: list[float], weights: list[float]) -> list[float]:
    """Mean waits per class under delay-dependent priority b_p x wait (Kleinrock 1964).

    Classes in increasing weight b_1 <= ... <= b_P:
    W_p = (W0 / (1 - rho) - sum_{i<p} rho_i W_i (1 - b_i / b_p))
          / (1 - sum_{i>p} rho_i (1 - b_p / b_i)),
    with, for M/M/c, rho_i = lambda_i / (c mu) and W0 = C(c, a) / (c mu) (the mean time
    to the next departure when all agents are busy, times the chance they are).
    """
    mu = 1 / HANDLE
    rho_i = np.asarray(rates) / (agents * mu)
    rho = rho_i.sum()
    w0 = erlang.erlang_c(agents, sum(rates) / mu) / (agents * mu)
    waits: list[float] = []
    for p in range(len(rates)):
        ahead = sum(rho_i[i] * waits[i] * (1 - weights[i] / weights[p]) for i in range(p))
        behind = sum(rho_i[i] * (1 - weights[p] / weights[i]) for i in range(p + 1, len(rates)))
        waits.append((w0 / (1 - rho) - ahead) / (1 - behind))
    return waits


AGENTS, RATES = 5, [0.3 * 4 / HANDLE, 0.7 * 4 / HANDLE]  # load 4 Erlang on 5: rho 0.8


@pytest.mark.parametrize(
    "vip",
    [{"policy": "priority"}, {"policy": "priority_age", "head_start": "300d"}],
    ids=["priority", "huge-head-start"],
)
def test_non_preemptive_priority_is_cobham(vip) -> None:
    policy = vip.pop("policy")
    spec = centre(
        [ctype("vip", RATES[0], **vip), ctype("std", RATES[1])],
        [{"name": "team", "skills": ["vip", "std"], "staffing": AGENTS, "policy": policy}],
        hours=8.0,
    )
    r = run(spec, 200)
    exact = cobham(AGENTS, RATES)
    for name, w in zip(("vip", "std"), exact, strict=True):
        assert_matches(r.per_replication("asa_s", type=name), w, f"{name} asa_s")
    c_wait = erlang.erlang_c(AGENTS, sum(RATES) * HANDLE)  # work-conserving: Erlang C's
    assert_matches(r.per_replication("p_wait"), c_wait, "p_wait")


def test_priority_that_grows_with_the_wait_is_kleinrock() -> None:
    spec = centre(
        [ctype("std", RATES[1]), ctype("vip", RATES[0], wait_weight=3)],
        [
            {"name": "team", "skills": ["std", "vip"], "staffing": AGENTS, "policy": "priority_age"}
        ],  # fmt: skip
        hours=8.0,
    )
    r = run(spec, 200)
    exact = kleinrock(AGENTS, [RATES[1], RATES[0]], [1.0, 3.0])
    for name, w in zip(("std", "vip"), exact, strict=True):
        assert_matches(r.per_replication("asa_s", type=name), w, f"{name} asa_s")
    assert exact[1] < cobham(AGENTS, RATES)[1] / 2  # (between FCFS and strict priority)


# ------------------------------------------------------------------------ reservation
@pytest.mark.parametrize(("arriving", "servers"), [("sales", 4), ("fraud", 6)])
def test_reservation_leaves_the_other_type_c_minus_k_agents(arriving, servers) -> None:
    load = 3.0
    rates = {"fraud": 0.0, "sales": 0.0, arriving: load / HANDLE}
    spec = centre(
        [ctype(name, rate) for name, rate in rates.items()],
        [
            {
                "name": "desk",
                "skills": ["fraud", "sales"],
                "staffing": 6,
                "reserve": {"agents": 2, "skill": "fraud"},
            }
        ],  # fmt: skip
        hours=8.0,
    )
    r = run(spec, 100)
    lam = load / HANDLE
    assert_matches(r.per_replication("p_wait", arriving), erlang.erlang_c(servers, load), "p_wait")
    asa = erlang.erlang_c_asa(servers, lam, HANDLE)
    assert_matches(r.per_replication("asa_s", arriving), asa, "asa_s")
    assert_matches(r.per_replication("occupancy"), load / 6, "occupancy")


# ---------------------------------------------------------------------------- balking
def balking_chain(agents: int, lam: float, mu: float, theta: float, balk: float) -> dict:
    """M/M/c + M with balking, as a birth-death chain on the callers in the centre.

    Births lambda (n < c) or lambda (1 - b) (n >= c: a caller who finds every agent
    busy joins with probability 1 - b); deaths min(n, c) mu + (n - c)+ theta. Solved
    on 0..N with N far in the tail (the chain's stationary law, normalised).
    """
    n_max = agents + 60 + int(20 * lam / theta)
    n = np.arange(n_max + 1)
    birth = np.where(n < agents, lam, lam * (1 - balk))[:-1]
    death = (np.minimum(n, agents) * mu + np.maximum(n - agents, 0) * theta)[1:]
    log_p = np.concatenate(([0.0], np.cumsum(np.log(birth) - np.log(death))))
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    assert p[-1] < 1e-15  # the truncation is far out in the tail
    busy = p[n >= agents].sum()  # PASTA: the chance an arrival finds every agent busy
    queue = (np.maximum(n - agents, 0) * p).sum()
    return {
        "p_wait": busy,
        "balk_rate": balk * busy,
        "abandon_rate": queue * theta / lam,
        "mean_wait_s": queue / (lam * (1 - balk * busy)),  # Little, callers who joined
        "mean_queue": queue,
    }


def test_the_balking_chain_without_balking_is_erlang_a() -> None:
    """The oracle itself: b = 0 is Erlang A (ccsim.erlang, solved another way)."""
    exact = erlang.erlang_a(7, 6 / HANDLE, HANDLE, 90.0, 20.0)
    chain = balking_chain(7, 6 / HANDLE, 1 / HANDLE, 1 / 90.0, 0.0)
    assert chain["p_wait"] == pytest.approx(exact.p_wait, rel=1e-9)
    assert chain["abandon_rate"] == pytest.approx(exact.p_abandon, rel=1e-9)
    assert chain["mean_wait_s"] == pytest.approx(exact.mean_wait, rel=1e-9)


@pytest.mark.parametrize(("agents", "load", "balk"), [(5, 5.0, 0.3), (10, 8.0, 0.6)])
def test_balking_is_the_birth_death_chain(agents, load, balk) -> None:
    patience = 120.0
    spec = centre(
        [ctype("calls", load / HANDLE, balk=balk,
               patience={"dist": "exponential", "mean": patience})],
        [{"name": "team", "skills": ["calls"], "staffing": agents}],
        hours=6.0,
    )  # fmt: skip
    r = run(spec, 100)
    exact = balking_chain(agents, load / HANDLE, 1 / HANDLE, 1 / patience, balk)
    for kpi, value in exact.items():
        assert_matches(r.per_replication(kpi), value, kpi)


# ----------------------------------------------------------------- overflow after a wait
def test_overflow_after_a_delay_adds_the_delay_to_an_erlang_c_wait() -> None:
    """The first group has no agents: a contact reaches the second after d, always.

    Arrivals shifted by d are still Poisson and keep their order, so the contacts the
    second group may take form an M/M/c queue: every wait is d + an Erlang C wait.
    """
    agents, load, delay = 4, 3.0, 30.0
    spec = centre(
        [ctype("calls", load / HANDLE, groups=["first", {"group": "second", "after": delay}])],
        [{"name": "first", "skills": ["calls"], "staffing": 0},
         {"name": "second", "skills": ["calls"], "staffing": agents}],
        hours=8.0,
    )  # fmt: skip
    r = run(spec, 100)
    asa = delay + erlang.erlang_c_asa(agents, load / HANDLE, HANDLE)
    assert_matches(r.per_replication("asa_s"), asa, "asa_s")
    assert_matches(r.per_replication("p_wait"), 1.0, "p_wait")
    sl = erlang.erlang_c_service_level(agents, load / HANDLE, HANDLE, 60.0 - delay)
    spec["contact_types"][0]["service_level"] = {"threshold": "60s"}
    r = run(spec, 100)
    assert_matches(r.per_replication("service_level"), sl, "service_level (60 s)")


# -------------------------------------------------------------- handle time per group
@pytest.mark.parametrize(
    "own",
    [{"multiplier": 0.8}, {"dist": "exponential", "mean": 48}],
    ids=["multiplier", "own-distribution"],
)
def test_a_groups_handle_time_is_erlang_c_with_its_mean(own) -> None:
    agents, lam = 5, 4.5 / HANDLE  # 4.5 Erlang at the type's 60 s, 3.6 at the group's 48 s
    spec = centre(
        [ctype("calls", lam)],
        [{"name": "team", "skills": ["calls"], "staffing": agents, "handle_time": {"calls": own}}],
        hours=8.0,
    )
    r = run(spec, 100)
    mean = 48.0
    assert_matches(r.per_replication("p_wait"), erlang.erlang_c(agents, lam * mean), "p_wait")
    assert_matches(r.per_replication("asa_s"), erlang.erlang_c_asa(agents, lam, mean), "asa_s")
    assert_matches(r.per_replication("aht_s"), mean, "aht_s")


# ------------------------------------------------------------------ patience mixtures
def test_with_no_agent_every_caller_waits_its_patience_drawn_from_the_mixture() -> None:
    components = [(0.3, 20.0), (0.7, 240.0)]  # weights, exponential means
    mixture = [{"weight": w, "dist": "exponential", "mean": m} for w, m in components]
    spec = centre(
        [ctype("calls", 0.05, patience={"mixture": mixture})],
        [{"name": "team", "skills": ["calls"], "staffing": 0}],
        hours=4.0,
        warmup=0.0,
    )
    reps = []
    for seed in range(20):  # per replication: mean wait, share abandoned within 60 s
        r = run(spec, 1, seed=seed)
        hist = r.stats.wait_hist_sum[0, WAIT_ABANDONED]
        within = hist[: int(np.searchsorted(WAIT_EDGES, 60.0))].sum() / hist.sum()
        reps.append((r.per_replication("mean_wait_s")[0], within))
    waits, shares = np.array(reps).T
    assert_matches(waits, sum(w * m for w, m in components), "mean patience")
    cdf = sum(w * (1 - math.exp(-60.0 / m)) for w, m in components)
    assert_matches(shares, cdf, "P(patience < 60 s)")


# --------------------------------------------------------------------------- transfers
def test_a_share_of_handled_contacts_is_transferred() -> None:
    p = 0.25
    spec = centre(
        [ctype("a", 2.0 / HANDLE, transfer={"probability": p, "to": "b"}), ctype("b", 0.0)],
        [
            {"name": "ga", "skills": ["a"], "staffing": 6},
            {"name": "gb", "skills": ["b"], "staffing": 3},
        ],
        hours=4.0,
        warmup=0.0,
    )
    r = run(spec, 100)
    share = r.per_replication("transferred", "a") / r.per_replication("answered", "a")
    assert_matches(share, p, "transferred / answered")
    # every transfer reaches b, which nobody else calls
    transferred = r.per_replication("transferred", "a")
    np.testing.assert_array_equal(r.per_replication("offered", "b"), transferred)
    np.testing.assert_array_equal(r.per_replication("transfers", "b"), transferred)


@pytest.mark.slow
def test_priorities_over_many_replications() -> None:
    """Cobham and Kleinrock to a standard error of about 0.3 % of the waits."""
    spec = centre(
        [ctype("std", RATES[1]), ctype("vip", RATES[0], wait_weight=3)],
        [{"name": "team", "skills": ["std", "vip"], "staffing": AGENTS, "policy": "priority_age"}],
        hours=8.0,
    )
    r = run(spec, 3000, seed=11)
    exact = kleinrock(AGENTS, [RATES[1], RATES[0]], [1.0, 3.0])
    for name, w in zip(("std", "vip"), exact, strict=True):
        assert_matches(r.per_replication("asa_s", type=name), w, f"{name} asa_s")
    spec["contact_types"][1].pop("wait_weight")
    spec["agent_groups"][0].update(skills=["vip", "std"], policy="priority")
    r = run(spec, 3000, seed=11)
    for name, w in zip(("vip", "std"), cobham(AGENTS, RATES), strict=True):
        assert_matches(r.per_replication("asa_s", type=name), w, f"{name} asa_s")

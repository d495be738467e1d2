"""The SimPy engine against queueing theory (Erlang B, C, A and M/M/c/K).

Each case is a single-skill Markovian centre at constant load, warmed up, then
measured over many independent replications. Every KPI must match the exact value
within four standard errors of the replications' mean (see ``assert_matches``).
"""

from __future__ import annotations

import pytest

import ccsim
from ccsim import erlang
from tests.helpers import ROOT, assert_matches, stationary

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")  # overload on purpose

THRESHOLD = 20.0


ENGINES = pytest.mark.parametrize("engine", ["simpy", "fast"])


def run_file(path: str, replications: int, engine: str) -> ccsim.SimulationResult:
    scenario = ccsim.load_scenario(ROOT / path)
    return ccsim.simulate(scenario, replications=replications, seed=5, engine=engine)


def run(
    scenario: dict, replications: int, engine: str = "simpy", seed: int = 7
) -> ccsim.SimulationResult:
    scenario = ccsim.load_scenario(scenario)
    return ccsim.simulate(scenario, replications=replications, seed=seed, engine=engine)


@pytest.mark.parametrize(
    ("agents", "load", "hours", "reps"),
    [(1, 0.7, 24.0, 30), (20, 17.0, 8.0, 30), (100, 92.0, 4.0, 20)],
    ids=["1-agent", "20-agents", "100-agents"],
)
@ENGINES
def test_erlang_c(agents: int, load: float, hours: float, reps: int, engine: str) -> None:
    handle = 60.0
    r = run(stationary(agents, load, handle=handle, hours=hours), reps, engine)
    lam = load / handle
    assert_matches(r.per_replication("p_wait"), erlang.erlang_c(agents, load), "p_wait")
    assert_matches(r.per_replication("asa_s"), erlang.erlang_c_asa(agents, lam, handle), "asa_s")
    sl = erlang.erlang_c_service_level(agents, lam, handle, THRESHOLD)
    assert_matches(r.per_replication("service_level"), sl, "service_level")
    assert_matches(r.per_replication("occupancy"), load / agents, "occupancy")
    assert (r.per_replication("abandoned") == 0).all()


ERLANG_A_CASES = [
    # agents, load (Erlangs), mean patience (s), hours, replications
    (1, 1.5, 60.0, 24.0, 30),  # one agent, overloaded
    (10, 8.0, 30.0, 12.0, 30),  # light, impatient callers
    (50, 50.0, 120.0, 6.0, 20),  # critically loaded
]


@pytest.mark.parametrize(
    ("agents", "load", "patience", "hours", "reps"),
    ERLANG_A_CASES,
    ids=["1-agent-overload", "10-agents", "50-agents-critical"],
)
@ENGINES
def test_erlang_a(
    agents: int, load: float, patience: float, hours: float, reps: int, engine: str
) -> None:
    handle = 60.0
    r = run(stationary(agents, load, handle=handle, patience=patience, hours=hours), reps, engine)
    exact = erlang.erlang_a(agents, load / handle, handle, patience, THRESHOLD)
    checks = {
        "p_wait": exact.p_wait,
        "abandon_rate": exact.p_abandon,
        "asa_s": exact.asa,
        "mean_wait_s": exact.mean_wait,
        "service_level": exact.service_level,
        "service_level_answered": exact.service_level_answered,
        "service_level_excl_short_abandons": exact.service_level_excl_short_abandons,
        "occupancy": exact.occupancy,
        "mean_queue": exact.mean_wait * load / handle,  # Little: L_q = lambda W_q
    }
    for kpi, value in checks.items():
        assert_matches(r.per_replication(kpi), value, kpi)


@pytest.mark.parametrize(("agents", "load"), [(1, 0.5), (10, 8.0), (40, 45.0)])
@ENGINES
def test_erlang_b_with_lines(agents: int, load: float, engine: str) -> None:
    """M/M/c/c: as many trunk lines as agents and no queue."""
    r = run(stationary(agents, load, lines=agents, hours=8.0), 30, engine)
    assert_matches(r.per_replication("block_rate"), erlang.erlang_b(agents, load), "block_rate")
    assert_matches(r.per_replication("p_wait"), 0.0, "p_wait")
    carried = load * (1 - erlang.erlang_b(agents, load))
    assert_matches(r.per_replication("occupancy"), carried / agents, "occupancy")


@pytest.mark.parametrize(("agents", "lines", "load"), [(5, 8, 5.0), (20, 25, 22.0)])
@ENGINES
def test_finite_waiting_room(agents: int, lines: int, load: float, engine: str) -> None:
    """M/M/c/K: ``lines`` bounds contacts in queue plus in service."""
    handle = 60.0
    r = run(stationary(agents, load, handle=handle, lines=lines, hours=8.0), 30, engine)
    exact = erlang.mmck_metrics(agents, lines, load / handle, handle)
    assert_matches(r.per_replication("block_rate"), exact["p_block"], "block_rate")
    assert_matches(r.per_replication("p_wait"), exact["p_wait"], "p_wait")
    assert_matches(r.per_replication("occupancy"), exact["occupancy"], "occupancy")


def w1_exact() -> dict[str, float]:
    """W1's exact Erlang A values (published rounded: 0.96677, 0.007933, 2.336 s, ...)."""
    e = erlang.erlang_a(190, 1.0, 180.0, 300.0, THRESHOLD)
    return {
        "service_level": e.service_level,
        "abandon_rate": e.p_abandon,
        "asa_s": e.asa,
        "occupancy": e.occupancy,
        "p_wait": e.p_wait,
    }


@pytest.mark.slow
@pytest.mark.parametrize(("engine", "reps"), [("simpy", 40), ("fast", 400)])
def test_w1_matches_erlang_a(engine: str, reps: int) -> None:
    """W1 of the benchmark workloads: 190 agents, 1 call/s, 8 h measured."""
    r = run_file("scenarios/w1-erlang-a.yaml", reps, engine)
    for kpi, value in w1_exact().items():
        assert_matches(r.per_replication(kpi), value, kpi)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("agents", "load", "patience"),
    [(300, 315.0, 180.0), (500, 480.0, 600.0)],
    ids=["300-agents-overloaded", "500-agents"],
)
def test_erlang_a_large(agents: int, load: float, patience: float) -> None:
    handle = 180.0
    r = run(stationary(agents, load, handle=handle, patience=patience, hours=4.0), 20)
    exact = erlang.erlang_a(agents, load / handle, handle, patience, THRESHOLD)
    for kpi, value in {
        "p_wait": exact.p_wait,
        "abandon_rate": exact.p_abandon,
        "asa_s": exact.asa,
        "service_level": exact.service_level,
        "occupancy": exact.occupancy,
    }.items():
        assert_matches(r.per_replication(kpi), value, kpi)


@pytest.mark.slow
def test_erlang_b_large() -> None:
    r = run(stationary(200, 190.0, lines=200, hours=6.0), 30)
    assert_matches(r.per_replication("block_rate"), erlang.erlang_b(200, 190.0), "block_rate")

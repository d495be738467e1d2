"""Sweeps: grids of variants, a results store that survives interruptions, Dask."""

from __future__ import annotations

import json

import pytest

import ccsim
from ccsim.whatif import sweeps as sweep_module
from ccsim.whatif.sweeps import grid_points, sweep
from tests.helpers import SCENARIOS

GRID = {"agent_groups.team.staffing": ["+0", "+1", "+2"]}


@pytest.fixture(scope="module")
def helpdesk():
    return ccsim.load_scenario(SCENARIOS / "small-helpdesk.yaml")


def test_grid_points_are_the_cartesian_product() -> None:
    points = grid_points({"a": [1, 2], "b": ["x", "y"]})
    assert points == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]
    assert grid_points([{"a": 1}, {"a": 3}]) == [{"a": 1}, {"a": 3}]
    with pytest.raises(ValueError, match="give a list"):
        grid_points({"a": "+1"})


def test_a_staffing_sweep(helpdesk) -> None:
    table = sweep(helpdesk, GRID, replications=30, seed=2, engine="fast")
    assert list(table["point"]) == [0, 1, 2]
    assert list(table["agent_groups.team.staffing"]) == ["+0", "+1", "+2"]
    sl = table["service_level"].tolist()
    assert sl[0] < sl[1] < sl[2]
    assert (table["service_level_ci95_low"] <= table["service_level"]).all()
    # point "+0" is the base scenario itself, run on the same seed
    base = ccsim.simulate(helpdesk, replications=30, seed=2, engine="fast")
    assert table["service_level"][0] == pytest.approx(base.kpi("service_level"), rel=1e-12)


def test_a_bad_point_stops_the_sweep_before_anything_runs(helpdesk, monkeypatch) -> None:
    ran = []
    monkeypatch.setattr(sweep_module, "_run_point", lambda *a: ran.append(a) or {})
    with pytest.raises(ccsim.ScenarioError, match="point 1"):
        sweep(helpdesk, [{"agent_groups.team.staffing": "+1"}, {"agent_groups.teem.staffing": 3}])
    assert ran == []


def test_resume_after_an_interrupted_sweep_recomputes_nothing_finished(
    helpdesk, tmp_path, monkeypatch
) -> None:
    store = tmp_path / "store"
    real = sweep_module._run_point
    calls = []

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(sweep_module, "_run_point", counting)

    def interrupt(done, total):
        if done == 2:
            raise KeyboardInterrupt  # Ctrl-C after the second point finished

    with pytest.raises(KeyboardInterrupt):
        sweep(helpdesk, GRID, replications=20, seed=3, store=store, progress=interrupt)
    assert len(calls) == 2 and len(list(store.glob("point-*.parquet"))) == 2
    table = sweep(helpdesk, GRID, replications=20, seed=3, store=store)
    assert len(calls) == 3  # only the unfinished point ran
    again = sweep(helpdesk, GRID, replications=20, seed=3, store=store)
    assert len(calls) == 3  # everything from the store
    fresh = sweep(helpdesk, GRID, replications=20, seed=3)
    assert table["service_level"].tolist() == pytest.approx(
        fresh["service_level"].tolist(), rel=1e-12
    )
    assert again.equals(table)


def test_a_dask_cluster_gives_the_local_numbers(helpdesk) -> None:
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        remote = sweep(helpdesk, GRID, replications=10, seed=5, cluster=cluster.scheduler_address)
    local = sweep(helpdesk, GRID, replications=10, seed=5)
    cols = [c for c in local.columns if c != "warnings"]
    assert remote[cols].equals(local[cols])


def test_a_killed_sweep_command_resumes_without_redoing_finished_points(tmp_path) -> None:
    """Kill -9 the command mid-sweep; the rerun keeps every point file it had."""
    import signal
    import subprocess
    import sys
    import time

    file = tmp_path / "s.sweep.yaml"
    file.write_text(
        f"base: {SCENARIOS / 'small-helpdesk.yaml'}\nreplications: 300\n"
        "grid:\n  agent_groups.team.staffing: ['+0', '+1', '+2', '+3', '+4', '+5']\n"
    )
    store = tmp_path / "store"
    command = [sys.executable, "-m", "ccsim", "sweep", str(file), "--store", str(store), "--json"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(store.glob("point-*.parquet"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = {p.name: p.stat().st_mtime_ns for p in store.glob("point-*.parquet")}
    assert 2 <= len(before) < 6, "the sweep should have been killed part-way"
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    after = {p.name: p.stat().st_mtime_ns for p in store.glob("point-*.parquet")}
    assert len(after) == 6
    assert all(after[name] == mtime for name, mtime in before.items())  # not recomputed
    assert len(json.loads(done.stdout)) == 6


def test_unquoted_signed_values_in_a_sweep_file_are_relative(tmp_path) -> None:
    from ccsim.whatif.sweeps import load_sweep

    file = tmp_path / "s.sweep.yaml"
    file.write_text(
        f"base: {SCENARIOS / 'small-helpdesk.yaml'}\n"
        "grid:\n  agent_groups.team.staffing: [+0, +1, -1, 12]\n"
    )
    _, spec = load_sweep(file)
    assert spec.grid == {"agent_groups.team.staffing": ["+0", "+1", "-1", 12]}


def test_two_sweeps_into_one_store_share_the_work(tmp_path, monkeypatch) -> None:
    """Two sweeps started together on one store: every point runs once, both take part."""
    import threading
    import time
    import warnings

    ran: list[tuple[str, float]] = []

    def fake_point(scenario, replications, seed, engine, threads):
        ran.append((threading.current_thread().name, scenario.agent_groups[0].staffing))
        time.sleep(0.05)  # long enough for the other sweep to reach the store
        return {"service_level": 0.5}

    monkeypatch.setattr(sweep_module, "_run_point", fake_point)
    helpdesk = ccsim.load_scenario(SCENARIOS / "small-helpdesk.yaml")
    grid = {"agent_groups.team.staffing": list(range(5, 17))}
    tables, caught = {}, {}

    def one(name: str) -> None:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            tables[name] = sweep(helpdesk, grid, replications=2, store=tmp_path)
        caught[name] = [str(w.message) for w in seen]

    threads = [threading.Thread(target=one, args=(n,), name=n) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    points = [staffing for _, staffing in ran]
    assert sorted(points) == list(range(5, 17))  # each point once, over both sweeps
    assert {who for who, _ in ran} == {"a", "b"}  # the work was shared
    assert tables["a"].equals(tables["b"])  # and both return the whole table
    assert any("another sweep" in m for m in caught["a"] + caught["b"])
    assert len(list(tmp_path.glob("point-*.parquet"))) == 12

"""The web app's interactive loop: a lever change to updated KPIs, and the first page.

Run (from the repository root, with the app extra and Debian's chromium)::

    .venv/bin/python -m pytest benchmarks/test_bench_app.py -m benchmark --benchmark-only

Issue 16's targets on this 2-core machine: from a lever change on multiskill-day to
updated KPIs at 200 replications in under 2 s; the first page in under 1 s.

* ``api``: the lever change as the page sends it, over HTTP (FastAPI's TestClient, in
  process): check the variant, start the run, poll every 20 ms until its KPIs are
  there. The staffing of the sales team changes every round.
* ``browser``: ``ccsim app`` in a subprocess and Debian's Chromium driven by Playwright:
  a click on the sales team's "+1", until the new KPI cards are drawn (the page checks
  the variant and starts the run at once, polls every 100 ms); before each click the
  previous run's charts are drawn (untimed). The first page: a new
  browser context (empty cache) to the file list shown; Plotly.js (4.8 MB) loads after
  that, and its time is recorded too.

The compiled engine is loaded (a warm-up run) before anything is timed, as ``ccsim app``
does at start. ``ccsim.simulate`` of the same run, called directly, is timed in the same
session as the floor: the machine is shared, so what the app adds is the difference.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark
pytest.importorskip("fastapi", reason="the app extra is not installed: pip install -e '.[app]'")

from fastapi.testclient import TestClient  # noqa: E402

import ccsim  # noqa: E402
from ccsim.app.server import create_app  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MULTISKILL = "scenarios/multiskill-day.yaml"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "planning"
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    ccsim.simulate(root / MULTISKILL, replications=2)  # load the compiled kernel
    return root


def test_simulate_alone_the_floor(benchmark, record_seconds, folder) -> None:
    """The same run called directly: what the app adds is the difference to this."""
    scenario = ccsim.load_scenario(folder / MULTISKILL)
    benchmark.group = "app"
    result = benchmark.pedantic(
        ccsim.simulate, args=(scenario, 200), rounds=7, iterations=1, warmup_rounds=1
    )
    assert result.replications == 200
    record_seconds("app: ccsim.simulate alone (200 replications)")


def test_lever_change_to_kpis_over_the_api(benchmark, record_seconds, folder) -> None:
    base = ccsim.load_scenario(folder / MULTISKILL).agent_groups[0].staffing
    rounds = iter(range(1, 100))
    with TestClient(create_app(folder, warm_up=False), base_url="http://127.0.0.1") as client:

        def lever_to_kpis() -> dict:
            step = next(rounds) % 3 + 1
            changes = {"agent_groups.sales_team.staffing": [n + step for n in base]}
            checked = client.post("/api/variant", json={"path": MULTISKILL, "changes": changes})
            assert checked.status_code == 200
            body = {"kind": "simulate", "path": MULTISKILL, "changes": changes, "replications": 200}
            state = client.post("/api/runs", json=body).json()
            while state["status"] in ("queued", "running"):
                time.sleep(0.02)
                state = client.get(f"/api/runs/{state['id']}").json()
            return state

        lever_to_kpis()  # the first request of each kind loads pandas' tables
        benchmark.group = "app"
        state = benchmark.pedantic(lever_to_kpis, rounds=7, iterations=1, warmup_rounds=0)
    assert state["status"] == "done" and state["result"]["replications"] == 200
    record_seconds("app: lever change to KPIs (API, 200 replications)")


def test_first_page_over_the_api(benchmark, record_seconds, folder) -> None:
    with TestClient(create_app(folder, warm_up=False), base_url="http://127.0.0.1") as client:

        def first_page() -> None:
            for url in ("/", "/static/app.css", "/static/app.js", "/api/info", "/api/files"):
                assert client.get(url).status_code == 200

        benchmark.group = "app"
        benchmark.pedantic(first_page, rounds=10, iterations=1, warmup_rounds=1)
    record_seconds("app: first page (API)")


@pytest.fixture(scope="module")
def server(folder):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "ccsim", "app", str(folder), "--port", str(port), "--no-browser"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "ccsim app did not start"
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/"
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (Debian's chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def test_first_page_in_the_browser(benchmark, record_seconds, server, browser) -> None:
    contexts: list = []

    def fresh_page() -> tuple[tuple, dict]:
        for context in contexts:
            context.close()
        contexts[:] = [browser.new_context()]  # an empty cache every round
        return (contexts[0].new_page(),), {}

    def first_page(page) -> None:
        page.goto(server)
        page.wait_for_selector("#files[data-ready]")

    browser.new_page().goto(server)  # the server's first answers
    benchmark.group = "app"
    benchmark.pedantic(first_page, setup=fresh_page, rounds=7, iterations=1, warmup_rounds=0)
    plotly = []
    for _ in range(3):  # Plotly.js comes after the file list, for the first charts
        (page,), _ = fresh_page()
        start = time.perf_counter()
        page.goto(server)
        page.wait_for_function("window.Plotly !== undefined")
        plotly.append(time.perf_counter() - start)
    contexts[0].close()
    benchmark.extra_info["plotly_loaded_median_s"] = sorted(plotly)[1]
    record_seconds("app: first page (browser, file list shown)")


def test_lever_change_to_kpis_in_the_browser(benchmark, record_seconds, server, browser) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(120_000)
    page.goto(server)
    page.wait_for_selector("#files[data-ready]")
    page.click(f"#files button[data-path='{MULTISKILL}']")
    page.wait_for_selector(f"#workspace[data-open='{MULTISKILL}']")
    page.click("#run")
    page.wait_for_selector("#run-meta")
    steps = iter(["+1", "+1", "-1"] * 10)

    def lever_to_kpis() -> None:  # until the next run's cards are shown (by its run id)
        before = page.evaluate("document.querySelector('#result').dataset.run || ''")
        page.click(f"button[data-step='sales_team:{next(steps)}']")
        page.wait_for_function(
            "(before) => { const r = document.querySelector('#result');"
            " return (r.dataset.run || '') !== before && document.querySelector('#kpi-cards'); }",
            arg=before,
        )

    def charts_drawn() -> None:  # untimed: a planner reads the charts before the next change
        page.wait_for_selector("#result[data-charts='1']")

    lever_to_kpis()  # the variant is made
    benchmark.group = "app"
    benchmark.pedantic(lever_to_kpis, setup=charts_drawn, rounds=7, iterations=1, warmup_rounds=0)
    assert "200 replications" in page.inner_text("#run-meta")
    record_seconds("app: lever change to KPIs (browser, 200 replications)")

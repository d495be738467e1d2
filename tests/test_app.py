"""The web app's layer (ccsim.app) through its HTTP API, with FastAPI's TestClient.

What it must hold: the same numbers as the Python API (it adds no model logic), the
same validation messages as ``ccsim validate``, files read and written only inside its
folder, oversized and malformed uploads refused with a clear message, runs in the
background that can be cancelled and whose failures are shown without taking the
server down, and variants saved as files that ``ccsim compare`` runs unchanged.
"""

from __future__ import annotations

import io
import json
import shutil
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip(
    "fastapi", reason="the web app's extra is not installed: pip install -e '.[app]'"
)

import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import ccsim  # noqa: E402
from ccsim.app.runs import RunRegistry  # noqa: E402
from ccsim.app.server import create_app  # noqa: E402
from ccsim.cli import app as command  # noqa: E402
from ccsim.whatif.changes import apply_changes  # noqa: E402
from ccsim.whatif.options import option_scenarios  # noqa: E402
from tests.helpers import GOOD, ROOT  # noqa: E402

MULTISKILL = "scenarios/multiskill-day.yaml"
SMALL = "small.yaml"
MORE_SALES = {"agent_groups.sales_team.staffing": "+2"}
runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A planner's folder: the example scenarios, the experiments and a small centre."""
    root = tmp_path / "work"
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    shutil.copytree(
        ROOT / "experiments", root / "experiments", ignore=shutil.ignore_patterns("*.py")
    )
    (root / SMALL).write_text(GOOD)
    return root


@pytest.fixture
def client(folder: Path):
    app = create_app(folder, warm_up=False)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def finish(client: TestClient, state: dict, timeout: float = 120.0) -> dict:
    """Poll a run until it ends; its last state."""
    deadline = time.monotonic() + timeout
    while state["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"run {state['id']} still {state['status']}"
        time.sleep(0.02)
        state = client.get(f"/api/runs/{state['id']}").json()
    return state


def start(client: TestClient, **body) -> dict:
    response = client.post("/api/runs", json=body)
    assert response.status_code == 200, response.text
    return response.json()


# ------------------------------------------------------------------- the folder
@pytest.mark.parametrize(
    "name",
    ["../outside.yaml", "/etc/hosts.yaml", "scenarios/../../outside.yaml", ".hidden.yaml",
     "notes.txt", "C:/x.yaml", "scenarios\\..\\..\\outside.yaml"],
)  # fmt: skip
def test_names_that_leave_the_folder_are_refused(client, folder, name) -> None:
    outside = folder.parent / "outside.yaml"
    outside.write_text(GOOD)
    opened = client.get("/api/open", params={"path": name})
    assert opened.status_code == 400
    assert opened.json()["error"].startswith(name)
    written = client.post("/api/upload", json={"name": name, "text": GOOD, "overwrite": True})
    assert written.status_code == 400
    saved = client.post("/api/save/scenario", json={"path": SMALL, "to": name, "overwrite": True})
    assert saved.status_code == 400
    assert outside.read_text() == GOOD  # untouched


def test_a_link_out_of_the_folder_is_neither_listed_nor_opened(client, folder) -> None:
    secret = folder.parent / "secret.yaml"
    secret.write_text(GOOD)
    (folder / "link.yaml").symlink_to(secret)
    (folder / "linked").symlink_to(folder.parent, target_is_directory=True)
    listed = [f["path"] for f in client.get("/api/files").json()["files"]]
    assert "link.yaml" not in listed and not any(p.startswith("linked/") for p in listed)
    for name in ("link.yaml", "linked/secret.yaml"):
        response = client.get("/api/open", params={"path": name})
        assert response.status_code == 400
        assert "leads out of the folder" in response.json()["error"]
        assert (
            client.post(
                "/api/upload", json={"name": name, "text": GOOD, "overwrite": True}
            ).status_code
            == 400
        )
    assert secret.read_text() == GOOD


def test_the_folder_lists_scenarios_options_and_sweeps(client) -> None:
    files = {f["path"]: f["kind"] for f in client.get("/api/files").json()["files"]}
    assert files[MULTISKILL] == "scenario"
    assert files[SMALL] == "scenario"
    assert files["experiments/ivr-upgrade.options.yaml"] == "options"
    assert files["experiments/helpdesk-staffing.sweep.yaml"] == "sweep"
    assert {Path(p).suffix for p in files} == {".yaml"}


# ------------------------------------------------------------------- validation
BAD = GOOD.replace("intervals: 3", "intervals: 0").replace("mean: 4min", "mean: 4 parsecs")


@pytest.mark.parametrize("text", [GOOD, BAD, "name: [unclosed", "- a list\n- not a mapping\n"])
def test_validation_says_what_ccsim_validate_says(client, folder, monkeypatch, text) -> None:
    (folder / "centre.yaml").write_text(text)
    monkeypatch.chdir(folder)
    cli_result = runner.invoke(command, ["validate", "centre.yaml"])
    checked = client.post("/api/validate", json={"name": "centre.yaml", "text": text}).json()
    assert checked["message"] == cli_result.stderr.strip()
    assert checked["valid"] == (cli_result.exit_code == 0)
    opened = client.get("/api/open", params={"path": "centre.yaml"}).json()
    assert opened["message"] == checked["message"]


def test_a_malformed_upload_is_refused_with_its_line_and_not_written(client, folder) -> None:
    response = client.post(
        "/api/upload", json={"name": "new.yaml", "text": "name: x\nhorizon: [1,\n"}
    )
    assert response.status_code == 422
    message = response.json()["error"]
    assert message.startswith("error: new.yaml is not a valid scenario:")
    assert "new.yaml:3: (top level): not valid YAML" in message
    assert not (folder / "new.yaml").exists()


def test_an_oversized_upload_is_refused_before_it_is_read(folder) -> None:
    app = create_app(folder, warm_up=False, max_body=10_000)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        text = GOOD + "#" * 20_000
        response = client.post("/api/upload", json={"name": "big.yaml", "text": text})
        assert response.status_code == 413
        assert response.json()["error"] == (
            "too large: 20 KB; the app takes at most 10 KB (a scenario file is a few KB)"
        )

        def chunks():  # no Content-Length: counted as it arrives
            for _ in range(30):
                yield b"x" * 1000

        response = client.post(
            "/api/validate", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413
        assert "over 10 KB" in response.json()["error"]
        assert client.post("/api/upload", json={"name": "ok.yaml", "text": GOOD}).status_code == 200
    assert not (folder / "big.yaml").exists()
    assert (folder / "ok.yaml").read_text() == GOOD


def test_an_upload_does_not_replace_a_file_unless_asked(client, folder) -> None:
    first = client.post("/api/upload", json={"name": "mine/new.yaml", "text": GOOD})
    assert first.status_code == 200 and first.json()["valid"]
    changed = GOOD.replace("name: t", "name: t2")
    again = client.post("/api/upload", json={"name": "mine/new.yaml", "text": changed})
    assert again.status_code == 400 and "exists already" in again.json()["error"]
    assert (folder / "mine/new.yaml").read_text() == GOOD
    replaced = client.post(
        "/api/upload", json={"name": "mine/new.yaml", "text": changed, "overwrite": True}
    )
    assert replaced.status_code == 200
    assert ccsim.load_scenario(folder / "mine/new.yaml").name == "t2"


def test_only_loopback_names_and_the_apps_own_origin_are_answered(client) -> None:
    assert client.get("/api/info", headers={"Host": "attacker.example"}).status_code == 403
    assert client.get("/api/info", headers={"Host": "localhost:8765"}).status_code == 200
    body = {"name": "x.yaml", "text": GOOD}
    refused = client.post("/api/validate", json=body, headers={"Origin": "http://attacker.example"})
    assert refused.status_code == 403
    assert refused.json()["error"] == "requests from http://attacker.example are not accepted"
    own = client.post("/api/validate", json=body, headers={"Origin": "http://127.0.0.1"})
    assert own.status_code == 200


def test_the_page_and_plotly_are_served_and_nothing_comes_from_the_internet(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<title>ccsim what-if</title>" in page.text
    for asset in ("/static/app.js", "/static/app.css"):
        text = client.get(asset).text
        assert "http://" not in text and "https://" not in text, asset
    assert "http://" not in page.text and "https://" not in page.text
    plotly = client.get("/vendor/plotly.min.js")
    assert plotly.status_code == 200 and "plotly.js" in plotly.text[:200]


# -------------------------------------------------------------------- variants
def test_a_variant_is_the_scenario_with_its_changes(client, folder) -> None:
    base = client.get("/api/open", params={"path": MULTISKILL}).json()["glance"]
    changes = {**MORE_SALES, "contact_types.sales.arrivals.rate_per_hour": "*1.2",
               "ivr.deflection.service": 0.25}  # fmt: skip
    checked = client.post("/api/variant", json={"path": MULTISKILL, "changes": changes}).json()
    glance = checked["glance"]
    expected = apply_changes(ccsim.load_scenario(folder / MULTISKILL), changes)
    assert glance["groups"][0]["staffing"] == expected.agent_groups[0].staffing
    assert glance["groups"][0]["staffing"] == [n + 2 for n in base["groups"][0]["staffing"]]
    assert glance["types"][0]["rate_per_hour"] == pytest.approx(
        [1.2 * r for r in base["types"][0]["rate_per_hour"]]
    )
    assert glance["types"][1]["deflection"] == 0.25
    assert yaml.safe_load(checked["changes_yaml"]) == {"changes": changes}
    light = client.post(
        "/api/variant", json={"path": MULTISKILL, "changes": MORE_SALES, "erlang": False}
    )
    assert [g["erlang_a"] for g in light.json()["glance"]["groups"]] == [None, None, None]
    staffed = client.post("/api/variant", json={"path": MULTISKILL, "changes": MORE_SALES}).json()
    assert staffed["glance"]["groups"][0]["erlang_a"] == base["groups"][0]["erlang_a"]
    assert glance["groups"][0]["erlang_a"] != base["groups"][0]["erlang_a"]  # 20 % more sales calls


def test_invalid_changes_name_the_path_and_suggest(client) -> None:
    response = client.post(
        "/api/variant",
        json={
            "path": MULTISKILL,
            "name": "v1",
            "changes": {"agent_groups.sales_teem.staffing": "+1"},
        },
    )
    assert response.status_code == 422
    assert response.json()["error"] == (
        "error: the changes are not valid:\nchanges.agent_groups.sales_teem.staffing: unknown "
        "agent group 'sales_teem'; did you mean 'sales_team'? (option 'v1')"
    )


# ------------------------------------------------------------------------ runs
def test_a_run_gives_the_numbers_of_ccsim_simulate(client, folder) -> None:
    state = start(client, kind="simulate", path=MULTISKILL, changes=MORE_SALES,
                  replications=20, seed=7)  # fmt: skip
    state = finish(client, state)
    assert state["status"] == "done" and state["done"] == state["total"] == 20
    scenario = apply_changes(ccsim.load_scenario(folder / MULTISKILL), MORE_SALES)
    direct = ccsim.simulate(scenario, replications=20, seed=7)
    expected = json.loads(direct.to_json())
    result = state["result"]
    assert result["kpis"] == expected["kpis"]
    assert result["by_type"] == expected["by_type"]
    assert result["costs"] == expected["costs"]
    charts = client.get(f"/api/runs/{state['id']}/charts").json()
    assert charts["labels"] == direct.interval_labels()
    table = direct.by_interval
    for type_name in ("sales", "ALL"):
        rows = table[(table["type"] == type_name) & (table["kpi"] == "service_level")]
        assert charts["types"][type_name]["service_level"]["mean"] == rows["mean"].tolist()
    staffed = direct.by_group_interval
    staffed = staffed[(staffed["group"] == "fraud_desk") & (staffed["kpi"] == "staffed_hours")]
    assert charts["groups"]["fraud_desk"]["staffed"] == pytest.approx(
        (staffed["mean"] / 0.5).tolist()
    )


def test_a_runs_downloads_are_the_reports_and_tables_of_ccsim(client, folder) -> None:
    state = finish(
        client, start(client, kind="simulate", path=SMALL, name="more", replications=5, seed=3)
    )
    run = f"/api/runs/{state['id']}/files"
    direct = ccsim.simulate(folder / SMALL, replications=5, seed=3)
    report = client.get(f"{run}/report.html")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert report.headers["content-disposition"] == 'attachment; filename="small-more-report.html"'
    assert "<html" in report.text[:200].lower() and "data:image/png;base64," in report.text
    summary = client.get(f"{run}/summary.json").json()
    assert summary == json.loads(direct.to_json())
    csv = client.get(f"{run}/intervals.csv")
    frame = pd.read_csv(io.StringIO(csv.text))
    expected = direct.interval_table()
    assert len(frame) == len(expected) == (1 + 1) * 3  # (types + ALL) x intervals
    assert frame["service_level"].tolist() == pytest.approx(expected["service_level"].tolist())
    resolved = yaml.safe_load(client.get(f"{run}/scenario.yaml").text)
    assert ccsim.load_scenario(resolved) == ccsim.load_scenario(folder / SMALL)
    assert client.get(f"{run}/nothing.csv").status_code == 404


def test_a_cancelled_run_ends_cancelled_and_the_server_keeps_answering(client) -> None:
    state = start(client, kind="simulate", path=MULTISKILL, replications=10_000, seed=1)
    deadline = time.monotonic() + 60
    while state["done"] == 0 and state["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
        state = client.get(f"/api/runs/{state['id']}").json()
    assert state["status"] == "running"
    # other requests are answered while the run goes on
    before = time.monotonic()
    assert client.get("/api/files").status_code == 200
    assert client.post("/api/variant", json={"path": SMALL, "changes": {}}).status_code == 200
    answered = time.monotonic() - before
    assert client.get(f"/api/runs/{state['id']}").json()["status"] == "running"
    assert answered < 5.0
    client.post(f"/api/runs/{state['id']}/cancel")
    state = finish(client, state)
    assert state["status"] == "cancelled"
    assert state["result"] is None and state["done"] < 10_000
    assert client.get(f"/api/runs/{state['id']}/files/summary.json").status_code == 409
    again = finish(client, start(client, kind="simulate", path=SMALL, replications=3))
    assert again["status"] == "done"


def test_a_run_that_fails_shows_its_error_and_the_server_goes_on(client, monkeypatch) -> None:
    # a real failure: no group is staffed per interval, so there is nothing to search
    shifts_only = "scenarios/telco-week.yaml"
    state = finish(client, start(client, kind="staff", path=shifts_only, replications=2))
    assert state["status"] == "failed"
    assert "staffing search works on one day" in state["error"]

    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(ccsim, "simulate", broken)
    state = finish(client, start(client, kind="simulate", path=SMALL, replications=3))
    assert state["status"] == "failed" and state["error"] == "the engine broke"
    monkeypatch.undo()
    assert client.get("/api/info").status_code == 200
    assert (
        finish(client, start(client, kind="simulate", path=SMALL, replications=3))["status"]
        == "done"
    )


def test_unknown_and_unfinished_runs_are_clear_errors(client) -> None:
    assert client.get("/api/runs/r999").status_code == 404
    assert "no run r999" in client.get("/api/runs/r999").json()["error"]
    bad = client.post("/api/runs", json={"kind": "simulate", "path": SMALL, "replications": 1})
    assert bad.status_code == 400 and "replications" in bad.json()["error"]


# ------------------------------------------------------------ compare, search
def test_a_comparison_is_ccsim_compare_with_the_options_costs(client, folder) -> None:
    variants = [
        {
            "name": "more-sales",
            "changes": MORE_SALES,
            "costs": {"per_new_agent": 3000, "monthly": 100},
        },
        {"name": "ivr", "changes": {"ivr.deflection.service": 0.25}, "costs": {"one_off": 40000}},
    ]
    state = finish(client, start(client, kind="compare", path=MULTISKILL, variants=variants,
                                 replications=10, seed=5))  # fmt: skip
    assert state["status"] == "done", state["error"]
    result = state["result"]
    base = ccsim.load_scenario(folder / MULTISKILL)
    scenarios = {"base": base} | {v["name"]: apply_changes(base, v["changes"]) for v in variants}
    direct = ccsim.compare(scenarios, replications=10, seed=5)
    expected = json.loads(direct.to_json())
    assert result["order"] == ["more-sales", "ivr"]
    for name in ("more-sales", "ivr"):
        assert result["options"][name]["difference"] == expected["options"][name]["difference"]
    finance = result["options"]["more-sales"]["finance"]
    assert finance["investment"] == 3000 * 2  # two agents added at the sales team's peak
    assert finance["recurring_per_year"] == 12 * 100
    assert result["options"]["ivr"]["finance"]["investment"] == 40000
    table = pd.read_csv(
        io.StringIO(client.get(f"/api/runs/{state['id']}/files/differences.csv").text)
    )
    assert len(table) == len(direct.table())
    assert client.get(f"/api/runs/{state['id']}/charts").status_code == 400


def test_variants_saved_as_options_load_and_run_with_ccsim_compare(
    client, folder, monkeypatch
) -> None:
    variants = [
        {
            "name": "more-sales",
            "description": "two more",
            "changes": MORE_SALES,
            "costs": {"monthly": 50},
        },
        {"name": "faster", "changes": {"contact_types.service.handle_time.mean": "*0.9"}},
    ]
    to = "plans/mine.options.yaml"
    saved = client.post(
        "/api/save/options", json={"path": MULTISKILL, "variants": variants, "to": to}
    )
    assert saved.status_code == 200, saved.text
    loaded = ccsim.load_options(folder / to)
    assert [o.name for o in loaded.options] == ["more-sales", "faster"]
    assert loaded.options[0].costs.monthly == 50
    built = option_scenarios(loaded)
    base = ccsim.load_scenario(folder / MULTISKILL)
    assert built["base"] == base
    assert built["faster"] == apply_changes(base, variants[1]["changes"])
    monkeypatch.chdir(folder)
    ran = runner.invoke(command, ["compare", to, "-r", "2", "--json"])
    assert ran.exit_code == 0, ran.output
    assert set(json.loads(ran.stdout)["options"]) == {"more-sales", "faster"}
    reopened = client.get("/api/open", params={"path": to}).json()
    assert reopened["path"] == MULTISKILL and reopened["options_file"] == to
    assert [v["changes"] for v in reopened["variants"]] == [v["changes"] for v in variants]


def test_a_variant_saved_as_a_scenario_runs_as_is(client, folder) -> None:
    response = client.post("/api/save/scenario", json={"path": MULTISKILL, "changes": MORE_SALES,
                                                         "to": "more-sales.yaml"})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["message"].startswith("ok more-sales.yaml: 'multiskill-day'")
    expected = apply_changes(ccsim.load_scenario(folder / MULTISKILL), MORE_SALES)
    assert ccsim.load_scenario(folder / "more-sales.yaml") == expected


def test_an_options_file_opens_as_its_base_with_its_options_as_variants(client, folder) -> None:
    opened = client.get("/api/open", params={"path": "experiments/ivr-upgrade.options.yaml"}).json()
    assert opened["path"] == MULTISKILL
    file = ccsim.load_options(folder / "experiments/ivr-upgrade.options.yaml")
    assert [v["name"] for v in opened["variants"]] == [o.name for o in file.options]
    assert opened["variants"][3]["costs"]["per_seat_monthly"] == 30
    (folder / "escape.options.yaml").write_text(
        f"base: {ROOT / 'scenarios' / 'small-helpdesk.yaml'}\noptions:\n  - name: a\n    changes: {{}}\n"
    )
    response = client.get("/api/open", params={"path": "escape.options.yaml"})
    assert response.status_code == 400 and "is not in the folder" in response.json()["error"]
    (folder.parent / "secret.yaml").write_text("name: TOP-SECRET\nhorizon: 3\n")  # read by nothing
    (folder / "peek.options.yaml").write_text("base: ../secret.yaml\noptions:\n  - name: a\n")
    response = client.get("/api/open", params={"path": "peek.options.yaml"})
    assert response.json() == {
        "error": "peek.options.yaml: its base scenario ../secret.yaml is not in the folder"
    }


def test_the_staffing_search_is_ccsim_search_staffing(client, folder) -> None:
    state = finish(client, start(client, kind="staff", path=SMALL, replications=10, seed=2))
    assert state["status"] == "done", state["error"]
    result = state["result"]
    direct = ccsim.search_staffing(folder / SMALL, replications=10, seed=2)
    assert result["staffing"] == direct.staffing and result["start"] == direct.start
    assert result["met"] == direct.met and result["evaluations"] == direct.evaluations
    assert result["changes"] == {"agent_groups.team.staffing": direct.staffing["team"]}
    staffed = yaml.safe_load(client.get(f"/api/runs/{state['id']}/files/scenario.yaml").text)
    assert ccsim.load_scenario(staffed) == direct.scenario


# -------------------------------------------------------------- run registry
def test_the_registry_keeps_the_latest_runs_and_reports_progress() -> None:
    registry = RunRegistry(workers=1, keep=2)
    gate = threading.Event()

    def work(progress):
        for i in range(3):
            progress(i + 1, 3)
        gate.wait(5)
        return 42

    runs = [registry.submit("simulate", f"run {i}", work, lambda v: {"value": v}) for i in range(4)]
    gate.set()
    deadline = time.monotonic() + 10
    while runs[-1].status != "done":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert runs[-1].state()["result"] == {"value": 42} and runs[-1].done == 3
    registry.submit("simulate", "one more", work, lambda v: {})
    assert registry.get(runs[0].id) is None  # forgotten: beyond the two finished kept
    assert registry.get(runs[-1].id) is runs[-1]
    registry.shutdown()


# ------------------------------------------------------------------------ CLI
def test_ccsim_app_says_how_to_install_the_extra(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr("ccsim.app.missing_modules", lambda: ["fastapi", "uvicorn"])
    result = runner.invoke(command, ["app", str(tmp_path), "--no-browser"])
    assert result.exit_code == 2
    assert 'pip install -e ".[app]"' in result.stderr and "fastapi, uvicorn" in result.stderr


def test_ccsim_app_refuses_a_missing_folder_and_a_busy_port(monkeypatch, tmp_path) -> None:
    import socket

    served = []
    monkeypatch.setattr("ccsim.app.server.serve", lambda *a, **k: served.append((a, k)))
    missing = runner.invoke(command, ["app", str(tmp_path / "nowhere"), "--no-browser"])
    assert missing.exit_code == 2 and "no such folder" in missing.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(command, ["app", str(tmp_path), "--port", str(port), "--no-browser"])
    assert result.exit_code == 2 and "choose another port with --port" in result.stderr
    assert served == []
    ok = runner.invoke(command, ["app", str(tmp_path), "--port", "0", "--no-browser"])
    assert ok.exit_code == 0, ok.output
    assert served == [((tmp_path,), {"host": "127.0.0.1", "port": 0, "open_browser": False})]
    warned = runner.invoke(command, ["app", str(tmp_path), "--port", "0", "--host", "0.0.0.0"])
    assert warned.exit_code == 0 and "anyone who can reach this machine" in warned.stderr

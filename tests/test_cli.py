"""The ``ccsim`` command: run, validate, JSON contract, outputs and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from ccsim.cli.app import app
from tests.helpers import SCENARIOS

runner = CliRunner()
HELPDESK = str(SCENARIOS / "small-helpdesk.yaml")


def test_run_json_is_one_object_with_the_contract_fields() -> None:
    result = runner.invoke(app, ["run", HELPDESK, "--replications", "3", "--seed", "5", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"scenario", "engine", "replications", "seed", "kpis", "by_type", "by_group"} <= set(
        data
    )
    assert (data["scenario"], data["engine"], data["replications"], data["seed"]) == (
        "small-helpdesk",
        "fast",  # the default engine
        3,
        5,
    )
    kpis = {
        "offered",
        "answered",
        "abandoned",
        "blocked",
        "deflected",
        "service_level",
        "service_level_answered",
        "service_level_excl_short_abandons",
        "p_wait",
        "abandon_rate",
        "block_rate",
        "asa_s",
        "mean_wait_s",
        "aht_s",
        "occupancy",
    }
    assert kpis <= set(data["kpis"])
    sl = data["kpis"]["service_level"]
    assert sl["ci95"][0] <= sl["mean"] <= sl["ci95"][1]
    assert kpis - {"occupancy"} <= set(data["by_type"]["support"])
    assert set(data["by_group"]["team"]) >= {"occupancy"}


def test_same_seed_same_numbers_via_cli() -> None:
    a = runner.invoke(app, ["run", HELPDESK, "-r", "2", "--seed", "9", "--json"]).stdout
    b = runner.invoke(app, ["run", HELPDESK, "-r", "2", "--seed", "9", "--json"]).stdout
    assert a == b


def test_run_prints_a_table() -> None:
    result = runner.invoke(app, ["run", HELPDESK, "-r", "2", "--intervals"])
    assert result.exit_code == 0, result.output
    assert "service_level" in result.stdout and "08:30" in result.stdout


def test_out_writes_resolved_scenario_summary_and_interval_tables(tmp_path) -> None:
    out = tmp_path / "run1"
    result = runner.invoke(app, ["run", HELPDESK, "-r", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {
        "scenario.resolved.yaml",
        "summary.json",
        "intervals.csv",
        "intervals.parquet",
    }
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] is not None and summary["ccsim_version"]
    table = pd.read_parquet(out / "intervals.parquet")
    assert len(table) == 16 * 2  # one type + ALL, 16 intervals
    assert list(pd.read_csv(out / "intervals.csv").columns[:4]) == [
        "type",
        "interval",
        "start",
        "offered",
    ]
    # the resolved scenario is itself a valid scenario that reproduces the run
    again = runner.invoke(
        app,
        [
            "run",
            str(out / "scenario.resolved.yaml"),
            "-r",
            "2",
            "--json",
            "--seed",
            str(summary["seed"]),
        ],
    )
    assert json.loads(again.stdout)["kpis"] == summary["kpis"]


def test_validate_ok_and_bad(tmp_path) -> None:
    assert runner.invoke(app, ["validate", HELPDESK]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (SCENARIOS / "small-helpdesk.yaml")
        .read_text()
        .replace("skills: [support]", "skills: [suport]")
    )
    for command in (["validate", str(bad)], ["run", str(bad)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert "bad.yaml:" in result.stderr and "did you mean 'support'?" in result.stderr


def test_missing_file_and_unknown_engine() -> None:
    assert runner.invoke(app, ["run", "no-such-file.yaml"]).exit_code == 2
    result = runner.invoke(app, ["run", HELPDESK, "--engine", "warp"])
    assert result.exit_code == 2 and "unknown engine" in result.stderr


def test_overload_without_abandonment_finishes_and_warns(tmp_path) -> None:
    text = (SCENARIOS / "small-helpdesk.yaml").read_text()
    text = text.replace(
        "    patience: {dist: exponential, mean: 3min}   # omitted = never abandons\n", ""
    )
    text = text.replace("lines: 60 ", "# no lines ")
    text = text.replace(
        "staffing: [8, 11, 13, 14, 15, 14, 13, 12, 13, 13, 13, 11, 10, 8, 7, 5]", "staffing: 6"
    )
    path = tmp_path / "overload.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["run", str(path), "-r", "2", "--json"])
    assert result.exit_code == 0
    assert "overloaded" in result.stderr
    data = json.loads(result.stdout)
    assert data["kpis"]["abandoned"]["mean"] == 0
    assert data["kpis"]["answered"]["mean"] == data["kpis"]["offered"]["mean"]  # all drained


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ccsim", "validate", HELPDESK],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("flag", ["--help"])
def test_help(flag: str) -> None:
    assert "run" in runner.invoke(app, [flag]).stdout


EXPERIMENTS = SCENARIOS.parent / "experiments"


def test_compare_json_and_table() -> None:
    options = str(EXPERIMENTS / "ivr-upgrade.options.yaml")
    result = runner.invoke(app, ["compare", options, "-r", "5", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["options"]) == {"hire-5", "cross-train", "ivr-upgrade", "new-crm"}
    ivr = data["options"]["ivr-upgrade"]
    assert {"kpis", "difference", "costs", "finance"} <= set(ivr)
    assert ivr["costs"]["one_off"] == 40000
    assert (
        ivr["difference"]["service_level"]["ci95"][0] <= ivr["difference"]["service_level"]["mean"]
    )
    table = runner.invoke(app, ["compare", options, "-r", "5"])
    assert table.exit_code == 0 and "business case" in table.stdout


def test_compare_bad_options_file(tmp_path) -> None:
    bad = tmp_path / "bad.options.yaml"
    bad.write_text(
        f"base: {SCENARIOS / 'small-helpdesk.yaml'}\noptions:\n  - name: x\n"
        "    changes: {agent_groups.teem.staffing: 3}\n"
    )
    result = runner.invoke(app, ["compare", str(bad)])
    assert result.exit_code == 2
    assert "bad.options.yaml:4:" in result.stderr and "did you mean 'team'?" in result.stderr


def test_sweep_command_with_store_and_outputs(tmp_path) -> None:
    file = tmp_path / "s.sweep.yaml"
    file.write_text(
        f"base: {SCENARIOS / 'small-helpdesk.yaml'}\nreplications: 5\n"
        "grid:\n  agent_groups.team.staffing: ['+0', '+2']\n"
    )
    store, out = tmp_path / "store", tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(file), "--store", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(list(store.glob("point-*.parquet"))) == 2
    table = pd.read_parquet(out / "sweep.parquet")
    assert table["service_level"].iloc[1] > table["service_level"].iloc[0]
    bad = tmp_path / "bad.sweep.yaml"
    bad.write_text("base: x.yaml\ngird: {}\n")
    result = runner.invoke(app, ["sweep", str(bad)])
    assert result.exit_code == 2 and "unknown key 'gird'; did you mean 'grid'?" in result.stderr


def test_staff_command_writes_a_staffed_scenario(tmp_path) -> None:
    staffed = tmp_path / "staffed.yaml"
    result = runner.invoke(app, ["staff", HELPDESK, "-r", "20", "--json", "--write", str(staffed)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["met"] is True and len(data["staffing"]["team"]) == 16
    again = runner.invoke(app, ["validate", str(staffed)])
    assert again.exit_code == 0


def test_run_and_compare_write_html_reports(tmp_path) -> None:
    run_html, compare_html = tmp_path / "run.html", tmp_path / "compare.html"
    result = runner.invoke(
        app, ["run", HELPDESK, "-r", "3", "--engine", "fast", "--report", str(run_html)]
    )
    assert result.exit_code == 0, result.output
    assert run_html.read_text().count("data:image/png;base64,") >= 5
    options = str(EXPERIMENTS / "ivr-upgrade.options.yaml")
    result = runner.invoke(app, ["compare", options, "-r", "3", "--report", str(compare_html)])
    assert result.exit_code == 0, result.output
    assert "hire-5" in compare_html.read_text()


def test_run_writes_contact_records(tmp_path) -> None:
    path = tmp_path / "contacts.parquet"
    result = runner.invoke(
        app, ["run", HELPDESK, "-r", "2", "--engine", "fast", "--records", str(path)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(path)
    assert set(table["replication"]) == {0, 1}
    assert {
        "type",
        "arrival",
        "fate",
        "group",
        "queued",
        "answered",
        "left",
        "freed",
        "wait",
    } <= set(table.columns)
    assert set(table["fate"]) <= {
        "answered",
        "abandoned",
        "blocked",
        "deflected",
        "ivr_abandoned",
        "unserved",
    }

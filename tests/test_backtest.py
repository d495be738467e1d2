"""``ccsim calibrate`` and ``ccsim backtest`` as commands: files in, files out, errors.

The round trip the issue describes, through the commands: ``ccsim run --records``
writes a simulated centre's calls, ``ccsim calibrate --format ccsim --intervals``
reads them back with the staffing as an interval report, ``ccsim backtest`` replays
held-out days. A generic CSV with a column mapping goes the same way. Bad input is one
line on stderr and exit code 2.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import ccsim
from ccsim.cli.app import app

STAFF = [3, 4, 5, 5, 4, 3]
CENTRE = {
    "name": "tiny",
    "horizon": {"start": "09:00", "intervals": 6, "interval": "1h"},
    "contact_types": [{
        "name": "support", "arrivals": {"rate_per_hour": [30, 40, 50, 50, 40, 30]},
        "handle_time": {"dist": "lognormal", "mean": "4min", "cv": 0.7},
        "patience": {"dist": "exponential", "mean": "3min"},
    }],
    "agent_groups": [{"name": "team", "skills": ["support"], "staffing": STAFF}],
}  # fmt: skip
DAYS = 14


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The centre, its records for 14 days, and the staffing as an interval report."""
    folder = tmp_path_factory.mktemp("loop")
    scenario = folder / "centre.yaml"
    scenario.write_text(yaml.safe_dump(CENTRE))
    runner = CliRunner()
    records = folder / "records.parquet"
    res = runner.invoke(app, ["run", str(scenario), "-r", str(DAYS), "--records", str(records)])
    assert res.exit_code == 0, res.output
    rows = [{"start": (pd.Timestamp("2000-01-03") + pd.Timedelta(days=d, hours=9 + k)),
             "agents": STAFF[k]} for d in range(DAYS) for k in range(6)]  # fmt: skip
    report = folder / "staffing.csv"
    pd.DataFrame(rows).to_csv(report, index=False)
    return folder, records, report


def test_records_round_trip_through_the_commands(files) -> None:
    folder, records, report = files
    runner = CliRunner()
    out = folder / "calibrated.yaml"
    res = runner.invoke(app, ["calibrate", str(records), "--format", "ccsim", "--records-start",
                              "09:00", "--intervals", str(report), "--days",
                              "2000-01-03:2000-01-12", "--interval", "1h", "--capacity", "none",
                              "--day-types", "all", "--out", str(out), "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    est = pd.DataFrame(payload["estimates"]).set_index(["parameter", "type"])
    low, high = est.loc[("handle_time.mean", "support"), ["ci95_low", "ci95_high"]]
    assert low - (high - low) <= 240 <= high + (high - low)  # twice the 95 % half-width
    scenario = ccsim.load_scenario(out)
    assert scenario.horizon.start == "09:00" and scenario.agent_groups[0].staffing == STAFF
    res = runner.invoke(app, ["backtest", str(out), "--actuals", str(records), "--format",
                              "ccsim", "--records-start", "09:00", "--intervals", str(report),
                              "-r", "20", "--out", str(folder / "bt"), "--report",
                              str(folder / "bt.html")])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "backtest of 4 days (2000-01-13 to 2000-01-16)" in res.stdout
    daily = pd.read_csv(folder / "bt" / "daily.csv")
    assert set(daily["kpi"]) == {"service_level", "abandon_rate", "asa_s", "occupancy"}
    assert (folder / "bt.html").read_text().count("<img") == 2


def test_a_generic_csv_with_a_mapping_calibrates(files, tmp_path) -> None:
    _, records, report = files
    r = pd.read_parquet(records)
    day = pd.Timestamp("2000-01-03 09:00") + pd.to_timedelta(r["replication"], unit="D")

    def at(col: str) -> pd.Series:
        return (day + pd.to_timedelta(r[col], unit="s")).dt.strftime("%d.%m.%Y %H:%M:%S")

    csv = pd.DataFrame({"Start": at("arrival"), "Skill": r["type"],
                        "Result": r["fate"].map({"answered": "A", "abandoned": "X"}),
                        "Answered": at("answered").where(r["fate"] == "answered", ""),
                        "Left": at("left"), "Agent": "team"})  # fmt: skip
    csv.loc[r["fate"] == "answered", "LeftQueue"] = csv["Answered"]
    csv.loc[r["fate"] == "abandoned", "LeftQueue"] = csv["Left"]
    log = tmp_path / "export.csv"
    csv.to_csv(log, sep=";", index=False)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(yaml.safe_dump({
        "columns": {"arrival": "Start", "type": "Skill", "outcome": "Result",
                    "answer": "Answered", "talk_end": "Left", "queue_exit": "LeftQueue"},
        "outcomes": {"A": "answered", "X": "abandoned"}, "time_format": "%d.%m.%Y %H:%M:%S",
    }))  # fmt: skip
    res = CliRunner().invoke(app, ["calibrate", str(log), "--map", str(mapping), "--intervals",
                                   str(report), "--interval", "1h", "--capacity", "none",
                                   "--tables", str(tmp_path / "t")])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "support" in res.stdout and "capacity calibration: no capacity" in res.stdout
    patience = pd.read_csv(tmp_path / "t" / "patience_fits.csv")
    assert patience["chosen"].sum() == 1


def test_bad_input_is_one_line_and_exit_code_2(files, tmp_path) -> None:
    _, records, report = files
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text("when,queue,result\n2024-01-01 09:00,a,answered\n")
    res = runner.invoke(app, ["calibrate", str(bad)])
    assert res.exit_code == 2 and "missing column 'arrival'" in res.output
    res = runner.invoke(app, ["calibrate", str(records), "--format", "ccsim"])
    assert res.exit_code == 2 and "names no agents" in res.output
    res = runner.invoke(app, ["calibrate", str(records), "--format", "ccsim", "--intervals",
                              str(report), "--capacity", "magic"])  # fmt: skip
    assert res.exit_code == 2 and "unknown capacity calibration 'magic'" in res.output
    res = runner.invoke(app, ["calibrate", str(records), "--format", "csv"])
    assert res.exit_code == 2 and "unknown log format 'csv'" in res.output
    res = runner.invoke(app, ["calibrate", str(records), "--out", str(tmp_path / "x.txt")])
    assert res.exit_code == 2 and "--out" in res.output


def test_ctrl_c_stops_a_backtest_within_a_second_and_writes_nothing(files, tmp_path) -> None:
    from tests.helpers import interrupt

    folder, records, report = files
    out = tmp_path / "calibrated.yaml"
    res = CliRunner().invoke(app, ["calibrate", str(records), "--format", "ccsim",
                                   "--records-start", "09:00", "--intervals", str(report),
                                   "--days", "2000-01-03:2000-01-12", "--interval", "1h",
                                   "--capacity", "none", "--day-types", "all", "--out", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    results = tmp_path / "bt"
    code, seconds, err = interrupt(["backtest", str(out), "--actuals", str(records), "--format",
                                    "ccsim", "--records-start", "09:00", "--intervals",
                                    str(report), "-r", "50000", "--out", str(results)], after=4.0)  # fmt: skip
    assert code == 130 and seconds < 1.0, err
    assert "interrupted: the backtest stopped; nothing was written" in err
    assert "Traceback" not in err and list(results.iterdir()) == []

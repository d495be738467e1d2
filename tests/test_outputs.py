"""Output paths are checked before anything runs, and files are written whole or not at all."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import ccsim.cli.run
import ccsim.cli.whatif
from ccsim.cli.app import app
from ccsim.cli.outputs import atomic_path
from tests.helpers import ROOT, SCENARIOS

runner = CliRunner()
HELPDESK = str(SCENARIOS / "small-helpdesk.yaml")
OPTIONS = str(ROOT / "experiments" / "ivr-upgrade.options.yaml")
SWEEP = str(ROOT / "experiments" / "helpdesk-staffing.sweep.yaml")
READ_ONLY = "/proc/ccsim-test"
#: what the what-if commands call to simulate
SIMULATING = (
    "ccsim.whatif.comparison.compare",
    "ccsim.whatif.sweeps.sweep",
    "ccsim.whatif.staffing.search_staffing",
)  # a read-only file system, even for root


def no_simulation(*args: object, **kwargs: object) -> None:
    raise AssertionError("simulated although an output path is unusable")


@pytest.fixture
def afile(tmp_path):
    path = tmp_path / "afile"
    path.write_text("x")
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "{afile}"], "--out {afile}: is a file, not a folder"),
        (["--out", f"{READ_ONLY}/out"], f"--out {READ_ONLY}/out: cannot create folder"),
        (["--report", "{tmp}"], "--report {tmp}: is a folder; give a file name"),
        (["--report", "{afile}/x/report.html"], "{afile} is a file, not a folder"),
        (["--report", "{tmp}/r.txt"], "use a file ending in .html or .htm"),
        (["--records", f"{READ_ONLY}/r.parquet"], "cannot create folder"),
        (["--records", "{tmp}/r.json"], "use a file ending in .parquet or .csv"),
    ],
)
def test_run_refuses_unusable_outputs_before_simulating(
    monkeypatch, tmp_path, afile, args, message
) -> None:
    monkeypatch.setattr(ccsim.cli.run, "simulate", no_simulation)
    args = [a.format(afile=afile, tmp=tmp_path) for a in args]
    result = runner.invoke(app, ["run", HELPDESK, *args])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message.format(afile=afile, tmp=tmp_path) in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("command", "args"),
    [
        (["compare", OPTIONS], ["--out", "{afile}"]),
        (["compare", OPTIONS], ["--report", f"{READ_ONLY}/r.html"]),
        (["sweep", SWEEP], ["--store", "{afile}"]),
        (["sweep", SWEEP], ["--out", f"{READ_ONLY}/out"]),
        (["staff", HELPDESK], ["--write", f"{READ_ONLY}/staffed.yaml"]),
        (["staff", HELPDESK], ["--write", "{tmp}/staffed.txt"]),
    ],
)
def test_every_command_checks_its_outputs_first(monkeypatch, tmp_path, afile, command, args):
    for name in ("compare", "sweep", "search_staffing"):
        monkeypatch.setattr(
            f"ccsim.whatif.{'comparison' if name == 'compare' else 'sweeps' if name == 'sweep' else 'staffing'}.{name}",
            no_simulation,
        )  # noqa: E501
    args = [a.format(afile=afile, tmp=tmp_path) for a in args]
    result = runner.invoke(app, [*command, *args])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and "Traceback" not in result.output


def test_missing_folders_are_created_for_every_output(tmp_path) -> None:
    report = tmp_path / "a" / "b" / "report.html"
    records = tmp_path / "c" / "records.csv"
    out = tmp_path / "d" / "e"
    args = ["run", HELPDESK, "-r", "2", "--report", str(report), "--records", str(records)]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert report.stat().st_size > 10_000 and records.read_text().startswith("replication,")
    assert (out / "summary.json").exists()
    # no temporary or probe file is left behind
    leftovers = [p for p in tmp_path.rglob(".*") if p.is_file()]
    assert leftovers == []


def test_an_interrupted_write_leaves_the_old_file_untouched(tmp_path) -> None:
    target = tmp_path / "summary.json"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_written_files_get_the_usual_permissions(tmp_path) -> None:
    plain, atomic = tmp_path / "plain.txt", tmp_path / "atomic.txt"
    plain.write_text("x")
    with atomic_path(atomic) as tmp:
        tmp.write_text("x")
    assert atomic.stat().st_mode == plain.stat().st_mode

"""Ctrl-C stops every command within a second, says what was kept, writes nothing half.

The command runs in a child process with the default SIGINT handling (as in a terminal)
and gets SIGINT while it simulates.
"""

from __future__ import annotations

import pytest

from tests.helpers import ROOT, SCENARIOS, interrupt


@pytest.mark.parametrize("engine", ["fast", "simpy"])
def test_run_stops_within_a_second_and_writes_nothing(tmp_path, engine) -> None:
    out = tmp_path / "out"
    args = ["run", str(SCENARIOS / "multiskill-day.yaml"), "-r", "10000000", "--engine", engine]
    code, seconds, err = interrupt([*args, "--out", str(out)])
    assert code == 130, err
    assert seconds < 1.0
    assert "interrupted: stopped after" in err and "nothing was written" in err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []  # the folder was made up front, and left empty


def test_compare_stops_within_a_second() -> None:
    options = ROOT / "experiments" / "ivr-upgrade.options.yaml"
    code, seconds, err = interrupt(["compare", str(options), "-r", "10000000"])
    assert code == 130 and seconds < 1.0, err
    assert "nothing was written" in err

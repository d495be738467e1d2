"""Seeded golden outputs of every scenario in scenarios/.

A golden file is the ``to_dict()`` of a short seeded run. Any change to the model, the
random streams or the KPI definitions shows up here. Updating a golden is deliberate:
``pytest tests/test_golden.py --update-goldens``, then review the diff and say why in
CHANGES.md.
"""

from __future__ import annotations

import json
import math

import pytest

import ccsim
from tests.helpers import SCENARIOS

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")  # overload on purpose

GOLDEN = SCENARIOS.parent / "tests" / "golden"
FILES = sorted(SCENARIOS.glob("*.yaml"))


def _run(path) -> dict:
    result = ccsim.simulate(ccsim.load_scenario(path), replications=2, seed=12345, engine="simpy")
    return json.loads(result.to_json())


def _compare(got, want, where: str = "") -> None:
    if isinstance(want, dict):
        assert set(got) == set(want), f"{where}: keys differ"
        for key in want:
            _compare(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _compare(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and isinstance(got, (int, float)):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), f"{where}: {got} != {want}"
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden(path, update_goldens: bool) -> None:
    got = _run(path)
    golden = GOLDEN / f"{path.stem}.json"
    if update_goldens or not golden.exists():
        golden.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
        if not update_goldens:
            pytest.fail(f"{golden.name} did not exist; written now, review and commit it")
    _compare(got, json.loads(golden.read_text()), path.stem)

"""Scenario builders and statistical assertions shared by the tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

import ccsim
from ccsim import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def load_text(tmp_path, text: str):
    """Write a scenario's YAML (dedented) to a file under ``tmp_path`` and load it."""
    path = tmp_path / "centre.yaml"
    path.write_text(textwrap.dedent(text))
    return ccsim.load_scenario(path)


def problems(tmp_path, text: str) -> str:
    """The message of the ScenarioError that loading ``text`` raises."""
    with pytest.raises(ScenarioError) as info:
        load_text(tmp_path, text)
    return str(info.value)


def stationary(
    agents: int,
    load: float,
    handle: float = 60.0,
    patience: float | None = None,
    lines: int | None = None,
    hours: float = 8.0,
    warmup_hours: float = 1.0,
) -> dict:
    """A one-queue, one-group scenario with constant load (Erlang's assumptions)."""
    rate_per_hour = load / handle * 3600.0
    ct = {
        "name": "calls",
        "arrivals": {"rate_per_hour": rate_per_hour},
        "handle_time": {"dist": "exponential", "mean": handle},
        "service_level": {"threshold": "20s", "target": 0.8},
    }
    if patience is not None:
        ct["patience"] = {"dist": "exponential", "mean": patience}
    s = {
        "name": f"mmc-{agents}-{load}",
        "horizon": {
            "intervals": 1,
            "interval": f"{hours + warmup_hours}h",
            "warmup": f"{warmup_hours}h",
        },
        "contact_types": [ct],
        "agent_groups": [{"name": "agents", "skills": ["calls"], "staffing": agents}],
    }
    if lines is not None:
        s["lines"] = lines
    return s


def assert_matches(per_rep: np.ndarray, exact: float, what: str, z: float = 4.0) -> None:
    """Assert the replications' mean is within z standard errors of the exact value.

    The tolerance comes only from the replications' own standard error; z = 4 keeps
    the chance of a false alarm per check below 1e-4.
    """
    values = np.asarray(per_rep, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    assert n >= 10, f"{what}: too few replications ({n}) for a standard error"
    mean = values.mean()
    se = values.std(ddof=1) / np.sqrt(n)
    if se == 0:
        assert mean == pytest.approx(exact, abs=1e-12), what
        return
    assert abs(mean - exact) <= z * se, (
        f"{what}: simulated {mean:.6g} +- {se:.2g} (se, n={n}) vs exact {exact:.6g}: "
        f"{abs(mean - exact) / se:.1f} standard errors apart"
    )

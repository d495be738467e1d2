"""What the tests share: paths, scenario builders, engine replays, statistical assertions.

Shared helpers live here and only here; test modules import from this one, never from
each other.
"""

from __future__ import annotations

import dataclasses
import math
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import ccsim
from ccsim import ScenarioError
from ccsim.plan import Plan, compile_plan
from ccsim.results.outcome import FATES, Outcome
from ccsim.scenario.loader import scenario_from_dict
from ccsim.streams import Contacts, FollowUpPool, contacts_from_rows

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
#: the equivalence corpus: every example scenario and every file of tests/corpus
CORPUS = sorted(SCENARIOS.glob("*.yaml")) + sorted((ROOT / "tests" / "corpus").glob("*.yaml"))

#: a small valid scenario as a planner writes it (tests edit it line by line)
GOOD = """\
name: t
horizon:
  intervals: 3
  interval: 30min
contact_types:
  - name: support
    arrivals:
      rate_per_hour: [10, 20, 30]
    handle_time: {dist: exponential, mean: 4min}
    patience: {dist: exponential, mean: 3min}
agent_groups:
  - name: team
    skills: [support]
    staffing: 2
"""


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


# ------------------------------------------------------------- the two engines agree
def _assert_same(a: object, b: object, where: str) -> None:
    if a is None or b is None:
        assert a is None and b is None, f"{where}: present in one engine only"
    elif dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            _assert_same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif np.asarray(a).dtype.kind == "f":
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9, err_msg=where)
    else:
        np.testing.assert_array_equal(a, b, err_msg=where)


def assert_same_outcome(a: Outcome, b: Outcome) -> None:
    """Every field of two engines' :class:`Outcome` agrees (times within 1e-9 s).

    Walks the dataclass, so a field added to ``Outcome`` (or to the ``Contacts`` it
    may carry) is compared without anyone remembering to add it here.
    """
    _assert_same(a, b, "outcome")


def replay_both(
    plan: Plan,
    rows: list[dict],
    pool: dict[str, list[dict]] | None = None,
    default_type: str | None = None,
) -> Outcome:
    """Replay hand-made contacts in both engines, assert they agree; the reference's outcome.

    ``rows`` as :func:`ccsim.streams.contacts_from_rows` (``default_type`` fills a
    missing ``type``); ``pool`` the follow-up variates by type, as
    :meth:`FollowUpPool.from_rows`.
    """
    from ccsim.engines import fast
    from ccsim.engines.reference import run_replication

    if default_type is not None:
        rows = [{"type": default_type, **row} for row in rows]
    contacts = contacts_from_rows(plan, rows)

    def fresh() -> FollowUpPool | None:
        return None if pool is None else FollowUpPool.from_rows(plan, pool)

    a = run_replication(plan, contacts, pool=fresh())
    b = fast.run_day(plan, contacts, pool=fresh())
    assert_same_outcome(a, b)
    return a


# ------------------------------------------------------------- timeline builders
FIXED = {"dist": "fixed", "mean": 60}


def ctype(name: str = "support", **extra: object) -> dict:
    """A contact type mapping (the rows override every variate anyway)."""
    return {"name": name, "arrivals": {"rate_per_hour": 0}, "handle_time": FIXED, **extra}


def group(name: str = "team", skills: tuple[str, ...] = ("support",), **extra: object) -> dict:
    """An agent group mapping; pass staffing=... or shifts=..."""
    return {"name": name, "skills": list(skills), **extra}


def make_plan(
    types: list[dict] | None = None,
    groups: list[dict] | None = None,
    intervals: int = 2,
    interval: float = 100,
    warmup: float = 0,
    **extra: object,
) -> Plan:
    """Compile a tiny scenario: ``intervals`` intervals of ``interval`` seconds."""
    return compile_plan(
        scenario_from_dict(
            {
                "name": "timeline",
                "horizon": {"intervals": intervals, "interval": interval, "warmup": warmup},
                "contact_types": types or [ctype()],
                "agent_groups": groups or [group(staffing=1)],
                **extra,
            }
        )
    )


# At one instant: ends of talk, then ends of wrap-up, then other fates, then answers.
_KIND_ORDER = {"ended": 0, "freed": 1, "answered": 3}


def timeline(plan: Plan, out: Outcome) -> list[tuple]:
    """What happened, sorted by time: ``(t, "c<i>", event[, group])``.

    ``c<i>`` is the i-th contact in arrival order. An answered contact gives
    ``answered`` (with the group), ``ended`` (end of talk) and, when it had a wrap-up,
    ``freed`` (its agent finished the wrap-up). Any other contact gives its fate at the
    time it left (``unserved`` at t = inf). At one instant, ends of talk come first,
    then ends of wrap-up, other fates and answers; then contacts in arrival order.
    """
    events = []
    for c in range(len(out.fate)):
        name = f"c{c}"
        fate = FATES[out.fate[c]]
        if fate == "answered":
            events.append(
                (float(out.answered[c]), name, "answered", plan.group_names[out.group[c]])
            )
            events.append((float(out.left[c]), name, "ended"))
            if out.freed[c] != out.left[c]:
                events.append((float(out.freed[c]), name, "freed"))
        elif fate == "unserved":
            events.append((math.inf, name, fate))
        else:
            events.append((float(out.left[c]), name, fate))
    return sorted(events, key=lambda e: (e[0], _KIND_ORDER.get(e[2], 2), int(e[1][1:])))


def staffing_log(plan: Plan, out: Outcome) -> list[tuple[float, str, int]]:
    """The staffing log as ``(t, group, +n/-n)`` in the order the engine wrote it."""
    return [
        (float(t), plan.group_names[g], int(d))
        for t, g, d in zip(out.staff_time, out.staff_group, out.staff_delta, strict=True)
    ]


def replay(plan: Plan, rows: list[dict]) -> tuple[Contacts, Outcome]:
    """Run the reference engine on hand-made contacts (default type ``support``)."""
    from ccsim.engines.reference import run_replication

    contacts = contacts_from_rows(plan, [{"type": "support", **row} for row in rows])
    return contacts, run_replication(plan, contacts)


# An options file whose IVR option changes the mix of contact types and nothing else.
_MIX_BASE = """\
name: status-and-billing
horizon: {start: "08:00", intervals: 6, interval: 30min}
ivr:
  time: {dist: fixed, mean: 30s}
  deflection: {status: 0.2}
contact_types:
  - name: status        # quick calls on a desk with room to spare: all answered at once
    arrivals: {rate_per_hour: 120}
    handle_time: {dist: exponential, mean: 2min}
    patience: {dist: exponential, mean: 3min}
    service_level: {threshold: 20s, target: 0.8}
    groups: [status_desk]
  - name: billing
    arrivals: {rate_per_hour: 60}
    handle_time: {dist: exponential, mean: 6min}
    patience: {dist: exponential, mean: 2min}
    service_level: {threshold: 20s, target: 0.8}
    groups: [billing_team]
agent_groups:
  - {name: status_desk, skills: [status], staffing: 30}
  - {name: billing_team, skills: [billing], staffing: 7}
"""
_MIX_OPTIONS = """\
base: base.yaml
options:
  - name: status-self-service
    description: >
      The IVR answers half of the
      status calls itself.
    changes:
      ivr.deflection.status: 0.5
  - name: billing-plus-one
    changes:
      agent_groups.billing_team.staffing: "+1"
"""


def mix_options(folder: Path) -> Path:
    """Write a two-queue centre and its options file into ``folder``; return the file.

    ``status-self-service`` has the IVR self-serve more status calls: no queue's service
    changes (status calls are all answered at once on their own desk, billing calls are
    the same customers on their own team), only the mix of types the centre answers.
    ``billing-plus-one`` adds a billing agent: a change within a type.
    """
    (folder / "base.yaml").write_text(_MIX_BASE)
    (folder / "mix.options.yaml").write_text(_MIX_OPTIONS)
    return folder / "mix.options.yaml"


# ------------------------------------------------------------- commands and Ctrl-C
CCSIM = [sys.executable, "-m", "ccsim"]


def interrupt(args: list[str], after: float = 3.0) -> tuple[int, float, str]:
    """Start ``ccsim args``, send SIGINT after ``after`` s; exit code, seconds to stop, stderr."""
    child = subprocess.Popen(
        [*CCSIM, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    time.sleep(after)
    assert child.poll() is None, "the command ended before it could be interrupted"
    start = time.perf_counter()
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    return child.returncode, time.perf_counter() - start, err

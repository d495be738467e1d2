"""The codes the engines share are written once (ccsim.engines.codes), and read from there.

Each code is defined once: in the module its concept belongs to (fates in
``ccsim.results.outcome``, roster kinds in ``ccsim.plan``, ...) or in
``ccsim.engines.codes``; the engines and the kernel import it from ``codes``. The
checks below parse the engines' sources and fail when a code is written a second time
(a copy that could drift) or compared as a bare number; each check is shown to fail on
a planted copy.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from ccsim import followups, plan, streams
from ccsim.engines import codes, kernel
from ccsim.engines import reference as engine
from ccsim.results import kpis, outcome
from ccsim.scenario.loader import load_scenario
from tests.helpers import ROOT, SCENARIOS

ENGINES = ROOT / "ccsim" / "engines"
#: every module of the engines and the kernel but the codes themselves
SOURCES = sorted(p for p in ENGINES.rglob("*.py") if p.name not in ("codes.py", "__init__.py"))
SOURCES += [ENGINES / "kernel" / "__init__.py", ENGINES / "reference" / "__init__.py"]
#: arrays (and values) of the engines that hold codes: comparing them with a bare number
#: writes a code again
CODED = {"fate", "cb_state", "callback", "followed", "c_kind", "kind", "a_state", "astate",
         "state", "roster_kind", "group_policy", "policy"}  # fmt: skip


def is_code(name: str) -> bool:
    """A name of a code (or of a family of codes), with or without a leading underscore."""
    name = name.lstrip("_")
    return name in codes.VALUES or name.startswith(("PRIO", "F_", "G_", "POOL_"))


def names(target: ast.expr) -> list[str]:
    """The names an assignment binds (not those inside subscripts of its targets)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for element in target.elts for n in names(element)]
    if isinstance(target, ast.Starred):
        return names(target.value)
    return []


def holds_codes(node: ast.expr) -> bool:
    """``fate``, ``fate[c]``, ``self.fate[c]``, ... (see CODED)."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr in CODED
    return isinstance(node, ast.Name) and node.id in CODED


def is_number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) is int


def copies(source: str) -> list[str]:
    """Codes that ``source`` defines again, or compares as bare numbers."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for name in (n for target in targets for n in names(target)):
                if is_code(name):
                    found.append(f"line {node.lineno}: {name} assigned")
            if (
                node.value is not None
                and is_number(node.value)
                and any(isinstance(t, ast.Subscript) and holds_codes(t) for t in targets)
            ):
                found.append(f"line {node.lineno}: a code written as a number")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(holds_codes(s) for s in sides) and any(is_number(s) for s in sides):
                found.append(f"line {node.lineno}: a code compared as a number")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ENGINES)))
def test_the_engines_write_no_code_again(path: Path) -> None:
    assert copies(path.read_text()) == []


@pytest.mark.parametrize(
    "planted",
    [
        "_ANSWERED = 1",  # the kernel's old copies
        "ANSWERED, ABANDONED = 1, 2",
        "_F_QUEUE_TIME = 16",
        "_PRIO = np.array([5, 4, 3])",
        "if fate[c] == 1:\n    pass",
        "if a_state[g, a] != 2:\n    pass",
        "x = 1 if roster_kind[i] == 3 else 0",
        "if self.fate[c] == -1:\n    pass",
        "longest = group_policy[g] == 0",
        "fate[c] = 1",
        "cb_state[c] = 2",
    ],
)
def test_the_check_finds_a_planted_copy(planted: str) -> None:
    kernel = (ENGINES / "kernel" / "day.py").read_text()
    assert copies(kernel) == []
    assert copies(kernel + "\n" + planted + "\n") != []


def test_each_code_is_its_owners() -> None:
    owners = [outcome, plan, streams]
    for name, value in codes.VALUES.items():
        for owner in owners:
            if hasattr(owner, name):
                assert getattr(owner, name) == value, (owner.__name__, name)
    assert codes.ANSWERED is outcome.ANSWERED and codes.JOIN is plan.JOIN
    assert codes.REDIAL is streams.REDIAL
    assert plan.POLICIES[codes.LONGEST_WAITING] == "longest_waiting"
    assert plan.POLICIES[codes.PRIORITY_ORDER] == "priority"
    assert plan.POLICIES[codes.PRIORITY_AGE] == "priority_age"


def test_fates_name_their_codes() -> None:
    fates = {name: getattr(codes, name.upper(), None) for name in outcome.FATES}
    assert fates == {name: i for i, name in enumerate(outcome.FATES)}
    assert codes.QUEUED not in fates.values()
    assert engine.FATES is outcome.FATES


def test_codes_of_a_family_differ() -> None:
    families = [
        ("PENDING", "ANSWERED", "ABANDONED", "BLOCKED", "DEFLECTED", "IVR_ABANDONED",
         "UNSERVED", "CALLBACK_MISSED", "BALKED", "QUEUED"),
        ("NO_CALLBACK", "CALLBACK_DECLINED", "CALLBACK_ACCEPTED"),
        ("NOT_FOLLOWED", "REDIALLED", "UNRESOLVED", "TRANSFERRED"),
        ("FIRST", "REDIAL", "REPEAT", "TRANSFER"),
        ("JOIN", "LEAVE", "BREAK", "CLOSE"),
        ("ABSENT", "ON", "DRAINING", "ON_BREAK"),
        ("LONGEST_WAITING", "PRIORITY_ORDER", "PRIORITY_AGE"),
        ("WAIT_ANSWERED", "WAIT_ABANDONED"),
        ("ARRIVE", "IVR_END", "ABANDON", "TALK_END", "WRAP_END", "ROSTER", "BREAK_END",
         "FOLLOW_UP", "DIAL_END", "OVERFLOW", "HANDOVER"),
    ]  # fmt: skip
    for family in families:
        values = [codes.VALUES[name] for name in family]
        assert len(set(values)) == len(values), family
    assert max(codes.VALUES[name] for name in families[-1]) < 16  # 4 bits of an event key


def test_priorities_follow_the_tie_break_rules() -> None:
    # roster events and returns from breaks, departures, overflows, abandonments, ends
    # of IVR, handovers of transfers, arrivals, follow-up arrivals; after SimPy's
    # URGENT (0)
    order = ["PRIO_ROSTER", "PRIO_DEPARTURE", "PRIO_OVERFLOW", "PRIO_ABANDON", "PRIO_IVR_END",
             "PRIO_HANDOVER", "PRIO_ARRIVAL", "PRIO_FOLLOW_UP"]  # fmt: skip
    assert [codes.VALUES[name] for name in order] == list(range(1, 9))
    kinds = {"ARRIVE": "PRIO_ARRIVAL", "IVR_END": "PRIO_IVR_END", "ABANDON": "PRIO_ABANDON",
             "TALK_END": "PRIO_DEPARTURE", "WRAP_END": "PRIO_DEPARTURE",
             "DIAL_END": "PRIO_DEPARTURE", "ROSTER": "PRIO_ROSTER",
             "BREAK_END": "PRIO_ROSTER", "FOLLOW_UP": "PRIO_FOLLOW_UP",
             "OVERFLOW": "PRIO_OVERFLOW", "HANDOVER": "PRIO_HANDOVER"}  # fmt: skip
    for kind, priority in kinds.items():
        assert codes.PRIORITY[codes.VALUES[kind]] == codes.VALUES[priority], kind
    assert len(codes.PRIORITY) == len(kinds)


def test_counter_fields_are_the_kpis_order() -> None:
    fields = {name[2:].lower(): v for name, v in codes.VALUES.items() if name.startswith("F_")}
    assert fields == {name: i for i, name in enumerate(kpis.TYPE_FIELDS)}
    groups = {name[2:].lower(): v for name, v in codes.VALUES.items() if name.startswith("G_")}
    assert groups == {name: i for i, name in enumerate(kpis.GROUP_FIELDS)}
    assert codes.N_TYPE_FIELDS == len(kpis.TYPE_FIELDS)
    assert codes.N_GROUP_FIELDS == len(kpis.GROUP_FIELDS)


def test_pool_rows_are_the_pools_columns() -> None:
    rows = {name[5:].lower(): v for name, v in codes.VALUES.items() if name.startswith("POOL_")}
    assert rows == {name: i for i, name in enumerate(followups.FollowUpPool.COLUMNS)}


def test_the_kernels_bundles_follow_the_fields_they_carry() -> None:
    contacts = [f.name for f in dataclasses.fields(streams.Contacts)]
    assert list(kernel.Contacts._fields) == [f for f in contacts if f != "day_factor"]
    compiled = plan.compile_plan(load_scenario(SCENARIOS / "multiskill-day.yaml"))
    roster = tuple(getattr(compiled, "roster_" + f) for f in kernel.Roster._fields)
    assert all(a is b for a, b in zip(compiled.roster, roster, strict=True))

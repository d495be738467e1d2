"""The equivalence corpus uses every key of the scenario format, and every choice.

``tests/test_equivalence.py`` checks the two engines contact by contact on a corpus of
scenarios (``scenarios/`` and ``tests/corpus/``). It guards a feature only if some file
of the corpus uses it. This test walks the scenario model (pydantic) and fails when a
key, a choice of a ``Literal`` (a distribution's shape, a routing policy, a channel), a
form of a key that takes several (a number, a list per interval, a mapping per type;
a group's name or ``{group, after}`` in a routing order; one shape or a mixture)
appears in no corpus file: a feature added to ``ccsim/scenario.py`` without a corpus
scenario that uses it is caught here, before the two engines can drift apart on it.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator

import yaml
from pydantic import BaseModel

from ccsim.scenario.distributions import Distribution
from ccsim.scenario.model import MixtureComponent, Scenario
from tests.helpers import CORPUS

#: Sections that work the same wherever they appear, checked once for the whole file:
#: a distribution is sampled by the same code (ccsim.scenario.distributions) for every key, and
#: both engines read the same drawn values.
SHARED = {Distribution: "distribution", MixtureComponent: "distribution"}

#: Keys that cannot change what happens to a contact, so the engines cannot disagree on
#: them (dotted paths; a trailing ``.*`` for a whole section).
NOT_SIMULATED = {
    "name": "a label",
    "description": "a label",
    "contact_types.name": "a label (types are referred to by name)",
    "agent_groups.name": "a label",
    "agent_groups.activities.name": "a label",
    "days.name": "a label",
    "contact_types.service_level.*": "the KPI's threshold and target, read after the run",
    "costs.*": "money, computed from the KPIs after the run",
}


def _forms(annotation: object) -> Iterator[object]:
    """The alternatives of a union (``X | Y``, ``Optional``) or the annotation itself."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                yield from _forms(arg)
    elif origin is typing.Annotated:
        inner = typing.get_args(annotation)[0]
        if inner is not type(None):  # (a tagged None of a discriminated union)
            yield from _forms(inner)
    else:
        yield annotation


def _kind(form: object) -> str:
    """How a value of this form is written: a section, a list, a mapping or a value."""
    origin = typing.get_origin(form) or form
    if isinstance(origin, type) and issubclass(origin, BaseModel):
        return "section"
    if origin in (list, tuple):
        return "list"
    if origin is dict:
        return "mapping"
    return "value"


def _value_kind(value: object) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list | tuple):
        return "list"
    return "value"


def _inner(form: object) -> object | None:
    """The item type of a list, the value type of a mapping (None for other forms)."""
    origin = typing.get_origin(form)
    args = typing.get_args(form)
    if origin in (list, tuple) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _sections(form: object) -> list[type[BaseModel]]:
    """The models of a section, of a list of sections or of a mapping to sections.

    Several when the section, item or value is a union of models (a patience: one
    shape or a mixture).
    """
    inner = _inner(form)
    return [f for f in _forms(form if inner is None else inner) if _kind(f) == "section"]  # type: ignore[misc]


def _item_kinds(form: object) -> set[str]:
    """How the items of a list (values of a mapping) of this form may be written."""
    inner = _inner(form)
    if inner is None:
        return set()
    return {_kind(f) if _kind(f) != "section" else "mapping" for f in _forms(inner)}


def _matches(section: type[BaseModel], item: object) -> bool:
    """Whether ``item`` (as written) is a value of ``section``: its keys are the model's."""
    return isinstance(item, dict) and set(item) <= set(section.model_fields)


def _prefix(section: type[BaseModel], path: str) -> str:
    return f"{SHARED[section]}." if section in SHARED else f"{path}."


def _skipped(path: str) -> bool:
    return path in NOT_SIMULATED or any(
        key.endswith(".*") and (path == key[:-2] or path.startswith(key[:-1]))
        for key in NOT_SIMULATED
    )


def required(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Everything the corpus must use: ``path``, ``path=choice``, ``path:form``."""
    out: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if _skipped(path):
            continue
        out.add(path)
        forms = list(_forms(info.annotation))
        kinds = {_kind(f) if _kind(f) != "section" else "mapping" for f in forms}
        if len(kinds) > 1:  # several ways to write it: each one is a feature
            out |= {f"{path}:{k}" for k in kinds}
        for form in forms:
            if typing.get_origin(form) is typing.Literal:  # (the default: every file omitting it)
                out |= {f"{path}={c}" for c in typing.get_args(form) if c != info.default}
            items = _item_kinds(form)
            if len(items) > 1:  # items written in several ways: each one is a feature
                out |= {f"{path}[]:{k}" for k in items}
            sections = _sections(form)
            if len(sections) > 1:  # one of several sections: each one is a feature
                out |= {f"{path}:{section.__name__}" for section in sections}
            for section in sections:
                out |= required(section, _prefix(section, path))
    return out


def used(model: type[BaseModel], data: object, prefix: str = "") -> set[str]:
    """What one scenario file (its YAML, as written) uses, in the terms of :func:`required`."""
    out: set[str] = set()
    if not isinstance(data, dict):
        return out
    for name, value in data.items():
        info = model.model_fields.get(name)
        if info is None:
            continue
        path = f"{prefix}{name}"
        out.add(path)
        out.add(f"{path}:{_value_kind(value)}")
        if isinstance(value, str):  # (choices are words)
            out.add(f"{path}={value}")
        for form in _forms(info.annotation):
            if _kind(form) == "list" and isinstance(value, list):
                items = value
            elif _kind(form) == "mapping" and isinstance(value, dict):
                items = list(value.values())
            else:
                items = [value]
            if _inner(form) is not None:
                out |= {f"{path}[]:{_value_kind(item)}" for item in items}
            sections = _sections(form)
            for section in sections:
                for item in items:
                    if len(sections) > 1 and not _matches(section, item):
                        continue
                    out.add(f"{path}:{section.__name__}")
                    out |= used(section, item, _prefix(section, path))
    return out


def test_the_corpus_uses_every_key_choice_and_form() -> None:
    needed = required(Scenario)
    seen: set[str] = set()
    for path in CORPUS:
        seen |= used(Scenario, yaml.safe_load(path.read_text()))
    missing = sorted(needed - seen)
    assert not missing, (
        "no scenario of the equivalence corpus (scenarios/, tests/corpus/) uses: "
        + ", ".join(missing)
        + "; add them to a corpus file (tests/corpus/every-feature.yaml) or, if they "
        "cannot change a contact's fate, to NOT_SIMULATED with the reason"
    )


def test_the_walk_sees_what_a_file_uses() -> None:
    data = {
        "ivr": {"time": {"dist": "lognormal", "mean": 30, "cv": 0.5}, "deflection": {"a": 0.1}},
        "agent_groups": [{"name": "g", "skills": ["a"], "staffing": [1, 2], "policy": "priority"}],
        "costs": {"currency": "EUR"},
    }
    seen = used(Scenario, data)
    assert {"distribution.dist=lognormal", "ivr.deflection:mapping", "agent_groups.staffing:list",
            "agent_groups.policy=priority", "distribution.cv", "ivr.time"} <= seen  # fmt: skip
    needed = required(Scenario)
    assert "ivr.deflection:value" in needed and "ivr.deflection:mapping" in needed
    assert "contact_types.channel=email" in needed and "contact_types.channel=voice" not in needed
    assert "distribution.dist=empirical" in needed and "contact_types.redial.delay" in needed
    assert not any(path.startswith("costs") for path in needed)

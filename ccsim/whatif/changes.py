"""Changes to a scenario written as dotted paths: the language of options and sweeps.

A planner writes what differs from the base scenario, not a new scenario:
``agent_groups.team.staffing: "+2"`` (two more agents in every interval),
``contact_types.support.handle_time.mean: "*0.9"`` (10 % shorter handle time),
``ivr.deflection.service: 0.25``. Paths walk mappings by key, the named lists
(``contact_types``, ``agent_groups``) by ``name`` and other lists by position; values
are absolute, relative (``+``, ``-``, ``*``, with time units on durations), per-interval
lists of either, ``null`` to remove, or a mapping at a new name to create an item.
:func:`apply_changes` applies them to a scenario and validates the result, naming the
option and the path of any problem.
"""

from __future__ import annotations

import copy
import math
import re
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from pydantic import BaseModel

from ccsim.scenario.checks import unknown_name
from ccsim.scenario.loader import scenario_from_dict
from ccsim.scenario.model import Scenario, ScenarioError
from ccsim.scenario.units import Duration, parse_duration

__all__ = ["NAMED_LISTS", "OptionsError", "apply_changes"]

Path_ = tuple[str | int, ...]

#: Lists whose items are found by ``name`` in a change path, and what an item is called.
NAMED_LISTS = {"contact_types": "contact type", "agent_groups": "agent group"}
_DURATION_META = Duration.__metadata__
_MISSING: Any = object()


class OptionsError(ScenarioError):
    """An options file, or an option's changes, that is not valid.

    Like :class:`~ccsim.scenario.ScenarioError` (and caught with it): ``problems`` is a
    list of ``(path, message)`` where ``path`` leads to the offending value in the
    options file, e.g. ``("options", 2, "changes", "agent_groups.teem.staffing")``;
    the message names the option.
    """


# ----------------------------------------------------------------------- changes
def apply_changes(scenario: Scenario, changes: Mapping[str, Any], option: str = "") -> Scenario:
    """Apply an option's changes to a scenario and validate the result.

    Parameters
    ----------
    scenario : Scenario
        The base scenario; it is not modified.
    changes : mapping of str to any
        Dotted path to new value, applied in order (see the module docstring for the
        paths and the absolute, relative, per-interval, ``None`` and new-item values).
    option : str
        The option's name, quoted in error messages.

    Returns
    -------
    Scenario
        A new validated scenario.

    Raises
    ------
    OptionsError
        If a path names something that does not exist, a relative value meets
        something that is not a number, a per-interval list has the wrong length, or
        the changed scenario is not valid. Paths read ``changes.<dotted path>``; a
        problem the changed scenario has elsewhere is reported at ``changes``.

    Examples
    --------
    >>> more = apply_changes(base, {"agent_groups.team.staffing": "+2"})  # doctest: +SKIP
    """
    changed, found = _changed(scenario, changes)
    if found:
        problems = [(_at(("changes",), key, sub), _named(m, option)) for key, sub, m in found]
        raise OptionsError(problems)
    assert changed is not None
    return changed


def _at(prefix: Path_, key: str | None, sub: Path_) -> Path_:
    return prefix if key is None else (*prefix, key, *sub)


def _named(message: str, option: str) -> str:
    return f"{message} (option {option!r})" if option else message


class _ChangeError(Exception):
    """A change that cannot be applied; ``sub`` is the position inside its value."""

    def __init__(self, message: str, sub: Path_ = ()):
        super().__init__(message)
        self.message = message
        self.sub = sub


def _changed(
    scenario: Scenario, changes: Mapping[str, Any]
) -> tuple[Scenario | None, list[tuple[str | None, Path_, str]]]:
    """Apply ``changes``; return the scenario or problems ``(key, sub path, message)``."""
    data = _as_data(scenario)
    problems: list[tuple[str | None, Path_, str]] = []
    touched: list[tuple[str, Path_]] = []
    for key, value in changes.items():
        try:
            touched.append((key, _apply_one(data, key, value)))
        except _ChangeError as exc:
            problems.append((key, exc.sub, exc.message))
    if problems:
        return None, problems
    try:
        return scenario_from_dict(data), []
    except ScenarioError as exc:
        return None, [_attribute(path, msg, touched, data) for path, msg in exc.problems]


def _as_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data that validates back to the same scenario."""
    return scenario.model_dump(mode="json", exclude_none=True)


def _apply_one(data: dict[str, Any], key: str, value: Any) -> Path_:
    """Apply one change to ``data`` in place; return the scenario path it changed."""
    parts = key.split(".") if isinstance(key, str) else []
    if not parts or "" in parts:
        raise _ChangeError("a change path is dotted keys such as 'agent_groups.team.staffing'")
    node: Any = data
    path: Path_ = ()
    for depth, part in enumerate(parts[:-1]):
        index = _find(node, part, path, data, value, last=False)
        child = node[index]
        if _is_number(child) and _is_per_type((*path, index)):
            # One number for every contact type (ivr.abandon: 0.02) becomes a mapping
            # by type, so that a change to one type leaves the others as they were.
            child = node[index] = {name: child for name in _type_names(data)}
        if not isinstance(child, (dict, list)):
            where = ".".join(parts[: depth + 1])
            raise _ChangeError(f"{where} is {_describe(child)}; it has no {parts[depth + 1]!r}")
        node, path = child, (*path, index)
    part = parts[-1]
    if isinstance(node, list) and path in {(k,) for k in NAMED_LISTS}:
        names = [item.get("name") for item in node]
        if part not in names:
            if not isinstance(value, Mapping):
                _find(node, part, path, data, value, last=True)  # raises: unknown name
            node.append(_item(part, value))
            return (*path, len(node) - 1)
        index = names.index(part)
        if value is None:
            del node[index]
        elif isinstance(value, Mapping):
            node[index] = _item(part, value)
        else:
            node[index] = _new_value(node[index], value, (*path, index), data)
        return (*path, index)
    index = _find(node, part, path, data, value, last=True)
    if value is None:
        if isinstance(node, list) or index in node:
            del node[index]
        return (*path, index)
    current = node[index] if isinstance(node, list) else node.get(index, _MISSING)
    node[index] = _new_value(current, value, (*path, index), data)
    return (*path, index)


def _find(node: Any, part: str, path: Path_, data: dict, value: Any, last: bool) -> str | int:
    """The key or index that ``part`` names in ``node``, or raise a helpful error."""
    here = _dotted(path, data) or "the scenario"
    if isinstance(node, dict):
        if part in node:
            return part
        known = _known_keys(path)
        if _is_mapping_by_name(path):  # ivr.deflection, costs.agent_groups: any name
            if last and value is not None:
                return part
            raise _ChangeError(f"{here} has no key {part!r} (it has: {', '.join(node) or '-'})")
        if part not in known:
            raise _ChangeError(_unknown_key(part, known))
        if last:
            return part
        where = _dotted((*path, part), data)
        raise _ChangeError(
            f"{where} is not set in the base scenario; give it whole ({where}: {{...}})"
        )
    if isinstance(node, list) and path in {(k,) for k in NAMED_LISTS}:
        names = [item.get("name") for item in node]
        if part in names:
            return names.index(part)
        raise _ChangeError(unknown_name(NAMED_LISTS[str(path[0])], part, names))
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return int(part)
        raise _ChangeError(
            f"{here} is a list of {len(node)}: give a position from 0 to {len(node) - 1}, "
            f"not {part!r}"
        )
    raise _ChangeError(f"{here} is {_describe(node)}; it has no {part!r}")


def _item(name: str, value: Mapping[str, Any]) -> dict[str, Any]:
    if "name" in value and value["name"] != name:
        raise _ChangeError(f"the name comes from the path ({name!r}); remove name: {value['name']}")
    return {"name": name, **copy.deepcopy(dict(value))}


def _new_value(current: Any, value: Any, path: Path_, data: dict) -> Any:
    """The value at ``path`` after the change: absolute, relative or per interval."""
    kind = _kind(_annotation_at(path))
    if _is_relative(value):
        return _relative(current, value, kind)
    if isinstance(value, list) and any(_is_relative(v) for v in value):
        n = data["horizon"]["intervals"]
        if isinstance(current, list):
            expected = len(current)
            what = "one per interval" if expected == n else "one per value it changes"
        else:
            expected, what = n, "one per interval"
        if len(value) != expected:
            raise _ChangeError(f"has {len(value)} values; expected {expected} ({what})")
        if current is _MISSING or not (_is_number(current) or isinstance(current, list)):
            raise _ChangeError(
                f"relative entries need numbers to change, but this is {_describe(current)}"
            )
        olds = current if isinstance(current, list) else [current] * n
        out = []
        for i, (old, new) in enumerate(zip(olds, value, strict=True)):
            try:
                out.append(_relative(old, new, kind) if _is_relative(new) else copy.deepcopy(new))
            except _ChangeError as exc:
                raise _ChangeError(exc.message, (i,)) from None
        return out
    return copy.deepcopy(value)


def _is_relative(value: Any) -> bool:
    return isinstance(value, str) and value.strip()[:1] in ("+", "-", "*")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_OPERATION = re.compile(r"^\s*([-+*])\s*(.*?)\s*$")


def _relative(current: Any, text: str, kind: str) -> Any:
    """Apply a relative value (``"+2"``, ``"*0.9"``, ``"-30s"``) to a number or a list."""
    if current is _MISSING:
        raise _ChangeError(
            f"{text!r} changes a value, but none is set in the base scenario; give a value"
        )
    if isinstance(current, list):
        if not all(_is_number(x) for x in current):
            raise _ChangeError(f"a relative value ({text!r}) needs numbers; this list has others")
        return [_relative(x, text, kind) for x in current]
    if not _is_number(current):
        raise _ChangeError(
            f"a relative value ({text!r}) needs a number; this is {_describe(current)}"
        )
    match = _OPERATION.match(text)
    assert match is not None
    op, operand = match.groups()
    amount = _number(operand)
    if op == "*":
        if amount is None:
            raise _ChangeError(f"a factor is a plain number, as in '*1.10' (got {text!r})")
        result = current * amount
    else:
        if amount is None:
            try:
                amount = parse_duration(operand)
            except ValueError:
                raise _ChangeError(
                    f"not a relative value: {text!r} (write '+2', '-1.5', '*1.10' or, "
                    "for a duration, '+30s')"
                ) from None
            if kind != "duration":
                raise _ChangeError(f"{text!r} has a time unit, but this value is not a duration")
        result = current + amount if op == "+" else current - amount
    if not math.isfinite(result):
        raise _ChangeError(f"{text!r} makes {current!r} too large a number")
    if kind == "count":
        return int(math.floor(result + 0.5))  # whole agents (halves round up)
    return float(f"{result:.12g}")  # 240 * 0.9 is 216, not 216.00000000000003


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# ------------------------------------------------------- what the scenario allows
def _alternatives(annotation: Any) -> Iterator[Any]:
    """Members of a union (Annotated members kept whole).

    An annotated union (``Annotated[Route | str, Discriminator(...)]``, or a field's
    ``list[...] | None`` with a length limit) gives its members, each with the metadata.
    """
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _alternatives(arg)
    elif origin is Annotated and typing.get_origin(_bare(annotation)) in _UNIONS:
        for arg in typing.get_args(_bare(annotation)):
            yield from _alternatives(Annotated[(arg, *annotation.__metadata__)])
    else:
        yield annotation


_UNIONS = (typing.Union, types.UnionType)


def _annotation_at(path: Path_, root: type[BaseModel] = Scenario) -> Any:
    """The model's type annotation at ``path`` (None if there is none)."""
    annotation: Any = root
    for part in path:
        found = None
        for alt in _alternatives(annotation):
            bare = _bare(alt)
            origin = typing.get_origin(bare)
            if isinstance(part, int) and origin in (list, tuple):
                args = typing.get_args(bare)
                found = args[min(part, len(args) - 1)] if origin is tuple else args[0]
            elif isinstance(part, str) and origin is dict:
                found = typing.get_args(bare)[1]
            elif isinstance(part, str) and isinstance(bare, type) and issubclass(bare, BaseModel):
                field = bare.model_fields.get(part)
                if field is not None:
                    found = field.annotation
                    if field.metadata:
                        found = Annotated[(found, *field.metadata)]  # e.g. a Duration
            if found is not None:
                break
        if found is None:
            return None
        annotation = found
    return annotation


def _is_mapping_by_name(path: Path_) -> bool:
    """A mapping with free keys (``ivr.deflection``, ``costs.agent_groups``)."""
    bare = [_bare(alt) for alt in _alternatives(_annotation_at(path))]
    return any(typing.get_origin(b) is dict for b in bare)


def _is_per_type(path: Path_) -> bool:
    """One number for every contact type, or a mapping by type (``ivr.abandon``)."""
    bare = [_bare(alt) for alt in _alternatives(_annotation_at(path))]
    return _is_mapping_by_name(path) and any(b in (int, float) for b in bare)


def _bare(annotation: Any) -> Any:
    if typing.get_origin(annotation) is Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def _kind(annotation: Any) -> str:
    """``"duration"``, ``"count"`` (whole numbers) or ``"number"``."""
    kinds: set[str] = set()

    def visit(ann: Any) -> None:
        for alt in _alternatives(ann):
            if typing.get_origin(alt) is Annotated:
                if any(m in _DURATION_META for m in alt.__metadata__):
                    kinds.add("duration")
                else:
                    visit(typing.get_args(alt)[0])
            elif typing.get_origin(alt) in (list, tuple):
                for arg in typing.get_args(alt):
                    visit(arg)
            elif alt is int:
                kinds.add("count")
            elif alt is float:
                kinds.add("number")

    visit(annotation)
    if "duration" in kinds:
        return "duration"
    return "count" if kinds == {"count"} else "number"


def _known_keys(path: Path_, root: type[BaseModel] = Scenario) -> list[str]:
    """Keys a model allows at ``path`` (empty for a mapping by name or a non-model)."""
    models = [_bare(alt) for alt in _alternatives(_annotation_at(path, root))]
    for model in models:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return [k for k, f in model.model_fields.items() if not f.exclude]
    return []


def _unknown_key(key: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r}{hint} (known: {', '.join(known)})"


def _type_names(data: dict) -> list[str]:
    return [t.get("name") for t in data.get("contact_types", [])]


def _describe(value: Any) -> str:
    if value is _MISSING:
        return "not set"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"{value!r}"


def _dotted(path: Path_, data: dict) -> str:
    """A scenario path with named items by name: ``agent_groups.team.shifts[0]``."""
    out, node = "", data
    for part in path:
        item = node[part] if isinstance(node, list) and isinstance(part, int) else None
        if out in NAMED_LISTS and isinstance(item, dict) and "name" in item:
            out += f".{item['name']}"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return out


def _attribute(
    problem_path: Path_, message: str, touched: list[tuple[str, Path_]], data: dict
) -> tuple[str | None, Path_, str]:
    """Report a problem of the changed scenario at the change that caused it."""
    inside = [(k, p) for k, p in touched if problem_path[: len(p)] == p]
    if inside:
        key, changed = max(reversed(inside), key=lambda kp: len(kp[1]))
        return key, problem_path[len(changed) :], message
    above = [(k, p) for k, p in touched if p[: len(problem_path)] == problem_path]
    where = _dotted(problem_path, data) or "the scenario"
    if above:
        return above[-1][0], (), f"{where}: {message}"
    return None, (), f"after the changes, {where}: {message}"

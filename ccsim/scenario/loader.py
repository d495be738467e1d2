"""Reading scenario files: YAML in, a validated :class:`~ccsim.scenario.Scenario` out.

A planner's scenario file is read once. Every problem is reported together, each with
the file, the line and the key path (``small.yaml:14: contact_types[0].arrivals.
rate_per_hour: ...``), and an unknown key gets the closest known key as a suggestion.
Nothing runs on a scenario that did not load. What a file may hold to load at all (its
size, encoding, nesting) is :mod:`ccsim.scenario.yamlfile`'s.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ccsim.scenario.model import Scenario, ScenarioError
from ccsim.scenario.units import short
from ccsim.scenario.yamlfile import parse_yaml, read_yaml

__all__ = ["load_scenario", "parse_yaml", "read_yaml", "scenario_from_dict", "scenario_from_text"]

Path_ = tuple[str | int, ...]
_TYPE_MISMATCH = {
    "float_type",
    "int_type",
    "list_type",
    "dict_type",
    "string_type",
    "model_type",
    "tuple_type",
    "float_parsing",
    "int_parsing",
    "model_attributes_type",
    "literal_error",
}
_TAGS = {"float", "int", "str", "bool", "list", "dict", "tuple", "none"}
_TAG = re.compile(r"[a-z][a-z-]*\[.*\]", re.S)


def load_scenario(source: str | Path | Mapping[str, Any]) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source : str, pathlib.Path or mapping
        A path to a YAML scenario file, or an already parsed mapping.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        If the file cannot be read or parsed, or the scenario is not valid. Its
        message has one line per problem: ``file:line: key.path: message``.
    FileNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> s = load_scenario("scenarios/small-helpdesk.yaml")  # doctest: +SKIP
    >>> s.horizon.intervals  # doctest: +SKIP
    16
    """
    if isinstance(source, Mapping):
        return scenario_from_dict(source)
    data, node = read_yaml(source, "a scenario file")
    return scenario_from_dict(data, str(source), lambda path: _line_of(node, path))


def scenario_from_text(text: str, source: str = "") -> Scenario:
    """Load and validate a scenario from YAML text (an upload, an editor's content).

    Parameters
    ----------
    text : str
        The YAML text of a scenario file.
    source : str
        The name to give in messages (a file name), as :func:`load_scenario` gives the
        path.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        As :func:`load_scenario`: one ``source:line: key.path: message`` line per
        problem, the same text ``ccsim validate`` prints for the file.
    """
    data, node = parse_yaml(text, source, "a scenario file")
    return scenario_from_dict(data, source, lambda path: _line_of(node, path))


def scenario_from_dict(data: Mapping[str, Any], source: str = "", line_of: Any = None) -> Scenario:
    """Validate a parsed scenario mapping (see :func:`load_scenario`)."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise ScenarioError(_problems(exc), source, line_of) from None
    except ScenarioError as exc:
        raise ScenarioError(exc.problems, source, line_of) from None


# ----------------------------------------------------------------- pydantic errors
def _problems(exc: ValidationError, root: type[BaseModel] = Scenario) -> list[tuple[Path_, str]]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not _is_tag(p))
        errors.append((loc, err["type"], _message(err, loc, root)))
    # A union (a scalar or a list) fails in every branch: keep the informative one.
    kept: dict[Path_, list[tuple[str, str]]] = {}
    for loc, kind, message in errors:
        deeper = any(len(o) > len(loc) and o[: len(loc)] == loc for o, _, _ in errors)
        if kind in _TYPE_MISMATCH and deeper:
            continue
        kept.setdefault(loc, []).append((kind, message))
    out = []
    for loc, items in kept.items():
        specific = [m for k, m in items if k not in _TYPE_MISMATCH] or [m for _, m in items]
        out.append((loc, " or ".join(dict.fromkeys(specific))))
    return out


def _is_tag(part: str | int) -> bool:
    """Whether a part of a pydantic error location is a validator's tag, not a key.

    Tags are a type (``float``), ``constrained-float``, or a name with brackets
    (``list[constrained-float]``, ``function-after[_check_duration(), float]``); a
    planner's key such as ``(options`` is kept.
    """
    return isinstance(part, str) and (
        part in _TAGS or part.startswith("constrained-") or _TAG.fullmatch(part) is not None
    )


def _message(err: Any, loc: Path_, root: type[BaseModel] = Scenario) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        known = _fields_at(loc[:-1], root)
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {loc[-1]!r}{hint}" + (f" (known: {', '.join(known)})" if known else "")
    if kind == "missing":
        return "required key is missing"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    value = err.get("input")
    if not isinstance(value, (dict, list)) and repr(value) not in msg:
        msg += f" (got {short(value)})"
    return msg


def _fields_at(path: Path_, root: type[BaseModel] = Scenario) -> list[str]:
    """Names of the keys allowed at ``path`` (for 'did you mean' hints)."""
    model: type[BaseModel] | None = root
    for part in path:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field is not None else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


# ------------------------------------------------------------------ line numbers
def _line_of(node: yaml.Node | None, path: Path_) -> int | None:
    """Line (1-based) of the value at ``path``, or of its closest existing parent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    line = key_node.start_mark.line + 1
                    child = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                child = node.value[part]
                line = child.start_mark.line + 1
        if child is None:
            return line
        node = child
    return line

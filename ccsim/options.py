"""Options: "what if" changes to a base scenario, and what each one costs.

A planner rarely asks "how does this centre perform?" alone. The question is "what
does hiring five agents for the service team's early shift buy, compared with
upgrading the IVR or rolling out a new CRM?". An *options file* names a base scenario
and writes each option as a few changes to it, plus what the option costs:

.. code-block:: yaml

    base: ../scenarios/multiskill-day.yaml     # relative to the options file
    options:
      - name: hire-5
        description: Five more agents on the service team's early shift
        changes:
          agent_groups.service_team.shifts.0.agents: "+5"
        costs: {per_new_agent: 3000, monthly: 17500}
      - name: ivr-upgrade
        changes:
          ivr.deflection.service: 0.25
        costs: {one_off: 40000, monthly: 2000}

A change key is a dotted path into the scenario. It walks mappings by key, the lists of
named items (``contact_types``, ``agent_groups``) by ``name``, and other lists (shifts,
breaks) by position from 0. Its value is one of:

* an absolute value (any YAML value), which replaces what is there;
* a relative value, ``"+5"``, ``"-2"``, ``"*1.10"``, or for a duration ``"+30s"``,
  ``"-1min"``: applied to a number, or to every value of a per-interval list (a number
  stays a number). Agent counts are rounded to the nearest whole agent;
* a per-interval list mixing absolute and relative entries, ``[5, 6, "+1", ...]``,
  with one entry per interval: each relative entry changes that interval's value;
* ``null``, which removes an optional key (back to its default), a named item or a
  list entry;
* a mapping at the name of a contact type or agent group that does not exist yet,
  which creates it (its ``name`` is the last part of the path).

Anything else that names something the base scenario does not have is an error. In a
YAML file an unquoted ``+2`` is the number 2 to YAML; ccsim reads a signed number
written in ``changes`` as the relative value it looks like (``"+2"``), so quoting is
optional for ``+`` and ``-`` (``*0.9`` must be quoted: ``"*0.9"``).

Every option is applied and its scenario validated when the options file is loaded
(:func:`load_options`), so nothing is simulated on a half-valid options file. Problems
are reported all together, one line each with the file, the line and the path, as for
scenario files::

    centre.options.yaml:14: options[2].changes.agent_groups.teem.staffing: unknown
    agent group 'teem'; did you mean 'team'? (option 'hire-5')

Costs are inputs carried to the comparison (:mod:`ccsim.comparison`); the number of
agents an option adds, for ``per_new_agent``, is :func:`added_agents`.
"""

from __future__ import annotations

import copy
import math
import os
import re
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ccsim.loader import (
    _is_tag,
    _line_of,
    _message,
    load_scenario,
    read_yaml,
    scenario_from_dict,
)
from ccsim.scenario import Scenario, ScenarioError, _unknown
from ccsim.units import Duration, parse_duration

__all__ = [
    "Option",
    "OptionCosts",
    "OptionsError",
    "OptionsFile",
    "added_agents",
    "apply_changes",
    "base_scenario",
    "load_options",
    "option_scenarios",
]

Path_ = tuple[str | int, ...]
NonNegative = Annotated[float, Field(ge=0)]

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


# ----------------------------------------------------------------------- models
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionCosts(_Model):
    """What an option costs, in currency units (inputs to the comparison).

    ``one_off`` is paid once (implementation, a project); ``per_new_agent`` for each
    agent the option adds (hiring and training; see :func:`added_agents`);
    ``monthly`` every month (licences, salaries); ``per_seat_monthly`` every month for
    each agent seat.
    """

    one_off: NonNegative = 0.0
    per_new_agent: NonNegative = 0.0
    monthly: NonNegative = 0.0
    per_seat_monthly: NonNegative = 0.0


class Option(_Model):
    """One option: a name, what it is, its changes to the base scenario, its costs."""

    name: str = Field(min_length=1)
    description: str = ""
    changes: dict[str, Any] = {}
    costs: OptionCosts = OptionCosts()


class OptionsFile(_Model):
    """A base scenario and the options to compare with it.

    ``base`` is the path of the base scenario file, relative to the options file
    (``source_path``) when that is known, else to the working directory; see
    :attr:`base_path`.
    """

    base: str = Field(min_length=1)
    options: list[Option] = Field(min_length=1)
    source_path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique_names(self) -> OptionsFile:
        problems: list[tuple[Path_, str]] = []
        seen: set[str] = set()
        for i, option in enumerate(self.options):
            if option.name == "base":
                problems.append((("options", i, "name"), "'base' names the base scenario"))
            elif option.name in seen:
                problems.append((("options", i, "name"), f"duplicate option name {option.name!r}"))
            seen.add(option.name)
        if problems:
            # Not a ValueError, so that the key paths (and lines) survive pydantic.
            raise OptionsError(problems)
        return self

    @property
    def base_path(self) -> Path:
        """Path of the base scenario file, resolved against the options file."""
        base = Path(self.base)
        if base.is_absolute() or self.source_path is None:
            return base
        return Path(os.path.normpath(Path(self.source_path).parent / base))


# ----------------------------------------------------------------------- loading
def load_options(path: str | Path) -> OptionsFile:
    """Load an options file and check every option against its base scenario.

    Parameters
    ----------
    path : str or pathlib.Path
        The options file (YAML).

    Returns
    -------
    OptionsFile
        The validated options, with ``source_path`` set to ``path``. Every option's
        scenario has been built and validated once (:func:`option_scenarios` builds
        them again, purely, from the same files).

    Raises
    ------
    OptionsError
        If the file is not valid YAML, not a valid options file, its base scenario
        does not load, or any option's changes name something that does not exist or
        give a scenario that is not valid. One line per problem:
        ``file:line: options[i].changes.dotted.path: message (option 'name')``.
    FileNotFoundError
        If the options file does not exist.

    Examples
    --------
    >>> file = load_options("experiments/ivr-upgrade.options.yaml")  # doctest: +SKIP
    >>> [option.name for option in file.options]  # doctest: +SKIP
    ['hire-5', 'cross-train', 'ivr-upgrade', 'new-crm']
    """
    path = Path(path)
    name = str(path)
    data, node = read_yaml(path, "an options file", OptionsError)

    def line_of(key_path: Path_) -> int | None:
        return _line_of(node, key_path)

    if "source_path" in data:
        known = ", ".join(_known_keys((), OptionsFile))
        raise OptionsError([(("source_path",), f"unknown key (known: {known})")], name, line_of)
    _signed_numbers_as_relative(node, data)
    try:
        options = OptionsFile.model_validate({**data, "source_path": path})
    except ValidationError as exc:
        raise OptionsError(_model_problems(exc), name, line_of) from None
    except OptionsError as exc:
        raise OptionsError(exc.problems, name, line_of) from None
    _, problems = _build(options)
    if problems:
        raise OptionsError(problems, name, line_of)
    return options


def base_scenario(options_file: OptionsFile) -> Scenario:
    """Load the base scenario of an options file.

    Parameters
    ----------
    options_file : OptionsFile

    Returns
    -------
    Scenario

    Raises
    ------
    OptionsError
        If the base scenario file does not exist or is not a valid scenario (each of
        its problems is reported at ``base``, with the scenario's own file and line).
    """
    scenario, problems = _load_base(options_file)
    if scenario is None:
        raise OptionsError(problems, _source(options_file))
    return scenario


def option_scenarios(options_file: OptionsFile) -> dict[str, Scenario]:
    """Build the base scenario and every option's scenario.

    Parameters
    ----------
    options_file : OptionsFile

    Returns
    -------
    dict of str to Scenario
        ``"base"`` first, then one entry per option in file order.

    Raises
    ------
    OptionsError
        If the base does not load or an option's changes are not valid (never for a
        file returned by :func:`load_options`, unless the files changed since).
    """
    scenarios, problems = _build(options_file)
    if problems:
        raise OptionsError(problems, _source(options_file))
    return scenarios


def _source(options_file: OptionsFile) -> str:
    return str(options_file.source_path) if options_file.source_path is not None else ""


def _load_base(options_file: OptionsFile) -> tuple[Scenario | None, list[tuple[Path_, str]]]:
    path = options_file.base_path
    try:
        return load_scenario(path), []
    except FileNotFoundError:
        return None, [(("base",), f"no such scenario file: {path}")]
    except ScenarioError as exc:
        lines = exc.render().splitlines()
        return None, [(("base",), f"the base scenario is not valid: {line}") for line in lines]


def _build(options_file: OptionsFile) -> tuple[dict[str, Scenario], list[tuple[Path_, str]]]:
    """Every option's scenario and every problem, with paths in the options file."""
    base, problems = _load_base(options_file)
    if base is None:
        return {}, problems
    scenarios = {"base": base}
    for i, option in enumerate(options_file.options):
        scenario, found = _changed(base, option.changes)
        prefix: Path_ = ("options", i, "changes")
        problems += [(_at(prefix, key, sub), _named(m, option.name)) for key, sub, m in found]
        if scenario is not None:
            scenarios[option.name] = scenario
    return scenarios, problems


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
        raise _ChangeError(_unknown(NAMED_LISTS[str(path[0])], part, names))
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
    """Members of a union (Annotated members kept whole)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _alternatives(arg)
    else:
        yield annotation


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


# --------------------------------------------------------------- options file YAML
def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _signed_numbers_as_relative(node: yaml.Node, data: dict) -> None:
    """Read unquoted ``+2`` / ``-1.5`` in changes as the relative text written."""
    numeric = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}

    def as_written(value_node: yaml.Node | None, value: Any) -> Any:
        if (
            isinstance(value_node, yaml.ScalarNode)
            and value_node.style is None
            and value_node.tag in numeric
            and value_node.value[:1] in ("+", "-")
            and _is_number(value)
        ):
            return value_node.value
        return value

    options = data.get("options")
    if not isinstance(options, list):
        return
    for i, option in enumerate(options):
        changes = option.get("changes") if isinstance(option, dict) else None
        changes_node = _child(_child(_child(node, "options"), i), "changes")
        if not isinstance(changes, dict):
            continue
        for key, value in changes.items():
            value_node = _child(changes_node, key)
            if isinstance(value, list) and isinstance(value_node, yaml.SequenceNode):
                changes[key] = [as_written(_child(value_node, j), v) for j, v in enumerate(value)]
            else:
                changes[key] = as_written(value_node, value)


def _model_problems(exc: ValidationError) -> list[tuple[Path_, str]]:
    out: list[tuple[Path_, str]] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not _is_tag(p))
        if err["type"] == "extra_forbidden":
            message = _unknown_key(str(loc[-1]), _known_keys(loc[:-1], OptionsFile))
        else:
            message = _message(err, loc)
        out.append((loc, message))
    return out


# --------------------------------------------------------------------- agents added
def added_agents(base: Scenario, changed: Scenario) -> dict[str, float]:
    """How many agents an option adds to each group, for ``per_new_agent`` costs.

    Parameters
    ----------
    base : Scenario
        The base scenario.
    changed : Scenario
        The option's scenario.

    Returns
    -------
    dict of str to float
        For every agent group of ``changed``, in file order: the increase of its peak
        staffed agents over the base, clipped at 0 (a group new in the option counts
        from 0). The peak is the largest staffing of any interval or, for a group on
        shifts, the most agents on shift at one time (agents on a break still count).
        This is :func:`ccsim.costs.added_agents`, the count the finance view of a
        comparison uses, on the two scenarios' rosters: staffing changes after the
        end of the last interval do not count.

    Examples
    --------
    Staffing [4, 6, 5] becoming [5, 8, 5] adds 2 (peak 6 to 8). Three agents moved
    from one group to a new one count 3 for the new group and 0 for the old one.
    """
    from ccsim import costs  # the finance view counts new agents the same way
    from ccsim.plan import compile_plan

    return costs.added_agents(compile_plan(base), compile_plan(changed))

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

Costs are inputs carried to the comparison (:mod:`ccsim.whatif.comparison`); the number of
agents an option adds, for ``per_new_agent``, is :func:`added_agents`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ccsim.scenario import limits
from ccsim.scenario.loader import (
    _is_tag,
    _line_of,
    _message,
    load_scenario,
    read_yaml,
)
from ccsim.scenario.model import Scenario, ScenarioError
from ccsim.whatif.changes import (
    OptionsError,
    _at,
    _changed,
    _is_number,
    _known_keys,
    _named,
    _unknown_key,
    apply_changes,
)

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
Money = Annotated[float, Field(ge=0, le=limits.MAX_AMOUNT)]


# ----------------------------------------------------------------------- models
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class OptionCosts(_Model):
    """What an option costs, in currency units (inputs to the comparison).

    ``one_off`` is paid once (implementation, a project); ``per_new_agent`` for each
    agent the option adds (hiring and training; see :func:`added_agents`);
    ``monthly`` every month (licences, salaries); ``per_seat_monthly`` every month for
    each agent seat.
    """

    one_off: Money = 0.0
    per_new_agent: Money = 0.0
    monthly: Money = 0.0
    per_seat_monthly: Money = 0.0


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
    options: list[Option] = Field(min_length=1, max_length=limits.MAX_OPTIONS)
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
            and not value_node.style  # plain (None; libyaml: "")
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
        This is :func:`ccsim.whatif.costs.added_agents`, the count the finance view of a
        comparison uses, on the two scenarios' rosters: staffing changes after the
        end of the last interval do not count.

    Examples
    --------
    Staffing [4, 6, 5] becoming [5, 8, 5] adds 2 (peak 6 to 8). Three agents moved
    from one group to a new one count 3 for the new group and 0 for the old one.
    """
    from ccsim.plan import compile_plan
    from ccsim.whatif import costs  # the finance view counts new agents the same way

    return costs.added_agents(compile_plan(base), compile_plan(changed))

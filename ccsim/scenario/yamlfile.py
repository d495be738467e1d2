"""Reading a planner's YAML file: text in, plain data and line numbers out, or one clear error.

Scenario, options and sweep files are YAML written by hand, by spreadsheets and by
scripts, and now and then they are not what they should be: a folder given for a
file, a file saved in another encoding, a tab for indentation, a stray control
character, a key written twice, or text built to make a reader expand it without end
(an alias bomb) or to nest it a thousand levels deep. :func:`read_yaml` turns each of
these into a :class:`~ccsim.scenario.ScenarioError` of one line naming the file (and
the line when there is one), never a traceback, and reads what is left in time and
memory proportional to the file: at most :data:`~ccsim.scenario.limits.MAX_FILE_BYTES`,
nested at most :data:`~ccsim.scenario.limits.MAX_DEPTH` levels, at most
:data:`~ccsim.scenario.limits.MAX_NODES` values once aliases are expanded.

Two readings differ from plain YAML 1.1, both for planners: a key written twice in one
mapping is an error (YAML keeps the last one silently), and a clock time written
without quotes (``start: 8:00``) stays the text ``"8:00"`` (YAML 1.1 reads it as the
base-60 number 480), so that it means the clock time 08:00 everywhere.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from ccsim.scenario import limits
from ccsim.scenario.model import ScenarioError

__all__ = ["parse_yaml", "read_yaml"]


class _Rules:
    """What ccsim adds to a safe YAML loader: no key twice, clock times stay text."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """Build a mapping, refusing a key written twice in it."""
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            if not isinstance(key, Hashable):
                continue  # (the safe constructor refuses it, with its line)
            if key in seen:
                raise ConstructorError(
                    None,
                    None,
                    f"key {key!r} is written twice (first at line {seen[key] + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return SafeConstructor.construct_mapping(self, node, deep=deep)  # type: ignore[arg-type]

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int | str:
        """YAML 1.1 reads 8:00 as the number 480 (base 60): keep clock times as text."""
        if ":" in str(node.value):
            return str(node.value)
        return SafeConstructor.construct_yaml_int(self, node)  # type: ignore[arg-type]

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float | str:
        """As for integers: 1:30.5 stays text, so a clock time is never a number."""
        if ":" in str(node.value):
            return str(node.value)
        return SafeConstructor.construct_yaml_float(self, node)  # type: ignore[arg-type]


class _PyLoader(_Rules, yaml.SafeLoader):
    """A safe YAML loader with ccsim's rules (see :class:`_Rules`)."""


# libyaml parses several times faster than the pure-Python parser, with the same
# resolver and constructors (so the same values). Its error messages say less, so a
# file it refuses is read again by the pure-Python parser for the message.
if getattr(yaml, "__with_libyaml__", False):

    class _Loader(_Rules, yaml.CSafeLoader):  # type: ignore[misc]
        """:class:`_PyLoader` on libyaml."""

else:  # pragma: no cover - PyYAML built without libyaml
    _Loader = _PyLoader  # type: ignore[misc]

for _cls in {_Loader, _PyLoader}:
    _cls.add_constructor("tag:yaml.org,2002:int", _Rules.construct_yaml_int)
    _cls.add_constructor("tag:yaml.org,2002:float", _Rules.construct_yaml_float)


def read_yaml(
    source: str | Path, what: str, error: type[ScenarioError] = ScenarioError
) -> tuple[dict[str, Any], yaml.Node]:
    """Read a YAML mapping; return it and its node tree (for line numbers).

    Parameters
    ----------
    source : str or pathlib.Path
        The file.
    what : str
        The kind of file, for messages ("a scenario file").
    error : type
        The :class:`ScenarioError` subclass to raise.

    Returns
    -------
    data : dict
        The file's mapping.
    node : yaml.Node
        Its node tree, whose marks give line numbers.

    Raises
    ------
    ScenarioError
        (``error``) naming the file, and the line where there is one, when the path is a
        folder or cannot be read, the file is too large, not UTF-8 text, not YAML,
        nested or expanded beyond the limits, writes a key twice, or is not a mapping.
    FileNotFoundError
        If the file does not exist.
    """
    name = str(source)

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return error([((), message)], name, lambda _: line)

    return parse_yaml(_text(Path(source), what, fail), name, what, error)


def parse_yaml(
    text: str, name: str, what: str, error: type[ScenarioError] = ScenarioError
) -> tuple[dict[str, Any], yaml.Node]:
    """:func:`read_yaml` of text already read (an upload, an editor's content).

    ``name`` is the file named in messages; the same checks and messages as a file.
    """

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return error([((), message)], name, lambda _: line)

    if len(text.encode("utf-8")) > limits.MAX_FILE_BYTES:
        raise fail(f"is larger than {limits.MAX_FILE_BYTES / 1e6:g} MB: not {what}")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_size(node, fail)
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        raise fail(f"not valid YAML: nested more than {limits.MAX_DEPTH} levels deep") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"not valid YAML: the control character #x{code:02x} is not allowed in YAML text"
        raise fail(message, line) from None
    except yaml.MarkedYAMLError as exc:
        exc = _explained(exc, text)
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise fail(f"not valid YAML: {_problem(exc, text)}", line) from None
    except yaml.YAMLError as exc:
        raise fail(f"not valid YAML: {str(exc).splitlines()[0]}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise fail(f"{what} must be a mapping of keys", 1)
    return data, node


def _text(path: Path, what: str, fail: Any) -> str:
    """The file's text: a readable file of at most MAX_FILE_BYTES of UTF-8."""
    try:
        if path.is_dir():
            raise fail(f"is a folder, not {what}")
        with path.open("rb") as stream:
            raw = stream.read(limits.MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:  # no permission, a name too long, ...
        raise fail(f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > limits.MAX_FILE_BYTES:
        raise fail(f"is larger than {limits.MAX_FILE_BYTES / 1e6:g} MB: not {what}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise fail(
            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}): save it as UTF-8", line
        ) from None


def _explained(exc: yaml.MarkedYAMLError, text: str) -> yaml.MarkedYAMLError:
    """The pure-Python parser's account of an error libyaml found (it names more)."""
    if _Loader is _PyLoader:
        return exc
    try:
        yaml.load(text, Loader=_PyLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as detailed:
        return detailed
    except (RecursionError, yaml.YAMLError):
        pass
    return exc


def _problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    """What a YAML error says, with a hint for the mistakes planners make."""
    problem = f"{exc.problem or 'invalid YAML'}" + (f" ({exc.context})" if exc.context else "")
    mark = exc.problem_mark
    if mark is not None:
        lines = text.split("\n")
        row = lines[mark.line] if 0 <= mark.line < len(lines) else ""
        indent = row[: len(row) - len(row.lstrip())]
        if row[mark.column : mark.column + 1] == "\t" or "\t" in indent:
            return "a tab character in the indentation: use spaces for indentation, not tabs"
    if "nesting depth" in problem:  # (libyaml's own limit, 1000)
        return f"nested more than {limits.MAX_DEPTH} levels deep"
    if "alias" in problem:
        problem += '; quote a relative factor: "*0.9"'
    return problem


def _check_size(root: yaml.Node, fail: Any) -> None:
    """Refuse a tree nested too deeply or too large once its aliases are expanded.

    One pass over the nodes (an alias is the node it names, measured once), so an
    alias bomb is measured in the time its text takes to read.
    """
    memo: dict[int, tuple[int, int]] = {}  # node -> (values expanded, depth)
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        children = _children(node)
        if not leaving:
            if key in memo:
                continue
            if key in active:
                raise fail("not valid YAML: a value contains itself (a recursive alias)")
            active.add(key)
            if len(active) > limits.MAX_DEPTH:
                raise fail(f"not valid YAML: nested more than {limits.MAX_DEPTH} levels deep")
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in memo)
            continue
        sizes = [memo[id(child)] for child in children]
        memo[key] = (1 + sum(s for s, _ in sizes), 1 + max((d for _, d in sizes), default=0))
        active.discard(key)
        if memo[key][0] > limits.MAX_NODES:
            raise fail(
                f"not valid YAML: more than {limits.MAX_NODES:,} values once aliases (*name) "
                "are expanded"
            )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []

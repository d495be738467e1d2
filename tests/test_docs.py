"""The docs and the program agree: every YAML example loads, every key named exists.

Each fenced ``yaml`` block of docs/*.md, README.md and experiments/README.md is taken
for what it is:

* a complete scenario (``name``, ``horizon``, ``contact_types``, ``agent_groups``):
  it loads and runs one replication on each engine;
* an options file (``base`` and ``options``) or a sweep file (``base`` and ``grid`` or
  ``points``): it loads, every option or point checked against its base scenario;
* a fragment (some keys of a scenario, or of a contact type or an agent group, as a
  step of a tutorial adds them): every key it writes is a known key with a valid
  value (the keys it leaves out, and names it refers to, are the full file's).

HTML comments just above a block say more: ``<!-- file: PATH -->`` saves the block
as PATH (relative to the repository) so that later examples can name it (an options
file's ``base``), and checks that it is that repository file when one exists;
``<!-- invalid -->`` marks a broken example, which must be refused with exactly the
problems the doc prints below it. In a list, ``...`` stands for "and so on": the last
value repeats for the remaining intervals.

The reference's key tables name every key of the scenario model, and only those; a
dotted key in backticks anywhere in the docs (``horizon.start``,
``agent_groups[].fcr``, ``agent_groups.team.staffing``) is a path that exists.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ValidationError

import ccsim
from ccsim import ScenarioError
from ccsim.scenario.loader import read_yaml
from ccsim.scenario.model import AgentGroup, ContactType, Scenario
from ccsim.whatif.options import Option, OptionCosts, OptionsFile, load_options
from ccsim.whatif.sweeps import SweepFile, load_sweep
from tests.helpers import ROOT

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")

DOCS = [
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "README.md",
    ROOT / "experiments" / "README.md",
]
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[ \t]*\n(?P<body>.*?)^(?P=indent)```", re.S | re.M
)
_MARK = re.compile(r"<!--\s*(?P<what>file|invalid)\s*:?\s*(?P<value>[^>]*?)\s*-->")
COMPLETE = {"name", "horizon", "contact_types", "agent_groups"}

#: Examples that contradict the program, to be fixed in the doc (strict: the test fails
#: once the doc is fixed, so that this entry goes).
KNOWN_WRONG: dict[str, str] = {}


@dataclass
class Snippet:
    """One fenced block: where it is, its text, and the marks above it."""

    doc: Path
    line: int
    text: str
    marks: dict[str, str] = field(default_factory=dict)
    after: str = ""  # the doc's text after the block (for an invalid example's output)

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"

    @property
    def data(self) -> object:
        return yaml.safe_load(self.text)


def snippets(lang: str = "yaml") -> list[Snippet]:
    """Every fenced block of the docs in language ``lang``, in document order."""
    out = []
    for doc in DOCS:
        text = doc.read_text()
        for match in _FENCE.finditer(text):
            if match["lang"] not in ({"yaml", "yml"} if lang == "yaml" else {lang}):
                continue
            indent = len(match["indent"])
            body = "".join(line[indent:] + "\n" for line in match["body"].splitlines())
            before = text[: match.start()].rstrip().splitlines()
            marks: dict[str, str] = {}
            while before and (mark := _MARK.fullmatch(before[-1].strip())):
                marks[mark["what"]] = mark["value"]
                before.pop()
            line = text.count("\n", 0, match.start()) + 1
            out.append(Snippet(doc, line, body, marks, text[match.end() :]))
    return out


SNIPPETS = snippets()


def _elided(data: object, intervals: int | None) -> object:
    """``[80, 120, ...]``: the last value again up to ``intervals`` values (or dropped)."""
    if isinstance(data, dict):
        n = intervals
        horizon = data.get("horizon")
        if isinstance(horizon, dict) and isinstance(horizon.get("intervals"), int):
            n = horizon["intervals"]
        return {k: _elided(v, n) for k, v in data.items()}
    if isinstance(data, list):
        items = [_elided(v, intervals) for v in data]
        if items and items[-1] == "...":
            items.pop()
            if intervals is not None and items:
                items += [items[-1]] * (intervals - len(items))
        return items
    return data


def _kind(data: object) -> str:
    if isinstance(data, dict) and "base" in data and "options" in data:
        return "options"
    if isinstance(data, dict) and "base" in data and ("grid" in data or "points" in data):
        return "sweep"
    if isinstance(data, dict) and COMPLETE <= set(data):
        return "scenario"
    if isinstance(data, dict) and "columns" in data:
        return "column mapping"  # ccsim calibrate --map
    if isinstance(data, dict) and "templates" in data:
        return "shift templates"  # ccsim schedule --shifts
    return "fragment"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A copy of the repository's layout in which every example is saved.

    ``scenarios/`` is the repository's; each example is saved in its doc's folder (as
    a reader would save it), and under the name of its ``file:`` mark.
    """
    root = tmp_path_factory.mktemp("docs")
    (root / "scenarios").symlink_to(ROOT / "scenarios")
    for snippet in SNIPPETS:
        folder = root / snippet.doc.parent.relative_to(ROOT)
        folder.mkdir(parents=True, exist_ok=True)
        data = _elided(snippet.data, None)
        text = snippet.text if data == snippet.data else yaml.safe_dump(data, sort_keys=False)
        (folder / f"snippet-{snippet.line}.yaml").write_text(text)
        if "file" in snippet.marks:
            path = root / snippet.marks["file"]
            path.parent.mkdir(parents=True, exist_ok=True)
            assert ROOT not in path.resolve().parents, f"{snippet.id} would overwrite {path}"
            path.write_text(text)
    return root


def _path(snippet: Snippet, workdir: Path) -> Path:
    """Where the example is saved: its ``file:`` mark, or its doc's folder."""
    if "file" in snippet.marks:
        return workdir / snippet.marks["file"]
    return workdir / snippet.doc.parent.relative_to(ROOT) / f"snippet-{snippet.line}.yaml"


def test_the_docs_have_examples_of_each_kind() -> None:
    kinds = {_kind(s.data) for s in SNIPPETS}
    assert kinds == {
        "scenario",
        "options",
        "sweep",
        "column mapping",
        "shift templates",
        "fragment",
    }, kinds


@pytest.mark.parametrize(
    "snippet",
    [
        pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[s.id]))
        if s.id in KNOWN_WRONG
        else s
        for s in SNIPPETS
    ],
    ids=[s.id for s in SNIPPETS],
)
def test_every_yaml_example_validates(snippet: Snippet, workdir: Path) -> None:
    data = _elided(snippet.data, None)
    kind = _kind(data)
    path = _path(snippet, workdir)
    if "invalid" in snippet.marks:
        _check_refusal(snippet, path)
        return
    if kind == "scenario":
        scenario = ccsim.load_scenario(path)
        for engine in ("fast", "simpy"):
            result = ccsim.simulate(scenario, replications=1, seed=1, engine=engine)
            assert result.contacts_simulated >= 0
    elif kind == "options":
        assert load_options(path).options
    elif kind == "sweep":
        base, spec = load_sweep(path)
        assert spec.grid or spec.points
    elif kind == "shift templates":
        from ccsim.whatif.scheduling import load_shifts

        assert load_shifts(path).templates
    elif kind == "column mapping":
        from ccsim.data.acdlog import column_mapping

        assert column_mapping(path)["columns"]
    else:
        _check_fragment(data)
    repo_file = ROOT / snippet.marks.get("file", "-")
    if repo_file.is_file():  # the doc shows a file of the repository: the same data
        assert read_yaml(repo_file, "a file")[0] == yaml.safe_load(path.read_text()), repo_file


def _check_fragment(data: object) -> None:
    """Every key a fragment writes exists and its value is valid ("missing" ignored)."""
    if isinstance(data, list):
        assert data and all(isinstance(item, dict) for item in data), data
        keys = set().union(*data)
        model = ContactType if keys <= set(ContactType.model_fields) else AgentGroup
        wrapped: dict = {"contact_types" if model is ContactType else "agent_groups": data}
    elif isinstance(data, dict) and set(data) <= set(Scenario.model_fields):
        wrapped = data
    elif isinstance(data, dict) and set(data) <= set(ContactType.model_fields):
        wrapped = {"contact_types": [data]}
    elif isinstance(data, dict) and set(data) <= set(AgentGroup.model_fields):
        wrapped = {"agent_groups": [data]}
    else:
        pytest.fail(f"a fragment of nothing ccsim knows: {data!r}")
    try:
        Scenario.model_validate(wrapped)
    except ValidationError as exc:
        real = [e for e in exc.errors() if e["type"] != "missing"]
        assert not real, real


def _check_refusal(snippet: Snippet, path: Path) -> None:
    """A broken example is refused with the problems the doc prints after it."""
    with pytest.raises(ScenarioError) as info:
        ccsim.load_scenario(path)
    name = Path(snippet.marks.get("file") or "x").name
    got = str(info.value).replace(str(path), name).splitlines()
    shown = re.search(r"^```\n(error:.*?)^```", snippet.after, re.S | re.M)
    assert shown, "an invalid example needs the error the doc expects below it"
    expected = [line.strip() for line in shown[1].splitlines() if line.startswith("  ")]
    assert expected == got, "\n".join(["the doc shows:", *expected, "ccsim says:", *got])


# ------------------------------------------------------------------- key names
def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) is not None or isinstance(annotation, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    return []


def _all_models(root: type[BaseModel]) -> list[type[BaseModel]]:
    seen = [root]
    for model in seen:
        for info in model.model_fields.values():
            seen += [m for m in _models_in(info.annotation) if m not in seen]
    return seen


ROOTS = {"scenario": Scenario, "options": OptionsFile, "sweep": SweepFile}
MODELS = [m for root in ROOTS.values() for m in _all_models(root)]
FIELD_NAMES = {name for m in MODELS for name in m.model_fields}


def resolves(path: str, roots: list[type[BaseModel]] = MODELS) -> bool:
    """Whether ``a.b[].c`` (or a change path ``agent_groups.team.staffing``) exists.

    It starts at a key of any model; after a list or mapping any name or index may
    follow (an item of a list by name or position, a key of a mapping by type).
    """
    parts = path.split(".")
    for model in roots:
        if parts[0].removesuffix("[]") in model.model_fields and _walk(model, parts):
            return True
    return False


def _walk(model: type[BaseModel], parts: list[str]) -> bool:
    if not parts:
        return True
    key, item = parts[0].removesuffix("[]"), parts[0].endswith("[]")
    info = model.model_fields.get(key)
    if info is None:
        return False
    rest = parts[1:]
    if not rest:
        return True
    inner = _models_in(info.annotation)
    text = str(info.annotation)
    fields = {f for m in inner for f in m.model_fields}
    if (
        not item
        and ("list[" in text or "dict[" in text)
        and rest[0].removesuffix("[]") not in fields
    ):
        rest = rest[1:]  # a name or an index: an item of the list, a key of the mapping
        if not rest:
            return True
    return any(_walk(m, rest) for m in inner)


def test_the_key_resolver_knows_good_paths_from_typos() -> None:
    good = ["horizon.start", "agent_groups[].fcr", "agent_groups.team.staffing", "ivr.deflection.billing",
            "contact_types[].arrivals.profile", "costs.agents.shrinkage", "options[].costs.one_off",
            "agent_groups.team.shifts.0.agents", "arrivals.rate_per_hour"]  # fmt: skip
    bad = ["horizon.strat", "agent_groups[].skils", "arrivals.rate", "costs.agents.wage"]
    assert [p for p in good if not resolves(p)] == []
    assert [p for p in bad if resolves(p)] == []


_FILE_TYPES = {"csv", "parquet", "yaml", "json", "py", "md", "html", "png"}
_DOTTED = re.compile(r"`([a-z_]+(?:\[\])?(?:\.[a-z_0-9]+(?:\[\])?)+)`")


def test_every_dotted_key_in_the_docs_exists() -> None:
    wrong = []
    for doc in DOCS:
        for line_no, line in enumerate(doc.read_text().splitlines(), 1):
            for match in _DOTTED.finditer(line):
                path = match[1]
                first, last = path.split(".")[0].removesuffix("[]"), path.split(".")[-1]
                if first not in FIELD_NAMES or last in _FILE_TYPES:
                    continue  # not a key (ccsim.simulate, result.warnings, intervals.csv)
                if not resolves(path):
                    wrong.append(f"{doc.relative_to(ROOT)}:{line_no}: {path}")
    assert not wrong, wrong


_HEADING = re.compile(r"^#{2,4} (?:`(?P<key>[a-z_.\[\]]+)`.*|(?P<title>.+))$")
_ROW = re.compile(r"^\| (?P<keys>`[^|]+`) \|")
_SECTIONS = {"Top level": Scenario, "distributions": ccsim.scenario.distributions.Distribution}


def _tables(doc: Path) -> dict[str, tuple[type[BaseModel] | None, list[str]]]:
    """The reference's key tables: heading -> (its model, the keys in its first column)."""
    tables: dict[str, tuple[type[BaseModel] | None, list[str]]] = {}
    heading, model = "", None
    for line in doc.read_text().splitlines():
        if match := _HEADING.match(line):
            heading = match["key"] or match["title"]
            model = _SECTIONS.get(heading) or _model_at(heading)
        elif line.startswith("**Options file**"):
            heading, model = "options file", OptionsFile
        elif line.startswith("**Sweep file**"):
            heading, model = "sweep file", SweepFile
        elif (row := _ROW.match(line)) and heading:
            keys = re.findall(r"`([^`]+)`", row["keys"])
            tables.setdefault(heading, (model, []))[1].extend(keys)
    return tables


def _model_at(heading: str) -> type[BaseModel] | None:
    """The model a reference heading describes: ``horizon``, ``contact_types[]``..."""
    path = [p.removesuffix("[]") for p in heading.split(".")]
    for model in MODELS:
        if path[0] in model.model_fields:
            inner = _models_in(model.model_fields[path[0]].annotation)
            for part in path[1:]:
                inner = [
                    m
                    for i in inner
                    if part in i.model_fields
                    for m in _models_in(i.model_fields[part].annotation)
                ]
            return inner[0] if inner else None
    return None


def test_the_reference_tables_list_every_key_and_only_keys() -> None:
    tables = _tables(ROOT / "docs" / "scenario-reference.md")
    missing, unknown = [], []
    covered: set[type[BaseModel]] = set()
    for heading, (model, keys) in tables.items():
        if model is None:
            continue
        if model in (OptionsFile, SweepFile):
            unknown += [
                f"{heading}: {k}" for k in keys if not resolves(k, [model, Option, OptionCosts])
            ]
            continue
        unknown += [f"{heading}: {k}" for k in keys if k not in model.model_fields]
        if heading != "lines":  # (the top-level key, in a table of its own)
            covered.add(model)
            missing += [f"{heading}: {k}" for k in model.model_fields if k not in keys]
    assert not unknown, f"the reference names keys that do not exist: {unknown}"
    assert not missing, f"the reference leaves keys out: {missing}"
    from ccsim.scenario.model import GroupCostOverride

    undocumented = set(_all_models(Scenario)) - covered - {GroupCostOverride}
    assert not undocumented, f"no table for {sorted(m.__name__ for m in undocumented)}"

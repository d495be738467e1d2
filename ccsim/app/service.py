"""What the web app does, with ccsim's public API, for one folder of files.

Each function here is one thing the page asks for: open a file, validate a scenario's
text (the messages of ``ccsim validate``), apply a variant's levers (options-file
changes, :func:`ccsim.whatif.changes.apply_changes`), start a run, a comparison or a
staffing search in the background, save a variant as a scenario or an options file,
and render a finished run's downloads (``ccsim.report``, the result tables, the JSON).

A *variant* is what the planner made of the scenario open in the page: a name, its
changes as dotted paths (exactly an option of an options file), and the option's costs
for the business case. Variants saved as an options file load with
:func:`ccsim.load_options` and run with ``ccsim compare``. The HTTP layer
(:mod:`ccsim.app.server`) only moves these functions' arguments and answers.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

import ccsim
from ccsim.app import views
from ccsim.app.folder import Folder, FolderError
from ccsim.app.runs import Run, RunRegistry
from ccsim.scenario.loader import scenario_from_text
from ccsim.scenario.model import Scenario, ScenarioError
from ccsim.whatif.changes import apply_changes
from ccsim.whatif.options import OptionCosts

__all__ = ["AppError", "Service", "Variant"]

_REPORT_LOCK = threading.Lock()  # matplotlib figures are drawn one report at a time


class AppError(Exception):
    """A request the app cannot do; ``message`` is shown in the page as is.

    ``status`` is the HTTP status the server answers with (400 bad request, 404 no
    such run, 409 the run is not finished, 422 invalid scenario or changes).
    """

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclasses.dataclass
class Variant:
    """A planner's variant: a name, changes to the open scenario, the option's costs."""

    name: str
    changes: dict[str, Any] = dataclasses.field(default_factory=dict)
    description: str = ""
    costs: dict[str, float] = dataclasses.field(default_factory=dict)


class Service:
    """The app's operations on one folder, with runs on a :class:`RunRegistry`."""

    def __init__(self, folder: Folder, registry: RunRegistry):
        self.folder = folder
        self.registry = registry
        # loaded scenarios by path, kept while the file's size and time are the same
        self._loaded: dict[Path, tuple[tuple[int, int], Scenario]] = {}
        self._loaded_lock = threading.Lock()

    # ------------------------------------------------------------------ messages
    def _tidy(self, text: str) -> str:
        """Messages name files relative to the folder, never by absolute path."""
        return text.replace(str(self.folder.root) + os.sep, "")

    def _invalid(self, name: str, exc: ScenarioError, what: str = "scenario") -> str:
        """The text ``ccsim validate`` prints for an invalid file."""
        lines = [f"  {line}" for line in self._tidy(str(exc)).splitlines()]
        return "\n".join([f"error: {name} is not a valid {what}:", *lines])

    @staticmethod
    def _ok(name: str, s: Scenario) -> str:
        """The text ``ccsim validate`` prints for a valid scenario file."""
        days = f" a day x {len(s.days)} days" if s.days else ""
        return (
            f"ok {name}: {s.name!r}, {len(s.contact_types)} contact types, "
            f"{len(s.agent_groups)} agent groups, {s.horizon.intervals} intervals{days}"
        )

    # --------------------------------------------------------------------- files
    def files(self) -> dict[str, Any]:
        """The folder's name and its YAML files with their kinds."""
        return {"folder": self.folder.root.name, "files": self.folder.files()}

    def load(self, name: str) -> Scenario:
        """The scenario file ``name`` of the folder (``AppError`` 422 when not valid)."""
        path = self.folder.resolve(name)
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._loaded_lock:
            kept = self._loaded.get(path)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        try:
            scenario = ccsim.load_scenario(path)
        except ScenarioError as exc:
            raise AppError(self._invalid(name, _renamed(exc, name)), 422) from None
        with self._loaded_lock:
            self._loaded[path] = (stamp, scenario)
        return scenario

    def open(self, name: str) -> dict[str, Any]:
        """A file of the folder for the page: a scenario at a glance, or an options file.

        An options file opens as its base scenario (which must be in the folder) with
        one variant per option.
        """
        kind = self.folder.kind(name)
        if kind == "options":
            return self._open_options(name)
        if kind == "sweep":
            raise AppError(f"{name} is a sweep file: run it with ccsim sweep {name}")
        text = self.folder.read(name)
        checked = self.validate(name, text)
        return {"kind": "scenario", "path": name, "text": text, "variants": [], **checked}

    def _open_options(self, name: str) -> dict[str, Any]:
        path = self.folder.resolve(name)
        # Where the base is, checked before anything reads it: the base of an options
        # file is read only if it lies in the folder.
        written = yaml.safe_load(path.read_text(encoding="utf-8")).get("base")
        try:
            base_path = Path(os.path.normpath(path.parent / str(written)))
            base = self.folder.name_of(base_path)
            self.folder.resolve(base)
        except FolderError:
            raise AppError(f"{name}: its base scenario {written} is not in the folder") from None
        try:
            file = ccsim.load_options(path)
        except ScenarioError as exc:
            raise AppError(self._invalid(name, exc, "options file"), 422) from None
        opened = self.open(base)
        opened["variants"] = [
            dataclasses.asdict(
                Variant(o.name, dict(o.changes), o.description, o.costs.model_dump())
            )
            for o in file.options
        ]
        opened["options_file"] = name
        return opened

    def validate(self, name: str, text: str) -> dict[str, Any]:
        """Validate scenario text: ``ccsim validate``'s message and, if valid, the glance."""
        try:
            scenario = scenario_from_text(text, name)
        except ScenarioError as exc:
            return {"valid": False, "message": self._invalid(name, exc)}
        except yaml.YAMLError as exc:  # not caught by the loader: e.g. control characters
            return {"valid": False, "message": f"error: {name} is not valid YAML:\n  {exc}"}
        glance = views.glance(scenario)
        return {"valid": True, "message": self._ok(name, scenario), "glance": glance}

    def upload(self, name: str, text: str, overwrite: bool = False) -> dict[str, Any]:
        """Save scenario text into the folder if it is a valid scenario."""
        self.folder.resolve(name, must_exist=False)  # a bad name is refused first
        checked = self.validate(name, text)
        if not checked["valid"]:
            raise AppError(checked["message"], 422)
        self.folder.write(name, text, overwrite)
        return {"path": name, **checked}

    # ------------------------------------------------------------------ variants
    def variant(self, name: str, changes: Mapping[str, Any], option: str = "") -> Scenario:
        """The scenario file ``name`` with a variant's changes applied and validated."""
        base = self.load(name)
        if not changes:
            return base
        try:
            return apply_changes(base, dict(changes), option)
        except ScenarioError as exc:
            lines = self._tidy(str(exc)).splitlines()
            raise AppError("\n".join(["error: the changes are not valid:", *lines]), 422) from None

    def check_variant(
        self, name: str, changes: Mapping[str, Any], option: str = "", erlang: bool = True
    ) -> dict:
        """Validate a variant; its glance (Erlang A if asked) and its changes as YAML."""
        scenario = self.variant(name, changes, option)
        text = _yaml({"changes": dict(changes)}) if changes else ""
        glance = views.glance(scenario, erlang)
        return {"valid": True, "glance": glance, "changes_yaml": text}

    def save_scenario(
        self, name: str, changes: Mapping[str, Any], to: str, overwrite: bool = False
    ) -> dict[str, Any]:
        """Write the variant as a scenario file (every value resolved, runs as is)."""
        scenario = self.variant(name, changes)
        data = scenario.model_dump(mode="json", exclude_none=True)
        self.folder.write(to, yaml.safe_dump(data, sort_keys=False), overwrite)
        return {"path": to, "message": self._ok(to, self.load(to))}

    def save_options(
        self, name: str, variants: list[Variant], to: str, overwrite: bool = False
    ) -> dict[str, Any]:
        """Write variants as an options file on the scenario ``name``; check it loads."""
        if not variants:
            raise AppError("no variant to save: make one first")
        target = self.folder.resolve(to, must_exist=False)
        for v in variants:  # every option valid before anything is written
            self.variant(name, v.changes, v.name)
            _costs(v)
        base = os.path.relpath(self.folder.resolve(name), target.parent)
        data = {
            "base": Path(base).as_posix(),
            "options": [
                {
                    "name": v.name,
                    **({"description": v.description} if v.description else {}),
                    "changes": dict(v.changes),
                    **({"costs": c} if (c := _costs(v)) else {}),
                }
                for v in variants
            ],
        }
        header = f"# Options made in the ccsim app on {name}; run: ccsim compare {to}\n"
        self.folder.write(to, header + _yaml(data), overwrite)
        try:
            ccsim.load_options(target)
        except ScenarioError as exc:  # never expected: the same checks passed above
            target.unlink(missing_ok=True)
            raise AppError(self._invalid(to, exc, "options file"), 422) from None
        return {"path": to, "message": f"ok {to}: {len(variants)} options on {name}"}

    # ---------------------------------------------------------------------- runs
    def simulate(self, name: str, changes: Mapping[str, Any], replications: int, seed: int,
                 label: str = "") -> Run:  # fmt: skip
        """Start ``ccsim.simulate`` of a variant (fast engine) in the background."""
        scenario = self.variant(name, changes, label)

        def work(progress: Any) -> Any:
            return ccsim.simulate(scenario, replications, seed, "fast", progress=progress)

        title = f"{Path(name).stem} {label}".strip()  # names the downloads
        return self.registry.submit("simulate", title, work, views.run_view)

    def compare(self, name: str, variants: list[Variant], replications: int, seed: int) -> Run:
        """Start ``ccsim.compare`` of the scenario and its variants in the background."""
        if not variants:
            raise AppError("nothing to compare: make a variant first")
        names = [v.name for v in variants]
        if "base" in names or len(set(names)) != len(names):
            raise AppError("variant names must differ from each other and from 'base'")
        scenarios = {"base": self.load(name)}
        scenarios |= {v.name: self.variant(name, v.changes, v.name) for v in variants}
        costs = {v.name: _costs(v, full=True) for v in variants}

        def work(progress: Any) -> Any:
            comparison = ccsim.compare(scenarios, replications, seed, "fast", progress=progress)
            return dataclasses.replace(comparison, costs=costs)  # the options' cost inputs

        title = f"{Path(name).stem} compared"
        return self.registry.submit("compare", title, work, views.comparison_view)

    def staff(self, name: str, changes: Mapping[str, Any], replications: int, seed: int,
              max_abandon: float | None = None) -> Run:  # fmt: skip
        """Start ``ccsim.search_staffing`` on a variant in the background."""
        scenario = self.variant(name, changes)

        def work(progress: Any) -> Any:
            return ccsim.search_staffing(scenario, replications, seed, "fast", max_abandon,
                                         progress=progress)  # fmt: skip

        title = f"{Path(name).stem} staffed"
        return self.registry.submit("staff", title, work, views.staffing_view)

    def run(self, run_id: str) -> Run:
        """A run by id (``AppError`` 404 when unknown or forgotten)."""
        run = self.registry.get(run_id)
        if run is None:
            raise AppError(f"no run {run_id} (the app keeps the latest runs only)", 404)
        return run

    def charts(self, run_id: str) -> dict[str, Any]:
        """Per-interval series of a finished run (or of a staffing search's final run)."""
        run = self._finished(run_id)
        if run.kind == "compare":
            raise AppError("a comparison has no interval charts; open a variant's run")
        result = run.value.result if run.kind == "staff" else run.value
        with run.lock:
            if "charts" not in run.cache:
                run.cache["charts"] = views.charts_view(result)
            return run.cache["charts"]

    # ----------------------------------------------------------------- downloads
    def download(self, run_id: str, file: str) -> tuple[bytes, str, str]:
        """A finished run's file: ``(content, media type, file name to save as)``."""
        run = self._finished(run_id)
        makers = _DOWNLOADS.get(run.kind, {})
        if file not in makers:
            known = ", ".join(makers)
            raise AppError(f"no {file} for a {run.kind} run (there are: {known})", 404)
        with run.lock:
            if file not in run.cache:
                try:
                    run.cache[file] = makers[file](run.value)
                except ValueError as exc:  # e.g. finance.csv of a scenario without costs
                    raise AppError(str(exc), 404) from None
        stem = _slug(run.label)
        media = {".html": "text/html", ".csv": "text/csv", ".json": "application/json",
                 ".yaml": "application/x-yaml"}[Path(file).suffix]  # fmt: skip
        return run.cache[file], media, f"{stem}-{file}"

    def _finished(self, run_id: str) -> Run:
        run = self.run(run_id)
        if not run.finished_ok:
            raise AppError(f"run {run_id} is {run.status}, not finished", 409)
        return run


# ---------------------------------------------------------------------- helpers
def _renamed(exc: ScenarioError, name: str) -> ScenarioError:
    """The same problems, naming the file as the folder-relative ``name``."""
    return ScenarioError(exc.problems, name, exc.line_of)


def _costs(variant: Variant, full: bool = False) -> dict[str, float]:
    """A variant's option costs, validated (``OptionCosts``); only those set unless ``full``."""
    try:
        costs = OptionCosts(**(variant.costs or {}))
    except Exception as exc:  # pydantic's ValidationError: unknown key or negative value
        raise AppError(f"costs of {variant.name!r}: {exc}", 422) from None
    data = costs.model_dump()
    return data if full else {k: v for k, v in data.items() if v}


def _yaml(data: Any) -> str:
    """YAML as a planner writes it: keys in order, a list of numbers on one line."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)[:60] or "ccsim"


def _report(value: Any, write: Any) -> bytes:
    with _REPORT_LOCK, tempfile.TemporaryDirectory(prefix="ccsim-app-") as folder:
        path = Path(folder) / "report.html"
        write(value, path)
        return path.read_bytes()


def _scenario_yaml(scenario: Scenario) -> bytes:
    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False).encode()


def _csv(frame: Any) -> bytes:
    return frame.to_csv(index=False).encode()


def _run_files(result_of: Any) -> dict[str, Any]:
    return {
        "report.html": lambda v: _report(result_of(v), ccsim.run_report),
        "intervals.csv": lambda v: _csv(result_of(v).interval_table()),
        "summary.json": lambda v: (result_of(v).to_json(indent=2) + "\n").encode(),
        "scenario.yaml": lambda v: _scenario_yaml(result_of(v).scenario),
    }


_DOWNLOADS: dict[str, dict[str, Any]] = {
    "simulate": _run_files(lambda v: v),
    "staff": _run_files(lambda v: v.result),
    "compare": {
        "report.html": lambda v: _report(v, ccsim.compare_report),
        "comparison.json": lambda v: (v.to_json(indent=2) + "\n").encode(),
        "differences.csv": lambda v: _csv(v.table()),
        "finance.csv": lambda v: _csv(v.finance()),
    },
}

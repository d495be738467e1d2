"""What every ``ccsim`` sub-command shares: errors, loading, engines, progress, numbers.

A user error (a missing file, an invalid scenario, an unknown engine) is one line on
stderr and exit code 2, never a traceback. Progress bars appear on stderr only when a
run lasts over a second, so piped JSON stays clean.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from ccsim.cli.outputs import OutputError, check_file, check_folder
from ccsim.results.kpis import SHARE_KPIS
from ccsim.scenario.loader import load_scenario
from ccsim.scenario.model import Scenario, ScenarioError
from ccsim.simulation import ENGINES

err = Console(stderr=True, soft_wrap=True)


def table_console() -> Console:
    """A console for result tables: the terminal's width, or 160 columns in files and pipes."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def require_file(path: Path) -> None:
    """Exit with code 2 and one line when ``path`` does not exist or is a folder."""
    try:
        if path.exists() and not path.is_dir():
            return  # (a pipe, as from <(...), is read as a file)
        problem = "is a folder, not a file" if path.exists() else "no such file"
    except OSError as exc:  # a name too long, ...
        problem = f"cannot be read: {exc.strerror or exc}"
    err.print(f"[red]error:[/red] {escape(str(path))}: {problem}", highlight=False)
    raise typer.Exit(2)


def check_engine(engine: str) -> None:
    """Exit with code 2 and the choices when ``engine`` is not one of :data:`ENGINES`."""
    if engine not in ENGINES:
        choices = ", ".join(ENGINES)
        err.print(f"[red]error:[/red] unknown engine {engine!r}; choose one of {choices}")
        raise typer.Exit(2)


_COMMAND = [False]  # set by main(): this process is the ``ccsim`` command, not a library user


def start_engine(engine: str) -> None:
    """Before the ``ccsim`` command simulates (nothing when ``app`` runs in a test).

    The fast engine lets numba load without SciPy's linear algebra (see
    :func:`ccsim.engines.kernel.jit.skip_blas_probe`). What start-up made (modules, classes, the
    scenario) lives until the end, so the garbage collector leaves it out of its full
    collections from here on (``gc.freeze``).
    """
    if not _COMMAND[0]:
        return
    if engine == "fast":
        from ccsim.engines.kernel.jit import needs_compiling, skip_blas_probe

        skip_blas_probe()
        if needs_compiling():
            err.print(
                "compiling the fast engine: once after installing or upgrading ccsim "
                "(20-40 s); later runs start at once"
            )
    gc.freeze()


def invalid(title: str, exc: ScenarioError) -> typer.Exit:
    """Print a validation failure, one problem a line; return the exit to raise (code 2)."""
    err.print(f"[red]error:[/red] {title}", highlight=False)
    for line in str(exc).splitlines():
        err.print(f"  {line}", markup=False, highlight=False)
    return typer.Exit(2)


def load(path: Path) -> Scenario:
    """Load a scenario or exit with code 2 and the problems."""
    require_file(path)
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise invalid(f"{path} is not a valid scenario:", exc) from None


class progress_bar:
    """A progress bar on stderr that appears only if the run lasts over a second."""

    def __init__(self, label: str, unit: str = "replications"):
        self.label = label
        self.unit = unit
        self.start = time.perf_counter()
        self.bar: Progress | None = None
        self.task = None
        self.done = 0  # the last count reported, for "interrupted after ..."

    def __enter__(self) -> progress_bar:
        return self

    def __call__(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` (a :class:`ccsim.Progress` callback)."""
        self.done = done
        if self.bar is None:
            if time.perf_counter() - self.start < 1.0 or done >= total:
                return
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn(f"{{task.completed}}/{{task.total}} {self.unit}"),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        self.bar.update(self.task, completed=done)  # type: ignore[arg-type]

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def fmt(kpi: str, mean: float, lo: float, hi: float) -> str:
    """A KPI's mean and CI for a table: shares in %, counts whole, ``-`` when undefined."""
    if mean != mean:  # NaN
        return "-"
    if kpi in SHARE_KPIS or kpi.startswith("service_level_"):  # service_level_20s too
        text = f"{100 * mean:.1f} %"
        return text if lo != lo else f"{text}  [{100 * lo:.1f}, {100 * hi:.1f}]"
    digits = 0 if kpi in {"offered", "answered", "abandoned", "blocked", "deflected"} else 1
    text = f"{mean:,.{digits}f}"
    return text if lo != lo else f"{text}  [{lo:,.{digits}f}, {hi:,.{digits}f}]"


def check_outputs(
    folders: dict[str, Path | None] | None = None,
    files: dict[str, tuple[Path | None, tuple[str, ...]]] | None = None,
) -> None:
    """Check every output a command was given before it runs anything.

    ``folders`` maps an option (``"--out"``) to its folder, ``files`` an option to its
    file and allowed suffixes. Missing folders are created. The first problem is one
    line on stderr and exit code 2 (see :mod:`ccsim.cli.outputs`).
    """
    try:
        for option, folder in (folders or {}).items():
            check_folder(folder, option)
        for option, (file, suffixes) in (files or {}).items():
            check_file(file, option, suffixes)
    except OutputError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None


def interrupted(what: str) -> typer.Exit:
    """Say that Ctrl-C stopped the command and what it kept; the exit to raise (code 130)."""
    err.print(f"[yellow]interrupted[/yellow]: {what}", highlight=False)
    return typer.Exit(130)

"""The ``ccsim`` command: run and validate scenario files.

``ccsim run FILE`` simulates a scenario and prints its KPIs with 95 % confidence
intervals (``--json`` for one JSON object on stdout, ``--out DIR`` to keep the
resolved scenario, the summary and the interval table). ``ccsim validate FILE``
checks a scenario without running it. A scenario that does not validate exits with
code 2 and one ``file:line: key.path: message`` line per problem.
"""

from __future__ import annotations

import gc
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ccsim import __version__
from ccsim.results.kpis import SHARE_KPIS, group_kpis
from ccsim.results.tables import SimulationResult
from ccsim.scenario.loader import load_scenario
from ccsim.scenario.model import Scenario, ScenarioError
from ccsim.simulation import (
    DEFAULT_ENGINE,
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    ENGINES,
    CapacityWarning,
    simulate,
)

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="ccsim: a discrete-event contact-centre simulator.",
)
err = Console(stderr=True, soft_wrap=True)


def _require_file(path: Path) -> None:
    if not path.exists():
        err.print(f"[red]error:[/red] {path}: no such file")
        raise typer.Exit(2)


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        choices = ", ".join(ENGINES)
        err.print(f"[red]error:[/red] unknown engine {engine!r}; choose one of {choices}")
        raise typer.Exit(2)


_COMMAND = False  # set by main(): this process is the ``ccsim`` command, not a library user


def _start_engine(engine: str) -> None:
    """Before the ``ccsim`` command simulates (nothing when ``app`` runs in a test).

    The fast engine lets numba load without SciPy's linear algebra (see
    :func:`ccsim.engines.counters.skip_blas_probe`). What start-up made (modules, classes, the
    scenario) lives until the end, so the garbage collector leaves it out of its full
    collections from here on (``gc.freeze``).
    """
    if not _COMMAND:
        return
    if engine == "fast":
        from ccsim.engines.counters import skip_blas_probe

        skip_blas_probe()
    gc.freeze()


def _invalid(title: str, exc: ScenarioError) -> typer.Exit:
    """Print a validation failure, one problem a line; return the exit to raise (code 2)."""
    err.print(f"[red]error:[/red] {title}", highlight=False)
    for line in str(exc).splitlines():
        err.print(f"  {line}", markup=False, highlight=False)
    return typer.Exit(2)


def _load(path: Path) -> Scenario:
    """Load a scenario or exit with code 2 and the problems."""
    _require_file(path)
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise _invalid(f"{path} is not a valid scenario:", exc) from None


@app.command()
def validate(file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")]) -> None:
    """Check a scenario file without running it."""
    s = _load(file)
    err.print(
        f"[green]ok[/green] {file}: {s.name!r}, {len(s.contact_types)} contact types, "
        f"{len(s.agent_groups)} agent groups, {s.horizon.intervals} intervals"
        + (f" a day x {len(s.days)} days" if s.days else "")
    )


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=1)
    ] = DEFAULT_REPLICATIONS,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the run.")] = DEFAULT_SEED,
    engine: Annotated[str, typer.Option(help=f"One of: {', '.join(ENGINES)}.")] = DEFAULT_ENGINE,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write results into this folder.")] = None,
    intervals: Annotated[bool, typer.Option(help="Also print the KPIs per interval.")] = False,
    report: Annotated[
        Path | None, typer.Option(help="Write a self-contained HTML report to this file.")
    ] = None,
    records: Annotated[
        Path | None,
        typer.Option(help="Write one row per contact to this .parquet or .csv file."),
    ] = None,
) -> None:
    """Simulate a scenario and report its KPIs with 95 % confidence intervals."""
    _check_engine(engine)
    scenario = _load(file)
    _start_engine(engine)
    with _progress(f"simulating {scenario.name}") as progress, warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)  # reported below, once
        result = simulate(
            scenario, replications, seed, engine, records=records is not None, progress=progress
        )
    for note in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {note}", highlight=False)
    if out is not None:
        write_outputs(result, out)
        err.print(f"results written to {out}/")
    if records is not None and result.records is not None:
        if records.suffix == ".csv":
            result.records.to_csv(records, index=False)
        else:
            result.records.to_parquet(records, index=False)
        err.print(f"{len(result.records):,} contact records written to {records}")
    if report is not None:
        from ccsim.report.html import run_report

        run_report(result, report)
        err.print(f"report written to {report}")
    if as_json:
        sys.stdout.write(result.to_json() + "\n")
        return
    _print_tables(result, intervals)
    if result.scenario.costs is not None:
        _print_costs(result)


@app.command(name="compare")
def compare_command(
    options: Annotated[Path, typer.Argument(help="Options file (YAML): a base and options.")],
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=2)
    ] = DEFAULT_REPLICATIONS,
    seed: Annotated[int, typer.Option(min=0, help="Seed shared by every option.")] = DEFAULT_SEED,
    engine: Annotated[str, typer.Option(help=f"One of: {', '.join(ENGINES)}.")] = DEFAULT_ENGINE,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write results into this folder.")] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write a self-contained HTML report to this file.")
    ] = None,
) -> None:
    """Compare options with the base on common random numbers (paired 95 % CIs)."""
    from ccsim.whatif.comparison import compare

    _check_engine(engine)
    _start_engine(engine)
    _require_file(options)
    try:
        with _progress("comparing options") as progress, warnings.catch_warnings():
            warnings.simplefilter("ignore", CapacityWarning)
            comparison = compare(options, replications, seed, engine, progress=progress)
    except ScenarioError as exc:
        raise _invalid(f"{options} is not a valid options file:", exc) from None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "comparison.json").write_text(comparison.to_json(indent=2) + "\n")
        comparison.table().to_csv(out / "differences.csv", index=False)
        err.print(f"results written to {out}/")
    if report is not None:
        from ccsim.report.html import compare_report

        compare_report(comparison, report)
        err.print(f"report written to {report}")
    if as_json:
        sys.stdout.write(comparison.to_json() + "\n")
        return
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    base = comparison.results["base"]
    console.print(
        f"[bold]{base.scenario.name}[/bold] and {len(comparison.options)} options: "
        f"{base.replications} paired replications, seed {base.seed}, engine {base.engine}; "
        "difference to the base with its 95 % CI (* = significant)"
    )
    table = Table()
    table.add_column("KPI")
    table.add_column("base", justify="right")
    for name in comparison.options:
        table.add_column(name, justify="right")
    for kpi in comparison.kpis:
        row = [kpi, _fmt(kpi, base.kpi(kpi), float("nan"), float("nan"))]
        for name in comparison.options:
            d = comparison.difference(name, kpi)
            scale, unit = (100.0, " pt") if kpi in SHARE_KPIS else (1.0, "")
            mark = "*" if d.significant else " "
            low, high = d.low * scale, d.high * scale
            row.append(f"{d.mean * scale:+,.2f}{unit} [{low:+,.2f}, {high:+,.2f}]{mark}")
        table.add_row(*row)
    console.print(table)
    if comparison.costs:
        costs = Table(title="option costs (inputs)")
        columns = ("option", "one-off", "per new agent", "monthly", "per seat / month")
        for col in columns:
            costs.add_column(col, justify="left" if col == "option" else "right")
        for name, c in comparison.costs.items():
            costs.add_row(
                name,
                f"{c['one_off']:,.0f}",
                f"{c['per_new_agent']:,.0f}",
                f"{c['monthly']:,.0f}",
                f"{c['per_seat_monthly']:,.0f}",
            )
        console.print(costs)
    if base.scenario.costs is not None:
        currency = base.scenario.costs.currency
        fin = Table(title=f"business case against the base ({currency}; 3 years, 8 % discount)")
        for col in (
            "option",
            "saving / day [95 % CI]",
            "saving / year",
            "investment",
            "recurring / year",
            "payback (months)",
            "ROI",
            "NPV",
        ):
            fin.add_column(col, justify="left" if col == "option" else "right")
        for r in comparison.finance().itertuples():
            lo, hi = r.saving_ci95
            fin.add_row(
                r.option,
                f"{r.saving_per_day:,.0f} [{lo:,.0f}, {hi:,.0f}]",
                f"{r.saving_per_year:,.0f}",
                f"{r.investment:,.0f}",
                f"{r.recurring_per_year:,.0f}",
                "never" if r.payback_months == float("inf") else f"{r.payback_months:.1f}",
                f"{100 * r.roi:,.0f} %" if abs(r.roi) != float("inf") else "-",
                f"{r.npv:,.0f}",
            )
        console.print(fin)
    narrowing = [
        comparison.difference(name, "service_level").narrowing for name in comparison.options
    ]
    finite = [x for x in narrowing if x == x and x != float("inf")]
    if finite:
        console.print(
            f"pairing narrows the service-level intervals {min(finite):.1f}-{max(finite):.1f}x "
            "compared with independent runs"
        )


@app.command(name="sweep")
def sweep_command(
    file: Annotated[Path, typer.Argument(help="Sweep file (YAML): a base and a grid.")],
    replications: Annotated[int | None, typer.Option("--replications", "-r", min=1)] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed shared by every point.")] = None,
    engine: Annotated[str, typer.Option(help=f"One of: {', '.join(ENGINES)}.")] = DEFAULT_ENGINE,
    store: Annotated[Path | None, typer.Option(help="Keep finished points here; resume.")] = None,
    cluster: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The table as JSON records.")] = False,
    out: Annotated[
        Path | None, typer.Option(help="Write sweep.csv and sweep.parquet here.")
    ] = None,
) -> None:
    """Run every point of a grid over a scenario; one row of KPIs (and cost) per point."""
    from ccsim.whatif.sweeps import load_sweep, sweep

    _check_engine(engine)
    _start_engine(engine)
    _require_file(file)
    try:
        scenario, spec = load_sweep(file)
    except ScenarioError as exc:
        raise _invalid(f"{file} is not a valid sweep:", exc) from None
    grid = spec.grid if spec.grid is not None else spec.points
    reps = replications or spec.replications or 100
    run_seed = seed if seed is not None else (spec.seed if spec.seed is not None else DEFAULT_SEED)
    try:
        with _progress(f"sweeping {scenario.name}", unit="points") as progress:
            table = sweep(
                scenario, grid, reps, run_seed, engine, store=store, cluster=cluster,
                progress=progress,
            )  # fmt: skip
    except ScenarioError as exc:
        raise _invalid(f"{file}: a point is not a valid scenario:", exc) from None
    except (ImportError, OSError) as exc:  # no dask, or the cluster cannot be reached
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        where = f"; finished points are kept in {store}/" if store else ""
        err.print(f"[yellow]interrupted[/yellow]{where}")
        raise typer.Exit(130) from None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "sweep.csv", index=False)
        table.to_parquet(out / "sweep.parquet", index=False)
        err.print(f"results written to {out}/")
    if as_json:
        sys.stdout.write(table.to_json(orient="records") + "\n")
        return
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    paths = [c for c in table.columns if "." in c]
    shown = ["service_level", "abandon_rate", "asa_s", "occupancy"]
    if "cost_per_day" in table.columns:
        shown.append("cost_per_day")
    t = Table(title=f"{scenario.name}: {len(table)} points, {reps} replications each")
    for col in (*paths, *shown):
        t.add_column(col, justify="right")
    for row in table.to_dict("records"):
        cells = [str(row[p]) for p in paths]
        for kpi in shown:
            lo, hi = row.get(f"{kpi}_ci95_low", float("nan")), row.get(f"{kpi}_ci95_high")
            cells.append(_fmt(kpi, row[kpi], lo, hi if hi is not None else float("nan")))
        t.add_row(*cells)
    console.print(t)


@app.command(name="staff")
def staff_command(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=2)
    ] = DEFAULT_REPLICATIONS,
    seed: Annotated[int, typer.Option(min=0, help="Seed of every candidate.")] = DEFAULT_SEED,
    engine: Annotated[str, typer.Option(help=f"One of: {', '.join(ENGINES)}.")] = DEFAULT_ENGINE,
    max_abandon: Annotated[
        float | None, typer.Option(min=0, max=1, help="Abandonment ceiling per interval.")
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option(min=0, help="Daily staffing (agent) budget: the best service level it buys."),
    ] = None,
    write: Annotated[Path | None, typer.Option(help="Write the staffed scenario here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Find the fewest agents per interval that meet every service-level target.

    With --budget: the highest service-level target (the same for every type) whose
    staffing costs at most the budget per day (needs a costs: section).
    """
    from ccsim.whatif.staffing import search_budget, search_staffing

    _check_engine(engine)
    _start_engine(engine)
    scenario = _load(file)
    bought = None
    try:
        with err.status("searching: Erlang A start, then simulation") as status:

            def report(done: int, total: int) -> None:
                what = "staffing search" if budget is not None else "simulation"
                status.update(f"searching: {what} {done} (at most {total})")

            if budget is None:
                found = search_staffing(
                    scenario, replications, seed, engine, max_abandon, progress=report
                )
            else:
                bought = search_budget(
                    scenario, budget, replications, seed, engine, progress=report
                )
                found = bought.staffing
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if not found.met:
        err.print("[yellow]warning:[/yellow] the targets could not be met everywhere")
    if bought is not None:
        err.print(
            f"a budget of {budget:,.0f} per day buys a service-level target of "
            f"{100 * bought.target:.1f} % in every interval "
            f"(agents cost {bought.cost_per_day:,.0f} per day)"
        )
    if write is not None:
        data = found.scenario.model_dump(mode="json", exclude_none=True)
        write.write_text(yaml.safe_dump(data, sort_keys=False))
        err.print(f"staffed scenario written to {write}")
    cost = None
    if found.scenario.costs is not None:
        from ccsim.results.kpis import mean_ci
        from ccsim.whatif.costs import daily_costs

        mean, low, high, _ = mean_ci(daily_costs(found.result)["total"])
        cost = {"mean": float(mean), "ci95": [float(low), float(high)]}
    if as_json:
        data = {
            "scenario": scenario.name,
            "met": found.met,
            "staffing": found.staffing,
            "erlang_a_start": found.start,
            "evaluations": found.evaluations,
            "kpis": found.result.to_dict()["kpis"],
            "by_type": found.result.to_dict()["by_type"],
            "cost_per_day": cost,
            "budget_target": bought.target if bought is not None else None,
        }
        sys.stdout.write(json.dumps(data) + "\n")
        return
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    table = Table(title=f"{scenario.name}: agents per interval ({found.evaluations} simulations)")
    table.add_column("start")
    for group in found.staffing:
        table.add_column(f"{group} (Erlang A)", justify="right")
        table.add_column(f"{group} (found)", justify="right")
    for k, label in enumerate(found.result.interval_labels()):
        cells = [label]
        for group, agents in found.staffing.items():
            cells += [str(found.start[group][k]), str(agents[k])]
        table.add_row(*cells)
    console.print(table)
    _print_tables(found.result, intervals=True)
    if cost is not None:
        currency = found.scenario.costs.currency  # type: ignore[union-attr]
        lo, hi = cost["ci95"]
        console.print(f"cost per day: {cost['mean']:,.0f} {currency} [{lo:,.0f}, {hi:,.0f}]")


def write_outputs(result: SimulationResult, folder: Path) -> None:
    """Write the resolved scenario, run metadata, summary and interval tables."""
    folder.mkdir(parents=True, exist_ok=True)
    scenario = result.scenario.model_dump(mode="json", exclude_none=True)
    (folder / "scenario.resolved.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False))
    summary = result.to_dict()
    summary["ccsim_version"] = __version__
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    table = result.interval_table()
    table.to_csv(folder / "intervals.csv", index=False)
    table.to_parquet(folder / "intervals.parquet", index=False)
    # Excel and WFM imports: UTF-8 with a byte-order mark, plain decimals, no index
    table.to_csv(
        folder / "intervals_excel.csv", index=False, encoding="utf-8-sig", float_format="%.6f"
    )
    result.by_interval.to_csv(folder / "intervals_long.csv", index=False)
    result.by_group_interval.to_csv(folder / "groups_by_interval.csv", index=False)


class _progress:
    """A progress bar on stderr that appears only if the run lasts over a second."""

    def __init__(self, label: str, unit: str = "replications"):
        self.label = label
        self.unit = unit
        self.start = time.perf_counter()
        self.bar: Progress | None = None
        self.task = None

    def __enter__(self) -> _progress:
        return self

    def __call__(self, done: int, total: int) -> None:
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


def _fmt(kpi: str, mean: float, lo: float, hi: float) -> str:
    if mean != mean:  # NaN
        return "-"
    if kpi in SHARE_KPIS:
        text = f"{100 * mean:.1f} %"
        return text if lo != lo else f"{text}  [{100 * lo:.1f}, {100 * hi:.1f}]"
    digits = 0 if kpi in {"offered", "answered", "abandoned", "blocked", "deflected"} else 1
    text = f"{mean:,.{digits}f}"
    return text if lo != lo else f"{text}  [{lo:,.{digits}f}, {hi:,.{digits}f}]"


def _print_costs(result: SimulationResult) -> None:
    from ccsim.whatif.costs import cost_table

    currency = result.scenario.costs.currency  # type: ignore[union-attr]
    table = Table(title=f"costs ({currency}); mean and 95 % CI per day, mean per year")
    for col in ("component", "per day", "per year"):
        table.add_column(col, justify="left" if col == "component" else "right")
    for r in cost_table(result).itertuples():
        year = "" if r.per_year != r.per_year else f"{r.per_year:,.0f}"
        digits = 2 if r.component == "per_handled_contact" else 0
        day = f"{r.per_day:,.{digits}f}  [{r.ci95_low:,.{digits}f}, {r.ci95_high:,.{digits}f}]"
        table.add_row(r.component, day, year)
    Console(width=160).print(table)


def _print_tables(result: SimulationResult, intervals: bool) -> None:
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # files and pipes: no wrapping of the CI columns
    s = result.scenario
    console.print(
        f"[bold]{s.name}[/bold]: {result.replications} replications, seed {result.seed}, "
        f"engine {result.engine}; mean and 95 % confidence interval"
    )
    table = Table(show_lines=False)
    table.add_column("KPI")
    email = result.plan.type_email
    centre = "real-time types" if email.any() and not email.all() else "all types"
    table.add_column(centre, justify="right")
    names = list(result.plan.type_names)
    if len(names) > 1:
        for name in names:
            table.add_column(name, justify="right")
    by_type = result.by_type.set_index(["type", "kpi"])
    for r in result.summary.itertuples():
        if r.kpi == "occupancy":
            continue
        row = [r.kpi, _fmt(r.kpi, r.mean, r.ci95_low, r.ci95_high)]
        if len(names) > 1:
            for name in names:
                t = by_type.loc[(name, r.kpi)]
                row.append(_fmt(r.kpi, t["mean"], t["ci95_low"], t["ci95_high"]))
        table.add_row(*row)
    console.print(table)
    groups = Table()
    for col in ("agent group", "occupancy", "staffed hours", "busy hours"):
        groups.add_column(col, justify="left" if col == "agent group" else "right")
    by_group = result.by_group.set_index(["group", "kpi"])
    for g in result.plan.group_names:
        cells = [g]
        for kpi in ("occupancy", "staffed_hours", "busy_hours"):
            x = by_group.loc[(g, kpi)]
            cells.append(_fmt(kpi, x["mean"], x["ci95_low"], x["ci95_high"]))
        groups.add_row(*cells)
    console.print(groups)
    if intervals:
        df = result.interval_table()
        t = Table(title="per interval (all types)")
        for col in ("start", "offered", "service level", "abandon", "ASA s", "occupancy"):
            t.add_column(col, justify="right")
        # all groups together: busy over staffed time (weighted by group size)
        occ = np.nanmean(group_kpis(result.group_acc.sum(axis=1))["occupancy"], axis=0)
        occ = dict(enumerate(occ))
        for r in df[df["type"] == "ALL"].itertuples():
            t.add_row(
                r.start,
                f"{r.offered:,.1f}",
                _fmt("service_level", r.service_level, float("nan"), float("nan")),
                _fmt("abandon_rate", r.abandon_rate, float("nan"), float("nan")),
                _fmt("asa_s", r.asa_s, float("nan"), float("nan")),
                _fmt("occupancy", occ.get(r.interval, float("nan")), float("nan"), float("nan")),
            )
        console.print(t)


def main() -> None:
    """Entry point of the ``ccsim`` console script."""
    global _COMMAND
    _COMMAND = True
    try:
        app()
    finally:
        # At exit the interpreter runs full garbage collections over every object
        # left, about 200 000 with numba loaded (0.2-0.3 s). Frozen objects are left
        # out; atexit handlers and finalizers of objects freed by reference counting
        # still run.
        gc.freeze()


if __name__ == "__main__":
    main()

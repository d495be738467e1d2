"""``ccsim compare``, ``ccsim sweep`` and ``ccsim staff``: the what-if commands.

``compare`` runs a base scenario and its options on common random numbers and prints
the paired differences and the business case; ``sweep`` runs a grid of changes, each
finished point kept in a store so that an interrupted sweep resumes; ``staff`` finds
the fewest agents per interval that meet every target (or the best target a budget
buys).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from ccsim.cli.common import (
    check_engine,
    check_outputs,
    err,
    fmt,
    interrupted,
    invalid,
    load,
    progress_bar,
    require_file,
    start_engine,
    table_console,
)
from ccsim.cli.outputs import atomic_path
from ccsim.cli.run import print_tables
from ccsim.results.kpis import SHARE_KPIS
from ccsim.scenario.model import ScenarioError
from ccsim.simulation import (
    DEFAULT_ENGINE,
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    ENGINES,
    CapacityWarning,
)


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

    check_engine(engine)
    require_file(options)
    check_outputs(folders={"--out": out}, files={"--report": (report, (".html", ".htm"))})
    start_engine(engine)
    try:
        with progress_bar("comparing options") as progress, warnings.catch_warnings():
            warnings.simplefilter("ignore", CapacityWarning)
            comparison = compare(options, replications, seed, engine, progress=progress)
    except ScenarioError as exc:
        raise invalid(f"{options} is not a valid options file:", exc) from None
    except KeyboardInterrupt:
        done = f"{progress.done:,} of the comparison's replications"
        raise interrupted(f"stopped after {done}; nothing was written") from None
    if out is not None:
        with atomic_path(out / "comparison.json") as tmp:
            tmp.write_text(comparison.to_json(indent=2) + "\n")
        with atomic_path(out / "differences.csv") as tmp:
            comparison.table().to_csv(tmp, index=False)
        err.print(f"results written to {out}/")
    if report is not None:
        from ccsim.report.html import compare_report

        with atomic_path(report) as tmp:
            compare_report(comparison, tmp)
        err.print(f"report written to {report}")
    if as_json:
        sys.stdout.write(comparison.to_json() + "\n")
        return
    console = table_console()
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
        row = [kpi, fmt(kpi, base.kpi(kpi), float("nan"), float("nan"))]
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
    from ccsim.whatif.sweeps import SharedStoreWarning, load_sweep, sweep

    check_engine(engine)
    require_file(file)
    try:
        scenario, spec = load_sweep(file)
    except ScenarioError as exc:
        raise invalid(f"{file} is not a valid sweep:", exc) from None
    check_outputs(folders={"--out": out, "--store": store})
    start_engine(engine)
    grid = spec.grid if spec.grid is not None else spec.points
    reps = replications or spec.replications or 100
    run_seed = seed if seed is not None else (spec.seed if spec.seed is not None else DEFAULT_SEED)
    try:
        with (
            progress_bar(f"sweeping {scenario.name}", unit="points") as progress,
            warnings.catch_warnings(record=True) as notes,
        ):
            warnings.simplefilter("always", SharedStoreWarning)
            table = sweep(
                scenario, grid, reps, run_seed, engine, store=store, cluster=cluster,
                progress=progress,
            )  # fmt: skip
    except ScenarioError as exc:
        raise invalid(f"{file}: a point is not a valid scenario:", exc) from None
    except (ImportError, OSError) as exc:  # no dask, or the cluster cannot be reached
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        kept = f"the finished points are kept in {store}/ (run again to resume)"
        raise interrupted(
            kept if store else "nothing was kept (use --store to keep points)"
        ) from None
    for note in notes:
        err.print(f"note: {note.message}", highlight=False)
    if out is not None:
        with atomic_path(out / "sweep.csv") as tmp:
            table.to_csv(tmp, index=False)
        with atomic_path(out / "sweep.parquet") as tmp:
            table.to_parquet(tmp, index=False)
        err.print(f"results written to {out}/")
    if as_json:
        sys.stdout.write(table.to_json(orient="records") + "\n")
        return
    console = table_console()
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
            cells.append(fmt(kpi, row[kpi], lo, hi if hi is not None else float("nan")))
        t.add_row(*cells)
    console.print(t)


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

    check_engine(engine)
    scenario = load(file)
    check_outputs(files={"--write": (write, (".yaml", ".yml"))})
    start_engine(engine)
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
    except KeyboardInterrupt:
        raise interrupted("the search stopped; nothing was written") from None
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
        with atomic_path(write) as tmp:
            tmp.write_text(yaml.safe_dump(data, sort_keys=False))
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
    console = table_console()
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
    print_tables(found.result, intervals=True)
    if cost is not None:
        currency = found.scenario.costs.currency  # type: ignore[union-attr]
        lo, hi = cost["ci95"]
        console.print(f"cost per day: {cost['mean']:,.0f} {currency} [{lo:,.0f}, {hi:,.0f}]")

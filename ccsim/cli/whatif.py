"""``ccsim compare``, ``ccsim sweep`` and ``ccsim staff``: the what-if commands.

``compare`` runs a base scenario and its options on common random numbers and prints
the paired differences and the business case; ``sweep`` runs a grid of changes, each
finished point kept in a store so that an interrupted sweep resumes; ``staff`` finds
the fewest agents per interval that meet every target (or the best target a budget
buys).
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    import pandas as pd

    from ccsim.whatif.comparison import Comparison


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
    at_target: Annotated[
        bool,
        typer.Option(
            "--at-target",
            help="Equal service: staff the base and every option to the same targets "
            "first, and compare what each costs.",
        ),
    ] = False,
    batches: Annotated[
        int, typer.Option(min=2, help="With --at-target: staffing searches per option.")
    ] = 5,
    max_abandon: Annotated[
        float | None,
        typer.Option(min=0, max=1, help="With --at-target: abandonment ceiling per interval."),
    ] = None,
    precision: Annotated[
        list[str] | None,
        typer.Option(
            help="Run until each paired difference's 95 % half-width is at most this: "
            "service_level=0.002 (a type's: sales.asa_s=1); -r is then the first batch.",
        ),
    ] = None,
    max_replications: Annotated[
        int | None, typer.Option(min=2, help="With --precision: stop here (default 50 x -r).")
    ] = None,
) -> None:
    """Compare options with the base on common random numbers (paired 95 % CIs).

    With --at-target every scenario is first staffed to meet every target (the staffing
    search, in independent batches), and the business case compares what each costs.
    """
    from ccsim.whatif.comparison import compare

    check_engine(engine)
    require_file(options)
    check_outputs(folders={"--out": out}, files={"--report": (report, (".html", ".htm"))})
    start_engine(engine)
    try:
        label, unit = ("staffing to target", "searches") if at_target else ("comparing", "reps")
        with progress_bar(label, unit=unit) as progress, warnings.catch_warnings():
            warnings.simplefilter("ignore", CapacityWarning)
            comparison = compare(
                options, replications, seed, engine, progress=progress,
                at_target=at_target, batches=batches, max_abandon=max_abandon,
                precision=dict(_pairs(precision)) if precision else None,
                max_replications=max_replications,
            )  # fmt: skip
    except ScenarioError as exc:
        raise invalid(f"{options} is not a valid options file:", exc) from None
    except KeyboardInterrupt:
        done = f"{progress.done:,} of the comparison's {unit}"
        raise interrupted(f"stopped after {done}; nothing was written") from None
    except ValueError as exc:  # at target: nothing to staff, or no costs
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
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
        f"[bold]{base.scenario.name}[/bold] and {_options(len(comparison.options))}: "
        f"{base.replications} paired replications, seed {base.seed}, engine {base.engine}, "
        f"at {comparison.view}; difference to the base with its 95 % CI (* = significant)"
    )
    if comparison.equal_service is not None:
        console.print(at_target_table(comparison))
    console.print(difference_table(comparison))
    if any(
        comparison.mix(name, kpi) and comparison.mix(name, kpi).mix_effect  # type: ignore[union-attr]
        for name in comparison.options
        for kpi in comparison.kpis
    ):
        console.print(f"{MIX_MARK} {MIX_NOTE}")
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
        from ccsim.whatif.costs import MATERIALITY

        for table in business_case_tables(comparison):
            console.print(table)
        console.print(
            f"ROI only for a material investment (at least {100 * MATERIALITY:.0f} % of the "
            "yearly saving or recurring cost); payback only for an investment (never: not "
            "recovered)."
        )
        console.print("Per SL point and per abandon avoided: where the gain is significant.")
    narrowing = [
        comparison.difference(name, "service_level").narrowing for name in comparison.options
    ]
    finite = [x for x in narrowing if x == x and x != float("inf")]
    if finite:
        console.print(
            f"pairing narrows the service-level intervals {min(finite):.1f}-{max(finite):.1f}x "
            "compared with independent runs"
        )


def at_target_table(comparison: Comparison) -> Table:
    """At equal service: each scenario's staffing and daily cost to meet the targets."""
    from ccsim.results.confidence import mean_ci

    equal = comparison.equal_service
    assert equal is not None
    title = (
        f"equal service: every scenario staffed to its targets, {equal.batches} independent "
        "staffing searches each (mean and 95 % CI across them)"
    )
    table = Table(title=title)
    for col in ("scenario", "agent hours", "daily cost", "targets met"):
        table.add_column(col, justify="left" if col == "scenario" else "right")
    for name in comparison.results:
        agents, low, high, _ = mean_ci(equal.agent_hours(name))
        cost, c_low, c_high, _ = mean_ci(equal.daily_cost[name])
        met = sum(equal.met[name])
        table.add_row(
            name,
            f"{agents:,.1f} [{low:,.1f}, {high:,.1f}]",
            f"{cost:,.0f} [{c_low:,.0f}, {c_high:,.0f}]",
            f"{met} of {equal.batches}",
        )
    return table


#: Mark of a mix effect in the difference table, and what it means.
MIX_MARK = "†"
MIX_NOTE = (
    "mix effect: significant centre-wide but not within the types; the share of the "
    "types changed, not each type's service"
)


def difference_table(comparison: Comparison) -> Table:
    """Each KPI of the base and each option's paired difference to it (``*``, ``†``)."""
    base = comparison.results["base"]
    table = Table()
    table.add_column("KPI")
    table.add_column("base", justify="right")
    for name in comparison.options:
        table.add_column(name, justify="right")
    for kpi in comparison.kpis:
        row = [kpi, fmt(kpi, base.kpi(kpi), float("nan"), float("nan"))]
        for name in comparison.options:
            d = comparison.difference(name, kpi)
            split = comparison.mix(name, kpi)
            scale, unit = (100.0, " pt") if kpi in SHARE_KPIS else (1.0, "")
            mark = ("*" if d.significant else " ") + (
                MIX_MARK if split and split.mix_effect else " "
            )
            low, high = d.low * scale, d.high * scale
            row.append(f"{d.mean * scale:+,.2f}{unit} [{low:+,.2f}, {high:+,.2f}]{mark}")
        table.add_row(*row)
    return table


def _money(x: float, never: str = "-") -> str:
    if x != x:  # NaN: not meaningful
        return "-"
    return never if abs(x) == float("inf") else f"{x:,.0f}"


def business_case_tables(comparison: Comparison) -> list[Table]:
    """The business case of each option; and what the options that cost money buy."""
    base = comparison.results["base"]
    currency = base.scenario.costs.currency  # type: ignore[union-attr]
    finance = comparison.finance()
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
    for r in finance.itertuples():
        lo, hi = r.saving_ci95
        payback = r.payback_months
        fin.add_row(
            r.option,
            f"{r.saving_per_day:,.0f} [{lo:,.0f}, {hi:,.0f}]",
            f"{r.saving_per_year:,.0f}",
            f"{r.investment:,.0f}",
            f"{r.recurring_per_year:,.0f}",
            _money(payback, never="never")
            if payback != payback or payback == float("inf")
            else f"{payback:.1f}",  # fmt: skip
            "-" if r.roi != r.roi else f"{100 * r.roi:,.0f} %",
            f"{r.npv:,.0f}",
        )
    tables = [fin]
    costly = finance[finance["net_cost_per_year"] > 0]
    if len(costly):
        buys = Table(title=f"what the options that cost money buy ({currency})")
        for col in ("option", "net cost / year", "per SL point / year", "per abandon avoided"):
            buys.add_column(col, justify="left" if col == "option" else "right")
        for r in costly.itertuples():
            buys.add_row(
                r.option,
                f"{r.net_cost_per_year:,.0f}",
                _money(r.cost_per_sl_point),
                _money(r.cost_per_abandon_avoided),
            )
        tables.append(buys)
    return tables


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
    title = f"{scenario.name}: {len(table)} points, {reps} replications each"
    grid_table, legend = sweep_table(table, title, console.width)
    console.print(grid_table)
    if legend:
        console.print(legend)


#: The KPIs of the sweep table and their column headers.
SWEEP_COLUMNS = {
    "service_level": "service level",
    "abandon_rate": "abandon rate",
    "asa_s": "ASA (s)",
    "occupancy": "occupancy",
    "cost_per_day": "cost / day",
}


def _short_names(paths: list[str]) -> list[str]:
    """The shortest tails of dotted paths (two parts at least) that tell them apart."""
    parts = [p.split(".") for p in paths]
    n = 2
    while n < max((len(p) for p in parts), default=0):
        tails = [".".join(p[-n:]) for p in parts]
        if len(set(tails)) == len(tails):
            break
        n += 1
    return [".".join(p[-n:]) for p in parts]


def _mean_pm(kpi: str, mean: float, low: float, high: float) -> tuple[str, str]:
    """A KPI's mean and the half-width of its 95 % CI ("± 2.4"), for a narrow cell."""
    if mean != mean:
        return "-", ""
    share = kpi in SHARE_KPIS
    scale = 100.0 if share else 1.0
    half = (high - low) / 2 * scale
    digits = 0 if kpi == "cost_per_day" else 1
    if 0 < half < 10.0**-digits:  # one significant digit of the half-width at least
        digits = min(3, -math.floor(math.log10(half)))
    value = f"{mean * scale:,.{digits}f}" + (" %" if share else "")
    return value, ("" if half != half else f"± {half:,.{digits}f}")


def sweep_table(table: pd.DataFrame, title: str, width: int) -> tuple[Table, str]:
    """The sweep's points as a table that fits ``width`` columns, and its legend.

    A point's KPIs read "mean ± half-width of the 95 % CI" on one line; when that table
    would be wider than ``width``, the half-width goes under the mean. Path columns are
    headed by the shortest tails of their dotted paths that tell them apart; the legend
    gives the full paths.
    """
    from rich.console import Console

    paths = [c for c in table.columns if "." in c]
    short = _short_names(paths)
    shown = [k for k in SWEEP_COLUMNS if k in table.columns]
    records = table.to_dict("records")
    cells = [
        [
            _mean_pm(
                kpi, r[kpi], r.get(f"{kpi}_ci95_low", math.nan), r.get(f"{kpi}_ci95_high", math.nan)
            )
            for kpi in shown
        ]
        for r in records
    ]

    def build(stacked: bool) -> Table:
        t = Table(title=title, caption="mean ± half-width of the 95 % CI")
        for name, path in zip(short, paths, strict=True):
            header = name.replace(".", ".\n") if stacked else name
            values = [str(r[path]) for r in records]
            widest = max(len(x) for x in [*header.splitlines(), *values])
            t.add_column(header, justify="right", min_width=min(widest, 16))
        for kpi in shown:
            header = SWEEP_COLUMNS[kpi]
            header = header.replace(" / ", "/").replace(" ", "\n") if stacked else header
            t.add_column(header, justify="right", no_wrap=True)
        for r, row in zip(records, cells, strict=True):
            joined = [f"{v}\n{h}" if stacked else f"{v} {h}".strip() for v, h in row]
            t.add_row(*(str(r[p]) for p in paths), *joined)
        return t

    grid = build(stacked=False)
    natural = Console(width=100_000).measure(grid).maximum  # its width unconstrained
    if natural > width:
        grid = build(stacked=True)
    legend = "; ".join(f"{s} = {p}" for s, p in zip(short, paths, strict=True) if s != p)
    return grid, legend


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
    keep_shifts: Annotated[
        bool,
        typer.Option("--keep-shifts", help="Leave groups on shifts as they are (no re-roster)."),
    ] = False,
    budget: Annotated[
        float | None,
        typer.Option(min=0, help="Daily staffing (agent) budget: the best service level it buys."),
    ] = None,
    max_replications: Annotated[
        int | None,
        typer.Option(
            min=2,
            help="An interval too close to its target to tell is simulated again with "
            "twice the replications, up to this many (default 16 x -r).",
        ),
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
                    scenario, replications, seed, engine, max_abandon, progress=report,
                    shifts=not keep_shifts, max_replications=max_replications,
                )  # fmt: skip
            else:
                bought = search_budget(
                    scenario, budget, replications, seed, engine, progress=report,
                    max_replications=max_replications,
                )  # fmt: skip
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
        from ccsim.results.confidence import mean_ci
        from ccsim.whatif.costs import daily_costs

        mean, low, high, _ = mean_ci(daily_costs(found.result)["total"])
        cost = {"mean": float(mean), "ci95": [float(low), float(high)]}
    if as_json:
        data = {
            "scenario": scenario.name,
            "met": found.met,
            "staffing": found.staffing,
            "shifts": found.shifts,
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
    if found.staffing:
        title = f"{scenario.name}: agents per interval ({found.evaluations} simulations)"
        table = Table(title=title)
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
    if found.shifts:
        table = Table(title="groups on shifts, re-rostered on the shapes they work")
        for col in ("group", "start", "end", "agents", "breaks"):
            table.add_column(col, justify="right" if col == "agents" else "left")
        for group, rows in found.shifts.items():
            for shift in rows:
                breaks = ", ".join(_break_text(b) for b in shift.get("breaks", []))
                table.add_row(group, str(shift["start"]), str(shift["end"]),
                              str(shift["agents"]), breaks)  # fmt: skip
        console.print(table)
    print_tables(found.result, intervals=True)
    if cost is not None:
        currency = found.scenario.costs.currency  # type: ignore[union-attr]
        lo, hi = cost["ci95"]
        console.print(f"cost per day: {cost['mean']:,.0f} {currency} [{lo:,.0f}, {hi:,.0f}]")


def _options(n: int) -> str:
    return f"{n} option" + ("" if n == 1 else "s")


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    """``KPI=VALUE`` items as pairs (a malformed one is reported by parse_precision)."""
    from ccsim.results.precision import parse_precision

    return list(parse_precision(items).items())


def _break_text(rule: dict) -> str:
    """A shift's break for a table: ``2h +15min`` (offset from the shift start, length)."""
    from ccsim.scenario.units import format_duration

    at = rule.get("start")
    where = (
        format_duration(at) if at is not None else "-".join(map(format_duration, rule["window"]))
    )
    return f"{where} +{format_duration(rule['duration'])}"

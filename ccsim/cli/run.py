"""``ccsim validate`` and ``ccsim run``: check a scenario, simulate it, print and keep its KPIs.

``ccsim run FILE`` simulates a scenario and prints its KPIs with 95 % confidence
intervals (``--json`` for one JSON object on stdout, ``--out DIR`` to keep the
resolved scenario, the summary and the interval tables, ``--report`` for an HTML
report, ``--records`` for one row per contact). ``ccsim validate FILE`` checks a
scenario without running it. A scenario that does not validate exits with code 2 and
one ``file:line: key.path: message`` line per problem.
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

from ccsim import __version__
from ccsim.cli.common import (
    check_engine,
    check_outputs,
    err,
    fmt,
    interrupted,
    load,
    progress_bar,
    start_engine,
    table_console,
)
from ccsim.cli.outputs import atomic_path
from ccsim.results.tables import SimulationResult
from ccsim.simulation import (
    DEFAULT_ENGINE,
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    ENGINES,
    CapacityWarning,
    simulate,
)


def validate(file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")]) -> None:
    """Check a scenario file without running it."""
    from rich.markup import escape

    from ccsim.plausibility import plausibility_warnings

    s = load(file)
    err.print(
        f"[green]ok[/green] {file}: {s.name!r}, {len(s.contact_types)} contact types, "
        f"{len(s.agent_groups)} agent groups, {s.horizon.intervals} intervals"
        + (f" a day x {len(s.days)} days" if s.days else "")
    )
    for note in plausibility_warnings(s):  # valid, but rarely what a planner means
        err.print(f"[yellow]warning:[/yellow] {escape(note)}", highlight=False)


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
    precision: Annotated[
        list[str] | None,
        typer.Option(
            help="Run until a KPI's 95 % half-width is at most this: service_level=0.005 "
            "(a type's: sales.asa_s=2); repeat for several. -r is then the first batch.",
        ),
    ] = None,
    max_replications: Annotated[
        int | None, typer.Option(min=2, help="With --precision: stop here (default 50 x -r).")
    ] = None,
    variance_reduction: Annotated[
        str | None,
        typer.Option(
            help="control: ratio KPIs also estimated with the day's volume as a control "
            "variate (JSON 'controlled'; --precision aims at those intervals).",
        ),
    ] = None,
    waits: Annotated[
        bool,
        typer.Option(
            help="Also print waiting-time percentiles (P50-P95) and the service level "
            "at several thresholds, per type.",
        ),
    ] = False,
    wait_thresholds: Annotated[
        str | None,
        typer.Option(
            help="The thresholds of those service levels: 15s,45s,2min (default "
            "10,20,30,60,120,300 s).",
        ),
    ] = None,
) -> None:
    """Simulate a scenario and report its KPIs with 95 % confidence intervals."""
    check_engine(engine)
    scenario = load(file)
    thresholds = parse_thresholds(wait_thresholds)
    targets = None
    if precision:
        from ccsim.results.precision import parse_precision

        try:
            targets = parse_precision(precision)
        except ValueError as exc:
            err.print(f"[red]error:[/red] --precision: {exc}", highlight=False)
            raise typer.Exit(2) from None
    check_outputs(
        folders={"--out": out},
        files={"--report": (report, (".html", ".htm")), "--records": (records, RECORDS)},
    )
    start_engine(engine)
    try:
        with progress_bar(f"simulating {scenario.name}") as progress, warnings.catch_warnings():
            warnings.simplefilter("ignore", CapacityWarning)  # reported below, once
            result = simulate(
                scenario, replications, seed, engine, records=records is not None,
                progress=progress, precision=targets, max_replications=max_replications,
                variance_reduction=variance_reduction, wait_thresholds=thresholds,
            )  # fmt: skip
    except KeyboardInterrupt:
        done = f"{progress.done:,} of {replications:,}"
        raise interrupted(f"stopped after {done} replications; nothing was written") from None
    except (MemoryError, ValueError) as exc:  # too big; a --precision KPI that does not exist
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if result.precision is not None and result.precision.met:
        reached = ", ".join(
            f"{k} +-{v:.4g} (target {result.precision.targets[k]:g})"
            for k, v in result.precision.reached.items()
        )
        err.print(f"precision reached after {result.replications:,} replications: {reached}")
    for note in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {note}", highlight=False)
    if out is not None:
        write_outputs(result, out)
        err.print(f"results written to {out}/")
    if records is not None and result.records is not None:
        with atomic_path(records) as tmp:
            if records.suffix.lower() == ".csv":
                result.records.to_csv(tmp, index=False)
            else:
                result.records.to_parquet(tmp, index=False)
        err.print(f"{len(result.records):,} contact records written to {records}")
    if report is not None:
        from ccsim.report.html import run_report

        with atomic_path(report) as tmp:
            run_report(result, tmp)
        err.print(f"report written to {report}")
    if as_json:
        sys.stdout.write(result.to_json() + "\n")
        return
    print_tables(result, intervals)
    if waits:
        print_waits(result)
    if result.scenario.costs is not None:
        _print_costs(result)


#: suffixes ``--records`` writes
RECORDS = (".parquet", ".csv")


def write_outputs(result: SimulationResult, folder: Path) -> None:
    """Write the resolved scenario, run metadata, summary and interval tables.

    Each file is written whole or not at all (:func:`~ccsim.cli.outputs.atomic_path`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    scenario = result.scenario.model_dump(mode="json", exclude_none=True)
    summary = result.to_dict()
    summary["ccsim_version"] = __version__
    table = result.interval_table()
    writers = {
        "scenario.resolved.yaml": lambda p: p.write_text(yaml.safe_dump(scenario, sort_keys=False)),
        "summary.json": lambda p: p.write_text(json.dumps(summary, indent=2) + "\n"),
        "intervals.csv": lambda p: table.to_csv(p, index=False),
        "intervals.parquet": lambda p: table.to_parquet(p, index=False),
        # Excel and WFM imports: UTF-8 with a byte-order mark, plain decimals, no index
        "intervals_excel.csv": lambda p: table.to_csv(
            p, index=False, encoding="utf-8-sig", float_format="%.6f"
        ),
        "intervals_long.csv": lambda p: result.by_interval.to_csv(p, index=False),
        "groups_by_interval.csv": lambda p: result.by_group_interval.to_csv(p, index=False),
        "waits.csv": lambda p: result.waits.to_csv(p, index=False),
    }
    for name, write in writers.items():
        with atomic_path(folder / name) as tmp:
            write(tmp)


def parse_thresholds(text: str | None) -> tuple[float, ...] | None:
    """``--wait-thresholds`` ("15s,45s,2min" or "15,45,120": seconds); exit 2 if bad."""
    if text is None:
        return None
    from ccsim.results.waits import check_thresholds
    from ccsim.scenario.units import parse_duration

    try:
        return check_thresholds([parse_duration(part.strip()) for part in text.split(",")])
    except ValueError as exc:
        err.print(f"[red]error:[/red] --wait-thresholds {text!r}: {exc}", highlight=False)
        raise typer.Exit(2) from None


def print_waits(result: SimulationResult) -> None:
    """Waiting-time percentiles and service levels at thresholds, per type and centre-wide."""
    console = table_console()
    table = Table(title="waiting times: mean over replications and 95 % CI; pooled")
    table.add_column("KPI")
    names = [*result.plan.type_names, "ALL"] if result.plan.n_types > 1 else ["ALL"]
    for name in names:
        table.add_column("all types" if name == "ALL" else name, justify="right")
    waits = result.waits
    for kpi in dict.fromkeys(waits["kpi"]):
        cells = [kpi]
        for name in names:
            r = waits.loc[(name, kpi)]
            text = fmt(kpi, r["mean"], r["ci95_low"], r["ci95_high"])
            pooled = fmt(kpi, r["pooled"], float("nan"), float("nan"))
            cells.append(f"{text}; {pooled}")
        table.add_row(*cells)
    console.print(table)


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
    table_console().print(table)


def print_tables(result: SimulationResult, intervals: bool) -> None:
    """Print the KPIs by type, occupancy by group and, with ``intervals``, per interval."""
    console = table_console()  # files and pipes: no wrapping of the CI columns
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
        row = [r.kpi, fmt(r.kpi, r.mean, r.ci95_low, r.ci95_high)]
        if len(names) > 1:
            for name in names:
                t = by_type.loc[(name, r.kpi)]
                row.append(fmt(r.kpi, t["mean"], t["ci95_low"], t["ci95_high"]))
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
            cells.append(fmt(kpi, x["mean"], x["ci95_low"], x["ci95_high"]))
        groups.add_row(*cells)
    console.print(groups)
    if intervals:
        df = result.interval_table()
        t = Table(title="per interval (all types)")
        for col in ("start", "offered", "service level", "abandon", "ASA s", "occupancy"):
            t.add_column(col, justify="right")
        # all groups together: busy over staffed time (weighted by group size)
        occ = result.stats.by_group_interval["occupancy"].mean_or_nan()[-1]  # all groups
        occ = dict(enumerate(occ))
        for r in df[df["type"] == "ALL"].itertuples():
            t.add_row(
                r.start,
                f"{r.offered:,.1f}",
                fmt("service_level", r.service_level, float("nan"), float("nan")),
                fmt("abandon_rate", r.abandon_rate, float("nan"), float("nan")),
                fmt("asa_s", r.asa_s, float("nan"), float("nan")),
                fmt("occupancy", occ.get(r.interval, float("nan")), float("nan"), float("nan")),
            )
        console.print(t)

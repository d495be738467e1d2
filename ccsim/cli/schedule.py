"""``ccsim schedule``: the cheapest roster of shifts and skill sets that meets every target.

``ccsim schedule SCENARIO --shifts SHIFTS.yaml`` reads a scenario and a shift-template
file, searches the number of agents per skill set, template, start and break placement
with the simulator in the loop (:func:`ccsim.schedule`), and prints the roster, its cost
against the two-step plan, and the targets it misses on fresh simulated days.
``--out DIR`` keeps the roster as CSV (``schedule.csv``), the scenario with the roster
written out (``scheduled.yaml``, it runs as it is), the two-step roster, the coverage per
interval, every target and the whole result as JSON; ``--report`` writes the HTML
report; ``--json`` prints the result as one JSON object. Targets that the templates
cannot meet are one message naming them, and exit code 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from ccsim.cli.common import (
    check_engine,
    check_outputs,
    err,
    interrupted,
    invalid,
    load,
    progress_bar,
    require_file,
    start_engine,
    table_console,
)
from ccsim.cli.outputs import atomic_path
from ccsim.scenario.model import ScenarioError
from ccsim.simulation import DEFAULT_ENGINE, DEFAULT_REPLICATIONS, DEFAULT_SEED, ENGINES

__all__ = ["schedule_command"]


def schedule_command(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
    shifts: Annotated[Path, typer.Option("--shifts", help="Shift-template file (YAML).")],
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=2, help="Simulated days per candidate.")
    ] = DEFAULT_REPLICATIONS,
    seed: Annotated[int, typer.Option(min=0, help="Seed of every candidate.")] = DEFAULT_SEED,
    engine: Annotated[str, typer.Option(help=f"One of: {', '.join(ENGINES)}.")] = DEFAULT_ENGINE,
    check_replications: Annotated[
        int | None, typer.Option(min=2, help="Fresh replications of the final check.")
    ] = None,
    max_rounds: Annotated[int, typer.Option(min=0, help="Rounds of cuts at most.")] = 8,
    time_limit: Annotated[
        float | None, typer.Option(min=1, help="Seconds of search at most.")
    ] = None,
    cluster: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the roster and results here.")] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write a self-contained HTML report to this file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Find the cheapest shift roster that meets every service-level target."""
    from ccsim.whatif.scheduling import InfeasibleSchedule, load_shifts, schedule

    check_engine(engine)
    scenario = load(file)
    require_file(shifts)
    try:
        spec = load_shifts(shifts)
    except ScenarioError as exc:
        raise invalid(f"{shifts} is not a valid shift-template file:", exc) from None
    check_outputs(folders={"--out": out}, files={"--report": (report, (".html", ".htm"))})
    start_engine(engine)
    try:
        with progress_bar(f"scheduling {scenario.name}", unit="simulations") as progress:
            found = schedule(
                scenario, spec, replications, seed, engine, check_replications,
                max_rounds=max_rounds, time_limit=time_limit, cluster=cluster,
                progress=progress,
            )  # fmt: skip
    except ScenarioError as exc:
        raise invalid(f"{shifts} does not fit {file}:", exc) from None
    except InfeasibleSchedule as exc:
        err.print(f"[red]infeasible:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    except (ImportError, OSError, ValueError, MemoryError) as exc:  # no dask, bad limits, too big
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        raise interrupted("the search stopped; nothing was written") from None
    if out is not None:
        _write(found, out)
        err.print(f"roster and results written to {out}/")
    if report is not None:
        from ccsim.report.schedule import schedule_report

        with atomic_path(report) as tmp:
            schedule_report(found, tmp)
        err.print(f"report written to {report}")
    if not found.met:
        err.print("[yellow]warning:[/yellow] no roster met every target in the search's "
                  "sample: the two-step plan is shown")  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(found.to_dict(), default=float) + "\n")
        return
    _print(found)


def _write(found, out: Path) -> None:  # noqa: ANN001 - a ScheduleResult
    """The roster (CSV), the scenario with it, the two-step roster, coverage, targets, JSON."""
    data = found.scenario.model_dump(mode="json", exclude_none=True)
    with atomic_path(out / "scheduled.yaml") as tmp:
        tmp.write_text(yaml.safe_dump(data, sort_keys=False))
    for name, frame in (
        ("schedule.csv", found.table),
        ("two-step.csv", found.two_step.table),
        ("coverage.csv", found.coverage),
        ("targets.csv", found.found.targets),
    ):
        with atomic_path(out / name) as tmp:
            frame.to_csv(tmp, index=False)
    with atomic_path(out / "schedule.json") as tmp:
        tmp.write_text(json.dumps(found.to_dict(), indent=1, default=float) + "\n")


def _print(found) -> None:  # noqa: ANN001 - a ScheduleResult
    console = table_console()
    cur = found.cost["currency"]
    console.print(
        f"[bold]{found.scenario.name}[/bold]: {found.evaluations} simulations of "
        f"{found.replications} replications (seed {found.seed}), {found.seconds:,.0f} s; "
        f"stopped: {found.stop}"
    )
    roster = Table(title="schedule")
    days = "days" in found.table.columns  # day patterns: the days each row works
    for col in ("skill set", "template", "start", "end", "agents", "breaks", "days",
                "cost / day"):  # fmt: skip
        if col != "days" or days:
            roster.add_column(col, justify="right" if col in ("agents", "cost / day") else "left")
    for r in found.table.itertuples():
        roster.add_row(r.skill_set, r.template, r.start, r.end, str(r.agents), r.breaks,
                       *([r.days] if days else []), f"{r.cost:,.0f}")  # fmt: skip
    console.print(roster)
    costs = Table(title=f"cost per day{' (' + cur + ')' if cur else ''} and service")
    rosters = {"as given": found.given, "schedule": found.found, "two-step": found.two_step}
    costs.add_column("")
    for name in rosters:
        costs.add_column(name, justify="right")
    for label, key in (("scheduled groups (wages, training)", "scheduled"),
                       ("agents, every group", "agents"), ("other (simulated)", "other"),
                       ("total", "total"), ("total per year", "per_year")):  # fmt: skip
        costs.add_row(label, *(f"{r.cost[key]:,.0f}" for r in rosters.values()))
    costs.add_row("agents in the scheduled groups", *(str(r.headcount) for r in rosters.values()))

    def met(roster) -> str:  # noqa: ANN001 - a Roster
        return f"{int(roster.targets['met_check'].sum())} of {len(roster.targets)}"

    costs.add_row("targets met on fresh days", *(met(r) for r in rosters.values()))
    console.print(costs)
    missed = found.found.targets[~found.found.targets["met_check"]]
    if len(missed):
        console.print(
            f"on {found.result.replications} fresh replications (seed {found.check_seed}) "
            "the schedule misses:"
        )
        for t in missed.itertuples():
            console.print(
                f"  {t.target}: {100 * t.check:.1f} % [{100 * t.check_ci95_low:.1f}, "
                f"{100 * t.check_ci95_high:.1f}] (target {100 * t.bound:.0f} %; "
                f"{100 * t.search:.1f} % in the search's sample)"
            )

"""``ccsim calibrate`` and ``ccsim backtest``: from an ACD log to a scenario, and its test.

``ccsim calibrate LOG --out scenario.yaml`` reads a per-call log (the generic layout,
a column mapping, or a named format), estimates arrivals, handle time, patience, the
IVR, the agents on the phones and a capacity calibration, and writes a scenario file
with a comment on every estimate (``--report`` adds the HTML fits, ``--tables`` every
estimate and diagnostic as CSV). ``ccsim backtest SCENARIO --actuals LOG`` replays
held-out days with their actual volumes and agents and compares the predicted service
level, abandonment, ASA and occupancy with what happened (``--json``, ``--out``,
``--report``). A log or setting that cannot be used is one line on stderr and exit
code 2.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ccsim.cli.common import (
    check_outputs,
    err,
    interrupted,
    invalid,
    require_file,
    table_console,
)
from ccsim.cli.outputs import atomic_path
from ccsim.scenario.model import ScenarioError

_FORMAT = typer.Option(help="Log format: generic (with --map), technion, or ccsim (records).")
_MAP = typer.Option("--map", help="Column mapping of a generic log (YAML: columns, outcomes).")
_INTERVALS = typer.Option(help="Interval report (CSV/Parquet: start, agents) for the agents.")
_HTML = (".html", ".htm")
_START = typer.Option(help="--format ccsim: clock time of the records' t = 0 (HH:MM).")


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(2)


def calibrate_command(
    log: Annotated[Path, typer.Argument(help="Per-call ACD log (CSV, Parquet or Technion text).")],
    out: Annotated[
        Path | None, typer.Option(help="Write the calibrated scenario (YAML) to this file.")
    ] = None,
    format: Annotated[str, _FORMAT] = "generic",
    mapping: Annotated[Path | None, _MAP] = None,
    intervals: Annotated[Path | None, _INTERVALS] = None,
    days: Annotated[
        str | None, typer.Option(help="Calibration days, e.g. 1999-02-01:1999-02-21 (default all).")
    ] = None,
    day_types: Annotated[
        str, typer.Option(help="auto, all, weekday, or groups such as Sun-Thu,Fri,Sat.")
    ] = "auto",
    day_type: Annotated[
        str | None, typer.Option(help="Day type of the scenario written (default: most days).")
    ] = None,
    types: Annotated[
        str | None, typer.Option(help="Types to model, comma separated (others pooled as other).")
    ] = None,
    interval: Annotated[str, typer.Option(help="Planning interval.")] = "30min",
    threshold: Annotated[str, typer.Option(help="Service-level threshold.")] = "20s",
    capacity: Annotated[
        str, typer.Option(help="Capacity calibration: acw, availability, measured or none.")
    ] = "acw",
    target: Annotated[
        str, typer.Option(help="What the capacity calibration matches: sl, abandon or both.")
    ] = "sl",
    report: Annotated[
        Path | None, typer.Option(help="Write the HTML calibration report to this file.")
    ] = None,
    tables: Annotated[
        Path | None, typer.Option(help="Write the estimates and diagnostics as CSV here.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    records_start: Annotated[str, _START] = "00:00",
) -> None:
    """Calibrate a scenario from a per-call ACD log: every estimate with its 95 % CI."""
    from ccsim.data import LogError, calibrate

    require_file(log)
    check_outputs(
        folders={"--tables": tables},
        files={"--out": (out, (".yaml", ".yml")), "--report": (report, _HTML)},
    )
    try:
        cal = calibrate(
            log,
            format=format,
            mapping=mapping,
            intervals=intervals,
            days=days,
            day_types=day_types,
            day_type=day_type,
            interval=interval,
            threshold=threshold,
            types=types.split(",") if types else None,
            capacity=capacity,
            target=target,
            records_start=records_start,
        )
    except (LogError, ValueError, MemoryError) as exc:
        raise _fail(str(exc)) from None
    except ScenarioError as exc:  # the estimates do not make a valid scenario: a bug
        raise invalid("the calibrated scenario does not validate:", exc) from None
    except KeyboardInterrupt:
        raise interrupted("the calibration stopped; nothing was written") from None
    if out is not None:
        with atomic_path(out) as tmp:
            tmp.write_text(cal.to_yaml(), encoding="utf-8")
        err.print(f"scenario ({cal.settings['day_type']}) written to {out}")
    if tables is not None:
        with atomic_path(tables / "estimates.csv") as tmp:
            cal.estimates.to_csv(tmp, index=False)
        for name, frame in cal.diagnostics.items():
            with atomic_path(tables / f"{name}.csv") as tmp:
                frame.to_csv(tmp, index=False)
        err.print(f"estimates and {len(cal.diagnostics)} diagnostic tables written to {tables}/")
    if report is not None:
        with atomic_path(report) as tmp:
            cal.report(tmp)
        err.print(f"report written to {report}")
    if as_json:
        payload = {
            "settings": cal.settings,
            "capacity": {
                "kind": cal.capacity.kind,
                "value": cal.capacity.value,
                "target": cal.capacity.target,
                "observed": cal.capacity.observed,
                "predicted": cal.capacity.predicted,
                "raw": cal.capacity.raw,
                "measured_gap": cal.capacity.measured_gap,
            },
            "estimates": json.loads(cal.estimates.to_json(orient="records")),
            "excluded_rows": cal.log.excluded(),
        }
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    _print_calibration(cal)


def _print_calibration(cal) -> None:  # noqa: ANN001 - a Calibration
    console = table_console()
    s, cap = cal.settings, cal.capacity
    console.print(
        f"[bold]{cal.scenario.name}[/bold]: {len(s['days'])} calibration days, "
        f"{len(cal.log.calls):,} calls kept, {cal.log.excluded():,} rows excluded "
        f"(see --tables exclusions.csv); day types: "
        + ", ".join(f"{k} ({len(v.days)} days)" for k, v in cal.fits.day_types.items()),
        highlight=False,
    )
    table = Table(title="estimates per contact type (95 % CI)")
    for col in ("type", "calls/day", "day factor cv", "handle time", "patience", "IVR hang-up"):
        table.add_column(col, justify="left" if col == "type" else "right")
    dt = cal.fits.day_types[s["day_type"]]
    shares = cal.fits.ivr_shares.set_index("type")
    for t in cal.fits.types:
        h, p, f = cal.fits.handle[t], cal.fits.patience[t], dt.day_factor[t]
        cv = (
            f"{f['cv']:.3f} [{f['ci95_low']:.3f}, {f['ci95_high']:.3f}]"
            if math.isfinite(f["cv"])
            else "-"
        )
        pat = f"{p.shape} {p.mean:.0f} s [{p.mean_ci[0]:.0f}, {p.mean_ci[1]:.0f}]" if p else "none"
        table.add_row(
            t,
            f"{f['mean']:,.0f}",
            cv,
            f"{h.shape} {h.mean:.0f} s [{h.mean_ci[0]:.0f}, {h.mean_ci[1]:.0f}], cv {h.cv:.2f}",
            pat,
            f"{100 * shares.loc[t, 'abandon']:.1f} %",
        )
    console.print(table)
    obs, pred, raw = cap.observed, cap.predicted, cap.raw
    console.print(
        f"capacity calibration: {cap.describe()}; calibration days service level "
        f"{100 * obs['service_level']:.1f} % observed, {100 * pred['service_level']:.1f} % "
        f"replayed ({100 * raw['service_level']:.1f} % without it); abandonment "
        f"{100 * obs['abandon_rate']:.1f} % observed, {100 * pred['abandon_rate']:.1f} % "
        f"replayed ({100 * raw['abandon_rate']:.1f} % without it)",
        highlight=False,
    )


def backtest_command(
    scenario: Annotated[Path, typer.Argument(help="Calibrated scenario file (YAML).")],
    actuals: Annotated[Path, typer.Option(help="The actual per-call log.")],
    days: Annotated[
        str | None, typer.Option(help="Days to test (default: those not calibrated on).")
    ] = None,
    format: Annotated[str, _FORMAT] = "generic",
    mapping: Annotated[Path | None, _MAP] = None,
    intervals: Annotated[Path | None, _INTERVALS] = None,
    replications: Annotated[int, typer.Option("--replications", "-r", min=2)] = 100,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the replays.")] = 20261125,
    level: Annotated[float, typer.Option(help="Level of the prediction intervals.")] = 0.9,
    aht: Annotated[
        str, typer.Option(help="actual: the days' own talk times; model: the scenario's.")
    ] = "actual",
    condition: Annotated[
        str, typer.Option(help="interval: each interval's volumes; day: the day's totals.")
    ] = "interval",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write results into this folder.")] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write the HTML backtest report to this file.")
    ] = None,
    records_start: Annotated[str, _START] = "00:00",
    parameter_draws: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Draws of the estimated patience and capacity from their sampling "
            "distributions, the replications split over them (default: 10 when the "
            "scenario carries standard errors, else 0; 0: the estimates as exact).",
        ),
    ] = None,
) -> None:
    """Backtest a calibrated scenario on held-out days of an actual log."""
    from ccsim.data import LogError, backtest

    require_file(scenario)
    require_file(actuals)
    check_outputs(folders={"--out": out}, files={"--report": (report, _HTML)})
    try:
        bt = backtest(
            scenario,
            actuals,
            days=days,
            format=format,
            mapping=mapping,
            intervals=intervals,
            replications=replications,
            seed=seed,
            level=level,
            aht=aht,
            condition=condition,
            records_start=records_start,
            parameter_draws=parameter_draws,
        )
    except ScenarioError as exc:
        raise invalid(f"{scenario} is not a valid scenario:", exc) from None
    except (LogError, ValueError, MemoryError) as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        raise interrupted("the backtest stopped; nothing was written") from None
    if out is not None:
        with atomic_path(out / "backtest.json") as tmp:
            tmp.write_text(bt.to_json() + "\n")
        for name, frame in (("daily", bt.daily), ("hourly", bt.hourly), ("summary", bt.summary)):
            with atomic_path(out / f"{name}.csv") as tmp:
                frame.to_csv(tmp, index=False)
        err.print(f"results written to {out}/")
    if report is not None:
        from ccsim.report.calibration import backtest_report

        with atomic_path(report) as tmp:
            backtest_report(bt, tmp)
        err.print(f"report written to {report}")
    if as_json:
        sys.stdout.write(json.dumps(bt.to_dict()) + "\n")
        return
    _print_backtest(bt)


def _value(kpi: str, v: float, signed: bool = False, points: bool = False) -> str:
    """A share in % (a difference or error in points), ASA in seconds."""
    if v != v:
        return "-"
    if kpi == "asa_s":
        return f"{v:+.1f} s" if signed else f"{v:.1f} s"
    if signed:
        return f"{100 * v:+.1f} pt"
    return f"{100 * v:.1f} pt" if points else f"{100 * v:.1f} %"


def _print_backtest(bt) -> None:  # noqa: ANN001 - a Backtest
    console = table_console()
    s = bt.settings
    console.print(
        f"backtest of {len(s['days'])} days ({s['days'][0]} to {s['days'][-1]}), "
        f"{s['replications']} replications a day, {s['level']:.0%} prediction intervals, "
        f"volumes per {s['condition']}, talk times: {s['aht']}",
        highlight=False,
    )
    if s.get("parameter_draws"):
        ses = ", ".join(f"{k} {v:.3g}" for k, v in s["drawn"].items())
        console.print(
            f"prediction intervals over {s['parameter_draws']} draws of the estimates "
            f"(standard errors: {ses})",
            highlight=False,
        )
    table = Table(title="predicted against observed (ccsim's KPI definitions)")
    for col in ("level", "days", "KPI", "n", "observed", "predicted", "bias", "MAE", "coverage"):
        table.add_column(col, justify="left" if col in ("level", "days", "KPI") else "right")
    for r in bt.summary.itertuples():
        table.add_row(
            r.level,
            r.days,
            r.kpi,
            str(r.n),
            _value(r.kpi, r.observed),
            _value(r.kpi, r.predicted),
            _value(r.kpi, r.bias, True),
            _value(r.kpi, r.mae, points=True),
            "-" if r.coverage != r.coverage else f"{100 * r.coverage:.0f} %",
        )
    console.print(table)
    if not bt.naive.empty:
        parts = [f"{r.kpi} MAE {_value(r.kpi, r.mae, points=True)}" for r in bt.naive.itertuples()]
        console.print("naive benchmark (day type's calibration mean): " + "; ".join(parts))
    flagged = bt.daily[bt.daily["anomalous"]]["day"].drop_duplicates()
    if len(flagged):
        days = ", ".join(d.strftime("%Y-%m-%d") for d in flagged)
        console.print(f"anomalous days (flagged, included in 'all'): {days}", highlight=False)

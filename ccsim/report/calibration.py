"""Reports of a calibration and of a backtest: the fits drawn against the data.

A planner who is handed a calibrated scenario should see why to trust it: the arrival
profile with its bands next to the daily totals, each type's handle-time histogram and
quantile-quantile plot against the fitted shape, the Kaplan-Meier curve of patience
against the fitted survival, the agents inferred per interval, and the capacity
calibration's curve with its fitted value. A backtest shows each held-out day's
predicted KPIs with their prediction intervals against what happened.

:func:`calibration_report` and :func:`backtest_report` write one self-contained HTML
file each (the helpers of :mod:`ccsim.report.html`); every chart function returns a
matplotlib Figure. This module never runs a simulation: it draws what
:func:`ccsim.calibrate` and :func:`ccsim.backtest` computed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ccsim.report.charts import _new_figure
from ccsim.report.markup import chart, page, section, table

if TYPE_CHECKING:
    from ccsim.data.backtest import Backtest
    from ccsim.data.calibrate import Calibration

__all__ = [
    "arrival_figure",
    "backtest_daily_figure",
    "backtest_hourly_figure",
    "backtest_report",
    "calibration_report",
    "capacity_figure",
    "handle_time_figure",
    "patience_figure",
    "staffing_figure",
]

_KPI_NAMES = {
    "service_level": "Service level",
    "abandon_rate": "Abandonment",
    "asa_s": "ASA (s)",
    "occupancy": "Occupancy (talk / agent time)",
}


_SHAPE_COLOURS = {"exponential": "C0", "weibull": "C2", "gamma": "C4", "lognormal": "C1"}


def _grid(n: int, height_per_row: float = 2.8, cols: int = 3) -> tuple[Figure, list]:
    cols = min(cols, max(n, 1))
    rows = math.ceil(max(n, 1) / cols)
    fig, axes = _new_figure(rows, cols, height=height_per_row * rows)
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def arrival_figure(cal: Calibration) -> Figure:
    """Each type's arrival rate per interval of the main day type, with its bands.

    Line: the mean over the day type's days; dark band: its 95 % confidence interval;
    light band: the mean +- 1.96 standard deviations of the days (where a day falls).
    """
    name = cal.settings["day_type"]
    prof = cal.diagnostics["arrival_profile"]
    prof = prof[prof["day_type"] == name]
    types = cal.fits.types
    fig, axes = _grid(len(types))
    per_hour = 3600.0 / cal.settings["interval"]
    for ax, t in zip(axes, types, strict=True):
        r = prof[prof["type"] == t].sort_values("slot")
        x = np.arange(len(r))
        spread = 1.96 * r["sd"].fillna(0).to_numpy() * per_hour
        mean = r["rate_per_hour"].to_numpy()
        ax.fill_between(
            x,
            np.clip(mean - spread, 0, None),
            mean + spread,
            color="C0",
            alpha=0.15,
            linewidth=0,
            label="days (mean +- 1.96 sd)",
        )
        ax.fill_between(
            x,
            r["ci95_low"],
            r["ci95_high"],
            color="C0",
            alpha=0.4,
            linewidth=0,
            label="95 % CI of the mean",
        )
        ax.plot(x, mean, color="C0", lw=1.5, label="mean rate")
        ticks = x[:: max(1, len(x) // 6)]
        ax.set_xticks(ticks, [r["clock"].iloc[k] for k in ticks], fontsize=8)
        ax.set(title=f"{t}", ylabel="calls per hour")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=7, loc="upper right")
    fig.suptitle(
        f"Arrivals per interval, {name} ({len(cal.fits.day_types[name].days)} days)", fontsize=10
    )
    return fig


def daily_figure(cal: Calibration) -> Figure:
    """Calls arriving per day and type, by day type; anomalous days marked."""
    daily = cal.diagnostics["daily"]
    obs = cal.diagnostics["observed"].set_index("day")
    fig, (ax,) = _new_figure(height=3.6)
    for i, t in enumerate(cal.fits.types):
        r = daily[daily["type"] == t]
        ax.plot(r["day"], r["arrivals"], marker="o", ms=3, color=f"C{i}", label=t)
    for day in obs.index[obs["anomalous"]]:
        ax.axvline(day, color="red", ls=":", lw=1)
    ax.set(
        title="Calls arriving per day (dotted red: days with anomalous intervals)", ylabel="calls"
    )
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.autofmt_xdate()
    return fig


def _talk(cal: Calibration, t: str) -> np.ndarray:
    calls = cal.log.calls
    mapped = calls["type"].astype(str).map(cal.fits.type_map)
    x = calls.loc[(mapped == t) & (calls["outcome"] == "answered"), "talk"].to_numpy(float)
    return x[np.isfinite(x) & (x > 0)]


def handle_time_figure(cal: Calibration) -> Figure:
    """Per type (a row each): the talk-time histogram against the fitted shape, and a Q-Q plot."""
    types = cal.fits.types
    fig, axes = _new_figure(len(types), 2, height=2.3 * len(types) + 0.6)
    for j, t in enumerate(types):
        est, x = cal.fits.handle[t], _talk(cal, t)
        dist = est.dist()
        top = float(np.quantile(x, 0.98))
        ax, qq = axes[2 * j], axes[2 * j + 1]
        ax.hist(x[x <= top], bins=60, density=True, color="0.75", label=f"data ({x.size:,})")
        grid = np.linspace(0.5, top, 200)
        ax.plot(
            grid,
            dist.pdf(grid),
            color="C3",
            lw=1.5,
            label=f"{est.shape}, mean {est.mean:.0f} s, cv {est.cv:.2f}",
        )
        ax.set(title=f"{t}: KS {est.ks:.3f}, quantile error {est.q_err:.0%}", ylabel="density")
        ax.set_yticks([])
        ax.legend(fontsize=7)
        q = np.linspace(0.01, 0.99, 99)
        emp, fit = np.quantile(x, q), dist.ppf(q)
        qq.plot(fit, emp, ".", ms=3, color="C0")
        lim = max(float(emp.max()), float(fit.max()))
        qq.plot([0, lim], [0, lim], color="0.4", lw=0.8)
        qq.set(title=f"{t}: quantiles 1-99 %", ylabel="observed (s)")
        qq.grid(True, alpha=0.3)
    axes[-2].set_xlabel("talk time (s)")
    axes[-1].set_xlabel("fitted quantile (s)")
    fig.suptitle("Handle time against the chosen shape (mean and cv from the data)", fontsize=10)
    return fig


def patience_figure(cal: Calibration) -> Figure:
    """Per type: the Kaplan-Meier survival of patience with its band, and the fits."""
    types = [t for t in cal.fits.types if cal.fits.patience[t] is not None]
    fig, axes = _grid(len(types), height_per_row=3.0)
    for ax, t in zip(axes, types, strict=True):
        p = cal.fits.patience[t]
        km = p.km
        top = float(np.quantile(km["t"], 0.98)) if len(km) > 2 else p.max_wait
        ax.step(km["t"], km["S"], where="post", color="black", lw=1.4, label="Kaplan-Meier")
        ax.fill_between(
            km["t"],
            km["ci95_low"],
            km["ci95_high"],
            step="post",
            color="0.6",
            alpha=0.4,
            linewidth=0,
            label="95 % band",
        )
        grid = np.linspace(0, top, 200)
        for k, shape in enumerate(p.fits["shape"]):
            chosen = shape == p.shape
            ax.plot(
                grid,
                p.sf(grid, shape),
                lw=1.6 if chosen else 0.8,
                ls="-" if chosen else "--",
                color=f"C{k}",
                label=f"{shape}{' (chosen)' if chosen else ''}",
            )
        ax.set(
            title=f"{t}: {p.abandoned:,} of {p.queued:,} queued hung up",
            xlim=(0, top),
            xlabel="seconds in queue",
            ylabel="still waiting",
        )
        ax.set_ylim(max(0.0, float(km["S"].min()) - 0.05), 1.01)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(
        "Patience: Kaplan-Meier (answered callers censored at their wait) against "
        "the censored fits",
        fontsize=10,
    )
    return fig


def staffing_figure(cal: Calibration) -> Figure:
    """Mean agents on the phones and talking per interval, by day type."""
    st = cal.diagnostics["staffing"]
    per_day = int(round(86400 / cal.settings["interval"]))
    fig, (ax,) = _new_figure(height=3.6)
    for i, (name, g) in enumerate(st.groupby("day_type", sort=False)):
        m = g.groupby("slot")[["agents", "talking"]].mean()
        hours = m.index.to_numpy() * 24 / per_day
        ax.plot(hours, m["agents"], color=f"C{i}", lw=1.5, label=f"{name}: on the phones")
        ax.plot(hours, m["talking"], color=f"C{i}", lw=1, ls="--", label=f"{name}: talking")
    ax.set(
        title=f"Agents per interval ({cal.fits.staffing_source}), mean of each day type",
        xlabel="hour of the day",
        ylabel="agents",
        xlim=(0, 24),
    )
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def capacity_figure(cal: Calibration) -> Figure:
    """The capacity calibration: replayed KPIs against its value, the observed ones, the fit."""
    cap = cal.capacity
    curve = cap.curve
    fig, (ax,) = _new_figure(height=3.6)
    x = curve["value"]
    ax.plot(x, 100 * curve["service_level"], "o-", color="C0", label="service level, replayed")
    ax.plot(x, 100 * curve["abandon_rate"], "s-", color="C3", label="abandonment, replayed")
    ax.axhline(
        100 * cap.observed["service_level"],
        color="C0",
        ls="--",
        lw=1,
        label="service level, observed",
    )
    ax.axhline(
        100 * cap.observed["abandon_rate"], color="C3", ls="--", lw=1, label="abandonment, observed"
    )
    ax.axvline(cap.value, color="black", lw=1, ls=":", label=f"fitted: {cap.value:.3g}")
    right = max(2.5 * cap.value, 1.0) if cap.kind == "availability" else max(3 * cap.value, 120)
    if cap.kind != "availability" and math.isfinite(cap.measured_gap):
        ax.axvline(
            cap.measured_gap,
            color="0.5",
            lw=1,
            ls="-.",
            label=f"measured post-call gap: {cap.measured_gap:.0f} s",
        )
        right = max(right, 1.5 * cap.measured_gap)
    unit = "availability factor" if cap.kind == "availability" else "after-call work per call (s)"
    ax.set(
        title="Replays of the calibration days against the capacity parameter",
        xlabel=unit,
        ylabel="% of offered",
        xlim=(float(x.min()) - 0.02 * right, right),
    )
    ax.yaxis.set_major_formatter(PercentFormatter(100.0, decimals=0))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def backtest_daily_figure(bt: Backtest) -> Figure:
    """Each held-out day's predicted KPIs with prediction intervals, against the observed."""
    fig, axes = _new_figure(2, 2, height=6.0)
    level = bt.settings["level"]
    for ax, kpi in zip(axes, _KPI_NAMES, strict=True):
        r = bt.daily[bt.daily["kpi"] == kpi]
        scale = 1.0 if kpi == "asa_s" else 100.0
        x = np.arange(len(r))
        pred = r["predicted"].to_numpy() * scale
        err = np.clip(np.vstack([pred - r["pi_low"] * scale, r["pi_high"] * scale - pred]), 0, None)
        ax.errorbar(
            x,
            pred,
            yerr=np.nan_to_num(err),
            fmt="s",
            color="C0",
            ms=4,
            capsize=3,
            label=f"predicted, {level:.0%} interval",
        )
        colors = np.where(r["covered"], "black", "red")
        ax.scatter(x, r["observed"] * scale, color=colors, zorder=3, s=18, label="observed")
        for k in np.flatnonzero(r["anomalous"].to_numpy()):
            ax.axvspan(k - 0.4, k + 0.4, color="orange", alpha=0.2, lw=0)
        ax.set_xticks(x, [d.strftime("%a %d") for d in r["day"]], fontsize=7)
        ax.set(title=_KPI_NAMES[kpi])
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(
        "Backtest per day (red: observed outside the interval; orange: anomalous day)", fontsize=10
    )
    return fig


def backtest_hourly_figure(bt: Backtest) -> Figure:
    """Predicted against observed per hour (service level, abandonment), with the diagonal."""
    fig, axes = _new_figure(1, 2, height=3.8)
    for ax, kpi in zip(axes, ("service_level", "abandon_rate"), strict=True):
        r = bt.hourly[bt.hourly["kpi"] == kpi]
        ax.scatter(
            100 * r["predicted"],
            100 * r["observed"],
            s=10,
            c=np.where(r["covered"], "C0", "red"),
            alpha=0.7,
        )
        ax.plot([0, 100], [0, 100], color="0.4", lw=0.8)
        top = 100 * float(max(r["predicted"].max(), r["observed"].max(), 0.01)) * 1.05
        ax.set(
            xlim=(0, top),
            ylim=(0, top),
            xlabel="predicted (%)",
            ylabel="observed (%)",
            title=f"{_KPI_NAMES[kpi]} per hour ({len(r)} hours)",
        )
        ax.grid(True, alpha=0.3)
    fig.suptitle("Hours with enough calls; red: outside the prediction interval", fontsize=10)
    return fig


def _fmt(v: float, digits: int = 3) -> str:
    return "–" if v is None or not math.isfinite(float(v)) else f"{float(v):.{digits}g}"


def calibration_report(cal: Calibration, path: str | Path) -> Path:
    """Write a self-contained HTML report of a calibration (fits against the data).

    Parameters
    ----------
    cal : Calibration
        From :func:`ccsim.calibrate`.
    path : str or pathlib.Path
        The HTML file to write.

    Returns
    -------
    pathlib.Path
    """
    from ccsim.data.typical_day import DEFINITIONS

    s, cap = cal.settings, cal.capacity
    obs = cal.diagnostics["observed"]
    summary = [
        ("Log", f"{s['source']} ({s['format']} format)"),
        ("Calibration days", f"{s['days'][0]} to {s['days'][-1]} ({len(s['days'])} days)"),
        ("Calls kept / rows excluded", f"{len(cal.log.calls):,} / {cal.log.excluded():,}"),
        ("Day types", "; ".join(f"{k}: {len(v.days)} days" for k, v in cal.fits.day_types.items())),
        ("Types", "; ".join(f"{k} -> {v}" for k, v in cal.fits.type_map.items())),
        ("Agents on the phones", cal.fits.staffing_source),
        ("Capacity calibration", cap.describe()),
        ("KPI definitions", DEFINITIONS),
        (
            "Observed (calibration days)",
            f"service level {cap.observed['service_level']:.1%}, "
            f"abandonment {cap.observed['abandon_rate']:.1%}",
        ),
        (
            "Replayed with the calibration",
            f"service level {cap.predicted['service_level']:.1%}, "
            f"abandonment {cap.predicted['abandon_rate']:.1%} (without it: "
            f"{cap.raw['service_level']:.1%}, {cap.raw['abandon_rate']:.1%})",
        ),
    ]
    est = cal.estimates
    rows = [
        (
            r.parameter,
            r.type,
            r.day_type,
            _fmt(r.value, 4),
            f"[{_fmt(r.ci95_low)}, {_fmt(r.ci95_high)}]",
            f"{r.n:,}",
            r.unit,
            r.method,
        )
        for r in est.itertuples()
    ]
    exc = cal.log.report
    exc_rows = [
        (r.item, f"{r.count:,}", r.action, r.reason, ", ".join(map(str, r.rows)))
        for r in exc.itertuples()
    ]
    parts = [
        section("Calibration", table(None, summary, left=2)),
        section(
            "Estimates",
            table(
                ("Parameter", "Type", "Day type", "Value", "95 % CI", "n", "Unit", "Method"),
                rows,
                left=3,
            ),
        ),
        section(
            "What was excluded, repaired or flagged",
            table(("Item", "Rows", "Action", "Reason", "First rows"), exc_rows),
            "Never a silent drop: every excluded row is counted with its reason.",
        ),
    ]
    charts = (
        (arrival_figure, "Arrival profile", "Mean calls per hour by interval with bands."),
        (daily_figure, "Daily volumes", "Calls arriving per day and type."),
        (
            handle_time_figure,
            "Handle time",
            "Top: histogram against the fitted density; "
            "bottom: observed against fitted quantiles (on the diagonal = a good fit).",
        ),
        (patience_figure, "Patience", "Thick: the shape written into the scenario."),
        (staffing_figure, "Agents on the phones", "Inferred from agent activity or given."),
        (
            capacity_figure,
            "Capacity calibration",
            "Each evaluation of the fit (replays of the "
            "calibration days with common random numbers).",
        ),
    )
    for fn, heading, caption in charts:
        parts.append(chart(heading, fn(cal), caption))
    an = cal.diagnostics["anomalies"]
    an_rows = [
        (
            r.day.strftime("%Y-%m-%d"),
            f"{r.start}–{r.end}",
            r.kind,
            r.arrivals,
            r.ivr_abandoned,
            r.offered,
            r.answered,
        )
        for r in an.itertuples()
    ]
    parts.append(
        section(
            "Anomalous intervals",
            table(
                ("Day", "Time", "Kind", "Arrivals", "IVR hang-ups", "Offered", "Answered"), an_rows
            )
            if an_rows
            else "<p>none</p>",
            "Left out of the means; surges are reported only.",
        )
    )
    day_rows = [
        (
            r.day.strftime("%Y-%m-%d %a"),
            r.day_type,
            f"{r.offered:,.0f}",
            f"{r.service_level:.1%}",
            f"{r.abandon_rate:.1%}",
            f"{r.asa_s:.1f}",
            f"{r.occupancy:.1%}",
            "yes" if r.anomalous else "",
        )
        for r in obs.itertuples()
    ]
    parts.append(
        section(
            "Observed KPIs per day",
            table(
                (
                    "Day",
                    "Day type",
                    "Offered",
                    "Service level",
                    "Abandonment",
                    "ASA (s)",
                    "Occupancy",
                    "Anomalous",
                ),
                day_rows,
            ),
            DEFINITIONS,
        )
    )
    path = Path(path)
    path.write_text(page(f"ccsim calibration: {cal.scenario.name}", parts), "utf-8")
    return path


def backtest_section(bt: Backtest) -> list[str]:
    """The backtest's parts of an HTML page: settings, summary, charts, days."""
    s = bt.settings
    rows = [
        (
            r.level,
            r.days,
            _KPI_NAMES[r.kpi],
            r.n,
            _share(r.kpi, r.observed),
            _share(r.kpi, r.predicted),
            _share(r.kpi, r.bias, True),
            _share(r.kpi, r.mae, True).lstrip("+"),
            _fmt_cov(r.coverage),
        )
        for r in bt.summary.itertuples()
    ]
    note = (
        f"{len(s['days'])} days ({s['days'][0]} to {s['days'][-1]}), {s['replications']} "
        f"replications each; volumes per {s['condition']}, talk times {s['aht']}; "
        f"prediction intervals {s['level']:.0%}; hours with at least {s['min_offered']} "
        "calls. Bias and MAE in points (shares) or seconds (ASA)."
    )
    if s.get("parameter_draws"):
        ses = ", ".join(f"{k} {v:.3g}" for k, v in s["drawn"].items())
        note += (
            f" The intervals hold the estimates' uncertainty too: the replications are "
            f"split over {s['parameter_draws']} draws of the estimates from their sampling "
            f"distributions (standard errors: {ses})."
        )
    parts = [
        section(
            "Backtest: predicted against observed",
            table(
                ("Level", "Days", "KPI", "n", "Observed", "Predicted", "Bias", "MAE", "Coverage"),
                rows,
                left=3,
            ),
            note,
        )
    ]
    if not bt.naive.empty:
        naive = [
            (
                _KPI_NAMES[r.kpi],
                r.n,
                _share(r.kpi, r.bias, True),
                _share(r.kpi, r.mae, True).lstrip("+"),
            )
            for r in bt.naive.itertuples()
        ]
        parts.append(
            section(
                "Naive benchmark",
                table(("KPI", "Days", "Bias", "MAE"), naive),
                "Each day predicted by its day type's mean over the calibration days.",
            )
        )
    parts.append(
        chart(
            "Per day",
            backtest_daily_figure(bt),
            "Squares: predicted mean with its prediction interval; dots: observed.",
        )
    )
    parts.append(chart("Per hour", backtest_hourly_figure(bt), "One dot per hour."))
    return parts


def _share(kpi: str, v: float, signed: bool = False) -> str:
    if v is None or not math.isfinite(float(v)):
        return "–"
    if kpi == "asa_s":
        return f"{v:+.1f} s" if signed else f"{v:.1f} s"
    return f"{100 * v:+.1f} pt" if signed else f"{100 * v:.1f} %"


def _fmt_cov(v: float) -> str:
    return "–" if not math.isfinite(float(v)) else f"{100 * v:.0f} %"


def backtest_report(bt: Backtest, path: str | Path) -> Path:
    """Write a self-contained HTML report of a backtest.

    Parameters
    ----------
    bt : Backtest
        From :func:`ccsim.backtest`.
    path : str or pathlib.Path
        The HTML file to write.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    path.write_text(page("ccsim backtest", backtest_section(bt)), "utf-8")
    return path

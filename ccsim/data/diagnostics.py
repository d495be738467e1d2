"""The calibration's diagnostics: every fit next to the data it came from, as tables.

What a planner (or a reviewer) needs to trust a calibration: what was excluded and
why, how the weekdays were grouped into day types, the arrival profile with its
bands and the daily totals, every handle-time and patience shape with its likelihood
and distance from the data, the Kaplan-Meier curve the patience fits are drawn
against, the agents inferred per interval, the anomalous episodes, the KPIs the log
shows per day with ccsim's definitions, and each evaluation of the capacity fit.
The HTML report (:mod:`ccsim.report.calibration`) draws them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ccsim.data import anomalies, observed

if TYPE_CHECKING:
    from ccsim.data.acdlog import CallLog
    from ccsim.data.calibrate import Estimates
    from ccsim.data.capacity import CapacityFit

__all__ = ["diagnostics_tables", "observed_days"]


def observed_days(
    days: list[pd.Timestamp],
    labels: list[str],
    obs: np.ndarray,
    agents: np.ndarray,
    interval: float,
    flags: pd.DataFrame,
) -> pd.DataFrame:
    """The KPIs the log shows per day (ccsim's definitions) and whether it was anomalous."""
    k = observed.kpis(obs.sum(axis=(1, 2)), agents.sum(axis=1) * interval)
    bad = flags.groupby("day")["anomalous"].any()
    return pd.DataFrame(
        {
            "day": pd.DatetimeIndex(days),
            "day_type": labels,
            "offered": k["offered"],
            "service_level": k["service_level"],
            "abandon_rate": k["abandon_rate"],
            "asa_s": k["asa_s"],
            "occupancy": k["occupancy"],
            "agent_hours": agents.sum(axis=1) * interval / 3600,
            "anomalous": [bool(bad.get(d, False)) for d in pd.DatetimeIndex(days)],
        }
    )


def diagnostics_tables(
    log: CallLog,
    calls: pd.DataFrame,
    est: Estimates,
    days: list[pd.Timestamp],
    labels: list[str],
    weekdays: pd.DataFrame,
    flags: pd.DataFrame,
    agents: np.ndarray,
    obs: np.ndarray,
    cap: CapacityFit,
    interval: float,
) -> dict[str, pd.DataFrame]:
    """Every diagnostic table of a calibration (see :class:`ccsim.data.Calibration`)."""
    out: dict[str, pd.DataFrame] = {"exclusions": log.report.copy(), "day_types": weekdays}
    daily = []
    for t in est.types:
        sel = calls[calls["type"] == t]
        a = sel.groupby("day").size()
        o = sel[sel["offered"]].groupby("day").size()
        daily.append(
            pd.DataFrame(
                {
                    "day": pd.DatetimeIndex(days),
                    "day_type": labels,
                    "type": t,
                    "arrivals": [int(a.get(d, 0)) for d in days],
                    "offered": [int(o.get(d, 0)) for d in days],
                }
            )
        )
    out["daily"] = pd.concat(daily, ignore_index=True)
    prof, factor = [], []
    for name, dt in est.day_types.items():
        r = dt.rates.copy()
        r.insert(0, "day_type", name)
        r.insert(2, "clock", [dt.clock(s) for s in r["slot"]])
        prof.append(r)
        for t, f in dt.day_factor.items():
            factor.append({"day_type": name, "type": t, **f})
    out["arrival_profile"] = pd.concat(prof, ignore_index=True)
    out["day_factor"] = pd.DataFrame(factor)
    out["handle_fits"] = pd.concat(
        [h.fits.assign(type=t, chosen=h.fits["shape"] == h.shape) for t, h in est.handle.items()],
        ignore_index=True,
    )
    out["handle_by_hour"] = pd.concat(
        [h.hours.assign(type=t, used=h.per_hour) for t, h in est.handle.items()], ignore_index=True
    )
    pats = {t: p for t, p in est.patience.items() if p is not None}
    if pats:
        out["patience_fits"] = pd.concat(
            [
                p.fits.drop(columns="params").assign(type=t, chosen=p.fits["shape"] == p.shape)
                for t, p in pats.items()
            ],
            ignore_index=True,
        )
        out["kaplan_meier"] = pd.concat(
            [p.km.assign(type=t) for t, p in pats.items()], ignore_index=True
        )
        out["immediate_hangups"] = pd.DataFrame(
            [{"type": t, **p.immediate} for t, p in pats.items()]
        )
    ivr = est.ivr_shares.copy()
    if est.ivr_time is not None:
        ivr["ivr_time_mean"] = est.ivr_time.mean
    out["ivr"] = ivr
    per_day = int(round(86400 / interval))
    talk = obs[..., 5].sum(axis=2) / interval
    out["staffing"] = pd.DataFrame(
        {
            "day": np.repeat(pd.DatetimeIndex(days), per_day),
            "day_type": np.repeat(labels, per_day),
            "slot": np.tile(np.arange(per_day), len(days)),
            "agents": agents.ravel(),
            "talking": talk.ravel(),
        }
    )
    out["anomalies"] = anomalies.episodes(flags, interval)
    out["observed"] = observed_days(days, labels, obs, agents, interval, flags)
    out["capacity_curve"] = cap.curve.copy()
    return out

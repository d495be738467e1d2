"""Interval reports: the ACD's coarser second source (agents and volumes per interval).

Besides the call log, an ACD writes interval reports: per half hour (say) and queue,
the calls offered, answered and abandoned, the average handle time and the agents
logged in. ccsim reads them for what a call log may lack: **agents on the phones**
when the log has no agent names (an export without them, or ccsim's own records);
and, when both are given, it sets the report's volumes next to the log's counts
(:func:`compare_with_log`, the calibration's ``interval_report`` diagnostic).

Layout (CSV or Parquet; other names through ``columns:`` as for the call log):

============  ========  =======================================================
column        required  meaning
============  ========  =======================================================
start         yes       start of the interval (a timestamp)
agents        yes       agents on the phones (mean over the interval)
type          no        queue; rows of one start must then agree on ``agents``
offered       no        calls offered
answered      no        calls answered
abandoned     no        calls abandoned
============  ========  =======================================================

The interval length is the smallest step between starts; it must divide a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ccsim.data.acdlog import LogError

__all__ = ["IntervalReport", "compare_with_log", "read_intervals"]

_COLUMNS = ("start", "agents", "type", "offered", "answered", "abandoned")


@dataclass
class IntervalReport:
    """An interval report: one row per interval start (and type), and its step."""

    frame: pd.DataFrame
    interval: float
    source: str = ""

    def agents(self, days: list[pd.Timestamp], interval: float) -> np.ndarray:
        """Agents per (day, slot) at ``interval`` seconds (repeated or averaged).

        Intervals the report does not cover have 0 agents.
        """
        per_day = int(round(86400 / self.interval))
        f = self.frame.drop_duplicates("start")
        day = f["start"].dt.normalize()
        slot = ((f["start"] - day).dt.total_seconds() // self.interval).astype(int)
        d = pd.Index(pd.DatetimeIndex(days)).get_indexer(pd.DatetimeIndex(day))
        grid = np.zeros((len(days), per_day))
        ok = d >= 0
        grid[d[ok], slot.to_numpy()[ok]] = f["agents"].to_numpy(float)[ok]
        ratio = self.interval / interval
        if ratio >= 1:  # the report is coarser: each of its intervals covers several slots
            return np.repeat(grid, int(round(ratio)), axis=1)
        k = int(round(1 / ratio))  # finer: mean over the report's intervals in a slot
        return grid.reshape(len(days), -1, k).mean(axis=2)


def read_intervals(path: str | Path, mapping: dict[str, Any] | None = None) -> IntervalReport:
    """Read an interval report (see the module docstring).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV or Parquet.
    mapping : dict, optional
        ``{"columns": {layout name: file column}}``.

    Returns
    -------
    IntervalReport

    Raises
    ------
    LogError
        A missing column, an unparsable start or agent count, conflicting agents of
        one start, or a step that does not divide a day.
    """
    path = Path(path)
    if not path.exists():
        raise LogError(f"{path}: no such file")
    if path.suffix.lower() == ".parquet":
        raw = pd.read_parquet(path)
        first_row = 1
    else:
        with path.open(encoding="utf-8-sig") as fh:
            header = fh.readline()
        raw = pd.read_csv(
            path, sep=max((",", ";", "\t", "|"), key=header.count), dtype=str, encoding="utf-8-sig"
        )
        first_row = 2
    names = {v: k for k, v in ((mapping or {}).get("columns") or {}).items()}
    raw = raw.rename(columns=names)
    for need in ("start", "agents"):
        if need not in raw.columns:
            raise LogError(
                f"{path}: missing column {need!r} in the interval report (the "
                f"file has: {', '.join(map(str, raw.columns))})"
            )
    start = pd.to_datetime(raw["start"], format="ISO8601", errors="coerce")
    agents = pd.to_numeric(raw["agents"], errors="coerce")
    for name, values in (("start", start), ("agents", agents)):
        bad = np.flatnonzero(values.isna().to_numpy() | (values < 0 if name == "agents" else False))
        if bad.size:
            raise LogError(
                f"{path}: row {bad[0] + first_row}, column {name!r}: "
                f"{raw[name].iloc[bad[0]]!r} is not a valid "
                f"{'time' if name == 'start' else 'agent count'}"
            )
    frame = pd.DataFrame({"start": start, "agents": agents.astype(float)})
    for col in ("type", "offered", "answered", "abandoned"):
        if col in raw.columns:
            frame[col] = raw[col] if col == "type" else pd.to_numeric(raw[col], errors="coerce")
    spread = frame.groupby("start")["agents"].agg(["min", "max"])
    clash = spread[spread["max"] > spread["min"]]
    if not clash.empty:
        raise LogError(
            f"{path}: rows of {clash.index[0]} give different agent counts; "
            "agents are centre-wide: give one count per interval"
        )
    steps = np.diff(np.unique(frame["start"].to_numpy().astype("datetime64[s]").astype(np.int64)))
    step = float(steps[steps > 0].min()) if np.any(steps > 0) else 1800.0
    if 86400 % step:
        raise LogError(f"{path}: the interval step is {step:g} s, which does not divide a day")
    return IntervalReport(frame.sort_values("start").reset_index(drop=True), step, str(path))


def compare_with_log(report: IntervalReport, calls: pd.DataFrame) -> pd.DataFrame:
    """The report's volumes next to the log's counts, per interval of the report.

    Returns ``start``, and for each of ``offered``, ``answered``, ``abandoned`` the
    report has, its ``<name>_report`` and ``<name>_log`` (calls by arrival interval,
    all types). Empty when the report has none of them.
    """
    have = [c for c in ("offered", "answered", "abandoned") if c in report.frame.columns]
    if not have:
        return pd.DataFrame(columns=["start"])
    rep = report.frame.groupby("start")[have].sum(min_count=1)
    start = calls["arrival"].dt.floor(f"{int(report.interval)}s")
    log = (
        pd.DataFrame(
            {
                "start": start,
                "offered": calls["offered"].to_numpy(),
                "answered": (calls["outcome"] == "answered").to_numpy(),
                "abandoned": (calls["outcome"] == "abandoned").to_numpy(),
            }
        )
        .groupby("start")[have]
        .sum()
    )
    out = (
        rep.add_suffix("_report")
        .join(log.add_suffix("_log"), how="left")
        .fillna({f"{c}_log": 0 for c in have})
    )
    return out.reset_index()

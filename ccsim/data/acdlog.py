"""Per-call ACD logs: the generic layout, column mappings and the tidy per-call frame.

An ACD (automatic call distributor) writes one row per call: when it arrived, which
queue (contact type) it was for, when it entered and left the IVR and the queue, when
an agent answered, when the talk and the wrap-up ended, what became of it, which
agent took it and, if the caller was identified, who called. Every export names these
columns differently, so :func:`read_log` reads

* the **generic layout** (CSV or Parquet) documented in ``docs/calibrate.md``, whose
  columns can be renamed by a **mapping** (``columns:`` and ``outcomes:``, a dict or a
  YAML file);
* **named formats**: ``technion`` (the Technion call-centre logs,
  :mod:`ccsim.data.technion`) and ``ccsim`` (the ``--records`` of a ccsim run, each
  replication one day);

into one **tidy frame** (:data:`TIDY_COLUMNS`), the only thing the estimators read.

Bad input never disappears silently: a missing or unmapped column is a
:class:`LogError` naming it; a row with an unparsable time, a negative duration or an
unknown outcome is excluded and counted with its reason and the first row numbers
(``CallLog.report``), or, with ``strict=True``, a :class:`LogError` naming the row
and the column. When more than ``max_bad`` of the rows are bad the log is taken to be
misread (a wrong mapping or time format) and the reader stops with an error.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FORMATS",
    "GENERIC_COLUMNS",
    "OUTCOMES",
    "TIDY_COLUMNS",
    "column_mapping",
    "CallLog",
    "LogError",
    "Problems",
    "finish",
    "read_log",
]

#: What became of a call, in the tidy frame. ``offered`` = answered or abandoned.
OUTCOMES = ("answered", "abandoned", "ivr_abandoned", "deflected", "blocked")
#: The generic layout: column -> (required, meaning). Times are timestamps, or clock
#: times when a ``date`` column is given.
GENERIC_COLUMNS: dict[str, tuple[bool, str]] = {
    "arrival": (True, "time the call reached the centre (IVR entry, or queue entry without IVR)"),
    "type": (True, "contact type / queue"),
    "outcome": (True, "answered, abandoned (in the queue), ivr_abandoned, deflected, blocked"),
    "date": (False, "date of the arrival, when the time columns hold clock times only"),
    "ivr_exit": (False, "time the call left the IVR (asked for an agent, or hung up there)"),
    "queue_entry": (False, "time the call asked for an agent (default: ivr_exit, else arrival)"),
    "queue_exit": (False, "time it left the queue: answered or hung up (default: answer)"),
    "answer": (False, "time an agent answered (required for answered calls)"),
    "talk_end": (False, "end of talk"),
    "wrap_end": (False, "end of the agent's after-call work, if recorded"),
    "agent": (False, "agent id (needed to infer agents on the phones)"),
    "customer": (False, "customer id (redials)"),
    "priority": (False, "priority class, if the ACD has one"),
}
_TIME_COLUMNS = (
    "arrival",
    "ivr_exit",
    "queue_entry",
    "queue_exit",
    "answer",
    "talk_end",
    "wrap_end",
)
#: The tidy per-call frame: one row per kept call (times are pandas Timestamps,
#: durations float seconds, NaN where unknown or not applicable).
TIDY_COLUMNS = {
    "row": "row of the call in the source (file line, or record number)",
    "arrival": "time the call reached the centre",
    "day": "the arrival's date (midnight)",
    "type": "contact type",
    "outcome": "one of OUTCOMES",
    "asked": "time it asked for an agent (NaT when it never did)",
    "answered_at": "time an agent answered (NaT)",
    "talk_end": "end of talk (NaT)",
    "ivr_time": "seconds in the IVR",
    "wait": "seconds from asking for an agent to answer or hang-up (0 answered at once)",
    "talk": "talk seconds of answered calls",
    "wrap": "after-call work seconds, when recorded",
    "agent": "agent id or None",
    "customer": "customer id or None",
    "priority": "priority class (NaN when unknown)",
    "offered": "asked for an agent: answered or abandoned",
    "waited": "queued: waited more than 0 s, or hung up in the queue",
}
FORMATS = ("generic", "technion", "ccsim")
_DAY = pd.Timedelta("1D")


class LogError(ValueError):
    """A log that cannot be read: a missing column, a bad mapping, a misread format."""


@dataclass
class CallLog:
    """A per-call log, read and checked: the tidy frame and what was done to it.

    Attributes
    ----------
    calls : pandas.DataFrame
        One row per kept call, sorted by arrival (:data:`TIDY_COLUMNS`).
    report : pandas.DataFrame
        ``item, count, action, reason, rows``: every exclusion, repair and flag, with
        the first row numbers concerned (``action`` is ``excluded``, ``repaired``,
        ``kept`` or ``info``).
    source, format :
        Where it came from and how it was read.
    """

    calls: pd.DataFrame
    report: pd.DataFrame
    source: str = ""
    format: str = "generic"
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def days(self) -> list[pd.Timestamp]:
        """The dates with at least one call, in order."""
        return sorted(pd.DatetimeIndex(self.calls["day"].unique()))

    def excluded(self) -> int:
        """Number of rows excluded (all reasons)."""
        rep = self.report
        return int(rep.loc[rep["action"] == "excluded", "count"].sum())

    def select(self, days: list[pd.Timestamp] | None) -> CallLog:
        """The same log restricted to ``days`` (all days when None)."""
        if days is None:
            return self
        keep = self.calls["day"].isin(pd.DatetimeIndex(days))
        return CallLog(
            self.calls[keep].reset_index(drop=True),
            self.report,
            self.source,
            self.format,
            dict(self.meta),
        )


class Problems:
    """Row problems as they are found: counted with their reason, or raised at once."""

    def __init__(self, n_rows: int, row_numbers: np.ndarray, strict: bool, source: str):
        self.items: list[dict[str, Any]] = []
        self.bad = np.zeros(n_rows, bool)
        self.unreadable = np.zeros(n_rows, bool)
        self.rows = row_numbers
        self.strict = strict
        self.source = source

    def exclude(
        self, mask: np.ndarray, item: str, reason: str, column: str = "", unreadable: bool = True
    ) -> None:
        """Exclude the rows of ``mask`` (not yet excluded) for ``reason``.

        ``unreadable=False`` marks an exclusion by rule (a record type the format says
        to ignore), which neither ``strict`` nor ``max_bad`` treat as an error.
        """
        mask = np.asarray(mask, bool) & ~self.bad
        if not mask.any():
            return
        first = self.rows[mask][:5].tolist()
        if self.strict and unreadable:
            where = f", column {column!r}" if column else ""
            raise LogError(f"{self.source}: row {first[0]}{where}: {reason}")
        self.bad |= mask
        if unreadable:
            self.unreadable |= mask
        self.items.append(
            {
                "item": item,
                "count": int(mask.sum()),
                "action": "excluded",
                "reason": reason,
                "rows": first,
            }
        )

    def note(self, mask: np.ndarray | int, item: str, action: str, reason: str) -> None:
        """Count a repair, a flag or a fact (not an exclusion)."""
        if isinstance(mask, (int, np.integer)):
            count, first = int(mask), []
        else:
            mask = np.asarray(mask, bool)
            count, first = int(mask.sum()), self.rows[mask][:5].tolist()
        if count:
            self.items.append(
                {"item": item, "count": count, "action": action, "reason": reason, "rows": first}
            )

    def frame(self) -> pd.DataFrame:
        """The report as a table."""
        return pd.DataFrame(self.items, columns=["item", "count", "action", "reason", "rows"])


def read_log(
    path: str | Path,
    format: str = "generic",
    *,
    mapping: dict[str, Any] | str | Path | None = None,
    strict: bool = False,
    max_bad: float = 0.05,
    start: str = "00:00",
    first_day: str = "2000-01-03",
) -> CallLog:
    """Read a per-call ACD log into the tidy frame.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv`` (or ``.txt``; comma, semicolon, tab or pipe separated) or
        ``.parquet`` file.
    format : {"generic", "technion", "ccsim"}
        The generic layout (with ``mapping``), the Technion call-log format, or the
        contact records of ``ccsim run --records`` (replication r is day r).
    mapping : dict or path, optional
        Generic layout only: ``{"columns": {layout name: file column},
        "outcomes": {file value: outcome}, "time_format": "%d/%m/%Y %H:%M:%S"}``, or
        a YAML file holding it.
    strict : bool
        Raise a :class:`LogError` naming the row and column at the first bad row,
        instead of excluding it.
    max_bad : float
        Largest share of excluded rows (bad values) before the log is taken as
        misread and the reader stops.
    start, first_day : str
        ``ccsim`` format only: the clock time of t = 0 and the date of replication 0.

    Returns
    -------
    CallLog

    Raises
    ------
    LogError
        A missing file, column or mapping target, an unknown format, too many bad
        rows, or (``strict``) the first bad row.
    """
    path = Path(path)
    if not path.exists():
        raise LogError(f"{path}: no such file")
    if format == "technion":
        from ccsim.data.technion import read_technion

        return read_technion(path, strict=strict, max_bad=max_bad)
    if format == "ccsim":
        from ccsim.data.records import read_records

        return read_records(path, start=start, first_day=first_day, strict=strict)
    if format != "generic":
        raise LogError(f"unknown log format {format!r}; choose one of {', '.join(FORMATS)}")
    spec = column_mapping(mapping)
    raw, rows = _read_table(path)
    return _read_generic(raw, rows, spec, str(path), strict, max_bad)


def column_mapping(mapping: dict[str, Any] | str | Path | None) -> dict[str, Any]:
    """A column mapping (a dict or a YAML file) checked: known keys and generic columns.

    Raises
    ------
    LogError
        Naming the unknown key or column (with the closest generic column).
    """
    if mapping is None:
        return {}
    if isinstance(mapping, (str, Path)):
        import yaml

        try:
            data = yaml.safe_load(Path(mapping).read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise LogError(f"{mapping}: cannot read the column mapping: {exc}") from None
        mapping = data or {}
    if not isinstance(mapping, dict):
        raise LogError("a column mapping is a mapping with 'columns' (and 'outcomes')")
    unknown = set(mapping) - {"columns", "outcomes", "time_format"}
    if unknown:
        raise LogError(
            f"unknown key(s) in the column mapping: {', '.join(sorted(unknown))} "
            "(use columns, outcomes, time_format)"
        )
    bad = set(mapping.get("columns", {})) - set(GENERIC_COLUMNS)
    if bad:
        name = sorted(bad)[0]
        hint = difflib.get_close_matches(name, GENERIC_COLUMNS, n=1)
        raise LogError(
            f"the column mapping names {name!r}, which is not a column of the "
            f"generic layout" + (f"; did you mean {hint[0]!r}?" if hint else "")
        )
    return mapping


def _read_table(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The raw table (strings for CSV) and the row numbers people see."""
    if path.suffix.lower() == ".parquet":
        raw = pd.read_parquet(path)
        return raw, np.arange(1, len(raw) + 1)
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    sep = max((",", ";", "\t", "|"), key=header.count)
    raw = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw, np.arange(2, len(raw) + 2)  # file lines: the header is line 1


def _column(raw: pd.DataFrame, name: str, spec: dict[str, Any], source: str) -> pd.Series | None:
    """The file column for a layout column (mapped or by its own name), or None."""
    mapped = spec.get("columns", {}).get(name)
    if mapped is not None:
        if mapped not in raw.columns:
            hint = difflib.get_close_matches(str(mapped), [str(c) for c in raw.columns], n=1)
            raise LogError(
                f"{source}: the mapping says {name!r} is column {mapped!r}, which the file "
                f"does not have"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
                + f" (columns: {', '.join(map(str, raw.columns))})"
            )
        return raw[mapped]
    if name in raw.columns:
        return raw[name]
    required = GENERIC_COLUMNS[name][0]
    if required:
        hint = difflib.get_close_matches(name, [str(c) for c in raw.columns], n=1, cutoff=0.5)
        raise LogError(
            f"{source}: missing column {name!r} ({GENERIC_COLUMNS[name][1]}); map it with "
            f"columns: {{{name}: <your column>}}"
            + (f"; did you mean {hint[0]!r}?" if hint else "")
            + f" (the file has: {', '.join(map(str, raw.columns))})"
        )
    return None


def _times(col: pd.Series, date: pd.Series | None, fmt: str | None) -> tuple[pd.Series, np.ndarray]:
    """Parse one time column; returns (timestamps, unparsable mask). Empty = NaT, not bad."""
    if pd.api.types.is_datetime64_any_dtype(col):
        ts = pd.to_datetime(col)
        return ts, np.zeros(len(col), bool)
    text = col.astype(str).str.strip()
    empty = text.isin(["", "nan", "NaT", "None", "NULL", "null"]).to_numpy()
    if date is not None:
        clock = pd.to_timedelta(text.where(~empty), errors="coerce")
        ts = date + clock
    elif fmt:
        ts = pd.to_datetime(text.where(~empty), format=fmt, errors="coerce")
    else:
        ts = pd.to_datetime(text.where(~empty), format="ISO8601", errors="coerce")
    bad = ts.isna().to_numpy() & ~empty
    return ts, bad


def _read_generic(
    raw: pd.DataFrame,
    rows: np.ndarray,
    spec: dict[str, Any],
    source: str,
    strict: bool,
    max_bad: float,
) -> CallLog:
    cols = {name: _column(raw, name, spec, source) for name in GENERIC_COLUMNS}
    n = len(raw)
    if n == 0:
        raise LogError(f"{source}: the log has no rows")
    prob = Problems(n, rows, strict, source)
    fmt = spec.get("time_format")
    date = None
    if cols["date"] is not None:
        date = pd.to_datetime(
            cols["date"].astype(str).str.strip(),
            errors="coerce",
            format=fmt.split(" ")[0] if fmt else None,
        )
        prob.exclude(date.isna().to_numpy(), "bad date", "unparsable date", "date")
        fmt = None
    ts: dict[str, pd.Series] = {}
    for name in _TIME_COLUMNS:
        if cols[name] is None:
            ts[name] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
            continue
        ts[name], bad = _times(cols[name], date, fmt)
        prob.exclude(bad, f"bad time ({name})", f"unparsable time in column {name!r}", name)
    prob.exclude(ts["arrival"].isna().to_numpy(), "no arrival", "empty arrival time", "arrival")
    if date is not None:  # clock times: a later event > 12 h before arrival is the next day
        crossed = np.zeros(n, bool)
        for name in _TIME_COLUMNS[1:]:
            wrap = (ts[name] < ts["arrival"] - pd.Timedelta("12h")).to_numpy()
            ts[name] = ts[name].where(~wrap, ts[name] + _DAY)
            crossed |= wrap
        prob.note(
            crossed & ~prob.bad,
            "midnight crossing",
            "repaired",
            "a later clock time more than 12 h before the arrival: the next day",
        )
    type_ = cols["type"].astype(str).str.strip()
    prob.exclude((type_ == "").to_numpy(), "no type", "empty contact type", "type")
    outcome = _outcomes(cols["outcome"], spec.get("outcomes", {}), prob)
    asked = ts["queue_entry"].fillna(ts["ivr_exit"])
    offered = np.isin(outcome, ("answered", "abandoned"))
    asked = asked.where(~(offered & asked.isna().to_numpy()), ts["arrival"])
    answered = outcome == "answered"
    prob.exclude(
        answered & ts["answer"].isna().to_numpy(),
        "answered, no answer time",
        "outcome answered but no answer time",
        "answer",
    )
    left_queue = ts["queue_exit"].where(ts["queue_exit"].notna(), ts["answer"])
    abandoned = outcome == "abandoned"
    prob.exclude(
        abandoned & left_queue.isna().to_numpy(),
        "abandoned, no queue exit",
        "outcome abandoned but no queue_exit time",
        "queue_exit",
    )
    calls = _tidy(
        rows=rows,
        arrival=ts["arrival"],
        type_=type_.to_numpy(),
        outcome=outcome,
        asked=asked.where(offered),
        answered_at=ts["answer"].where(answered),
        talk_end=ts["talk_end"].where(answered),
        ivr_time=_seconds(ts["ivr_exit"] - ts["arrival"]),
        wait=np.where(offered, _seconds(left_queue - asked), np.nan),
        talk=np.where(answered, _seconds(ts["talk_end"] - ts["answer"]), np.nan),
        wrap=_seconds(ts["wrap_end"] - ts["talk_end"]),
        agent=cols["agent"],
        customer=cols["customer"],
        priority=cols["priority"],
    )
    for name, column in (
        ("ivr_time", "ivr_exit"),
        ("wait", "queue_exit"),
        ("talk", "talk_end"),
        ("wrap", "wrap_end"),
    ):
        neg = (calls[name] < 0).to_numpy()
        prob.exclude(
            neg,
            f"negative {name}",
            f"negative {name}: {column} before the event that starts it",
            column,
        )
    return finish(calls, prob, source, "generic", max_bad)


def _outcomes(col: pd.Series, mapping: dict[str, str], prob: Problems) -> np.ndarray:
    text = col.astype(str).str.strip()
    lookup = {str(k): v for k, v in mapping.items()}
    bad_targets = set(lookup.values()) - set(OUTCOMES)
    if bad_targets:
        raise LogError(
            f"the outcome mapping maps to {sorted(bad_targets)[0]!r}, which is not "
            f"an outcome (use {', '.join(OUTCOMES)})"
        )
    values = text.str.lower().to_numpy(dtype=object)
    if lookup:
        hit = text.isin(list(lookup)).to_numpy()
        values[hit] = [lookup[v] for v in text[hit]]
    unknown = ~np.isin(values, OUTCOMES)
    if unknown.any():
        seen = ", ".join(sorted({str(v) for v in text[unknown]})[:5])
        prob.exclude(
            unknown,
            "unknown outcome",
            f"outcome not one of {', '.join(OUTCOMES)} "
            f"(found {seen}; map them with outcomes: {{...}})",
            "outcome",
        )
    return values


def _seconds(delta: pd.Series) -> np.ndarray:
    return delta.dt.total_seconds().to_numpy(dtype=float)


def _tidy(
    *,
    rows,
    arrival,
    type_,
    outcome,
    asked,
    answered_at,
    talk_end,
    ivr_time,
    wait,
    talk,
    wrap,
    agent,
    customer,
    priority,
) -> pd.DataFrame:
    """Assemble the tidy frame (:data:`TIDY_COLUMNS`) from its columns."""

    def ids(col: Any) -> np.ndarray:
        if col is None:
            return np.full(len(arrival), None, dtype=object)
        v = pd.Series(col).astype(str).str.strip().to_numpy(dtype=object)
        v[np.isin(v, ("", "nan", "None", "0"))] = None
        return v

    outcome = np.asarray(outcome, dtype=object)
    offered = np.isin(outcome, ("answered", "abandoned"))
    wait = np.asarray(wait, float)
    return pd.DataFrame(
        {
            "row": np.asarray(rows),
            "arrival": pd.DatetimeIndex(arrival),
            "day": pd.DatetimeIndex(arrival).normalize(),
            "type": np.asarray(type_, dtype=object),
            "outcome": outcome,
            "asked": pd.DatetimeIndex(asked),
            "answered_at": pd.DatetimeIndex(answered_at),
            "talk_end": pd.DatetimeIndex(talk_end),
            "ivr_time": np.asarray(ivr_time, float),
            "wait": wait,
            "talk": np.asarray(talk, float),
            "wrap": np.asarray(wrap, float),
            "agent": ids(agent),
            "customer": ids(customer),
            "priority": pd.to_numeric(pd.Series(priority), errors="coerce").to_numpy(float)
            if priority is not None
            else np.full(len(arrival), np.nan),
            "offered": offered,
            "waited": offered & ((np.nan_to_num(wait) > 0) | (outcome == "abandoned")),
        }
    )


def finish(
    calls: pd.DataFrame,
    prob: Problems,
    source: str,
    fmt: str,
    max_bad: float,
    meta: dict[str, Any] | None = None,
) -> CallLog:
    """Drop the excluded rows, check the bad share, sort by arrival, count the outcomes."""
    n = len(calls)
    bad = prob.bad.copy()
    share = prob.unreadable.mean() if n else 0.0
    if share > max_bad and not math.isclose(share, 0.0):
        first = next((i for i in prob.items if i["action"] == "excluded"), None)
        detail = f"; first: {first['reason']} (rows {first['rows']})" if first else ""
        raise LogError(
            f"{source}: {prob.unreadable.sum():,} of {n:,} rows ({share:.0%}) are not "
            f"readable -- a wrong format, column mapping or time format?{detail}"
        )
    kept = calls[~bad]
    order = np.argsort(kept["arrival"].to_numpy(), kind="stable")
    unsorted = int(np.sum(np.diff(kept["arrival"].to_numpy().astype("int64")) < 0))
    kept = kept.iloc[order].reset_index(drop=True)
    prob.note(unsorted, "rows out of arrival order", "repaired", "the log is sorted by arrival")
    head = [
        {"item": "rows read", "count": n, "action": "info", "reason": source, "rows": []},
        {
            "item": "rows kept",
            "count": len(kept),
            "action": "info",
            "reason": "calls in the tidy frame",
            "rows": [],
        },
    ]
    counts = kept["outcome"].value_counts()
    tail = [
        {
            "item": f"outcome {o}",
            "count": int(counts.get(o, 0)),
            "action": "info",
            "reason": "kept calls",
            "rows": [],
        }
        for o in OUTCOMES
        if counts.get(o, 0)
    ]
    report = pd.concat([pd.DataFrame(head), prob.frame(), pd.DataFrame(tail)], ignore_index=True)
    if kept.empty:
        raise LogError(f"{source}: no call is left after the exclusions")
    return CallLog(kept, report, source, fmt, meta or {})

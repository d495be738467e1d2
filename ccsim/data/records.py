"""ccsim's own contact records read back as a call log (the ``ccsim`` named format).

``ccsim run --records FILE`` writes one row per simulated contact and replication
(type, arrival, fate, the times it asked for an agent, was answered, left and freed
its agent). Read as a log, replication r becomes day r (``first_day`` + r days) and
the simulated clock starts at ``start`` each day, so a simulated centre can be
calibrated like a real one: the closed-loop test of the calibration (a known
scenario in, its parameters back out).

The records carry no agent names, so agents on the phones cannot be inferred from
them; give the staffing as an interval report (:mod:`ccsim.data.intervals`).
Contacts still waiting when the run stopped (``unserved``) are excluded with a reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ccsim.data.acdlog import CallLog, LogError, Problems, _tidy, finish

__all__ = ["RECORD_COLUMNS", "read_records"]

#: The record columns this reader needs.
RECORD_COLUMNS = (
    "replication",
    "type",
    "arrival",
    "fate",
    "queued",
    "answered",
    "left",
    "freed",
    "wait",
)
_OUTCOME = {
    "answered": "answered",
    "abandoned": "abandoned",
    "ivr_abandoned": "ivr_abandoned",
    "deflected": "deflected",
    "blocked": "blocked",
}


def read_records(
    path: str | Path, *, start: str = "00:00", first_day: str = "2000-01-03", strict: bool = False
) -> CallLog:
    """Read ``ccsim run --records`` output (Parquet or CSV) as a call log.

    Parameters
    ----------
    path : str or pathlib.Path
    start : str
        Clock time of the simulated t = 0 (the scenario's ``horizon.start``).
    first_day : str
        Date of replication 0; replication r is this date + r days.
    strict : bool
        Raise on the first contact that is not a call outcome a log has.

    Returns
    -------
    CallLog
    """
    path = Path(path)
    frame = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    return records_to_log(frame, start=start, first_day=first_day, strict=strict, source=str(path))


def records_to_log(
    records: pd.DataFrame,
    *,
    start: str = "00:00",
    first_day: str = "2000-01-03",
    strict: bool = False,
    source: str = "records",
) -> CallLog:
    """Turn a records frame (``SimulationResult.records``) into a call log.

    See :func:`read_records`; ``records`` is the frame itself.
    """
    missing = [c for c in RECORD_COLUMNS if c not in records.columns]
    if missing:
        raise LogError(
            f"{source}: not ccsim contact records: missing column(s) {', '.join(missing)}"
        )
    r = records.reset_index(drop=True)
    n = len(r)
    rows = np.arange(1, n + 1)
    prob = Problems(n, rows, strict, source)
    fate = r["fate"].astype(str).to_numpy()
    prob.exclude(
        fate == "unserved",
        "unserved",
        "still waiting when the simulation stopped",
        "fate",
        unreadable=False,
    )
    prob.exclude(
        ~np.isin(fate, (*_OUTCOME, "unserved")),
        "other fate",
        "a fate a call log does not have (pending, callback_missed)",
        "fate",
    )
    try:
        day0 = pd.Timestamp(first_day) + pd.to_timedelta(
            start + ":00" if start.count(":") == 1 else start
        )
    except ValueError:
        raise LogError(f"bad start {start!r} or first_day {first_day!r}") from None
    t0 = day0 + pd.to_timedelta(r["replication"].to_numpy(), unit="D")

    def at(col: str) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(t0 + pd.to_timedelta(r[col].to_numpy(float), unit="s"))

    outcome = np.array([_OUTCOME.get(f, "abandoned") for f in fate], dtype=object)
    answered = outcome == "answered"
    offered = np.isin(outcome, ("answered", "abandoned"))
    arrival, queued, left = (
        r["arrival"].to_numpy(float),
        r["queued"].to_numpy(float),
        r["left"].to_numpy(float),
    )
    customer = None
    if "customer" in r.columns:
        customer = r["replication"].astype(str) + "-" + r["customer"].astype(str)
    calls = _tidy(
        rows=rows,
        arrival=at("arrival"),
        type_=r["type"].astype(str).to_numpy(),
        outcome=outcome,
        asked=at("queued").where(offered),
        answered_at=at("answered").where(answered),
        talk_end=at("left").where(answered),
        ivr_time=np.where(np.isnan(queued), left - arrival, queued - arrival),
        wait=np.where(offered, r["wait"].to_numpy(float), np.nan),
        talk=np.where(answered, left - r["answered"].to_numpy(float), np.nan),
        wrap=np.where(answered, r["freed"].to_numpy(float) - left, np.nan),
        agent=None,
        customer=customer,
        priority=None,
    )
    return finish(calls, prob, source, "ccsim", max_bad=1.0)

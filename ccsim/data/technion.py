"""The Technion call-log format (the "Anonymous Bank" logs) as a named log format.

The Technion SEE Center published call-by-call logs of a bank's call centre (Guedj
and Mandelbaum, 2000): one call per line, tab separated, 17 fields::

    vru+line call_id customer_id priority type date vru_entry vru_exit vru_time
    q_start q_exit q_time outcome ser_start ser_exit ser_time server

``date`` is ``yymmdd``; clock times are ``H:MM:SS``; ``0:00:00`` in the queue and
service fields means "did not happen"; ``outcome`` is AGENT (served), HANG (hung up)
or PHANTOM ("a virtual call to be ignored"); ``server`` is the agent, NO_SERVER when
none. ``ser_time`` is talk time only: no after-call work is recorded.

Reading rules (each counted in the report):

* timestamps are ``date + clock``; a later clock more than 12 h before ``vru_entry``
  is the next day (a midnight crossing);
* ``q_start`` and ``q_exit`` both ``0:00:00`` with ``q_time`` 0 means the call never
  queued (the same for the service fields); a lone ``0:00:00`` next to a non-zero
  duration is a real midnight;
* durations are the recorded ``vru_time``, ``q_time``, ``ser_time`` (they equal the
  clock differences once midnight crossings are repaired);
* **excluded**: PHANTOM rows, AGENT rows with NO_SERVER (no agent handled them: a
  median 6 s stub, almost none queued), unparsable dates or clocks, unknown outcomes;
* **outcomes**: AGENT with a named server = answered (wait = ``q_time``, 0 when served
  straight from the IVR); HANG after queueing = abandoned; HANG without queueing =
  hung up in the IVR. A negative ``vru_time`` (the IVR and ACD clocks disagree) keeps
  the call with its IVR time unknown.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ccsim.data.acdlog import CallLog, LogError, Problems, _tidy, finish

__all__ = ["TECHNION_FIELDS", "read_technion"]

TECHNION_FIELDS = (
    "vru_line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
_CLOCKS = ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")
_CLOCK_RE = r"^\s*(\d{1,2}):(\d{2}):(\d{2})\s*$"


def _name(field: str) -> str:
    """``'vru+line'``, ``'VRU.LINE'``, ``' vru line '`` -> ``'vru_line'``."""
    return re.sub(r"[^a-z0-9]+", "_", str(field).strip().lower()).strip("_")


def _clock_seconds(text: pd.Series) -> np.ndarray:
    """``H:MM:SS`` / ``HH:MM:SS`` -> seconds after midnight (NaN when unparsable).

    A fixed-width byte parse for the common case, a regular expression for the rest.
    """
    padded = text.str.zfill(8)
    fixed = (padded.str.len() == 8).to_numpy()
    out = np.full(len(text), np.nan)
    if fixed.any():
        raw = np.array(padded[fixed].tolist(), dtype="S8")
        d = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(-1, 8).astype(np.int64) - 48
        digits = d[:, [0, 1, 3, 4, 6, 7]]
        good = (d[:, 2] == 10) & (d[:, 5] == 10) & np.all((digits >= 0) & (digits <= 9), axis=1)
        h, m, s = d[:, 0] * 10 + d[:, 1], d[:, 3] * 10 + d[:, 4], d[:, 6] * 10 + d[:, 7]
        good &= (h <= 23) & (m <= 59) & (s <= 59)
        out[np.flatnonzero(fixed)] = np.where(good, h * 3600 + m * 60 + s, np.nan)
    rest = np.isnan(out)
    if rest.any():
        parts = text[rest].str.extract(_CLOCK_RE)
        h, m, s = (pd.to_numeric(parts[i], errors="coerce") for i in range(3))
        v = (h * 3600 + m * 60 + s).to_numpy(dtype=float)
        v[((h > 23) | (m > 59) | (s > 59)).to_numpy()] = np.nan
        out[rest] = v
    return out


def read_technion(path: str | Path, *, strict: bool = False, max_bad: float = 0.05) -> CallLog:
    """Read a Technion-format call log (see the module docstring for the rules).

    Parameters
    ----------
    path : str or pathlib.Path
        Tab-separated (any whitespace is accepted) text with the 17 fields as header.
    strict : bool
        Raise at the first unreadable row instead of excluding it.
    max_bad : float
        Largest share of unreadable rows before the file is taken as misread.

    Returns
    -------
    CallLog
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
        if raw.shape[1] == 1:  # not tab separated: any whitespace
            raw = pd.read_csv(path, sep=r"\s+", dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise LogError(f"{path}: cannot read it as a Technion log: {exc}") from None
    raw.columns = [_name(c) for c in raw.columns]
    missing = [f for f in TECHNION_FIELDS if f not in raw.columns]
    if missing:
        raise LogError(
            f"{path}: not a Technion log: missing field(s) {', '.join(missing)} "
            f"(found {', '.join(raw.columns)})"
        )
    for c in raw.columns:
        raw[c] = raw[c].str.strip()
    n = len(raw)
    rows = np.arange(2, n + 2)
    prob = Problems(n, rows, strict, str(path))
    outcome = raw["outcome"].str.upper().to_numpy()
    server = raw["server"].to_numpy(dtype=object)
    no_server = server == "NO_SERVER"
    prob.exclude(
        outcome == "PHANTOM",
        "PHANTOM",
        "outcome PHANTOM: 'a virtual call to be ignored' (Technion documentation)",
        "outcome",
        unreadable=False,
    )
    prob.exclude(
        (outcome == "AGENT") & no_server,
        "AGENT with NO_SERVER",
        "outcome AGENT but no agent (NO_SERVER): not demand for agents, no talk time",
        "server",
        unreadable=False,
    )
    prob.exclude(
        ~np.isin(outcome, ("AGENT", "HANG", "PHANTOM")),
        "unknown outcome",
        "outcome not AGENT, HANG or PHANTOM",
        "outcome",
    )

    date = pd.to_datetime(raw["date"], format="%y%m%d", errors="coerce")
    prob.exclude(date.isna().to_numpy(), "bad date", "date not yymmdd", "date")
    sec = {c: _clock_seconds(raw[c]) for c in _CLOCKS}
    for c in _CLOCKS:
        prob.exclude(np.isnan(sec[c]), f"bad time ({c})", f"unparsable clock time in {c!r}", c)
    num = {
        c: pd.to_numeric(raw[c], errors="coerce").to_numpy(float)
        for c in ("vru_time", "q_time", "ser_time", "priority")
    }
    for c in ("q_time", "ser_time"):
        prob.exclude(~(num[c] >= 0), f"bad {c}", f"{c} is not a non-negative number", c)

    q_none = (sec["q_start"] == 0) & (sec["q_exit"] == 0) & (num["q_time"] == 0)
    s_none = (sec["ser_start"] == 0) & (sec["ser_exit"] == 0) & (num["ser_time"] == 0)
    for c in ("q_start", "q_exit"):
        sec[c] = np.where(q_none, np.nan, sec[c])
    for c in ("ser_start", "ser_exit"):
        sec[c] = np.where(s_none, np.nan, sec[c])
    crossed = np.zeros(n, bool)
    for c in _CLOCKS[1:]:
        wrap = sec[c] < sec["vru_entry"] - 43200
        crossed |= wrap
        sec[c] = np.where(wrap, sec[c] + 86400, sec[c])
    prob.note(
        crossed & ~prob.bad,
        "midnight crossing",
        "repaired",
        "a later clock more than 12 h before vru_entry: the next day",
    )
    ts = {c: date + pd.to_timedelta(sec[c], unit="s") for c in _CLOCKS}

    queued = ~np.isnan(sec["q_start"])
    served = ~np.isnan(sec["ser_start"])
    answered = (outcome == "AGENT") & ~no_server
    hang = outcome == "HANG"
    kind = np.where(answered, "answered", np.where(hang & queued, "abandoned", "ivr_abandoned"))
    neg_ivr = num["vru_time"] < 0
    prob.note(
        neg_ivr & ~prob.bad,
        "negative vru_time",
        "kept",
        "vru_exit before vru_entry (the IVR and ACD clocks disagree): IVR time unknown",
    )
    prob.note(
        answered & ~served & ~prob.bad,
        "answered, no service recorded",
        "kept",
        "AGENT with an agent but no ser_start: talk time unknown",
    )
    prob.note(
        answered & served & (num["ser_time"] == 0) & ~prob.bad,
        "answered, ser_time 0",
        "kept",
        "talk time 0 (left out of the handle-time fits)",
    )
    prob.note(
        answered & ~queued & ~prob.bad,
        "answered from the IVR",
        "kept",
        "served without queueing (wait 0); customer id not recorded (documented bug)",
    )
    prob.note(
        hang & served & ~prob.bad,
        "HANG with a service stub",
        "kept",
        "counted as hung up (NO_SERVER stub, talk unknown)",
    )
    asked = ts["q_start"].where(queued, ts["vru_exit"])
    offered = kind != "ivr_abandoned"
    answer = ts["ser_start"].where(served, ts["q_exit"].where(queued, ts["vru_exit"]))
    cust = pd.to_numeric(raw["customer_id"], errors="coerce")
    calls = _tidy(
        rows=rows,
        arrival=ts["vru_entry"],
        type_=raw["type"].str.upper().to_numpy(),
        outcome=kind,
        asked=asked.where(offered),
        answered_at=answer.where(answered),
        talk_end=ts["ser_exit"].where(answered & served),
        ivr_time=np.where(neg_ivr, np.nan, num["vru_time"]),
        wait=np.where(queued, num["q_time"], np.where(answered, 0.0, np.nan)),
        talk=np.where(answered & served, num["ser_time"], np.nan),
        wrap=np.full(n, np.nan),
        agent=np.where(no_server, None, server),
        customer=cust.where(cust > 0).astype("Int64").astype(str).replace("<NA>", ""),
        priority=num["priority"],
    )
    return finish(calls, prob, str(path), "technion", max_bad)

"""Durations and clock times as planners write them.

A planner writes "20s" for a service-level threshold, "4min" for a handle time,
"1.5h" for a shift length and "08:30" for a shift start. Inside ccsim every time is a
float number of seconds from the start of the simulated day (t = 0 is the start of the
first interval). A bare number is read as seconds. A duration in a scenario is at most a
year (:data:`ccsim.scenario.limits.MAX_DURATION`).
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import BeforeValidator

from ccsim.scenario.limits import MAX_DURATION

__all__ = ["Duration", "format_duration", "parse_clock", "parse_duration", "short"]

_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
}
_PART = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z]*)")
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def parse_duration(value: object) -> float:
    """Read a duration and return it in seconds.

    Parameters
    ----------
    value : str, int or float
        A number of seconds, or a string of one or more number-unit parts such as
        ``"20s"``, ``"5min"``, ``"1.5h"`` or ``"1h30min"``. Units: ms, s, min (or m),
        h, d and their long forms.

    Returns
    -------
    float
        The duration in seconds (never negative).

    Raises
    ------
    ValueError
        If the text is not a duration or the value is negative.

    Examples
    --------
    >>> parse_duration("1.5h")
    5400.0
    >>> parse_duration("2min 30s")
    150.0
    >>> parse_duration(45)
    45.0
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as '20s' or '5min', got {value!r}")
    if isinstance(value, (int, float)):
        try:
            seconds = float(value)
        except OverflowError:  # an int beyond any float
            raise ValueError(f"a duration of {short(value)} seconds is too large") from None
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("-"):
            raise ValueError(f"a duration cannot be negative: {value!r}")
        pos, seconds, parts = 0, 0.0, 0
        while pos < len(text):
            match = _PART.match(text, pos)
            if match is None or match.end() == pos:
                break
            number, unit = match.groups()
            unit = unit.lower() or "s"
            if unit not in _UNITS:
                known = ", ".join(["ms", "s", "min", "h", "d"])
                raise ValueError(f"unknown time unit {unit!r} in {value!r} (use {known})")
            seconds += float(number) * _UNITS[unit]
            pos, parts = match.end(), parts + 1
        if parts == 0 or text[pos:].strip():
            clock = _CLOCK.match(text)
            if clock:  # 4:30 for four and a half minutes
                a, b = clock.group(1), clock.group(2)
                raise ValueError(
                    f"{value!r} is a clock time, not a duration: write {int(a)}min{b}s or "
                    f"{int(a)}h{b}min"
                )
            raise ValueError(
                f"expected a duration such as '20s', '5min' or '1.5h', got {short(value)}"
            )
    else:
        raise ValueError(f"expected a duration such as '20s' or '5min', got {short(value)}")
    if seconds < 0 or seconds != seconds:
        raise ValueError(f"a duration must be a non-negative number, got {short(value)}")
    if math.isinf(seconds):
        raise ValueError(
            f'a duration must be finite, got {short(value)} (for "never", leave the key out, '
            "as patience for callers who never hang up)"
        )
    return seconds


def parse_clock(value: object, day_start: float = 0.0) -> float:
    """Read a time of day or an offset and return seconds from the start of the day.

    Parameters
    ----------
    value : str, int or float
        A clock time ``"HH:MM"`` (or ``"HH:MM:SS"``), or a duration measured from
        the start of the simulated day (see :func:`parse_duration`).
    day_start : float
        The clock time of t = 0 in seconds after midnight (``horizon.start``).

    Returns
    -------
    float
        Seconds since t = 0.

    Examples
    --------
    >>> parse_clock("09:30", day_start=8 * 3600)
    5400.0
    >>> parse_clock("90min")
    5400.0
    """
    if isinstance(value, str):
        match = _CLOCK.match(value)
        if match:
            hours, minutes, secs = (int(g) if g else 0 for g in match.groups())
            if minutes >= 60 or secs >= 60:
                raise ValueError(f"not a clock time: {value!r}")
            seconds = hours * 3600.0 + minutes * 60.0 + secs - day_start
            if seconds < 0:
                raise ValueError(f"clock time {value!r} is before the start of the day")
            return seconds
    return parse_duration(value)


def format_duration(seconds: float) -> str:
    """Write seconds the way a planner reads them.

    Examples
    --------
    >>> format_duration(5400)
    '1h30min'
    >>> format_duration(20)
    '20s'
    """
    if seconds < 60:
        return f"{seconds:g}s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = ""
    if hours:
        out += f"{hours:g}h"
    if minutes:
        out += f"{minutes:g}min"
    if secs:
        out += f"{secs:g}s"
    return out


def short(value: object, width: int = 80) -> str:
    """``repr(value)``, cut to ``width`` characters: what an error message echoes.

    Examples
    --------
    >>> short("x" * 100, width=12)
    "'xxxxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _check_duration(value: object) -> float:
    try:
        seconds = parse_duration(value)
    except ValueError as exc:  # pydantic reports ValueError text with the key path
        raise ValueError(str(exc)) from None
    if seconds > MAX_DURATION:
        raise ValueError(
            f"{format_duration(seconds) if seconds < 1e12 else short(value)} is longer than a "
            "year: at most 366d"
        )
    return seconds


#: A duration field of a scenario: "20s", "5min", "1.5h" or a number of seconds.
Duration = Annotated[float, BeforeValidator(_check_duration)]

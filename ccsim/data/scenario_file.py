"""Writing a calibrated scenario as a commented YAML file, and reading its settings back.

A calibrated scenario is an ordinary scenario file (it loads with
:func:`ccsim.load_scenario` and runs as is), but every estimated value carries a
comment saying where it came from: the estimate, its 95 % interval, the sample it
rests on and the method. A planner can read, question and edit it like any scenario.

Its header also holds, on one line starting ``# ccsim-calibration:``, the settings a
backtest needs to replay actual days the same way (type pooling, interval, service
level threshold, session gap, capacity calibration, the days it was fitted on), as
JSON. :func:`read_settings` reads them back.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

__all__ = ["SETTINGS_TAG", "read_settings", "to_yaml"]

SETTINGS_TAG = "# ccsim-calibration:"
Path_ = tuple[Any, ...]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value} into a scenario")
        text = f"{value:.6g}"
        return text if ("." in text or "e" in text) else text + ".0"
    if value is None:
        return "null"
    text = str(value)
    plain = text and all(ch.isalnum() or ch in "_-." for ch in text) and not text[0].isdigit()
    return (
        text
        if plain and text.lower() not in ("true", "false", "null", "yes", "no")
        else (json.dumps(text))
    )


def _flow(value: Any) -> str | None:
    """A one-line form for scalars, lists of scalars and mappings of those; else None."""
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            inner = _flow(v)
            if inner is None or isinstance(v, dict):
                return None
            parts.append(f"{k}: {inner}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        if any(isinstance(v, (dict, list)) for v in value):
            return None
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def _emit(
    obj: Any,
    indent: int,
    path: Path_,
    notes: dict[Path_, str],
    before: dict[Path_, str],
    out: list[str],
    first_prefix: str = "",
) -> None:
    pad = " " * indent
    for i, (key, value) in enumerate(obj.items()):
        here = (*path, key)
        prefix = first_prefix if i == 0 and first_prefix else pad
        for line in before.get(here, "").splitlines():
            out.append(f"{pad}# {line}" if line else f"{pad}#")
        note = f"  # {notes[here]}" if here in notes else ""
        flow = _flow(value)
        inner = any(len(k) > len(here) and k[: len(here)] == here for k in (*notes, *before))
        if flow is not None and len(flow) + indent < 400 and not inner:
            out.append(f"{prefix}{key}: {flow}{note}")
        elif isinstance(value, dict):
            out.append(f"{prefix}{key}:{note}")
            _emit(value, indent + 2, here, notes, before, out)
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            out.append(f"{prefix}{key}:{note}")
            for j, item in enumerate(value):
                name = item.get("name", j)
                for line in before.get((*here, name), "").splitlines():
                    out.append(f"{pad}  # {line}")
                _emit(
                    item, indent + 4, (*here, name), notes, before, out, first_prefix=f"{pad}  - "
                )
        else:  # a long list of scalars: wrapped, still one flow sequence
            items = [_scalar(v) for v in value]
            out.append(f"{prefix}{key}: [")
            for k in range(0, len(items), 12):
                tail = "," if k + 12 < len(items) else "]"
                out.append(f"{pad}    {', '.join(items[k : k + 12])}{tail}")
            if note:
                out[-1] += note


def to_yaml(
    data: dict[str, Any],
    notes: dict[Path_, str],
    before: dict[Path_, str],
    header: list[str],
    settings: dict[str, Any],
) -> str:
    """The scenario ``data`` as YAML, with a comment per estimated value.

    Parameters
    ----------
    data : dict
        The scenario as plain data (loads with ``scenario_from_dict``).
    notes : dict
        Key path -> comment at the end of that key's line. Paths walk mappings by key
        and the ``contact_types`` / ``agent_groups`` lists by name.
    before : dict
        Key path -> comment lines written above that key.
    header : list of str
        Comment lines at the top of the file.
    settings : dict
        The calibration settings a backtest reads back (JSON on one line).

    Returns
    -------
    str
    """
    out = [f"# {line}" if line else "#" for line in header]
    out.append(f"{SETTINGS_TAG} {json.dumps(settings, separators=(',', ':'))}")
    _emit(data, 0, (), notes, before, out)
    return "\n".join(out) + "\n"


def read_settings(path: str | Path) -> dict[str, Any] | None:
    """The calibration settings written into a calibrated scenario file, or None."""
    try:
        with Path(path).open(encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(SETTINGS_TAG):
                    return json.loads(line[len(SETTINGS_TAG) :])
                if line.strip() and not line.startswith("#"):
                    return None
    except (OSError, json.JSONDecodeError):
        return None
    return None

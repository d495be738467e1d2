"""Running to a precision: replications until every requested interval is narrow enough.

A planner rarely cares how many replications ran; she cares that the service level is
known to within half a point. ``precision={"service_level": 0.005}`` asks for exactly
that: the 95 % interval of the centre-wide service level must be at most +-0.005 wide
(its half-width). A KPI of one contact type is written ``"sales.service_level"``.

The run starts with its ``replications``, then estimates from the half-widths reached
how many replications the widest one needs (a half-width shrinks like 1 / sqrt(n)) and
continues from where it stopped -- replication r's customers depend only on the seed and
r, so the extended run is exactly a longer run -- until every target is met or
``max_replications`` is reached; what was reached is reported either way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ccsim.results.kpis import GROUP_KPIS

if TYPE_CHECKING:
    from ccsim.results.tables import SimulationResult

__all__ = ["Precision", "check_targets", "next_replications", "parse_precision", "reached"]


@dataclass
class Precision:
    """Half-width targets, what the run reached, and whether every target was met."""

    targets: dict[str, float]
    reached: dict[str, float] = field(default_factory=dict)
    replications: int = 0
    max_replications: int = 0

    @property
    def met(self) -> bool:
        """Every requested half-width reached."""
        return all(self.reached.get(k, math.inf) <= t for k, t in self.targets.items())

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: per KPI its target, the half-width reached and whether it is met."""
        return {
            "met": self.met,
            "replications": self.replications,
            "max_replications": self.max_replications,
            "kpis": {
                k: {
                    "target": t,
                    "reached": _finite(self.reached.get(k)),
                    "met": self.reached.get(k, math.inf) <= t,
                }
                for k, t in self.targets.items()
            },
        }

    def message(self) -> str | None:
        """A warning when a target was not reached (None when all were)."""
        if self.met:
            return None
        missed = ", ".join(
            f"{k} +-{self.reached.get(k, math.nan):.4g} (target {t:g})"
            for k, t in self.targets.items()
            if not self.reached.get(k, math.inf) <= t
        )
        return (
            f"precision not reached after {self.replications:,} replications (the cap, "
            f"max_replications): {missed}"
        )


def parse_precision(spec: Mapping[str, float] | Iterable[str]) -> dict[str, float]:
    """Targets from ``{"service_level": 0.005}`` or ``["service_level=0.005", ...]``.

    Raises
    ------
    ValueError
        For a malformed item or a target that is not a positive number.

    Examples
    --------
    >>> parse_precision(["service_level=0.005", "sales.asa_s=1"])
    {'service_level': 0.005, 'sales.asa_s': 1.0}
    """
    items = spec.items() if isinstance(spec, Mapping) else (_split(s) for s in spec)
    targets = {}
    for key, value in items:
        try:
            target = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"precision of {key}: {value!r} is not a number") from None
        if not target > 0 or not math.isfinite(target):
            raise ValueError(f"precision of {key}: the half-width must be positive, got {value}")
        targets[str(key)] = target
    if not targets:
        raise ValueError("precision: name at least one KPI, e.g. service_level=0.005")
    return targets


def _split(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"precision {item!r}: write KPI=HALF_WIDTH, e.g. service_level=0.005")
    return key.strip(), value.strip()


def check_targets(targets: Mapping[str, float], type_names: list[str], kpis: Iterable[str]) -> None:
    """Refuse, before anything runs, a target naming an unknown KPI or contact type.

    Raises
    ------
    ValueError
        Naming the key, with the known names.
    """
    import difflib

    known = list(kpis)
    for key in targets:
        type_name, _, kpi = key.rpartition(".")
        if type_name and type_name not in type_names:
            raise ValueError(f"precision {key}: no contact type {type_name!r} "
                             f"(known: {', '.join(type_names)})")  # fmt: skip
        if type_name and kpi in GROUP_KPIS:
            raise ValueError(f"precision {key}: {kpi} is a group KPI; write it without a type")
        if kpi not in known:
            close = difflib.get_close_matches(kpi, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"precision {key}: no KPI {kpi!r}{hint}")


def reached(result: SimulationResult, targets: Mapping[str, float]) -> dict[str, float]:
    """The 95 % half-width of each targeted KPI (NaN where it is not defined yet).

    With the result's ``variance_reduction`` ("control"), the controlled interval's
    half-width (:mod:`ccsim.results.control`) where the KPI is a ratio.
    """
    from ccsim.results.kpis import RATIOS

    out = {}
    for key in targets:
        type_name, _, kpi = key.rpartition(".")
        if result.variance_reduction == "control" and kpi in RATIOS:
            est = result.controlled(kpi, type_name or None)
            low, high = est.low, est.high
        else:
            _, low, high = result.ci(kpi, type_name or None)
        out[key] = (high - low) / 2
    return out


def next_replications(done: int, reached: Mapping[str, float], targets: Mapping[str, float],
                      most: int) -> int:  # fmt: skip
    """How many replications the widest unmet target needs, with 10 % to spare.

    A half-width h at n replications becomes about h sqrt(n / m) at m, so the target t
    needs m = n (h / t)^2. A half-width from few replications is itself uncertain, so a
    step at most quadruples the run; at least a fifth more, at most ``most``.
    """
    need = done
    for key, target in targets.items():
        h = reached.get(key, math.nan)
        if not h <= target:
            ratio = (h / target) ** 2 if math.isfinite(h) else 4.0
            need = max(need, math.ceil(1.1 * done * ratio))
    return min(most, 4 * done, max(need, done + max(1, done // 5)))


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None

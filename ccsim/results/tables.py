"""Simulation results: KPI tables with confidence intervals, and their JSON form.

A :class:`SimulationResult` keeps every replication's counters and turns them into
tidy pandas tables on demand: one row per (what, KPI) with the mean across
replications and its 95 % confidence interval. "What" is the whole centre
(:attr:`~SimulationResult.summary`), a contact type (``by_type``), a type and interval
(``by_interval``; type ``"ALL"`` for all types together -- the real-time ones when a
scenario also has e-mail) or an agent group
(``by_group``, ``by_group_interval``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ccsim.plan import Plan
from ccsim.results.kpis import (
    CALLBACK_KPIS,
    FOLLOW_UP_KPIS,
    GROUP_KPIS,
    TYPE_FIELDS,
    TYPE_KPIS,
    group_kpis,
    mean_ci,
    type_kpis,
)
from ccsim.scenario.units import parse_clock

if TYPE_CHECKING:  # pandas is imported when a table is asked for (quick start-up)
    import pandas as pd

__all__ = ["ALL", "SimulationResult"]

ALL = "ALL"
_QUEUE = TYPE_FIELDS.index("queue_time")
LOW, HIGH = "ci95_low", "ci95_high"
_COLUMNS = ["kpi", "mean", "ci95_low", "ci95_high", "n"]


@dataclass
class SimulationResult:
    """The outcome of :func:`ccsim.simulate`.

    Attributes
    ----------
    plan : Plan
        The compiled scenario that ran (``plan.scenario`` is the scenario).
    engine, seed, replications :
        How it ran.
    type_acc : numpy.ndarray
        Counters per replication, type, interval and field (``kpis.TYPE_FIELDS``).
    group_acc : numpy.ndarray
        Sums per replication, group, interval and field (``kpis.GROUP_FIELDS``).
    contacts_simulated : int
        Contacts generated over all replications (warm-up included).
    records : pandas.DataFrame or None
        One row per contact, when asked for with ``records=True``.
    warnings : list of str
        Capacity warnings raised by the run.
    """

    plan: Plan
    engine: str
    seed: int
    replications: int
    type_acc: np.ndarray
    group_acc: np.ndarray
    contacts_simulated: int
    records: pd.DataFrame | None = None  # noqa: F821
    warnings: list[str] = field(default_factory=list)

    @property
    def scenario(self):  # noqa: ANN201 - Scenario, avoided import cycle in annotations
        """The scenario that ran."""
        return self.plan.scenario

    # ----------------------------------------------------------------- tables
    def _window(self) -> np.ndarray:
        """Seconds of each interval inside the counted window [warm-up, end]."""
        edges = self.plan.interval_edges()
        return np.clip(edges[1:] - np.maximum(edges[:-1], self.plan.warmup), 0, None)

    def _mean_queue(self, queue_time: np.ndarray, window: np.ndarray | float) -> np.ndarray:
        """Mean number of contacts waiting: contact-seconds in queue / seconds."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(np.asarray(window) > 0, queue_time / window, np.nan)

    def _type_values(self, acc: np.ndarray, window: np.ndarray | float) -> dict[str, np.ndarray]:
        """Type KPIs of summed counters, and the mean queue over ``window`` seconds.

        Follow-up and callback KPIs only when the scenario has them.
        """
        values = type_kpis(acc)
        for name in self._hidden_kpis():
            del values[name]
        values["mean_queue"] = self._mean_queue(acc[..., _QUEUE], window)
        return values

    def _hidden_kpis(self) -> tuple[str, ...]:
        """KPIs of behaviours the scenario does not have (not reported)."""
        plan = self.plan
        return (() if plan.has_followups else FOLLOW_UP_KPIS) + (
            () if plan.has_callbacks else CALLBACK_KPIS
        )

    def type_kpi_names(self) -> tuple[str, ...]:
        """The contact-type KPIs this result reports, in table order."""
        hidden = self._hidden_kpis()
        extra = [k for k in (*FOLLOW_UP_KPIS, *CALLBACK_KPIS) if k not in hidden]
        return (*TYPE_KPIS, *extra, "mean_queue")

    @property
    def _centre_acc(self) -> np.ndarray:
        """Counters of the types centre-wide KPIs cover: the real-time ones.

        E-mail (deferred work, waits of hours) is reported per type only, unless every
        type is e-mail.
        """
        email = self.plan.type_email
        if email.any() and not email.all():
            return self.type_acc[:, ~email]
        return self.type_acc

    @cached_property
    def _summary_rows(self) -> list[dict[str, Any]]:
        values = self._type_values(self._centre_acc.sum(axis=(1, 2)), self._window().sum())
        rows = _rows(values, {})
        return rows + _rows(group_kpis(self.group_acc.sum(axis=(1, 2))), {}, ("occupancy",))

    @cached_property
    def _type_rows(self) -> list[dict[str, Any]]:
        values = self._type_values(self.type_acc.sum(axis=2), self._window().sum())
        rows = []
        for i, name in enumerate(self.plan.type_names):
            rows += _rows({k: v[:, i] for k, v in values.items()}, {"type": name})
        return rows

    @cached_property
    def _group_rows(self) -> list[dict[str, Any]]:
        values = group_kpis(self.group_acc.sum(axis=2))
        rows = []
        for j, name in enumerate(self.plan.group_names):
            rows += _rows({k: v[:, j] for k, v in values.items()}, {"group": name})
        return rows

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Centre-wide KPIs (real-time types, counted intervals; occupancy of all groups)."""
        return _frame(self._summary_rows, _COLUMNS)

    @cached_property
    def by_type(self) -> pd.DataFrame:
        """KPIs per contact type."""
        return _frame(self._type_rows, ["type", *_COLUMNS])

    @cached_property
    def by_interval(self) -> pd.DataFrame:
        """KPIs per contact type (and ``"ALL"``) and arrival interval."""
        window = self._window()
        per_type = self._type_values(self.type_acc, window)
        overall = self._type_values(self._centre_acc.sum(axis=1), window)
        labels = self.interval_labels()
        rows = []
        for k, label in enumerate(labels):
            for i, name in enumerate(self.plan.type_names):
                key = {"type": name, "interval": k, "start": label}
                rows += _rows({n: v[:, i, k] for n, v in per_type.items()}, key)
            key = {"type": ALL, "interval": k, "start": label}
            rows += _rows({n: v[:, k] for n, v in overall.items()}, key)
        return _frame(rows, ["type", "interval", "start", *_COLUMNS])

    @cached_property
    def by_group(self) -> pd.DataFrame:
        """Occupancy, staffed and busy hours and contacts handled per agent group."""
        return _frame(self._group_rows, ["group", *_COLUMNS])

    @cached_property
    def by_group_interval(self) -> pd.DataFrame:
        """Group KPIs per interval."""
        values = group_kpis(self.group_acc)
        rows = []
        for j, name in enumerate(self.plan.group_names):
            for k, label in enumerate(self.interval_labels()):
                key = {"group": name, "interval": k, "start": label}
                rows += _rows({n: v[:, j, k] for n, v in values.items()}, key)
        return _frame(rows, ["group", "interval", "start", *_COLUMNS])

    def interval_table(self) -> pd.DataFrame:
        """A wide table, one row per (type, interval): each KPI's mean, low and high."""
        import pandas as pd

        df = self.by_interval
        wide = df.pivot(index=["type", "interval", "start"], columns="kpi")
        wide = wide.reindex(
            pd.MultiIndex.from_frame(df[["type", "interval", "start"]].drop_duplicates())
        )
        out = pd.DataFrame(index=wide.index)
        for kpi in self.type_kpi_names():
            out[kpi] = wide[("mean", kpi)]
            out[f"{kpi}_ci95_low"] = wide[("ci95_low", kpi)]
            out[f"{kpi}_ci95_high"] = wide[("ci95_high", kpi)]
        return out.reset_index()

    def interval_labels(self) -> list[str]:
        """Clock labels ("08:30") of the interval starts; "Mon 08:30" with ``days``."""
        s = self.plan.scenario
        start = parse_clock(s.horizon.start)
        per_day = s.horizon.intervals
        labels = []
        for k in range(self.plan.n_intervals):
            t = int(round(start + (k % per_day) * self.plan.interval))
            day, rest = divmod(t, 86400)
            label = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
            if s.days:
                labels.append(f"{s.days[k // per_day].name} {label}")
            else:
                labels.append(label if day == 0 else f"d{day + 1} {label}")
        return labels

    def per_replication(self, name: str, type: str | None = None) -> np.ndarray:
        """One KPI's value in each replication, centre-wide or for one contact type.

        Group KPIs (``occupancy``, ...) are for all groups together.
        """
        if name in GROUP_KPIS:
            return group_kpis(self.group_acc.sum(axis=(1, 2)))[name]
        acc = self._centre_acc
        if type is not None:
            acc = self.type_acc[:, [self.plan.type_names.index(type)]]
        values = self._type_values(acc.sum(axis=(1, 2)), self._window().sum())
        if name not in values:
            raise KeyError(f"no KPI {name!r}; known: {', '.join((*values, *GROUP_KPIS))}")
        return values[name]

    def kpi(self, name: str, type: str | None = None) -> float:
        """Mean of one KPI, centre-wide or for one contact type."""
        rows = self._summary_rows if type is None else self._type_rows
        for row in rows:
            if row["kpi"] == name and (type is None or row["type"] == type):
                return float(row["mean"])
        raise KeyError(f"no KPI {name!r}" + (f" for type {type!r}" if type else ""))

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """The run as a JSON-ready dict (the ``ccsim run --json`` object)."""

        def block(rows: list[dict[str, Any]], key: str | None = None, value: str = "") -> dict:
            return {
                r["kpi"]: {
                    "mean": _num(r["mean"]),
                    "ci95": [_num(r["ci95_low"]), _num(r["ci95_high"])],
                }
                for r in rows
                if key is None or r[key] == value
            }

        return {
            "scenario": self.plan.scenario.name,
            "engine": self.engine,
            "replications": self.replications,
            "seed": self.seed,
            "kpis": block(self._summary_rows),
            "by_type": {t: block(self._type_rows, "type", t) for t in self.plan.type_names},
            "by_group": {g: block(self._group_rows, "group", g) for g in self.plan.group_names},
            "contacts_simulated": self.contacts_simulated,
            "warnings": list(self.warnings),
            **({"costs": self._cost_block()} if self.scenario.costs is not None else {}),
        }

    def _cost_block(self) -> dict[str, Any]:
        from ccsim.whatif.costs import cost_table

        return {
            r["component"]: {
                "per_day": _num(r["per_day"]),
                "ci95": [_num(r["ci95_low"]), _num(r["ci95_high"])],
                "per_year": _num(r["per_year"]),
            }
            for r in cost_table(self).to_dict("records")
        }

    def to_json(self, indent: int | None = None) -> str:
        """The run as JSON text (NaN and infinities written as null)."""
        return json.dumps(self.to_dict(), indent=indent)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def _num(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None  # JSON has no NaN or Infinity


def _rows(values: dict[str, np.ndarray], key: dict[str, Any], only: tuple[str, ...] = ()) -> list:
    rows = []
    for name, per_rep in values.items():
        if only and name not in only:
            continue
        mean, lo, hi, n = mean_ci(per_rep)
        row = {"kpi": name, "mean": float(mean), "ci95_low": float(lo), "ci95_high": float(hi)}
        rows.append({**key, **row, "n": int(n)})
    return rows

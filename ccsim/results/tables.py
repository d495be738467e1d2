"""Simulation results: KPI tables with confidence intervals, and their JSON form.

A :class:`SimulationResult` keeps what its run folded in (:mod:`ccsim.results.running`:
each replication's day totals and running moments per interval) and turns it into
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
    ci_of,
    group_kpis,
    mean_ci,
    type_kpis,
)
from ccsim.results.running import (
    KEEP_COUNTERS_BYTES,
    Moments,
    RunningStats,
    interval_window,
    mean_queue,
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
    stats : RunningStats
        What the run kept of its replications: day totals per replication and running
        moments per interval (see :mod:`ccsim.results.running`).
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
    stats: RunningStats
    contacts_simulated: int
    records: pd.DataFrame | None = None  # noqa: F821
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_counters(
        cls, plan: Plan, engine: str, seed: int, type_acc: np.ndarray, group_acc: np.ndarray,
        contacts_simulated: int, **extra: Any,
    ) -> SimulationResult:  # fmt: skip
        """A result from full counters (replications first), e.g. replayed by hand."""
        stats = new_stats(plan, keep_counters=True)
        stats.add(np.asarray(type_acc, dtype=float), np.asarray(group_acc, dtype=float))
        return cls(plan, engine, seed, len(type_acc), stats, contacts_simulated, **extra)

    @property
    def type_acc(self) -> np.ndarray:
        """Counters per replication, type, interval and field (``kpis.TYPE_FIELDS``).

        Kept only by runs whose counters stay under
        :data:`~ccsim.results.running.KEEP_COUNTERS_BYTES`; the tables never need them.
        """
        return self._counters()[0]

    @property
    def group_acc(self) -> np.ndarray:
        """Sums per replication, group, interval and field (``kpis.GROUP_FIELDS``)."""
        return self._counters()[1]

    def _counters(self) -> tuple[np.ndarray, np.ndarray]:
        kept = self.stats.counters()
        if kept is None:
            raise AttributeError(
                f"this run of {self.replications} replications did not keep its full counters "
                f"(over {KEEP_COUNTERS_BYTES // 2**20} MB); its tables, day totals "
                "(result.stats.day_type) and interval moments are all there"
            )
        return kept

    @property
    def scenario(self):  # noqa: ANN201 - Scenario, avoided import cycle in annotations
        """The scenario that ran."""
        return self.plan.scenario

    # ----------------------------------------------------------------- tables
    def _day_values(self, acc: np.ndarray) -> dict[str, np.ndarray]:
        """Type KPIs of day totals, and the mean queue over the counted day.

        Follow-up and callback KPIs only when the scenario has them.
        """
        values = type_kpis(acc)
        for name in hidden_kpis(self.plan):
            del values[name]
        values["mean_queue"] = mean_queue(acc[..., _QUEUE], interval_window(self.plan).sum())
        return values

    def type_kpi_names(self) -> tuple[str, ...]:
        """The contact-type KPIs this result reports, in table order."""
        hidden = hidden_kpis(self.plan)
        extra = [k for k in (*FOLLOW_UP_KPIS, *CALLBACK_KPIS) if k not in hidden]
        return (*TYPE_KPIS, *extra, "mean_queue")

    @property
    def _centre_day(self) -> np.ndarray:
        """Day totals of the types centre-wide KPIs cover (see :func:`centre_types`)."""
        return self.stats.day_type[:, centre_types(self.plan)]

    @cached_property
    def _summary_rows(self) -> list[dict[str, Any]]:
        values = self._day_values(self._centre_day.sum(axis=1))
        rows = _rows(values, {})
        return rows + _rows(group_kpis(self.stats.day_group.sum(axis=1)), {}, ("occupancy",))

    @cached_property
    def _type_rows(self) -> list[dict[str, Any]]:
        values = self._day_values(self.stats.day_type)
        rows = []
        for i, name in enumerate(self.plan.type_names):
            rows += _rows({k: v[:, i] for k, v in values.items()}, {"type": name})
        return rows

    @cached_property
    def _group_rows(self) -> list[dict[str, Any]]:
        values = group_kpis(self.stats.day_group)
        rows = []
        for j, name in enumerate(self.plan.group_names):
            rows += _rows({k: v[:, j] for k, v in values.items()}, {"group": name})
        return rows

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Centre-wide KPIs (real-time types, counted intervals; occupancy of all groups).

        Columns ``kpi, mean, ci95_low, ci95_high, n``; indexed by KPI name as well, so
        ``result.summary.loc["service_level", "mean"]`` is one step.
        """
        return _frame(self._summary_rows, _COLUMNS, ["kpi"])

    @cached_property
    def by_type(self) -> pd.DataFrame:
        """KPIs per contact type, indexed by ``(type, kpi)``."""
        return _frame(self._type_rows, ["type", *_COLUMNS], ["type", "kpi"])

    @cached_property
    def by_interval(self) -> pd.DataFrame:
        """KPIs per contact type (and ``"ALL"``) and arrival interval.

        Indexed by ``(type, interval, kpi)``; ``start`` is the interval's label
        (``"08:30"``), ``start_time`` its start as a time since midnight of the first
        day (a :class:`pandas.Timedelta`; add a date to get timestamps).
        """
        moments = self.stats.by_type_interval  # rows: each type, then the centre
        names = [*self.plan.type_names, ALL]
        rows = []
        for k, label in enumerate(self.interval_labels()):
            for i, name in enumerate(names):
                key = {"type": name, "interval": k, "start": label}
                rows += _moment_rows(moments, i, k, key)
        frame = _frame(rows, ["type", "interval", "start", *_COLUMNS], ["type", "interval", "kpi"])
        return self._with_start_time(frame)

    @cached_property
    def by_group(self) -> pd.DataFrame:
        """Occupancy, staffed and busy hours and contacts handled per agent group.

        Indexed by ``(group, kpi)``.
        """
        return _frame(self._group_rows, ["group", *_COLUMNS], ["group", "kpi"])

    @cached_property
    def by_group_interval(self) -> pd.DataFrame:
        """Group KPIs per interval; index by ``(group, interval, kpi)``."""
        moments = self.stats.by_group_interval  # rows: each group, then all groups
        rows = []
        for j, name in enumerate(self.plan.group_names):
            for k, label in enumerate(self.interval_labels()):
                key = {"group": name, "interval": k, "start": label}
                rows += _moment_rows(moments, j, k, key)
        frame = _frame(
            rows, ["group", "interval", "start", *_COLUMNS], ["group", "interval", "kpi"]
        )
        return self._with_start_time(frame)

    def _with_start_time(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add ``start_time`` (a Timedelta since midnight of the first day) as the last column."""
        import pandas as pd

        seconds = parse_clock(self.plan.scenario.horizon.start) + self.plan.interval_edges()[:-1]
        per_interval = pd.to_timedelta(seconds, unit="s")
        frame.insert(
            frame.columns.get_loc("start") + 1, "start_time", per_interval[frame["interval"]]
        )
        return frame

    def interval_table(self) -> pd.DataFrame:
        """A wide table, one row per (type, interval): each KPI's mean, low and high.

        Columns ``type, interval, start``, then for each KPI ``<kpi>``,
        ``<kpi>_ci95_low``, ``<kpi>_ci95_high``, and last ``start_time`` (see
        :attr:`by_interval`).
        """
        import pandas as pd

        df = self.by_interval.reset_index(drop=True)
        keys = ["type", "interval", "start", "start_time"]
        wide = df.pivot(index=keys, columns="kpi")
        wide = wide.reindex(pd.MultiIndex.from_frame(df[keys].drop_duplicates()))
        out = pd.DataFrame(index=wide.index)
        for kpi in self.type_kpi_names():
            out[kpi] = wide[("mean", kpi)]
            out[f"{kpi}_ci95_low"] = wide[("ci95_low", kpi)]
            out[f"{kpi}_ci95_high"] = wide[("ci95_high", kpi)]
        out = out.reset_index()
        return out[[c for c in out.columns if c != "start_time"] + ["start_time"]]

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
            return group_kpis(self.stats.day_group.sum(axis=1))[name]
        acc = self._centre_day
        if type is not None:
            acc = self.stats.day_type[:, [self.plan.type_names.index(type)]]
        values = self._day_values(acc.sum(axis=1))
        if name not in values:
            raise KeyError(f"no KPI {name!r}; known: {', '.join((*values, *GROUP_KPIS))}")
        return values[name]

    def ci(self, name: str, type: str | None = None) -> tuple[float, float, float]:
        """``(mean, ci95_low, ci95_high)`` of one KPI, centre-wide or for one contact type."""
        frame = self.summary if type is None else self.by_type
        key = name if type is None else (type, name)
        if key not in frame.index:
            raise KeyError(f"no KPI {name!r}" + (f" for type {type!r}" if type else ""))
        row = frame.loc[key]
        return float(row["mean"]), float(row["ci95_low"]), float(row["ci95_high"])

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


def centre_types(plan: Plan) -> np.ndarray:
    """Mask of the types centre-wide KPIs cover: the real-time ones.

    E-mail (deferred work, waits of hours) is reported per type only, unless every type
    is e-mail.
    """
    email = plan.type_email
    return ~email if email.any() and not email.all() else np.ones(plan.n_types, dtype=bool)


def hidden_kpis(plan: Plan) -> tuple[str, ...]:
    """KPIs of behaviours the scenario does not have (not reported)."""
    return (() if plan.has_followups else FOLLOW_UP_KPIS) + (
        () if plan.has_callbacks else CALLBACK_KPIS
    )


def new_stats(plan: Plan, replications: int = 0, keep_counters: bool | None = None) -> RunningStats:
    """Empty :class:`RunningStats` for a run of ``replications`` of ``plan``.

    The full counters are kept when asked, or by default when they take at most
    :data:`~ccsim.results.running.KEEP_COUNTERS_BYTES`.
    """
    if keep_counters is None:
        cells = plan.n_intervals * (plan.n_types * len(TYPE_FIELDS) + plan.n_groups * 3)
        keep_counters = replications * cells * 8 <= KEEP_COUNTERS_BYTES
    return RunningStats(plan, centre_types(plan), hidden_kpis(plan), keep_counters)


def _moment_rows(moments: dict[str, Moments], i: int, k: int, key: dict) -> list[dict[str, Any]]:
    rows = []
    for name, m in moments.items():
        mean, lo, hi, n = ci_of(m.mean_or_nan()[i, k], m.sd()[i, k], m.n[i, k])
        row = {"kpi": name, "mean": float(mean), "ci95_low": float(lo), "ci95_high": float(hi)}
        rows.append({**key, **row, "n": int(n)})
    return rows


def _frame(rows: list[dict[str, Any]], columns: list[str], keys: list[str]) -> pd.DataFrame:
    """The tidy table of ``rows``, also indexed by its ``keys``.

    The index is unnamed, so that the key columns stay columns and ``groupby("kpi")``
    stays unambiguous.
    """
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns)
    index = frame[keys[0]] if len(keys) == 1 else pd.MultiIndex.from_frame(frame[keys])
    frame.index = index.rename(None) if len(keys) == 1 else index.set_names([None] * len(keys))
    return frame


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

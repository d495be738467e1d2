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
from ccsim.results.confidence import ci_of, mean_ci, pooled_ci, pooled_from_sums
from ccsim.results.kpis import (
    CALLBACK_KPIS,
    FOLLOW_UP_KPIS,
    GROUP_FIELDS,
    GROUP_KPIS,
    GROUP_RATIOS,
    RATIOS,
    TYPE_FIELDS,
    TYPE_KPIS,
    WAIT_EDGES,
    group_kpis,
    ratio_parts,
    type_kpis,
)
from ccsim.results.running import (
    KEEP_COUNTERS_BYTES,
    Moments,
    RunningStats,
    counter_bytes,
    interval_window,
    mean_queue,
)
from ccsim.results.waits import pooled_percentiles
from ccsim.scenario.units import parse_clock

if TYPE_CHECKING:  # pandas is imported when a table is asked for (quick start-up)
    import pandas as pd

    from ccsim.results.control import Controlled
    from ccsim.results.precision import Precision

__all__ = ["ALL", "SimulationResult"]

ALL = "ALL"
_QUEUE = TYPE_FIELDS.index("queue_time")
LOW, HIGH = "ci95_low", "ci95_high"
_COLUMNS = ["kpi", "mean", "ci95_low", "ci95_high", "n", "pooled", "pooled_ci95_low",
            "pooled_ci95_high"]  # fmt: skip


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
    precision: Precision | None = None  # a run to a precision: what it reached
    variance_reduction: str | None = None  # "control": CIs use the volume control variate

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
        return type_kpi_names(self.plan)

    @property
    def _centre_day(self) -> np.ndarray:
        """Day totals of the types centre-wide KPIs cover (see :func:`centre_types`)."""
        return self.stats.day_type[:, centre_types(self.plan)]

    @cached_property
    def _summary_rows(self) -> list[dict[str, Any]]:
        centre = self._centre_day.sum(axis=1)
        rows = _rows(self._day_values(centre), {}, pooled=centre)
        groups = self.stats.day_group.sum(axis=1)
        return rows + _rows(group_kpis(groups), {}, ("occupancy",), groups, GROUP_FIELDS)

    @cached_property
    def _type_rows(self) -> list[dict[str, Any]]:
        day = self.stats.day_type
        values = self._day_values(day)
        rows = []
        for i, name in enumerate(self.plan.type_names):
            per_type = {k: v[:, i] for k, v in values.items()}
            rows += _rows(per_type, {"type": name}, pooled=day[:, i])
        return rows

    @cached_property
    def _group_rows(self) -> list[dict[str, Any]]:
        day = self.stats.day_group
        values = group_kpis(day)
        rows = []
        for j, name in enumerate(self.plan.group_names):
            per_group = {k: v[:, j] for k, v in values.items()}
            rows += _rows(per_group, {"group": name}, (), day[:, j], GROUP_FIELDS)
        return rows

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Centre-wide KPIs (real-time types, counted intervals; occupancy of all groups).

        Columns ``kpi, mean, ci95_low, ci95_high, n`` (the mean over replications and its
        interval), then ``pooled, pooled_ci95_low, pooled_ci95_high`` for ratio KPIs (the
        ratio of the sums over replications, with its delta-method interval; see
        :func:`ccsim.results.kpis.pooled_ci`); indexed by KPI name as well, so
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
        names = [*self.plan.type_names, ALL]  # rows of the statistics: types, then centre
        stats = self.stats
        return self._interval_frame(
            "type", names, stats.by_type_interval, stats.pooled_type_interval
        )

    @cached_property
    def _wait_rows(self) -> list[dict[str, Any]]:
        stats = self.stats
        names = [*self.plan.type_names, ALL]
        pooled = pooled_percentiles(self._wait_hist())
        rows = []
        for name, m in stats.waits.items():
            mean, low, high, n = ci_of(m.mean_or_nan(), m.sd(), m.n)
            low = np.maximum(low, 0.0)  # waits and shares are not negative...
            if name not in pooled:
                high = np.minimum(high, 1.0)  # ...and shares not above 1
            p = (pooled[name], np.nan, np.nan) if name in pooled else (np.nan,) * 3
            if name in stats.pooled_waits:
                p = pooled_from_sums(self.replications, *stats.pooled_waits[name])
            for i, what in enumerate(names):
                values = (mean, low, high, n, *p)
                row = {c: float(np.broadcast_to(v, (len(names),))[i])
                       for c, v in zip(_COLUMNS[1:], values, strict=True)}  # fmt: skip
                rows.append({"type": what, "kpi": name, **row, "n": int(row["n"])})
        return rows

    def _wait_hist(self) -> np.ndarray:
        """The summed waiting-time histograms, per type and centre-wide: (types + 1, 2, bins)."""
        h = self.stats.wait_hist_sum
        if h is None:
            return np.zeros((self.plan.n_types + 1, 2, len(WAIT_EDGES)))
        return np.concatenate([h, h[self.stats.centre].sum(axis=0)[None]])

    @cached_property
    def waits(self) -> pd.DataFrame:
        """Waiting-time percentiles and the service level at several thresholds.

        Per contact type and ``"ALL"`` (centre-wide), indexed by ``(type, kpi)``, with
        the columns of :attr:`summary`: ``wait_answered_p50_s`` ... ``_p95_s`` (waits of
        answered contacts), ``wait_all_p50_s`` ... (answered and abandoned) and
        ``service_level_10s`` ... ``service_level_300s`` (answered within the threshold
        over offered). ``mean`` is the mean of each replication's value; ``pooled`` the
        percentile of all replications' waits together, or the service level as a ratio
        of sums (with its interval). See :mod:`ccsim.results.waits`.
        """
        return _frame(self._wait_rows, ["type", *_COLUMNS], ["type", "kpi"])

    @cached_property
    def by_group(self) -> pd.DataFrame:
        """Occupancy, staffed and busy hours and contacts handled per agent group.

        Indexed by ``(group, kpi)``.
        """
        return _frame(self._group_rows, ["group", *_COLUMNS], ["group", "kpi"])

    @cached_property
    def by_group_interval(self) -> pd.DataFrame:
        """Group KPIs per interval; index by ``(group, interval, kpi)``."""
        names = self.plan.group_names  # rows of the statistics: groups, then all groups
        stats = self.stats
        frame = self._interval_frame(
            "group", names, stats.by_group_interval, stats.pooled_group_interval
        )
        # one group after the other (the type table goes interval by interval)
        return frame.sort_values(["group", "interval"], key=_by(names), kind="stable")

    def _interval_frame(
        self,
        what: str,
        names: list[str],
        moments: dict[str, Moments],
        pooled: dict[str, list[np.ndarray]],
    ) -> pd.DataFrame:
        """The tidy per-interval table of ``what`` (type or group), built vectorised.

        One row per (interval, name, KPI), in that order.
        """
        import pandas as pd

        rows, k_count = len(names), self.plan.n_intervals
        kpis = list(moments)
        columns: dict[str, list[np.ndarray]] = {c: [] for c in _COLUMNS[1:]}
        for name in kpis:
            m = moments[name]
            mean, low, high, n = ci_of(m.mean_or_nan()[:rows], m.sd()[:rows], m.n[:rows])
            sums = pooled.get(name)
            if sums is None:
                p = p_low = p_high = np.full((rows, k_count), np.nan)
            else:
                reps = self.replications
                p, p_low, p_high = (x[:rows] for x in pooled_from_sums(reps, *sums))
            for column, value in zip(columns, (mean, low, high, n, p, p_low, p_high), strict=True):
                columns[column].append(np.asarray(value, dtype=float).T)  # (intervals, rows)
        shape = (k_count, rows, len(kpis))
        data = {c: np.stack(v, axis=-1).reshape(-1) for c, v in columns.items()}  # k, row, kpi
        labels = np.array(self.interval_labels(), dtype=object)
        interval = np.broadcast_to(np.arange(k_count)[:, None, None], shape).reshape(-1)
        frame = pd.DataFrame(
            {
                what: np.broadcast_to(np.array(names, dtype=object)[None, :, None], shape).reshape(
                    -1
                ),
                "interval": interval,
                "start": labels[interval],
                "kpi": np.broadcast_to(np.array(kpis, dtype=object), shape).reshape(-1),
                **data,
            }
        )
        frame["n"] = frame["n"].astype(int)
        index = pd.MultiIndex.from_frame(frame[[what, "interval", "kpi"]])
        frame.index = index.set_names([None] * 3)
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
        """``(mean, ci95_low, ci95_high)`` of one KPI, centre-wide or for one contact type.

        Waiting-time KPIs (:attr:`waits`) too.
        """
        frame = self.summary if type is None else self.by_type
        key = name if type is None else (type, name)
        if name in self.stats.waits:
            frame, key = self.waits, (type or ALL, name)
        if key not in frame.index:
            raise KeyError(f"no KPI {name!r}" + (f" for type {type!r}" if type else ""))
        row = frame.loc[key]
        return float(row["mean"]), float(row["ci95_low"]), float(row["ci95_high"])

    def controlled(self, name: str, type: str | None = None) -> Controlled:
        """One KPI estimated with the day's volume as a control variate.

        Centre-wide (real-time types) or for one contact type; the control is the
        replication's first contacts, whose expectation the forecast gives. See
        :mod:`ccsim.results.control` for the estimator and its interval.
        """
        from ccsim.results.control import controlled, expected_first_contacts, first_contacts

        c = first_contacts(self.stats.day_type)
        expected = expected_first_contacts(self.plan)
        if type is None:
            keep = centre_types(self.plan)
            control, mean = c[:, keep].sum(axis=1), float(expected[keep].sum())
        else:
            t = self.plan.type_names.index(type)
            control, mean = c[:, t], float(expected[t])
        return controlled(self.per_replication(name, type), control, mean)

    def kpi(self, name: str, type: str | None = None) -> float:
        """Mean of one KPI, centre-wide or for one contact type (waiting-time KPIs too)."""
        if name in self.stats.waits:
            return self.ci(name, type)[0]
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
                    **(
                        {}
                        if r["kpi"] not in RATIOS | GROUP_RATIOS and math.isnan(r["pooled"])
                        else {
                            "pooled": {
                                "value": _num(r["pooled"]),
                                "ci95": [_num(r["pooled_ci95_low"]), _num(r["pooled_ci95_high"])],
                            }
                        }
                    ),
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
            "waits": {
                what: block(self._wait_rows, "type", what) for what in [*self.plan.type_names, ALL]
            },
            "contacts_simulated": self.contacts_simulated,
            "warnings": list(self.warnings),
            **({"precision": self.precision.to_dict()} if self.precision is not None else {}),
            **({"controlled": self._controlled_block()} if self.variance_reduction else {}),
            **({"costs": self._cost_block()} if self.scenario.costs is not None else {}),
        }

    def _controlled_block(self) -> dict[str, Any]:
        """Ratio KPIs estimated with the volume control variate (centre-wide)."""
        out = {}
        for name in self.type_kpi_names():
            if name in RATIOS:
                est = self.controlled(name)
                out[name] = {
                    "mean": _num(est.mean),
                    "ci95": [_num(est.low), _num(est.high)],
                    "rho": _num(est.rho),
                }
        return out

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


def type_kpi_names(plan: Plan) -> tuple[str, ...]:
    """The contact-type KPIs a run of ``plan`` reports, in table order."""
    hidden = hidden_kpis(plan)
    extra = [k for k in (*FOLLOW_UP_KPIS, *CALLBACK_KPIS) if k not in hidden]
    return (*TYPE_KPIS, *extra, "mean_queue")


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
        keep_counters = replications * counter_bytes(plan) <= KEEP_COUNTERS_BYTES
    return RunningStats(plan, centre_types(plan), hidden_kpis(plan), keep_counters)


def _by(names: list[str]) -> Any:
    """A sort key putting ``names`` in their given order (and numbers as they are)."""
    order = {name: i for i, name in enumerate(names)}
    return lambda col: col.map(order) if col.name != "interval" else col


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


def _rows(
    values: dict[str, np.ndarray],
    key: dict[str, Any],
    only: tuple[str, ...] = (),
    pooled: np.ndarray | None = None,
    fields: tuple[str, ...] = TYPE_FIELDS,
) -> list:
    """Rows of KPIs from per-replication ``values``.

    Ratio KPIs are also pooled from ``pooled``, the per-replication counters over
    ``fields``.
    """
    rows = []
    ratios = RATIOS if fields is TYPE_FIELDS else GROUP_RATIOS
    for name, per_rep in values.items():
        if only and name not in only:
            continue
        mean, lo, hi, n = mean_ci(per_rep)
        row = {"kpi": name, "mean": float(mean), "ci95_low": float(lo), "ci95_high": float(hi)}
        p = (np.nan,) * 3
        if pooled is not None and name in ratios:
            p = pooled_ci(*ratio_parts(pooled, name, fields))
        pooled_row = dict(zip(_COLUMNS[-3:], map(float, p), strict=True))
        rows.append({**key, **row, "n": int(n), **pooled_row})
    return rows

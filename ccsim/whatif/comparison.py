"""Comparing options on common random numbers, and whether a difference is real.

A planner asks "what does hiring five agents buy?". ccsim answers by simulating the
base scenario and every option with the *same seed*: replication r of every option
sees exactly the same customers (arrival times, handle times, patience, IVR
outcomes), so the difference between two options in replication r is due to the
option alone, not to a luckier day. The mean of these paired differences and its 95 %
Student-t interval say how large the effect is and whether it is distinguishable from
zero ("significant" when the interval excludes 0).

Pairing removes the day-to-day noise both runs share, so the interval of a paired
difference is much narrower than comparing two independent runs of the same length;
each comparison reports that ratio (independent half-width / paired half-width, the
independent one estimated from the same replications' variances).

A centre-wide rate (service level, abandonment, ASA...) is an average of the contact
types' rates weighted by their volumes. An option can move it without changing any
type's service: an IVR that self-serves more of the quick status calls leaves fewer of
them in the mix, and the centre's service level falls though every queue is answered
as before. :meth:`Comparison.mix` splits each centre-wide difference into the part
*within* the types (each type's change at its average weight) and the *mix* part (the
change of the weights); a significant centre-wide difference whose within-type part is
not significant is flagged as a **mix effect**.

Two views: at **equal staffing** (the default) each option runs with the staffing its
scenario says, and the comparison shows what the option changes in service; at **equal
service** (``at_target=True``, :mod:`ccsim.whatif.equal_service`) every scenario is first
staffed to the same targets, and the comparison shows what each option costs to meet
them: the business case finance asks for.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ccsim.results.confidence import Difference, mean_ci, paired_difference
from ccsim.results.kpis import TYPE_FIELDS, type_kpis
from ccsim.results.tables import SimulationResult, centre_types
from ccsim.scenario.model import Scenario
from ccsim.simulation import (
    DEFAULT_ENGINE,
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    Progress,
    as_scenario,
    simulate,
)

if TYPE_CHECKING:
    import pandas as pd

    from ccsim.results.precision import Precision
    from ccsim.whatif.equal_service import EqualService

__all__ = ["COMPARED_KPIS", "Comparison", "Difference", "Mix", "compare", "paired_difference"]

#: Centre-wide KPIs compared by default (per type: the same list, by type); ``fcr``
#: ``repeats`` and ``redials`` are added when every scenario has follow-ups,
#: ``callbacks_accepted`` when every one offers callbacks.
COMPARED_KPIS = (
    "service_level",
    "abandon_rate",
    "asa_s",
    "mean_wait_s",
    "p_wait",
    "block_rate",
    "answered",
    "abandoned",
    "occupancy",
)


_F = {name: i for i, name in enumerate(TYPE_FIELDS)}
#: Ratio KPIs and each type's weight in the centre-wide value (the ratio's denominator):
#: centre = sum_i w_i k_i with w_i = den_i / sum_j den_j, k_i the type's value.
_WEIGHTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    **dict.fromkeys(
        ("service_level", "p_wait", "abandon_rate", "block_rate"),
        lambda a: a[..., _F["offered"]],
    ),
    **dict.fromkeys(
        ("service_level_answered", "asa_s", "aht_s", "fcr"), lambda a: a[..., _F["answered"]]
    ),
    "service_level_excl_short_abandons": lambda a: (
        a[..., _F["offered"]] - a[..., _F["abandoned_in_sl"]]
    ),
    "mean_wait_s": lambda a: a[..., _F["answered"]] + a[..., _F["abandoned"]],
    "callback_delay_s": lambda a: a[..., _F["callbacks_completed"]],
}


@dataclass(frozen=True)
class Mix:
    """A centre-wide difference split into the change within types and the mix.

    ``within`` is the mean over replications of sum_i w̄_i (k'_i - k_i) (each type's
    change at its average weight, over types defined in both runs), with its 95 %
    interval ``within_ci95``; ``mix`` = the centre-wide difference - ``within`` (the
    change of the types' weights). ``mix_effect``: the centre-wide difference is
    significant but the within-type part is not (its interval contains 0).
    """

    within: float
    within_ci95: tuple[float, float]
    mix: float
    mix_effect: bool


@dataclass
class Comparison:
    """Results of the base and every option, and their paired differences.

    ``descriptions`` and ``changes`` hold each option's description and its changes to
    the base scenario, as written in the options file (empty for a comparison of a
    mapping of scenarios).
    """

    results: dict[str, SimulationResult]  # "base" first
    costs: dict[str, dict[str, float]] = field(default_factory=dict)
    kpis: tuple[str, ...] = COMPARED_KPIS
    descriptions: dict[str, str] = field(default_factory=dict)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    equal_service: EqualService | None = None  # set when compared at equal service
    precision: Precision | None = None  # set when run to a precision of the differences

    @property
    def view(self) -> str:
        """``"equal staffing"`` or ``"equal service"`` (every option staffed to target)."""
        return "equal service" if self.equal_service is not None else "equal staffing"

    @property
    def options(self) -> list[str]:
        """Option names, in order (without the base)."""
        return [name for name in self.results if name != "base"]

    def difference(self, option: str, kpi: str, type: str | None = None) -> Difference:
        """Paired difference of one KPI, centre-wide or for one contact type."""
        base = self.results["base"].per_replication(kpi, type)
        return paired_difference(base, self.results[option].per_replication(kpi, type))

    def mix(self, option: str, kpi: str) -> Mix | None:
        """Split the centre-wide difference of a ratio KPI into within-type and mix parts.

        Returns ``None`` for KPIs that are not a volume-weighted average of the types'
        values (counts, occupancy) and for centres of one type (no mix to change).

        Notes
        -----
        Per replication, with w_i = den_i / sum den (den: the KPI's denominator, e.g.
        offered contacts for the service level) and k_i the type's value in the base,
        w'_i and k'_i in the option: within = sum_i (w_i + w'_i) / 2 x (k'_i - k_i) and
        mix = (K' - K) - within, K the centre-wide value. The midpoint weights make the
        split exact when every type is defined in both runs.
        """
        if kpi not in _WEIGHTS:
            return None
        runs = [self.results["base"], self.results[option]]
        keep = centre_types(runs[0].plan)
        if keep.sum() < 2 or not np.array_equal(keep, centre_types(runs[1].plan)):
            return None
        values, weights = [], []
        for run in runs:
            acc = run.stats.day_type[:, keep]  # (replications, types, fields)
            den = _WEIGHTS[kpi](acc)
            total = den.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                weights.append(np.where(total > 0, den / np.where(total > 0, total, 1), 0.0))
            values.append(type_kpis(acc)[kpi])
        change = values[1] - values[0]
        both = np.isfinite(change)
        within = np.where(both, (weights[0] + weights[1]) / 2 * np.where(both, change, 0), 0)
        within = within.sum(axis=1)
        centre = runs[1].per_replication(kpi) - runs[0].per_replication(kpi)
        defined = np.isfinite(centre)
        if defined.sum() == 0:
            return None
        mean, low, high, _ = (float(x) for x in mean_ci(within[defined]))
        d = self.difference(option, kpi)
        return Mix(
            within=mean,
            within_ci95=(low, high),
            mix=d.mean - mean,
            mix_effect=d.significant and low <= 0 <= high,
        )

    def table(self) -> pd.DataFrame:
        """One row per (option, type, KPI): base, option, difference and its CI.

        ``type`` is ``"ALL"`` for the centre as a whole. ``narrowing`` is independent
        over paired CI half-width. Centre-wide rows of ratio KPIs also carry the split of
        :meth:`mix`: ``within_types`` (with ``within_ci95_low``/``_high``), ``mix`` and
        ``mix_effect`` (NaN and False elsewhere).
        """
        import pandas as pd

        rows = []
        types = ["ALL", *self.results["base"].plan.type_names]
        for option in self.options:
            for type_name in types:
                for kpi in self.kpis:
                    if kpi == "occupancy" and type_name != "ALL":
                        continue
                    d = self.difference(option, kpi, None if type_name == "ALL" else type_name)
                    split = self.mix(option, kpi) if type_name == "ALL" else None
                    rows.append(
                        {
                            "option": option,
                            "type": type_name,
                            "kpi": kpi,
                            "base": d.base,
                            "value": d.option,
                            "difference": d.mean,
                            "ci95_low": d.low,
                            "ci95_high": d.high,
                            "significant": d.significant,
                            "narrowing": d.narrowing,
                            "within_types": split.within if split else math.nan,
                            "within_ci95_low": split.within_ci95[0] if split else math.nan,
                            "within_ci95_high": split.within_ci95[1] if split else math.nan,
                            "mix": split.mix if split else math.nan,
                            "mix_effect": bool(split and split.mix_effect),
                        }
                    )
        return pd.DataFrame(rows)

    def finance(
        self, years: int = 3, discount_rate: float = 0.08, materiality: float | None = None
    ) -> pd.DataFrame:
        """Each option's business case: saving, NPV, ROI, payback, what the money buys.

        Needs a ``costs:`` section in the base scenario. Daily costs are paired
        replication by replication (common random numbers); see
        :func:`ccsim.whatif.costs.finance` for the formulas and for when ROI and payback
        are NaN (not meaningful). The cost per service-level point and per abandoned
        contact avoided use the centre-wide paired differences.

        At equal service (:attr:`view`), the daily costs are each batch's cost of the
        staffing that meets the targets, paired batch by batch, so the saving's interval
        includes the noise of the staffing search; the service is the same by
        construction, so there is no cost per service-level point.
        """
        import pandas as pd

        from ccsim.whatif import costs as cost_model

        base = self.results["base"]
        if base.scenario.costs is None:
            raise ValueError("the base scenario has no costs: section")
        days = base.scenario.costs.working_days_per_year
        equal = self.equal_service
        base_daily = cost_model.daily_costs(base)["total"] if equal is None else None
        rows = []
        for option in self.options:
            result = self.results[option]
            peak = cost_model.peak_agents(result.plan)
            inputs = self.costs.get(option, {})
            if equal is None:
                paired = (base_daily, cost_model.daily_costs(result)["total"])
                service = {
                    "service_level": self.difference(option, "service_level"),
                    "abandoned_per_day": paired_difference(
                        base.per_replication("abandoned") / base.plan.n_days,
                        result.per_replication("abandoned") / result.plan.n_days,
                    ),
                }
            else:  # batch by batch: the staffing search's noise is in the interval
                paired, service = (equal.daily_cost["base"], equal.daily_cost[option]), {}
            f = cost_model.finance(
                *paired,
                days,
                one_off=inputs.get("one_off", 0.0),
                per_new_agent=inputs.get("per_new_agent", 0.0),
                added_agents=sum(cost_model.added_agents(base.plan, result.plan).values()),
                monthly=inputs.get("monthly", 0.0),
                per_seat_monthly=inputs.get("per_seat_monthly", 0.0),
                seats=float(peak.sum()),
                years=years,
                discount_rate=discount_rate,
                **service,
                **({} if materiality is None else {"materiality": materiality}),
            )
            rows.append({"option": option, **asdict(f)})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as a JSON-ready dict (the ``ccsim compare --json`` object)."""
        base = self.results["base"]

        def num(x: float) -> float | None:
            return None if x is None or not math.isfinite(x) else float(x)

        options = {}
        for option in self.options:
            result = self.results[option]
            diffs = {}
            for kpi in self.kpis:
                d = self.difference(option, kpi)
                split = self.mix(option, kpi)
                diffs[kpi] = {
                    "mean": num(d.mean),
                    "ci95": [num(d.low), num(d.high)],
                    "significant": d.significant,
                    "narrowing": num(d.narrowing),
                    "mix_effect": bool(split and split.mix_effect),
                    "within_types": None
                    if split is None
                    else {"mean": num(split.within), "ci95": [num(x) for x in split.within_ci95]},
                }
            options[option] = {
                "kpis": result.to_dict()["kpis"],
                "difference": diffs,
                "costs": self.costs.get(option, {}),
                "description": self.descriptions.get(option, ""),
                "changes": self.changes.get(option, {}),
            }
        if base.scenario.costs is not None:
            for row in self.finance().to_dict("records"):
                name = row.pop("option")
                options[name]["finance"] = {
                    k: (
                        [num(x) for x in v]
                        if isinstance(v, tuple)
                        else (bool(v) if isinstance(v, (bool, np.bool_)) else num(v))
                    )
                    for k, v in row.items()
                }
        out = {
            "base": base.scenario.name,
            "engine": base.engine,
            "replications": base.replications,
            "seed": base.seed,
            "view": self.view,
            "kpis": base.to_dict()["kpis"],
            "options": options,
        }
        if self.precision is not None:
            out["precision"] = self.precision.to_dict()
        if self.equal_service is not None:
            equal = self.equal_service
            out["at_target"] = {
                "batches": equal.batches,
                "max_abandon": equal.max_abandon,
                "scenarios": {
                    name: {
                        "staffing": equal.staffing[name],
                        "daily_cost": [float(c) for c in equal.daily_cost[name]],
                        "agent_hours": [float(h) for h in equal.hours[name]],
                        "met": equal.met[name],
                    }
                    for name in self.results
                },
            }
        return out

    def to_json(self, indent: int | None = None) -> str:
        """The comparison as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)


def compare(
    options: str | Path | Mapping[str, Scenario],
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    engine: str = DEFAULT_ENGINE,
    threads: int | None = None,
    progress: Progress | None = None,
    at_target: bool = False,
    batches: int = 5,
    max_abandon: float | None = None,
    precision: Mapping[str, float] | None = None,
    max_replications: int | None = None,
) -> Comparison:
    """Simulate a base scenario and its options on common random numbers.

    Parameters
    ----------
    options : str, pathlib.Path or mapping
        An options file (see :mod:`ccsim.whatif.options`), or a mapping of name to
        scenario (a :class:`~ccsim.Scenario` or a scenario file's path) whose first entry
        (or the one named ``"base"``) is the base.
    replications : int
        Replications per option (the same replications, paired, in every option).
    seed : int
        Seed shared by all options: this is what makes the comparison paired.
    engine : {"fast", "simpy"}
    threads : int, optional
        Worker threads of the fast engine.
    progress : callable, optional
        ``progress(done, total)`` in replications over all options (at target: in
        staffing searches).
    at_target : bool
        Compare at equal service: staff the base and every option to the same targets
        first (:mod:`ccsim.whatif.equal_service`), and compare what each costs.
    batches : int
        At target: independent staffing searches per scenario, for the saving's CI.
    max_abandon : float, optional
        At target: an abandonment ceiling per type and interval besides the service
        level targets.
    precision : mapping, optional
        Add replications until each paired difference's 95 % half-width is at most this
        (``{"service_level": 0.002}``, ``"sales.asa_s"`` for a type; the widest over the
        options counts), up to ``max_replications`` (default 50 x ``replications``);
        ``comparison.precision`` says what was reached. Not with ``at_target``.

    Returns
    -------
    Comparison
    """
    costs: dict[str, dict[str, float]] = {}
    descriptions: dict[str, str] = {}
    changes: dict[str, dict[str, Any]] = {}
    if isinstance(options, Mapping):
        scenarios = {name: as_scenario(s) for name, s in options.items()}
        if "base" not in scenarios:
            first = next(iter(scenarios))
            scenarios = {"base": scenarios.pop(first), **scenarios}
    else:
        from ccsim.whatif import options as options_module

        file = options_module.load_options(options)
        scenarios = options_module.option_scenarios(file)
        for opt in file.options:
            costs[opt.name] = opt.costs.model_dump()
            descriptions[opt.name] = " ".join(opt.description.split())
            changes[opt.name] = dict(opt.changes)
    if precision is not None:  # refuse unknown KPIs or types before anything runs
        from ccsim.plan import compile_plan
        from ccsim.results.precision import check_targets, parse_precision
        from ccsim.results.tables import type_kpi_names

        plan = compile_plan(scenarios["base"])
        kpis = (*type_kpi_names(plan), "occupancy")
        check_targets(parse_precision(precision), plan.type_names, kpis)
    equal = None
    if at_target:
        from ccsim.whatif.equal_service import staff_to_targets

        results, equal = staff_to_targets(
            scenarios, replications, seed, engine, batches, max_abandon, progress
        )
    else:
        results = _simulate_all(scenarios, replications, seed, engine, threads, progress)
    goal = None
    if precision is not None and not at_target:
        results, goal = _to_precision(
            scenarios, results, precision, max_replications, seed, engine, threads, progress
        )
    kpis = COMPARED_KPIS
    plans = [r.plan for r in results.values()]
    if all(plan.has_followups for plan in plans):  # a lever worth seeing: resolution
        kpis += ("fcr", "repeats", "redials")
    if all(plan.has_callbacks for plan in plans):
        kpis += ("callbacks_accepted",)
    return Comparison(
        results=results,
        costs=costs,
        kpis=kpis,
        descriptions=descriptions,
        changes=changes,
        equal_service=equal,
        precision=goal,
    )


def _widest(comparison: Comparison, key: str) -> float:
    """The widest half-width over the options of the paired difference of ``[type.]kpi``."""
    type_name, _, kpi = key.rpartition(".")
    return max(
        comparison.difference(option, kpi, type_name or None).half_width
        for option in comparison.options
    )


def _simulate_all(
    scenarios: dict[str, Scenario], replications: int, seed: int, engine: str,
    threads: int | None, progress: Progress | None,
) -> dict[str, SimulationResult]:  # fmt: skip
    """Every scenario with the same seed and replications (common random numbers)."""
    results = {}
    total = replications * len(scenarios)
    for i, (name, scenario) in enumerate(scenarios.items()):

        def step(done: int, _: int, offset: int = i * replications) -> None:
            if progress is not None:
                progress(offset + done, total)

        results[name] = simulate(scenario, replications, seed, engine, progress=step,
                                 threads=threads)  # fmt: skip
    return results


def _to_precision(
    scenarios: dict[str, Scenario], results: dict[str, SimulationResult],
    spec: Mapping[str, float], most: int | None, seed: int, engine: str,
    threads: int | None, progress: Progress | None,
) -> tuple[dict[str, SimulationResult], Precision]:  # fmt: skip
    """More replications until every option's paired difference is as precise as asked.

    The targets are half-widths of the paired differences (option - base), centre-wide
    or ``type.kpi``; the widest over the options counts. Every scenario is run again
    with the larger number of replications (the same seed: the first ones are the same
    customers); runs at most quadruple, so the reruns cost at most a third more than one
    run of the final size.
    """
    from ccsim.results.precision import Precision, next_replications, parse_precision

    first = results["base"].replications
    goal = Precision(parse_precision(spec), max_replications=int(most or 50 * first))
    comparison = Comparison(results=results)
    while True:
        goal.reached = {key: _widest(comparison, key) for key in goal.targets}
        goal.replications = comparison.results["base"].replications
        if goal.met or goal.replications >= goal.max_replications:
            return comparison.results, goal
        more = next_replications(goal.replications, goal.reached, goal.targets,
                                 goal.max_replications)  # fmt: skip
        comparison = Comparison(
            results=_simulate_all(scenarios, more, seed, engine, threads, progress)
        )

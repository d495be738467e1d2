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
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccsim.results.kpis import Difference, paired_difference
from ccsim.results.tables import SimulationResult
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

__all__ = ["COMPARED_KPIS", "Comparison", "Difference", "compare", "paired_difference"]

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


@dataclass
class Comparison:
    """Results of the base and every option, and their paired differences."""

    results: dict[str, SimulationResult]  # "base" first
    costs: dict[str, dict[str, float]] = field(default_factory=dict)
    kpis: tuple[str, ...] = COMPARED_KPIS

    @property
    def options(self) -> list[str]:
        """Option names, in order (without the base)."""
        return [name for name in self.results if name != "base"]

    def difference(self, option: str, kpi: str, type: str | None = None) -> Difference:
        """Paired difference of one KPI, centre-wide or for one contact type."""
        base = self.results["base"].per_replication(kpi, type)
        return paired_difference(base, self.results[option].per_replication(kpi, type))

    def table(self) -> pd.DataFrame:
        """One row per (option, type, KPI): base, option, difference and its CI.

        ``type`` is ``"ALL"`` for the centre as a whole. ``narrowing`` is independent
        over paired CI half-width.
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
                        }
                    )
        return pd.DataFrame(rows)

    def finance(self, years: int = 3, discount_rate: float = 0.08) -> pd.DataFrame:
        """Each option's business case: saving per day and year, ROI, payback, NPV.

        Needs a ``costs:`` section in the base scenario. Daily costs are paired
        replication by replication (common random numbers); see
        :func:`ccsim.whatif.costs.finance` for the formulas.
        """
        import pandas as pd

        from ccsim.whatif import costs as cost_model

        base = self.results["base"]
        if base.scenario.costs is None:
            raise ValueError("the base scenario has no costs: section")
        days = base.scenario.costs.working_days_per_year
        base_daily = cost_model.daily_costs(base)["total"]
        rows = []
        for option in self.options:
            result = self.results[option]
            peak = cost_model.peak_agents(result.plan)
            inputs = self.costs.get(option, {})
            f = cost_model.finance(
                base_daily,
                cost_model.daily_costs(result)["total"],
                days,
                one_off=inputs.get("one_off", 0.0),
                per_new_agent=inputs.get("per_new_agent", 0.0),
                added_agents=sum(cost_model.added_agents(base.plan, result.plan).values()),
                monthly=inputs.get("monthly", 0.0),
                per_seat_monthly=inputs.get("per_seat_monthly", 0.0),
                seats=float(peak.sum()),
                years=years,
                discount_rate=discount_rate,
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
                diffs[kpi] = {
                    "mean": num(d.mean),
                    "ci95": [num(d.low), num(d.high)],
                    "significant": d.significant,
                    "narrowing": num(d.narrowing),
                }
            options[option] = {
                "kpis": result.to_dict()["kpis"],
                "difference": diffs,
                "costs": self.costs.get(option, {}),
            }
        if base.scenario.costs is not None:
            for row in self.finance().to_dict("records"):
                name = row.pop("option")
                options[name]["finance"] = {
                    k: ([num(x) for x in v] if isinstance(v, tuple) else num(v))
                    for k, v in row.items()
                }
        return {
            "base": base.scenario.name,
            "engine": base.engine,
            "replications": base.replications,
            "seed": base.seed,
            "kpis": base.to_dict()["kpis"],
            "options": options,
        }

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
        ``progress(done, total)`` in replications over all options.

    Returns
    -------
    Comparison
    """
    costs: dict[str, dict[str, float]] = {}
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
    total = replications * len(scenarios)
    results = {}
    for i, (name, scenario) in enumerate(scenarios.items()):

        def step(done: int, _: int, offset: int = i * replications) -> None:
            if progress is not None:
                progress(offset + done, total)

        results[name] = simulate(
            scenario, replications, seed, engine, progress=step, threads=threads
        )
    kpis = COMPARED_KPIS
    plans = [r.plan for r in results.values()]
    if all(plan.has_followups for plan in plans):  # a lever worth seeing: resolution
        kpis += ("fcr", "repeats", "redials")
    if all(plan.has_callbacks for plan in plans):
        kpis += ("callbacks_accepted",)
    return Comparison(results=results, costs=costs, kpis=kpis)

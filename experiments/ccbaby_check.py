"""SimOpt's ccbaby: the roster ccsim schedule finds, checked the way the reference checks it.

Run (about 2-3 minutes on this 2-core machine)::

    .venv/bin/python experiments/ccbaby_check.py [--replications 100] [--check 2000]

1. ``ccsim.schedule`` on ``scenarios/ccbaby.yaml`` with ``scenarios/shifts/ccbaby.yaml``
   (``--replications`` simulated days per candidate, seed 1).
2. Four rosters, each simulated on ``--check`` fresh days (seed 2, independent of the
   search's): the schedule found; the two-step plan of ``ccsim schedule`` (Erlang A per
   quarter hour, then the cheapest cover); the two-step plan on Erlang C (no patience,
   the research notes' reference: 149 agents, 22 797 a day, with half hours); and the
   reference's own demand-based plan (178 agents, the scenario as written).
3. For each clock hour, the reference's constraint 0.8 E[N] - E[S] <= 0 (S: calls
   answered within 20 s, N: calls arriving; a ratio of expectations, its code's
   ``constraint_lhs_by_hour``) with its 95 % interval,
   and ccsim's measure (the mean over days of each day's service level).

The cost is 153 a shift (18 an hour for 8.5 h, lunch paid, as the reference's code pays;
its text's 8 h would make it 144, the same roster).
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np

import ccsim
from ccsim.results.kpis import TYPE_FIELDS
from ccsim.whatif.scheduling.columns import expand
from ccsim.whatif.scheduling.cover import cheapest_cover
from ccsim.whatif.scheduling.scheduler import requirement

ROOT = Path(__file__).resolve().parents[1]
S, N = TYPE_FIELDS.index("answered_in_sl"), TYPE_FIELDS.index("offered")


def hourly(result: ccsim.SimulationResult) -> dict[str, np.ndarray]:
    """Per clock hour: 0.8 E[N] - E[S] with its 95 % half-width, and mean-of-days SL."""
    acc = result.type_acc[:, 0]  # (days, quarter hours, fields)
    days, quarters = acc.shape[:2]
    hours = [(h, min(h + 4, quarters)) for h in range(0, quarters, 4)]
    s = np.stack([acc[:, a:b, S].sum(axis=1) for a, b in hours], axis=1)
    n = np.stack([acc[:, a:b, N].sum(axis=1) for a, b in hours], axis=1)
    lhs = 0.8 * n - s  # the reference's constraint: feasible when <= 0
    with np.errstate(invalid="ignore", divide="ignore"):
        sl = np.where(n > 0, s / np.where(n > 0, n, 1), np.nan)
    return {
        "lhs": lhs.mean(axis=0),
        "lhs_half": 1.96 * lhs.std(axis=0, ddof=1) / np.sqrt(days),
        "sl": np.nanmean(sl, axis=0),
        "sl_half": 1.96 * np.nanstd(sl, axis=0, ddof=1) / np.sqrt(days),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--check", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ccsim.CapacityWarning)
    scenario = ccsim.load_scenario(ROOT / "scenarios" / "ccbaby.yaml")
    shifts = ccsim.load_shifts(ROOT / "scenarios" / "shifts" / "ccbaby.yaml")
    found = ccsim.schedule(scenario, shifts, replications=args.replications, seed=1)
    columns = expand(scenario, shifts)
    # the two-step plan on Erlang C: the same scenario without patience gives the need
    patient = scenario.model_dump(mode="json", exclude_none=True)
    patient["contact_types"][0].pop("patience")
    impatient_columns = expand(ccsim.load_scenario(patient), shifts)
    erlang_c, _ = cheapest_cover(impatient_columns, requirement(impatient_columns))
    rosters = {
        "schedule found": found.scenario,
        "two-step (Erlang A)": found.two_step.scenario,
        "two-step (Erlang C)": columns.write(erlang_c.x),
        "reference demand-based plan": scenario,
    }
    out = {"search": {"seconds": found.seconds, "simulations": found.evaluations,
                      "replications": args.replications, "stop": found.stop}}  # fmt: skip
    for name, roster in rosters.items():
        agents = sum(s.agents for s in roster.agent_groups[0].shifts)
        check = ccsim.simulate(roster, args.check, seed=2)
        h = hourly(check)
        worst = int(np.argmax(h["lhs"]))
        feasible = h["lhs"] <= 0
        significant = h["lhs"] - h["lhs_half"] > 0
        out[name] = {
            "agents": agents,
            "cost_153": 153 * agents,
            "cost_144": 144 * agents,
            "hours_met": int(feasible.sum()),
            "hours_significantly_missed": int(significant.sum()),
            "worst_hour": worst,
            "worst_lhs": float(h["lhs"][worst]),
            "worst_lhs_half": float(h["lhs_half"][worst]),
            "lhs": h["lhs"].round(2).tolist(),
            "sl": h["sl"].round(4).tolist(),
            "sl_half": h["sl_half"].round(4).tolist(),
            "block_rate": check.kpi("block_rate", "calls"),
            "abandon_rate": check.kpi("abandon_rate", "calls"),
        }
        print(
            f"{name:28s} {agents:4d} agents  {153 * agents:7,d} a day (144: {144 * agents:,d})"
            f"  hours with 0.8E[N]-E[S] <= 0: {feasible.sum():2d}/17, significantly above 0: "
            f"{significant.sum():2d}; worst hour {worst:2d}: {h['lhs'][worst]:+.1f} "
            f"± {h['lhs_half'][worst]:.1f} calls"
        )
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()

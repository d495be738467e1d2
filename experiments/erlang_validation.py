"""Validation table: ccsim against Erlang C and Erlang A on single-skill centres.

Run:  .venv/bin/python experiments/erlang_validation.py [--replications 200]

Prints, for a few centres from 1 to 500 agents, each KPI simulated (mean and 95 % CI,
fast engine) next to the exact value, and how many standard errors apart they are.
"""

from __future__ import annotations

import argparse

import numpy as np

import ccsim
from ccsim import erlang

CASES = [  # agents, load (Erlangs), mean handle (s), mean patience (s) or None
    (1, 0.7, 60.0, None),
    (20, 17.0, 60.0, None),
    (10, 8.0, 60.0, 30.0),
    (50, 50.0, 60.0, 120.0),
    (190, 180.0, 180.0, 300.0),
    (500, 480.0, 180.0, 600.0),
]


def scenario(agents: int, load: float, handle: float, patience: float | None) -> ccsim.Scenario:
    contact = {
        "name": "calls",
        "arrivals": {"rate_per_hour": load / handle * 3600},
        "handle_time": {"dist": "exponential", "mean": handle},
        "service_level": {"threshold": "20s", "target": 0.8},
    }
    if patience is not None:
        contact["patience"] = {"dist": "exponential", "mean": patience}
    return ccsim.load_scenario(
        {
            "name": f"{agents} agents, {load} Erlangs",
            "horizon": {"intervals": 1, "interval": "9h", "warmup": "1h"},
            "contact_types": [contact],
            "agent_groups": [{"name": "agents", "skills": ["calls"], "staffing": agents}],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=200)
    args = parser.parse_args()
    print(f"{'centre':<28} {'KPI':<14} {'simulated [95 % CI]':>30} {'exact':>10} {'SE apart':>9}")
    for agents, load, handle, patience in CASES:
        result = ccsim.simulate(
            scenario(agents, load, handle, patience),
            replications=args.replications,
            seed=1,
            engine="fast",
        )
        lam = load / handle
        if patience is None:
            exact = {
                "p_wait": erlang.erlang_c(agents, load),
                "service_level": erlang.erlang_c_service_level(agents, lam, handle, 20.0),
                "asa_s": erlang.erlang_c_asa(agents, lam, handle),
            }
        else:
            e = erlang.erlang_a(agents, lam, handle, patience, 20.0)
            exact = {
                "p_wait": e.p_wait,
                "service_level": e.service_level,
                "asa_s": e.asa,
                "abandon_rate": e.p_abandon,
            }
        for kpi, value in exact.items():
            per_rep = result.per_replication(kpi)
            mean = np.nanmean(per_rep)
            se = np.nanstd(per_rep, ddof=1) / np.sqrt(np.sum(~np.isnan(per_rep)))
            row = result.summary.set_index("kpi").loc[kpi]
            ci = f"{mean:.5f} [{row.ci95_low:.5f}, {row.ci95_high:.5f}]"
            label = f"{agents} agents, {load:g} Erl" + ("" if patience is None else ", +M")
            print(f"{label:<28} {kpi:<14} {ci:>30} {value:>10.5f} {abs(mean - value) / se:>9.1f}")


if __name__ == "__main__":
    main()

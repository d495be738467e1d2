"""Cross-training study: how many skills per agent pay off?

Run:  .venv/bin/python experiments/cross_training.py [--replications 100]

Four contact types with the same load (20 Erlangs each) and 88 agents in four teams of
22. Only the skills change: every team dedicated to one type; each team trained on its
type and the next one (a "chain", 2 skills per agent); 3 skills per agent; and full
flexibility (every agent on every type). The literature on flexibility (Jordan & Graves
1995; Wallace & Whitt 2005 for call centres) reports that a chain of two skills per agent
gets most of the benefit of full flexibility. All designs are compared on common random
numbers (the same customers), so the differences are the designs' own.
"""

from __future__ import annotations

import argparse

import ccsim

TYPES = ["a", "b", "c", "d"]


def design(skills_per_agent: int) -> ccsim.Scenario:
    groups = []
    for i in range(4):
        skills = [TYPES[(i + j) % 4] for j in range(skills_per_agent)]
        groups.append({"name": f"team_{TYPES[i]}", "skills": skills, "staffing": 22})
    return ccsim.load_scenario(
        {
            "name": f"{skills_per_agent} skill(s) per agent",
            "horizon": {"intervals": 8, "interval": "1h", "warmup": "1h"},
            "contact_types": [
                {
                    "name": t,
                    "arrivals": {"rate_per_hour": 240},  # 240/h x 5 min = 20 Erlangs
                    "handle_time": {"dist": "lognormal", "mean": "5min", "cv": 1.0},
                    "patience": {"dist": "exponential", "mean": "3min"},
                    "service_level": {"threshold": "20s", "target": 0.8},
                }
                for t in TYPES
            ],
            "agent_groups": groups,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=100)
    args = parser.parse_args()
    designs = {f"{k} skill{'s' if k > 1 else ''}": design(k) for k in (1, 2, 3, 4)}
    comparison = ccsim.compare(designs, replications=args.replications, seed=7)
    print(f"{'design':<10} {'service level':>22} {'abandoned':>18} {'ASA s':>16}")
    for name, result in comparison.results.items():
        label = "1 skill" if name == "base" else name
        cells = []
        for kpi, scale, digits in (
            ("service_level", 100, 1),
            ("abandon_rate", 100, 2),
            ("asa_s", 1, 1),
        ):
            row = result.summary.set_index("kpi").loc[kpi]
            cells.append(
                f"{row['mean'] * scale:.{digits}f} [{row.ci95_low * scale:.{digits}f}, "
                f"{row.ci95_high * scale:.{digits}f}]"
            )
        print(f"{label:<10} {cells[0]:>22} {cells[1]:>18} {cells[2]:>16}")
    base = comparison.results["base"].kpi("service_level")
    full = comparison.results["4 skills"].kpi("service_level")
    chain = comparison.results["2 skills"].kpi("service_level")
    share = (chain - base) / (full - base)
    print(f"\ntwo skills per agent get {share:.0%} of the service-level gain of full flexibility")


if __name__ == "__main__":
    main()

"""The IVR business case: compare the options of ivr-upgrade.options.yaml and write a report.

Run:  .venv/bin/python experiments/ivr_business_case.py [--replications 200] [--report out/ivr.html]

Simulates the base day and every option on common random numbers, prints the paired
difference in service level and abandonment with 95 % CIs, the business case (saving per
day and year, investment, payback, ROI, NPV) and writes the HTML report for finance.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import ccsim
from ccsim.report.html import compare_report

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--report", type=Path, default=Path("out/ivr-business-case.html"))
    args = parser.parse_args()
    comparison = ccsim.compare(HERE / "ivr-upgrade.options.yaml", replications=args.replications)
    table = comparison.table()
    centre = table[(table["type"] == "ALL") & table["kpi"].isin(["service_level", "abandon_rate"])]
    print(
        centre[
            ["option", "kpi", "base", "value", "difference", "ci95_low", "ci95_high", "significant"]
        ].to_string(index=False)
    )
    print()
    finance = comparison.finance(years=3, discount_rate=0.08)
    print(
        finance[
            [
                "option",
                "saving_per_day",
                "saving_per_year",
                "investment",
                "payback_months",
                "roi",
                "npv",
            ]
        ]
        .round(1)
        .to_string(index=False)
    )
    args.report.parent.mkdir(parents=True, exist_ok=True)
    compare_report(comparison, args.report)
    print(f"\nreport: {args.report}")


if __name__ == "__main__":
    main()

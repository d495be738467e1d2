"""Calibration speed: a month of the real log, and a synthetic log of a million calls.

Run (from the repository root; about 3 minutes on this 2-core machine)::

    .venv/bin/python -m pytest benchmarks/test_bench_calibrate.py -m benchmark --benchmark-only

Issue 14's targets: calibrating the month of the Technion "Anonymous Bank" log (33 344
rows) in under 10 s, and a synthetic log of 1 M calls in under 60 s. Both time the
whole of :func:`ccsim.calibrate` from the file on disk: reading, every estimate, and
the capacity calibration (replays of every calibration day with the fast engine). The
kernel is compiled and loaded before timing. The synthetic log is ccsim's own records
of a centre of about 33 000 calls a day over 30 days, read as a ``ccsim``-format log
with its staffing as an interval report; writing it is not timed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import ccsim

pytestmark = pytest.mark.benchmark

REPO = Path(__file__).resolve().parent.parent
_WHERE = Path(os.environ.get("CCSIM_BANK_DATA", REPO.parent / "shared" / "data" / "anonymous-bank"))
BANK = _WHERE / "data_anonymous_bank_february.txt" if _WHERE.is_dir() else _WHERE

STAFF = [40, 60, 80, 95, 100, 100, 100, 95, 90, 90, 95, 100, 100, 100, 95, 90, 85, 80, 75, 70,
         60, 50, 45, 40]  # fmt: skip
BIG = {
    "name": "big",
    "horizon": {"start": "08:00", "intervals": 24, "interval": "30min"},
    "ivr": {"time": {"dist": "lognormal", "mean": 12, "cv": 0.6}, "abandon": 0.03},
    "contact_types": [
        {"name": n, "arrivals": {"rate_per_hour": [r * s / 100 for s in STAFF]},
         "handle_time": {"dist": "lognormal", "mean": h, "cv": 1.0},
         "patience": {"dist": "weibull", "mean": p, "cv": 1.2}}
        for n, r, h, p in (("sales", 1200, 180, 240), ("service", 1100, 240, 400),
                           ("billing", 600, 200, 300), ("tech", 600, 300, 600))
    ],
    "agent_groups": [{"name": "all", "skills": ["sales", "service", "billing", "tech"],
                      "staffing": [round(1.22 * s) for s in STAFF]}],
}  # fmt: skip


def _warm() -> None:
    ccsim.simulate("scenarios/small-helpdesk.yaml", replications=1)  # compiled kernel loaded


@pytest.mark.skipif(not BANK.is_file(), reason=f"the Anonymous Bank log is not at {BANK}")
def test_calibrate_a_month_of_the_real_log(benchmark, record_seconds):
    _warm()
    benchmark.group = "calibrate"
    cal = benchmark.pedantic(ccsim.calibrate, args=(BANK,), kwargs={"format": "technion"},
                             rounds=3, iterations=1, warmup_rounds=0)  # fmt: skip
    record_seconds("calibrate the real log (33 k calls)")
    benchmark.extra_info["rows"] = 33_344
    benchmark.extra_info["calls_kept"] = len(cal.log.calls)


@pytest.fixture(scope="module")
def million(tmp_path_factory):
    folder = tmp_path_factory.mktemp("million")
    result = ccsim.simulate(ccsim.scenario.loader.scenario_from_dict(BIG), replications=30,
                            seed=3, records=True)  # fmt: skip
    records = folder / "records.parquet"
    result.records.to_parquet(records, index=False)
    rows = [{"start": pd.Timestamp("2000-01-03 08:00") + pd.Timedelta(days=d, minutes=30 * k),
             "agents": s} for d in range(30) for k, s in enumerate(BIG["agent_groups"][0]
                                                                  ["staffing"])]  # fmt: skip
    staffing = folder / "staffing.csv"
    pd.DataFrame(rows).to_csv(staffing, index=False)
    return records, staffing, len(result.records)


def test_calibrate_a_million_calls(benchmark, record_seconds, million):
    records, staffing, n = million
    _warm()
    benchmark.group = "calibrate"
    kwargs = {"format": "ccsim", "records_start": "08:00", "intervals": staffing,
              "day_types": "all"}  # fmt: skip
    cal = benchmark.pedantic(ccsim.calibrate, args=(records,), kwargs=kwargs, rounds=1,
                             iterations=1, warmup_rounds=0)  # fmt: skip
    record_seconds(f"calibrate a synthetic log ({n / 1e6:.2f} M calls)")
    benchmark.extra_info["calls"] = n
    assert n >= 1_000_000 and len(cal.log.calls) >= 0.99 * n

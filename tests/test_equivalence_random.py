"""Random scenarios, every feature mixed: both engines agree contact by contact.

The corpus in tests/corpus covers each feature on purpose; this generator mixes them at
random (channels, redials, repeats, callbacks, chat concurrency, e-mail, lines, IVR
ports, shifts and breaks, activities, absence, several days, a start state, odd start
times; overflow after a delay, reservation, the priority_age policy, handle time per
group, balking, patience mixtures, transfers) in small centres, so that combinations
nobody wrote down are checked too. Counters and waiting-time histograms must agree as
well. The same seeds every run (reproducible); more of them behind the ``slow``
marker.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import ccsim
from ccsim import ScenarioError
from ccsim.scenario.loader import scenario_from_dict

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")

TIMES = ["queued", "answered", "left", "freed"]


def dist(r: random.Random, mean: float) -> dict:
    k = r.choice(["exponential", "fixed", "gamma", "uniform"])
    if k == "exponential":
        return {"dist": "exponential", "mean": mean}
    if k == "fixed":
        return {"dist": "fixed", "mean": mean}
    if k == "gamma":
        return {"dist": "gamma", "mean": mean, "cv": 0.7}
    return {"dist": "uniform", "low": mean * 0.5, "high": mean * 1.5}


def gen(r: random.Random) -> dict:  # noqa: C901 - one branch per feature
    n_int = r.randint(1, 4)
    L = r.choice([600, 900, 1800])
    day = n_int * L
    s = {
        "name": "fz",
        "horizon": {"intervals": n_int, "interval": L, "max_drain": r.choice([0, 600, 3600, 7200])},
    }
    if r.random() < 0.3:
        s["horizon"]["warmup"] = r.choice([0, L // 2])
    if r.random() < 0.3:
        s["horizon"]["start"] = r.choice(["08:00", "22:00", "23:30"])
    ntypes = r.randint(1, 4)
    types = []
    chans = []
    for i in range(ntypes):
        ch = r.choice(["voice", "voice", "chat", "email"])
        chans.append(ch)
        t = {
            "name": f"t{i}",
            "arrivals": {"rate_per_hour": [r.choice([0, 10, 30, 60, 120]) for _ in range(n_int)]},
            "handle_time": dist(r, r.choice([60, 180, 300])),
        }
        if ch != "voice":
            t["channel"] = ch
        if r.random() < 0.4:
            t["wrap_up"] = dist(r, r.choice([10, 30]))
        if ch != "email":
            if r.random() < 0.7:
                t["patience"] = dist(r, r.choice([30, 120, 300]))
            if r.random() < 0.4:
                t["redial"] = {
                    "probability": r.choice([0.3, 0.8, 1.0]),
                    "delay": dist(r, r.choice([30, 300])),
                    "max": r.randint(1, 3),
                }
            if ch == "voice" and r.random() < 0.4:
                t["callback"] = {
                    "threshold": r.choice([0, 30, 120]),
                    "acceptance": r.choice([0.5, 1.0]),
                    "no_answer": r.choice([0, 0.3]),
                    "dial_time": dist(r, 20),
                }
            if r.random() < 0.3:
                t["balk"] = r.choice([0.2, 0.6, 1.0])
            if "patience" in t and r.random() < 0.2:
                t["patience"] = {"mixture": [{"weight": 0.4, **dist(r, 20)},
                                             {"weight": 0.6, **dist(r, 300)}]}  # fmt: skip
        else:
            if r.random() < 0.5:
                t["due"] = r.choice([600, 3600])
        if r.random() < 0.3:
            t["head_start"] = r.choice([0, 30, 120])
            t["wait_weight"] = r.choice([0.5, 1, 3])
        types.append(t)
    for i, t in enumerate(types):  # transfers to a later type of the channel: no loops
        later = [j for j in range(i + 1, ntypes) if chans[j] == chans[i]]
        if later and chans[i] != "email" and "callback" not in t and r.random() < 0.6:
            t["transfer"] = {"probability": r.choice([0.2, 0.5, 1.0]),
                             "to": f"t{r.choice(later)}", "stay": r.random() < 0.5}  # fmt: skip
    for t in types:
        if r.random() < 0.35:
            t["repeat"] = {
                "fcr": r.choice([0.3, 0.7]),
                "delay": dist(r, r.choice([60, 600])),
                "max": r.randint(1, 3),
            }
            if r.random() < 0.5:
                t["repeat"]["as_type"] = f"t{r.randrange(ntypes)}"
    s["contact_types"] = types
    ngroups = r.randint(1, 3)
    groups = []
    covered = set()
    for g in range(ngroups):
        kind = r.choice(["voice", "chat", "any"])
        if kind == "chat" and "chat" in chans:
            sk = [f"t{i}" for i in range(ntypes) if chans[i] == "chat"]
            conc = r.randint(1, 4)
        else:
            sk = [f"t{i}" for i in range(ntypes) if r.random() < 0.6]
            conc = 1
        if g == ngroups - 1:
            sk = sk + [
                f"t{i}" for i in range(ntypes) if f"t{i}" not in covered and f"t{i}" not in sk
            ]
        if not sk:
            sk = [f"t{r.randrange(ntypes)}"]
        if conc > 1 and any(chans[int(x[1:])] != "chat" for x in sk):
            conc = 1
        r.shuffle(sk)
        covered |= set(sk)
        grp = {"name": f"g{g}", "skills": sk}
        if conc > 1:
            grp["concurrency"] = conc
            if r.random() < 0.5:
                grp["stretch"] = r.choice([0.2, 0.5])
        if r.random() < 0.5:
            grp["policy"] = r.choice(["priority", "priority_age"])
        if conc == 1 and r.random() < 0.25:
            grp["reserve"] = {"agents": r.randint(1, 2)}
            if r.random() < 0.5:
                grp["reserve"]["skill"] = r.choice(sk)
        if r.random() < 0.25:
            own = r.choice(sk)
            grp["handle_time"] = {
                own: {"multiplier": r.choice([0.5, 1.5])} if r.random() < 0.5 else dist(r, 120)
            }
        if r.random() < 0.3:
            grp["speed"] = r.choice([0.8, 1.25])
        if r.random() < 0.3:
            grp["absence"] = r.choice([0.2, 0.5])
        if r.random() < 0.5:
            grp["staffing"] = [r.randint(0, 4) for _ in range(n_int)]
        else:
            shifts = []
            for _ in range(r.randint(1, 2)):
                st = r.choice([0, L // 2, L])
                en = st + r.choice([L, 2 * L, day + 3600])
                sh = {"start": st, "end": en, "agents": r.randint(1, 4)}
                if r.random() < 0.5 and en - st >= 600:
                    if r.random() < 0.5:
                        sh["breaks"] = [
                            {"start": (en - st) // 3, "duration": min(300, (en - st) // 3)}
                        ]
                    else:
                        sh["breaks"] = [
                            {"window": [0, (en - st) // 2], "duration": min(300, (en - st) // 3)}
                        ]
                shifts.append(sh)
            grp["shifts"] = shifts
        if r.random() < 0.3 and "staffing" in grp and min(grp["staffing"]) >= 1:
            grp["activities"] = [
                {
                    "name": "m",
                    "start": r.choice([0, L // 3]),
                    "duration": r.choice([60, 300]),
                    "agents": 1,
                }
            ]
        groups.append(grp)
    s["agent_groups"] = groups
    for i, t in enumerate(types):  # a routing order of its own, some groups after a wait
        serving = [g["name"] for g in groups if f"t{i}" in g["skills"]]
        if len(serving) > 1 and r.random() < 0.5:
            r.shuffle(serving)
            t["groups"] = [serving[0]] + [
                {"group": g, "after": r.choice([0, 10, 30, 120])} if r.random() < 0.7 else g
                for g in serving[1:]
            ]
    for grp in groups:  # first-contact resolution of its own
        if r.random() < 0.3 and any("repeat" in types[int(k[1:])] for k in grp["skills"]):
            grp["fcr"] = r.choice([0.5, 0.9])
    if r.random() < 0.5:
        s["lines"] = r.randint(1, 8)
    if r.random() < 0.3:
        s["ivr"] = {
            "time": dist(r, 20),
            "deflection": r.choice([0, 0.1]),
            "abandon": r.choice([0, 0.1]),
        }
        if r.random() < 0.5:
            s["ivr"]["ports"] = r.randint(1, 4)
    if r.random() < 0.4:
        nd = r.randint(2, 3)
        days = []
        for d in range(nd):
            dd = {"name": f"D{d}"}
            if r.random() < 0.5:
                dd["volume"] = r.choice([0.5, 1.5])
            if r.random() < 0.4:
                stg = {
                    g["name"]: [r.randint(0, 4) for _ in range(n_int)]
                    for g in groups
                    if "staffing" in g
                }
                if stg:
                    dd["staffing"] = stg
            days.append(dd)
        s["days"] = days
    if r.random() < 0.4:
        s["start_state"] = {
            "waiting": {f"t{i}": r.randint(0, 6) for i in range(ntypes) if r.random() < 0.7}
        }
    return s


def mismatches(s: dict, seed: int, reps: int = 2) -> list[str]:
    sc = scenario_from_dict(s)
    a = ccsim.simulate(sc, replications=reps, seed=seed, engine="simpy", records=True)
    b = ccsim.simulate(sc, replications=reps, seed=seed, engine="fast", records=True)
    errs = []
    if len(a.records) != len(b.records):
        return [f"nrecords {len(a.records)} vs {len(b.records)}"]
    for col in ("type", "fate", "group", "interval", "kind", "customer", "followed", "callback"):
        if col in a.records or col in b.records:
            if not (a.records[col] == b.records[col]).all():
                idx = np.nonzero((a.records[col] != b.records[col]).values)[0]
                errs.append(f"col {col} differs at {len(idx)} rows, first {idx[0]}")
    for col in TIMES + ["wait"] + (["callback_at"] if "callback_at" in a.records else []):
        x, y = np.asarray(a.records[col], float), np.asarray(b.records[col], float)
        bad = ~((np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= 1e-9))
        if bad.any():
            errs.append(f"col {col} differs at {bad.sum()} rows, first {np.nonzero(bad)[0][0]}")
    if not np.allclose(a.type_acc, b.type_acc, rtol=1e-12, atol=1e-9, equal_nan=True):
        d = np.argwhere(~np.isclose(a.type_acc, b.type_acc, rtol=1e-12, atol=1e-9, equal_nan=True))
        errs.append(f"type_acc differs at {d[:5].tolist()}")
    if not np.allclose(a.group_acc, b.group_acc, rtol=1e-12, atol=1e-6, equal_nan=True):
        d = np.argwhere(
            ~np.isclose(a.group_acc, b.group_acc, rtol=1e-12, atol=1e-6, equal_nan=True)
        )
        errs.append(f"group_acc differs at {d[:5].tolist()}")
    if not np.array_equal(a.stats.wait_hist_sum, b.stats.wait_hist_sum):
        errs.append("waiting-time histograms differ")
    if a.warnings != b.warnings:
        errs.append(f"warnings {a.warnings} vs {b.warnings}")
    return errs


def run_seeds(seeds: range) -> None:
    valid, failures = 0, []
    for seed in seeds:
        spec = gen(random.Random(seed))
        try:
            scenario_from_dict(spec)
        except ScenarioError:
            continue  # the generator may draw an activity outside its shift
        valid += 1
        errors = mismatches(spec, seed)
        if errors:
            failures.append((seed, errors[:3]))
    assert not failures, failures
    assert valid >= 0.8 * len(seeds), f"only {valid} of {len(seeds)} scenarios were valid"


def test_random_scenarios_agree() -> None:
    run_seeds(range(150))


@pytest.mark.slow
def test_many_random_scenarios_agree() -> None:
    run_seeds(range(1000, 2500))

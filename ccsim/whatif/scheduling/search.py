"""The search: an integer programme that learns from the simulation, round by round.

This is the cutting-plane method of Atlason, Epelman & Henderson (2004), with the
practical steps of Cezik & L'Ecuyer (2008) for when its assumptions fail. Service
depends on staffing through the simulation only; the integer programme
(:mod:`~ccsim.whatif.scheduling.cover`) knows it through *cuts*, linear rows that say
"this target needs at least this much staffing around here".

Each round:

1. **Simulate** the current schedule on the common random numbers, and measure every
   target (:mod:`~ccsim.whatif.scheduling.oracle`).
2. **Differentiate**: add one agent to one interval of one skill-set group and simulate
   again; the change of each target is its finite difference with respect to that
   interval's staffing. An agent in one interval moves the service of that interval,
   of the one before (calls that arrive late wait into it) and of a few after (queues
   carry over: ``window`` intervals, about half an hour); intervals further apart are
   moved *together* in one simulation, so a round costs one simulation per skill set
   and offset (``window + 2``), not one per interval.
3. **Cut**: for every target, service(y) ~ service(y0) + q . (y - y0) >= target, with y
   the agents on the phones per interval (the columns' cover of the schedule). If
   service is concave in staffing (it is, above the offered load) such a cut keeps
   every schedule that meets the target, so the programme stays a relaxation and its
   cost a lower bound. Where it is not (few agents, noisy differences of a quiet
   interval), a cut can ask for far more agents than needed, so a missed target's cut
   asks for at most ``STEP`` agents more per round (its slope is steepened; the next
   round measures again). A target missed where its differences are all about zero
   (staffing far below the load, where service is flat) gets a plain step instead:
   one agent more in each of its intervals.
4. **Solve** the programme with every cut so far. Its schedule is the next round's. The search stops
   when a schedule the programme chose meets every target in simulation (it is then
   the cheapest of the sample problem, if the cuts were valid), or at the budget.

Finally, a **trim** (Cezik & L'Ecuyer's removal step) takes agents out one at a time,
the most expensive shifts first, and keeps each removal that still meets every target:
cuts from a non-concave region may have asked for too much.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ccsim.whatif.scheduling.columns import Columns
from ccsim.whatif.scheduling.cover import CoverModel
from ccsim.whatif.scheduling.oracle import Counts, Oracle, TargetSet

__all__ = ["Round", "Search", "search"]

#: A target counts as met when its margin is at least this (rounding only).
TOLERANCE = 1e-9
#: A finite difference below this (a share of contacts per agent) is "no effect".
FLAT = 1e-4
#: A missed target's cut asks for at most about this many agents more per round.
STEP = 4.0


@dataclass(frozen=True)
class Round:
    """One round of the search, for the log."""

    cost: float  # cost per day of the round's schedule
    agents: int
    met: bool  # every target met in simulation
    missed: int  # targets missed
    worst: str  # the target with the smallest margin
    margin: float  # its margin
    cuts: int  # rows added this round
    simulations: int  # evaluations so far
    seconds: float  # since the search started


@dataclass
class Search:
    """What the search found: the best schedule that met every target, and its log."""

    x: np.ndarray | None  # None: no schedule met every target
    counts: Counts | None
    rounds: list[Round] = field(default_factory=list)
    bound: float = math.nan  # the last programme's lower bound (valid if service is concave)
    converged: bool = False  # stopped because the programme's choice met every target
    trimmed: int = 0  # agents the trim removed
    repaired: int = 0  # agents the repair added
    ladder: float = math.nan  # the extra margin of the ladder's schedule (NaN: none)
    stop: str = ""


def search(
    columns: Columns,
    oracle: Oracle,
    targets: TargetSet,
    start: np.ndarray,
    start_counts: Counts,
    served: list[list[int]],
    window: int = 1,
    max_rounds: int = 8,
    deadline: float = math.inf,
    trim: bool = True,
    incumbent: tuple[np.ndarray, Counts] | None = None,
    floor: np.ndarray | None = None,
) -> Search:
    """Run the search from ``start`` (see the module docstring).

    Parameters
    ----------
    columns, oracle, targets :
        The shift columns, the simulation and the targets.
    start, start_counts :
        The first schedule (the two-step plan) and its counts.
    served : list of list of int
        For each measured type, the skill sets that serve it (for plain steps).
    window : int
        Intervals after an interval that its staffing still moves.
    max_rounds : int
        Rounds of simulate, differentiate, cut and solve at most.
    deadline : float
        ``time.perf_counter()`` value after which nothing new starts.
    trim : bool
        Try removing agents from the best schedule at the end.
    incumbent : (schedule, counts), optional
        A schedule known to meet every target.
    floor : numpy.ndarray, optional
        Agents on the phones per (skill-set group, interval) the programme keeps at
        least (where service is far from flat).
    """
    begun = time.perf_counter()
    model = CoverModel(columns)
    if floor is not None:
        model.require(floor)
    found = Search(None, None) if incumbent is None else Search(incumbent[0].copy(), incumbent[1])
    point, counts = np.asarray(start), start_counts
    cuts: list[tuple[np.ndarray, np.ndarray]] = []
    plain: list[tuple[np.ndarray, np.ndarray]] = []  # uncapped cuts, for the ladder
    q = None

    def out_of_budget() -> bool:
        return time.perf_counter() > deadline or oracle.evaluations >= oracle.budget

    for r in range(max_rounds + 1):
        margin = targets.slack(counts)
        met = _met(margin)
        if met and (found.x is None or columns.cost @ point < columns.cost @ found.x - 1e-9):
            found.x, found.counts = point.copy(), counts
        if met and r > 0:
            found.rounds.append(_round(columns, point, margin, True, targets, 0, oracle, begun))
            found.converged, found.stop = True, "the programme's schedule met every target"
            break
        if r == max_rounds or out_of_budget():
            found.rounds.append(_round(columns, point, margin, met, targets, 0, oracle, begun))
            found.stop = "round limit" if r == max_rounds else "budget"
            break
        q = _gradients(columns, oracle, targets, point, counts, window)
        y0 = columns.coverage(point).ravel()
        rows, lower = _cuts(columns, targets, q, y0, margin, served)
        model.add_rows(rows, lower)
        cuts.append((rows, lower))
        plain.append(_plain_cuts(columns, q, y0, margin))
        found.rounds.append(_round(columns, point, margin, met, targets, len(rows), oracle, begun))
        if found.x is not None and all(np.all(a @ found.x >= b - 1e-6) for a, b in cuts):
            model.start_from(found.x)
        solution = model.solve()
        if not solution.ok:
            found.stop = f"the programme with the cuts is {solution.status}"
            break
        found.bound = solution.bound
        if np.array_equal(solution.x, point):
            found.stop = "the programme chose the same schedule again"
            break
        point = solution.x
        q = None
        counts = oracle.measure([columns.write(point)])[0]
    # the ladder: the programme with every cut asking for a little more, until met
    if not found.converged and plain and not out_of_budget():
        _ladder(columns, oracle, targets, plain, floor, found, deadline)
    # repair: the last schedule missed a few targets and is cheaper than the best known
    if (
        not _met(targets.slack(counts))
        and not out_of_budget()
        and (found.x is None or columns.cost @ point < columns.cost @ found.x - 1e-9)
    ):
        if q is None:
            q = _gradients(columns, oracle, targets, point, counts, window)
        v, after = _repair(columns, oracle, targets, point, counts, q, deadline)
        found.repaired = int(columns.agents(v).sum() - columns.agents(point).sum())
        if _met(targets.slack(after)) and (
            found.x is None or columns.cost @ v < columns.cost @ found.x - 1e-9
        ):
            found.x, found.counts = v, after
    if trim and found.x is not None and not out_of_budget():
        if q is None:
            q = _gradients(columns, oracle, targets, found.x, found.counts, window)
        _trim(columns, oracle, targets, found, q, deadline)
    return found


def _gradients(
    columns: Columns, oracle: Oracle, targets: TargetSet, point: np.ndarray, counts: Counts,
    window: int,
) -> np.ndarray:  # fmt: skip
    """Finite differences of every target: (targets, groups x intervals), >= 0.

    One simulation per skill set and offset: the intervals ``window + 2`` apart get one
    more agent together (see :meth:`TargetSet.effects`).
    """
    n_sets, n_k = len(columns.groups), columns.cells
    spacing = window + 2
    batches = [
        (s, [k for k in range(n_k) if k % spacing == offset])
        for s in range(n_sets)
        for offset in range(min(spacing, n_k))
    ]
    moved = oracle.measure([columns.write(point, [(s, k) for k in cells]) for s, cells in batches])
    q = np.zeros((len(targets.targets), n_sets * n_k))
    for (s, cells), after in zip(batches, moved, strict=True):
        q[:, [s * n_k + k for k in cells]] = targets.effects(
            counts, after, cells, window, columns.days > 1
        )
    return np.maximum(q, 0.0)


def _met(margin: np.ndarray) -> bool:
    return bool(np.all(np.nan_to_num(margin, nan=0.0) >= -TOLERANCE))


#: The ladder's extra margins on every cut (a share of contacts, as the targets).
LADDER = (0.0, 0.01, 0.02, 0.04, 0.08)


def _plain_cuts(
    columns: Columns, q: np.ndarray, y0: np.ndarray, margin: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every target's cut as measured (no cap): rows over the columns, and margins."""
    keep = np.isfinite(margin) & (q.sum(axis=1) > FLAT)
    return q[keep] @ columns.cover.T, q[keep] @ y0 - margin[keep]


def _ladder(
    columns: Columns, oracle: Oracle, targets: TargetSet,
    plain: list[tuple[np.ndarray, np.ndarray]], floor: np.ndarray | None, found: Search,
    deadline: float,
) -> None:  # fmt: skip
    """Solve with every cut as measured, each asking for ``LADDER`` more, until one is met.

    The rounds' schedules often hover just short of the targets (each round's cuts push
    one place and let another go); asking every cut for a little more margin, with all
    the rounds' cuts at once, lands on a schedule that meets them without a greedy
    repair's detours.
    """
    rows = np.vstack([r for r, _ in plain])
    lower = np.concatenate([b for _, b in plain])
    for extra in LADDER:
        if time.perf_counter() > deadline or oracle.evaluations >= oracle.budget:
            return
        model = CoverModel(columns)
        if floor is not None:
            model.require(floor)
        model.add_rows(rows, lower + extra)
        solution = model.solve()
        if not solution.ok:
            continue
        if found.x is not None and columns.cost @ solution.x >= columns.cost @ found.x - 1e-9:
            return  # no cheaper than what met every target already
        counts = oracle.measure([columns.write(solution.x)])[0]
        if _met(targets.slack(counts)):
            found.x, found.counts = solution.x, counts
            found.ladder = extra
            return


def _cuts(
    columns: Columns,
    targets: TargetSet,
    q: np.ndarray,
    y0: np.ndarray,
    margin: np.ndarray,
    served: list[list[int]],
) -> tuple[np.ndarray, np.ndarray]:
    """The round's rows over the columns: a cut per target, or a plain step."""
    rows, lower = [], []
    n_k = columns.cells
    for c, t in enumerate(targets.targets):
        if not np.isfinite(margin[c]):
            continue
        if q[c].sum() > FLAT:
            slope = q[c]
            if margin[c] < 0 and -margin[c] / slope.max() > STEP:
                slope = slope * (-margin[c] / slope.max() / STEP)  # at most STEP agents
            # slope . (cover x) >= slope . y0 - margin
            rows.append(columns.cover @ slope)
            lower.append(float(slope @ y0 - margin[c]))
        elif margin[c] < -TOLERANCE:  # missed and flat: one agent more in each interval
            first, last = (
                (t.first, t.last) if columns.days > 1 else (t.first % n_k, (t.last - 1) % n_k + 1)
            )
            for k in range(first, last):
                cells = [s * n_k + k for s in served[t.type]]
                if cells:
                    rows.append(columns.cover[:, cells].sum(axis=1))
                    lower.append(float(y0[cells].sum()) + 1.0)
    if not rows:
        return np.zeros((0, columns.n)), np.zeros(0)
    return np.array(rows), np.array(lower)


def _round(
    columns: Columns,
    x: np.ndarray,
    margin: np.ndarray,
    met: bool,
    targets: TargetSet,
    cuts: int,
    oracle: Oracle,
    begun: float,
) -> Round:
    finite = np.where(np.isfinite(margin), margin, np.inf)
    worst = int(np.argmin(finite)) if len(finite) else -1
    return Round(
        cost=float(columns.cost @ x),
        agents=int(np.sum(columns.agents(x))),
        met=met,
        missed=int(np.sum(finite < -TOLERANCE)),
        worst=targets.targets[worst].label if worst >= 0 else "",
        margin=float(finite[worst]) if worst >= 0 else math.nan,
        cuts=cuts,
        simulations=oracle.evaluations,
        seconds=time.perf_counter() - begun,
    )


def _agent(
    columns: Columns, v: np.ndarray, i: int, q: np.ndarray, missed: np.ndarray
) -> tuple[list[int], np.ndarray]:
    """One more agent on shift ``i``: its variables and coverage.

    Its breaks are placed where they cost the missed targets least (by the differences
    ``q``).
    """
    cover = columns.cover[i].copy()
    extra = [i]
    for shift, choices in columns.links:
        if shift != i:
            continue
        loss = [float(missed @ (q @ -columns.cover[c])) for c in choices]
        best = choices[int(np.argmin(loss))]
        extra.append(best)
        cover += columns.cover[best]
    return extra, cover


def _repair(
    columns: Columns, oracle: Oracle, targets: TargetSet, v: np.ndarray, counts: Counts,
    q: np.ndarray, deadline: float,
) -> tuple[np.ndarray, Counts]:  # fmt: skip
    """Add agents one at a time where the missed targets gain most per cost."""
    v = np.array(v, dtype=np.int64)
    room = _room(columns)
    while time.perf_counter() < deadline and oracle.evaluations < oracle.budget:
        margin = np.nan_to_num(targets.slack(counts), nan=0.0)
        short = np.clip(-margin, 0.0, None)
        if not (short > TOLERANCE).any():
            break
        best, best_ratio = None, 0.0
        for i in range(len(columns.shifts)):
            if not room(v, i):
                continue
            extra, cover = _agent(columns, v, i, q, short > 0)
            gain = float(np.minimum(q @ cover, short).sum())
            if gain / columns.cost[i] > best_ratio:
                best, best_ratio = extra, gain / columns.cost[i]
        if best is None:
            break  # nothing the differences say would help
        v[best] += 1
        counts = oracle.measure([columns.write(v)])[0]
    return v, counts


def _trim(
    columns: Columns, oracle: Oracle, targets: TargetSet, found: Search, q: np.ndarray,
    deadline: float,
) -> None:  # fmt: skip
    """Remove agents one at a time, dearest shifts first, while every target holds.

    Only removals the differences ``q`` predict to keep every target are simulated.
    """
    v = found.x.copy()  # type: ignore[union-attr]
    allowed = _limits(columns)
    tried: set[int] = set()
    while time.perf_counter() < deadline and oracle.evaluations < oracle.budget:
        margin = np.nan_to_num(targets.slack(found.counts), nan=0.0)  # type: ignore[arg-type]
        candidates = []
        for i in np.flatnonzero(columns.agents(v) > 0):
            if i in tried or not allowed(v, i):
                continue
            trial = columns.without_one(v, i)
            lost = q @ (columns.coverage(v) - columns.coverage(trial)).ravel()
            if np.all(margin - lost >= -TOLERANCE):
                candidates.append((-columns.cost[i], int(i), trial))
        if not candidates:
            return
        _, i, trial = min(candidates, key=lambda c: (c[0], c[1]))
        counts = oracle.measure([columns.write(trial)])[0]
        if _met(targets.slack(counts)):
            v = trial
            found.x, found.counts = v.copy(), counts
            found.trimmed += 1
        else:
            tried.add(i)


def _room(columns: Columns):  # noqa: ANN202 - a predicate
    """Whether one more agent on shift i keeps the template's and skill set's maximum."""
    spec = columns.shifts_file
    template = np.array([s.template for s in columns.shifts])
    skill = np.array([s.skill_set for s in columns.shifts])
    part = np.array([spec.templates[t].part_time for t in template], dtype=bool)

    def room(v: np.ndarray, i: int) -> bool:
        x = columns.agents(v)
        most = spec.templates[template[i]].max_agents
        if most is not None and x[template == template[i]].sum() + 1 > most:
            return False
        most = spec.skill_sets[skill[i]].max_agents
        if most is not None and x[skill == skill[i]].sum() + 1 > most:
            return False
        share = spec.part_time_share
        return share is None or not part[i] or x[part].sum() + 1 <= share * (x.sum() + 1) + 1e-9

    return room


def _limits(columns: Columns):  # noqa: ANN202 - a predicate
    """Whether one agent fewer on shift i keeps its template's minimum and the part-time share."""
    spec = columns.shifts_file
    template = np.array([s.template for s in columns.shifts])
    part = np.array([spec.templates[t].part_time for t in template], dtype=bool)

    def allowed(v: np.ndarray, i: int) -> bool:
        x = columns.agents(v)
        t = template[i]
        if int(x[template == t].sum()) - 1 < spec.templates[t].min_agents:
            return False
        if spec.part_time_share is None or part[i]:
            return True
        return x[part].sum() <= spec.part_time_share * (x.sum() - 1) + 1e-9

    return allowed

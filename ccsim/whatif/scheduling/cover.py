"""The covering programme: the cheapest numbers of agents per shift column.

Choosing how many agents start each shift is an integer programme: minimise the cost of
the agents subject to linear rows over the columns. The rows that do not change are the
shift file's limits (a template's minimum and maximum agents, a skill set's maximum, the
share of part-timers); the rows that do are either a requirement to cover (agents on the
phones per interval, the classic second step of two-step planning) or the cuts the
simulation adds as it learns how service depends on staffing
(:mod:`ccsim.whatif.scheduling.search`).

The solver is HiGHS through its own Python interface, ``highspy``: one model is kept for
the whole search and each round's cuts are added to it as rows (HiGHS keeps what it
learnt); a relative gap of 1 % is enough when the simulation's own noise is larger.
Shift covering is hard to solve to proof even at this size (a few hundred variables), so
every solve stops at a time limit with the best schedule found, and the search starts
each solve from the best schedule known when it satisfies the rows (a MIP start).
Agents per shift and per break placement are both integers: with break placements in
fractions (shared out afterwards) the programme solves faster, but the rounding moves
breaks between intervals, and the search then chased targets its own rounding missed
(SimOpt's ccbaby: 144 to 153 agents over three seeds, against 145 to 146 with whole
placements, in the same time). HiGHS prints a banner to the process's standard
output when its first model is made, and debug lines in some MIP solves; both are
silenced, so that ``--json`` output stays clean.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ccsim.whatif.scheduling.columns import Columns

__all__ = ["CoverModel", "Solution", "cheapest_cover", "whole"]

#: Relative optimality gap of every solve: about half an agent's cost in a centre of fifty,
#: below what the simulation can tell apart.
GAP = 1e-2


@dataclass(frozen=True)
class Solution:
    """A solve's schedule (agents per column), its cost and what HiGHS says of it."""

    x: np.ndarray
    cost: float
    status: str  # "optimal", "time limit", "infeasible", ...
    bound: float  # HiGHS's dual bound (a lower bound on the cost)

    @property
    def ok(self) -> bool:
        """A schedule was found (optimal, or the best within the time limit)."""
        return self.status in ("optimal", "time limit") and len(self.x) > 0


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Send what native code prints to the process's standard output to /dev/null meanwhile."""
    fd = 1  # the C library's stdout, whatever sys.stdout is (a notebook, a capture)
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stdout.flush()
    try:
        saved = os.dup(fd)
    except OSError:  # no standard output at all
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


class CoverModel:
    """The integer programme over ``columns``, kept across solves (module docstring).

    Variables: agents per column (integers from 0 to the tightest of the template's and
    the skill set's maximum), and optionally one shortfall per row of a requirement
    (``slack``, priced at ``slack_price``) so that a requirement the templates cannot
    cover still gives a schedule and says by how much it falls short.
    """

    def __init__(self, columns: Columns, time_limit: float = 5.0):
        import highspy

        self.columns = columns
        self.highspy = highspy
        with _quiet():
            self.h = highspy.Highs()
        h = self.h
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", GAP)
        h.setOptionValue("time_limit", float(time_limit))
        n = columns.n
        self.n_vars = n
        h.addVars(n, np.zeros(n), self._upper())
        h.changeColsCost(n, np.arange(n, dtype=np.int32), columns.cost.astype(float))
        kind = np.full(n, int(highspy.HighsVarType.kInteger), dtype=np.uint8)
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), kind)
        self._limits()

    def _upper(self) -> np.ndarray:
        spec, shifts = self.columns.shifts_file, self.columns.shifts
        upper = np.full(self.columns.n, self.highspy.kHighsInf)
        for j, shift in enumerate(shifts):
            for limit in (spec.templates[shift.template].max_agents,
                          spec.skill_sets[shift.skill_set].max_agents):  # fmt: skip
                if limit is not None:
                    upper[j] = min(upper[j], limit)
        return upper

    def _limits(self) -> None:
        """The rows that never change: break choices, template and skill-set limits."""
        cols = self.columns
        spec, shifts, n = cols.shifts_file, cols.shifts, cols.n
        inf = self.highspy.kHighsInf
        links = np.zeros((len(cols.links), n))
        for row, (i, choices) in enumerate(cols.links):
            links[row, i] = -1.0
            links[row, choices] = 1.0
        if len(links):
            self.add_rows(links, np.zeros(len(links)), np.zeros(len(links)))
        template = np.array([s.template for s in shifts] + [-1] * len(cols.choices))
        skill_set = np.array([s.skill_set for s in shifts] + [-1] * len(cols.choices))
        for i, t in enumerate(spec.templates):
            if t.min_agents > 0 or t.max_agents is not None:
                upper = inf if t.max_agents is None else float(t.max_agents)
                mine = (template == i).astype(float)[None, :]
                self.add_rows(mine, np.array([float(t.min_agents)]), np.array([upper]))
        for k, skill in enumerate(spec.skill_sets):
            if skill.max_agents is not None:
                mine = (skill_set == k).astype(float)[None, :]
                self.add_rows(mine, np.array([0.0]), np.array([float(skill.max_agents)]))
        if spec.part_time_share is not None:
            part = np.array([spec.templates[t].part_time if t >= 0 else False for t in template],
                            dtype=float)  # fmt: skip
            shift = (template >= 0).astype(float)
            share = spec.part_time_share  # part-timers <= share x all agents
            row = part * (1.0 - share) - (shift - part) * share
            self.add_rows(row[None, :], np.array([-inf]), np.array([0.0]))

    def add_rows(
        self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray | None = None
    ) -> None:  # fmt: skip
        """Add rows ``lower <= rows @ vars <= upper`` (dense rows over every variable)."""
        rows = np.atleast_2d(np.asarray(rows, dtype=float))
        if rows.shape[1] < self.n_vars:
            rows = np.hstack([rows, np.zeros((rows.shape[0], self.n_vars - rows.shape[1]))])
        if upper is None:
            upper = np.full(len(rows), self.highspy.kHighsInf)
        rows = np.where(np.abs(rows) < 1e-12, 0.0, rows)
        starts = np.concatenate([[0], np.cumsum(np.count_nonzero(rows, axis=1))]).astype(np.int32)
        index = np.nonzero(rows)[1].astype(np.int32)
        values = rows[rows != 0]
        self.h.addRows(len(rows), np.asarray(lower, float), np.asarray(upper, float),
                       len(values), starts[:-1], index, values)  # fmt: skip

    def require(self, need: np.ndarray, slack_price: float | None = None) -> None:
        """Rows: agents on the phones >= ``need`` per (skill-set group, interval).

        With ``slack_price`` each row gets a shortfall variable at that price per agent,
        so the requirement never makes the programme infeasible.
        """
        need = np.asarray(need, float).ravel()
        rows = self.columns.cover.T  # (cells, columns)
        keep = need > 0
        rows, need = rows[keep], need[keep]
        if slack_price is not None and len(need):
            first = self.n_vars
            n = len(need)
            self.h.addVars(n, np.zeros(n), np.full(n, self.highspy.kHighsInf))
            index = np.arange(first, first + n, dtype=np.int32)
            self.h.changeColsCost(n, index, np.full(n, float(slack_price)))
            self.n_vars += n
            self.slack = index
            rows = np.hstack([rows, np.zeros((n, self.n_vars - rows.shape[1] - n)), np.eye(n)])
        self.add_rows(rows, need)

    def solve(self) -> Solution:
        """Solve the programme with every row added so far."""
        h, hs = self.h, self.highspy
        with _quiet():  # HiGHS writes debug lines to stdout in some MIP solves
            h.run()
        status = h.getModelStatus()
        name = {
            hs.HighsModelStatus.kOptimal: "optimal",
            hs.HighsModelStatus.kTimeLimit: "time limit",
            hs.HighsModelStatus.kInfeasible: "infeasible",
        }.get(status, h.modelStatusToString(status).lower())
        info = h.getInfo()
        has_solution = info.primal_solution_status == 2  # a feasible point exists
        if not has_solution:
            return Solution(np.zeros(0), float("inf"), name, float("nan"))
        values = np.asarray(h.getSolution().col_value)[: self.columns.n]
        x = whole(self.columns, values)
        return Solution(x, float(self.columns.cost @ x), name, float(info.mip_dual_bound))

    def start_from(self, v: np.ndarray) -> None:
        """Give the next solve a schedule to start from (a MIP start)."""
        value = np.zeros(self.n_vars)
        value[: len(v)] = v
        solution = self.highspy.HighsSolution()
        solution.col_value = list(value)
        solution.value_valid = True
        self.h.setSolution(solution)

    def shortfall(self) -> np.ndarray:
        """The requirement's shortfall per row of the last solve (zeros without slack)."""
        if not hasattr(self, "slack"):
            return np.zeros(0)
        return np.asarray(self.h.getSolution().col_value)[self.slack]


def whole(columns: Columns, values: np.ndarray) -> np.ndarray:
    """A solution with whole agents per shift and per break placement.

    The solver's values are whole up to its tolerance; each shift's agents are shared
    out over its placements by largest remainder all the same, so that they always add
    up.
    """
    v = np.rint(values).astype(np.int64)
    n_shifts = len(columns.shifts)
    v[:n_shifts] = np.rint(values[:n_shifts])
    for i, choices in columns.links:
        share = np.clip(values[choices], 0.0, None)
        agents = int(v[i])
        if agents == 0 or share.sum() <= 0:
            v[choices] = 0
            if agents:
                v[choices[0]] = agents
            continue
        exact = share / share.sum() * agents
        base = np.floor(exact + 1e-9).astype(np.int64)
        rest = agents - int(base.sum())
        order = np.argsort(-(exact - base), kind="stable")
        base[order[:rest]] += 1
        v[choices] = base
    return v


def cheapest_cover(
    columns: Columns, need: np.ndarray, time_limit: float = 10.0
) -> tuple[Solution, float]:
    """The cheapest schedule whose agents on the phones meet ``need`` everywhere.

    The second step of two-step planning: ``need`` per (skill-set group, interval).
    Where the templates cannot cover it, the schedule covers what it can (a second
    programme with a priced shortfall per interval, slower to solve).

    Returns
    -------
    solution : Solution
    shortfall : float
        Agent-intervals of ``need`` left uncovered (0 when it is met).
    """
    model = CoverModel(columns, time_limit)
    model.require(need)
    solution = model.solve()
    if solution.ok:
        return solution, 0.0
    model = CoverModel(columns, time_limit)
    price = 100.0 * max(float(columns.cost.max(initial=1.0)), 1.0)
    model.require(need, slack_price=price)
    solution = model.solve()
    return solution, float(model.shortfall().sum()) if solution.ok else float("inf")

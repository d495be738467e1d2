"""Sweeps: one scenario, many variants, each with its KPIs and confidence intervals.

A capacity planner asks "what service level do 10, 12, ... 20 agents give, with and
without the new CRM?". A sweep is a grid over dotted paths of the scenario (the same
changes an options file writes, see :mod:`ccsim.whatif.changes`) or a list of points; every
point runs the same replications on the same seed (so neighbouring points are compared
on common random numbers) and becomes one row of a tidy table: the point's values, each
KPI's mean and 95 % interval, and the daily cost when the scenario has a cost model.

Long sweeps keep their work: with a ``store`` folder each finished point is written
there at once (one Parquet file per point, written atomically), and a sweep started
again with the same store skips every point already done, so nothing finished is lost
to Ctrl-C, a crash or a lost cluster. Points run one after another locally (each point's
replications use every core) or, given a Dask scheduler address, on a Dask cluster;
the numbers are the same either way.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ccsim import __version__
from ccsim.results.kpis import TYPE_KPIS
from ccsim.scenario import limits
from ccsim.scenario.model import Scenario
from ccsim.scenario.units import short
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

__all__ = ["SharedStoreWarning", "SweepFile", "grid_points", "load_sweep", "sweep"]

ROW_KPIS = (*TYPE_KPIS, "mean_queue", "occupancy")


class SweepFile(BaseModel):
    """A sweep file: a base scenario (path relative to the file) and a grid or points.

    .. code-block:: yaml

        base: ../scenarios/small-helpdesk.yaml
        replications: 200
        grid:
          agent_groups.team.staffing: ["+0", "+1", "+2", "+3"]
    """

    model_config = ConfigDict(extra="forbid")

    base: str = Field(min_length=1)
    grid: dict[str, list[Any]] | None = None
    points: list[dict[str, Any]] | None = Field(default=None, max_length=limits.MAX_POINTS)
    replications: int | None = Field(default=None, ge=1, le=limits.MAX_REPLICATIONS)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)

    @model_validator(mode="after")
    def _one_of(self) -> SweepFile:
        if (self.grid is None) == (self.points is None):
            raise ValueError("give either grid or points")
        if self.grid is not None:
            size = 1
            for values in self.grid.values():
                size *= len(values)
            if size > limits.MAX_POINTS:
                raise ValueError(f"the grid has {size:,} points: at most {limits.MAX_POINTS:,}")
            if size == 0:
                raise ValueError("the grid has no points: give every path at least one value")
        return self


def load_sweep(path: str | Path) -> tuple[Scenario, SweepFile]:
    """Load a sweep file and its base scenario, and check every point.

    Parameters
    ----------
    path : str or pathlib.Path
        The sweep file (YAML).

    Returns
    -------
    scenario : Scenario
        The base scenario (``base``, relative to the sweep file).
    spec : SweepFile
        The sweep; every point's changes give a valid scenario.

    Raises
    ------
    ScenarioError
        If the file, its base scenario or a point is not valid: one line per problem,
        naming the file, the line and the key (``grid.<path>[j]``: the j-th value).
    FileNotFoundError
        If the sweep file does not exist.
    """
    from pydantic import ValidationError

    from ccsim.scenario.loader import _line_of, _problems, load_scenario, read_yaml
    from ccsim.scenario.model import ScenarioError

    path = Path(path)
    data, node = read_yaml(path, "a sweep file")

    def line_of(key_path: tuple[str | int, ...]) -> int | None:
        return _line_of(node, key_path)

    _signed_as_written(node, data)
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, SweepFile), str(path), line_of) from None
    base = path.parent / spec.base
    try:
        scenario = load_scenario(base)
    except FileNotFoundError:
        problem = (("base",), f"no such scenario file: {base}")
        raise ScenarioError([problem], str(path), line_of) from None
    except ScenarioError as exc:  # (as an options file says it)
        lines = exc.render().splitlines()
        problems = [(("base",), f"the base scenario is not valid: {line}") for line in lines]
        raise ScenarioError(problems, str(path), line_of) from None
    problems = _point_problems(scenario, spec)
    if problems:
        raise ScenarioError(problems, str(path), line_of)
    return scenario, spec


def _point_problems(scenario: Scenario, spec: SweepFile) -> list[tuple[tuple[str | int, ...], str]]:
    """Every point's changes applied to the base: problems at their place in the file."""
    from ccsim.whatif.changes import _changed

    problems: dict[tuple[tuple[str | int, ...], str], None] = {}
    if spec.grid is not None:
        paths = list(spec.grid)
        combos = itertools.product(*(range(len(spec.grid[p])) for p in paths))
        where = [
            (
                {p: spec.grid[p][j] for p, j in zip(paths, js, strict=True)},
                dict(zip(paths, js, strict=True)),
            )
            for js in combos
        ]
    else:
        where = [(point, {}) for point in spec.points or []]
    for i, (point, index) in enumerate(where):
        _, found = _changed(scenario, point)
        for key, sub, message in found:
            if key is None:  # the changed scenario as a whole
                at: tuple[str | int, ...] = ("grid",) if spec.grid is not None else ("points", i)
                problems[(at, f"{message} (point {i}: {short(point)})")] = None
            elif spec.grid is not None:
                problems[(("grid", key, index[key], *sub), message)] = None
            else:
                problems[(("points", i, key, *sub), message)] = None
    return list(problems)


def _signed_as_written(node: Any, data: dict[str, Any]) -> None:
    """Read an unquoted ``+1`` or ``-2`` in a grid or points as a relative change.

    YAML would make ``+1`` the number 1 (one agent); options files read it as relative,
    and so do sweep files.
    """
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return

    def fix(value_node: Any, value: Any) -> Any:
        if (
            isinstance(value_node, yaml.ScalarNode)
            and not value_node.style  # plain (None; libyaml: "")
            and str(value_node.value)[:1] in "+-"
            and isinstance(value, (int, float))
        ):
            return str(value_node.value)
        return value

    for key_node, value_node in getattr(node, "value", []):
        if key_node.value == "grid" and isinstance(data.get("grid"), dict):
            for path_node, values_node in value_node.value:
                values = data["grid"].get(path_node.value)
                if isinstance(values, list) and isinstance(values_node, yaml.SequenceNode):
                    data["grid"][path_node.value] = [
                        fix(n, v) for n, v in zip(values_node.value, values, strict=False)
                    ]
        if key_node.value == "points" and isinstance(data.get("points"), list):
            for point_node, point in zip(value_node.value, data["points"], strict=False):
                if isinstance(point, dict) and isinstance(point_node, yaml.MappingNode):
                    for k_node, v_node in point_node.value:
                        if isinstance(k_node.value, str) and k_node.value in point:
                            point[k_node.value] = fix(v_node, point[k_node.value])


def grid_points(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict]:
    """The points of a grid (cartesian product of each path's values) or a point list.

    Examples
    --------
    >>> grid_points({"a": [1, 2], "b": ["x"]})
    [{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'x'}]
    """
    if isinstance(grid, Mapping):
        paths = list(grid)
        for path in paths:
            if isinstance(grid[path], (str, bytes)) or not isinstance(grid[path], Sequence):
                raise ValueError(f"grid path {path!r}: give a list of values")
        return [
            dict(zip(paths, values, strict=True)) for values in itertools.product(*grid.values())
        ]
    return [dict(point) for point in grid]


def sweep(
    scenario: Scenario | str | Path,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    engine: str = DEFAULT_ENGINE,
    store: str | Path | None = None,
    cluster: str | None = None,
    progress: Progress | None = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """Run every point of a grid and return one row per point.

    Parameters
    ----------
    scenario : Scenario, str or pathlib.Path
        The base scenario, or its file.
    grid : mapping or sequence
        ``{dotted path: [values]}`` (cartesian product) or a list of
        ``{dotted path: value}`` points. Values are written as in an options file
        (absolute, ``"+2"``, ``"*1.1"``, per-interval lists).
    replications, seed, engine :
        As :func:`ccsim.simulate`; every point uses the same seed.
    store : path, optional
        Folder where each finished point is kept; points already there are not run
        again (resume).
    cluster : str, optional
        Address of a Dask scheduler (``"tcp://host:8786"``): points run there.
    progress : callable, optional
        ``progress(done, total)`` in points, after each point (stored points count as
        done at once).
    threads : int, optional
        Threads per point for the fast engine (local runs).

    Returns
    -------
    pandas.DataFrame
        One row per point, in grid order: ``point``, the point's values (one column per
        path; lists as JSON text), then for every KPI ``<kpi>``, ``<kpi>_ci95_low``,
        ``<kpi>_ci95_high``, and ``cost_per_day`` (with its CI) when the scenario has
        costs.

    Raises
    ------
    ScenarioError
        If any point does not give a valid scenario: nothing runs then.
    """
    import pandas as pd

    from ccsim.whatif.changes import apply_changes

    scenario = as_scenario(scenario)
    points = grid_points(grid)
    variants = [apply_changes(scenario, p, option=f"point {i}") for i, p in enumerate(points)]
    keys = [_key(v, replications, seed, engine) for v in variants]
    folder = Path(store) if store is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    rows: dict[int, dict[str, Any]] = {}

    def stored(i: int) -> bool:
        """Take point ``i`` from the store if it is there."""
        cached = folder / f"point-{keys[i]}.parquet" if folder is not None else None
        if cached is not None and cached.exists():
            rows[i] = pd.read_parquet(cached).iloc[0].to_dict()
            if progress is not None:
                progress(len(rows), len(points))
            return True
        return False

    def finished(i: int, row: dict[str, Any]) -> None:
        row = {"point": i, **_point_columns(points[i]), **row}
        if folder is not None:
            _write_atomic(pd.DataFrame([row]), folder / f"point-{keys[i]}.parquet")
        rows[i] = row
        if progress is not None:
            progress(len(rows), len(points))

    todo = [i for i in range(len(points)) if not stored(i)]
    claims = _Claims(folder, keys)

    def run(batch: list[int]) -> None:
        _run_points(batch, variants, replications, seed, engine, threads, cluster, finished)

    try:
        # claim a point just before running it, so that a second sweep into the same
        # store takes the points this one has not reached yet (on a cluster: all at once)
        deferred = []
        for batch in [todo] if cluster is not None else [[i] for i in todo]:
            claimed = [i for i in batch if claims.take(i)]
            deferred += [i for i in batch if i not in claimed]
            run([i for i in claimed if not stored(i)])
            claims.release(claimed)
        # points another sweep was running: wait for it, then take its result (or run
        # the point here if that sweep stopped before finishing it)
        shared = 0
        for i in deferred:
            claims.take(i, wait=True)
            shared += stored(i)
            if i not in rows:
                run([i])
            claims.release([i])
    finally:
        claims.release(list(claims.held))
    if shared:
        warnings.warn(
            f"{shared} of {len(points)} points were run by another sweep into {folder} at the "
            "same time and taken from it (the work was shared, nothing ran twice)",
            SharedStoreWarning,
            stacklevel=2,
        )
    return pd.DataFrame([rows[i] for i in range(len(points))])


def _run_points(
    todo: list[int],
    variants: list[Scenario],
    replications: int,
    seed: int,
    engine: str,
    threads: int | None,
    cluster: str | None,
    finished: Callable[[int, dict[str, Any]], None],
) -> None:
    """Run the points ``todo`` here or on a Dask cluster, calling ``finished`` for each."""
    if cluster is None or not todo:
        for i in todo:
            finished(i, _run_point(variants[i], replications, seed, engine, threads))
        return
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise ImportError(
            "running on a Dask cluster needs dask.distributed: pip install 'ccsim[dask]'"
        ) from None
    with Client(cluster) as client:
        futures = {
            client.submit(_run_point, variants[i], replications, seed, engine, None, pure=False): i
            for i in todo
        }
        for future in as_completed(futures):
            finished(futures[future], future.result())


class SharedStoreWarning(UserWarning):
    """Another sweep is running points into the same store; the work is shared."""


class _Claims:
    """Which points of a store this sweep is running: one lock file per point.

    A sweep claims a point by locking ``point-<key>.lock`` in the store (an operating
    system lock via :mod:`filelock`, released when the process ends, even by a crash), so
    two sweeps into one store never run the same point at once: each runs the points it
    claims and takes the other's from the store. Without a store there is nothing to share.
    """

    def __init__(self, folder: Path | None, keys: list[str]):
        self.folder, self.keys = folder, keys
        self.held: dict[int, Any] = {}

    def take(self, i: int, wait: bool = False) -> bool:
        """Claim point ``i``; with ``wait``, wait until the sweep holding it lets go."""
        if self.folder is None:
            return True
        from filelock import FileLock, Timeout

        lock = FileLock(self.folder / f"point-{self.keys[i]}.lock")
        try:
            lock.acquire(timeout=-1 if wait else 0)
        except Timeout:
            return False
        self.held[i] = lock
        return True

    def release(self, points: list[int]) -> None:
        """Let go of the claims on ``points`` (those not held are ignored)."""
        for i in points:
            lock = self.held.pop(i, None)
            if lock is not None:
                lock.release()


def _run_point(
    scenario: Scenario, replications: int, seed: int, engine: str, threads: int | None
) -> dict[str, Any]:
    """KPIs (mean and CI) and daily cost of one point: one row of the sweep."""
    from ccsim.simulation import CapacityWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        result = simulate(scenario, replications, seed, engine, threads=threads)
    row: dict[str, Any] = {}
    for r in result.summary.itertuples():
        if r.kpi in ROW_KPIS:
            row[r.kpi] = r.mean
            row[f"{r.kpi}_ci95_low"] = r.ci95_low
            row[f"{r.kpi}_ci95_high"] = r.ci95_high
    if scenario.costs is not None:
        from ccsim.results.confidence import mean_ci
        from ccsim.whatif.costs import daily_costs

        mean, low, high, _ = mean_ci(daily_costs(result)["total"])
        row.update(cost_per_day=float(mean), cost_per_day_ci95_low=float(low),
                   cost_per_day_ci95_high=float(high))  # fmt: skip
    row["warnings"] = " | ".join(result.warnings)
    return row


def _point_columns(point: Mapping[str, Any]) -> dict[str, Any]:
    return {
        path: json.dumps(value) if isinstance(value, (list, dict)) else value
        for path, value in point.items()
    }


def _key(scenario: Scenario, replications: int, seed: int, engine: str) -> str:
    """What identifies a finished point: the resolved scenario and how it ran."""
    spec = scenario.model_dump_json() + f"|{replications}|{seed}|{engine}|{__version__}"
    return hashlib.sha256(spec.encode()).hexdigest()[:20]


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)

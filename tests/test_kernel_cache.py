"""numba's on-disk cache never serves kernel code compiled from older sources or codes.

numba checks a cached function against the file that defines it only; a constant
imported from another file (the codes) or a helper compiled in from another file (the
kernel's pieces) can change without it noticing. ``ccsim.engines.kernel.jit`` keeps a
digest of every kernel source and code value next to the cache and empties the cache
when it changes. Shown here on a small package in a temporary folder, where numba alone
does serve the stale value.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ccsim.engines import codes, counters, kernel
from ccsim.engines.kernel import jit
from tests.helpers import ROOT, SCENARIOS

RUN = """
import json, sys
from pathlib import Path
import centre.consts as consts, centre.loop as loop
flushed = None
if sys.argv[1] == "guard":
    from ccsim.engines.kernel import jit
    stamp = jit.digest([Path(loop.__file__), Path(consts.__file__)], {"ANSWERED": consts.ANSWERED})
    flushed = jit.refresh_stale_caches("centre.loop", jit.dispatchers_of(loop), stamp)
value = loop.fate_of_answered()
print(json.dumps([value, flushed, sum(loop.fate_of_answered.stats.cache_hits.values()) > 0]))
"""


def run(folder: Path, guard: bool) -> list:
    env = {**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}"}
    env.pop("NUMBA_CACHE_DIR", None)  # the cache next to the sources, in the folder
    done = subprocess.run(
        [sys.executable, "-c", RUN, "guard" if guard else "no guard"],
        env=env, capture_output=True, text=True, check=True, cwd=folder,
    )  # fmt: skip
    return json.loads(done.stdout)


def test_a_code_changed_in_another_file_recompiles(tmp_path: Path) -> None:
    centre = tmp_path / "centre"
    centre.mkdir()
    (centre / "__init__.py").write_text("")
    (centre / "consts.py").write_text("ANSWERED = 1\n")
    (centre / "loop.py").write_text(
        "from numba import njit\nfrom centre.consts import ANSWERED\n\n\n"
        "@njit(cache=True)\ndef fate_of_answered():\n    return ANSWERED\n"
    )
    assert run(tmp_path, guard=True) == [1, True, False]  # compiled, stamp written
    assert run(tmp_path, guard=True) == [1, False, True]  # from the cache
    (centre / "consts.py").write_text("ANSWERED = 2\n")  # a code changes in its own file
    assert run(tmp_path, guard=False) == [1, None, True]  # numba alone: the stale code
    assert run(tmp_path, guard=True) == [2, True, False]  # the guard: compiled again
    assert run(tmp_path, guard=True) == [2, False, True]


def test_the_kernel_and_counters_keep_their_stamps() -> None:
    assert kernel.STAMP == jit.digest(jit.SOURCES, codes.VALUES)
    for module, dispatcher in (("ccsim.engines.kernel", kernel.simulate_day.__wrapped__),
                               ("ccsim.engines.counters", counters.accumulate_day)):  # fmt: skip
        stamp = Path(dispatcher._cache.cache_path) / f"{module}.stamp"
        assert stamp.read_text() == kernel.STAMP


def test_the_stamp_covers_every_source_and_code(tmp_path: Path) -> None:
    names = {p.name for p in jit.SOURCES}
    assert {"day.py", "heap.py", "agents.py", "followups.py", "state.py", "arrays.py", "jit.py",
            "__init__.py"} <= names  # fmt: skip
    assert {"counters.py", "codes.py"} <= names
    assert jit.digest(jit.SOURCES, dict(codes.VALUES, ANSWERED=7)) != kernel.STAMP
    copies = []
    for path in jit.SOURCES:
        copy = tmp_path / path.relative_to(path.parent.parent)
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(path, copy)
        copies.append(copy)
    assert jit.digest(copies, codes.VALUES) == kernel.STAMP
    copies[0].write_text(copies[0].read_text() + "\n")
    assert jit.digest(copies, codes.VALUES) != kernel.STAMP


def test_whether_the_engine_needs_compiling_is_read_off_the_cache_index() -> None:
    from types import SimpleNamespace

    def dispatcher(entries: dict) -> SimpleNamespace:
        index = SimpleNamespace(_load_index=lambda: entries)
        return SimpleNamespace(_cache=SimpleNamespace(_cache_file=index))

    assert jit.cached_on_disk([dispatcher({"sig": 1}), dispatcher({"sig": 2})]) is True
    assert jit.cached_on_disk([dispatcher({"sig": 1}), dispatcher({})]) is False
    assert jit.cached_on_disk([SimpleNamespace(_cache=None)]) is None  # cannot tell: say nothing
    # the kernel ran in this session (other tests), so its cache is there
    import ccsim

    ccsim.simulate(SCENARIOS / "small-helpdesk.yaml", replications=1)
    assert jit.needs_compiling() is False

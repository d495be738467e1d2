"""How ccsim compiles its kernel with numba: options, the on-disk cache, start-up.

The kernel and its counters are compiled once and cached on disk, so that a later run
starts at once. numba decides whether a cached function is still valid from the
modification time and size of the file that defines it, and from nothing else. A
compiled function also holds, as constants, the codes it reads from
:mod:`ccsim.engines.codes` and the code of the ``@njit`` helpers it calls from other
files: change one of those and numba would load the old compiled code (a documented
limitation of its cache). :func:`refresh_stale_caches` closes that gap: a digest of
every kernel source file and of every code's value is kept in a stamp file next to
the cache, and when the digest changes the cache is emptied before its first use.

Nothing here imports numba at module level.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["JIT", "cached_on_disk", "digest", "dispatchers_of", "needs_compiling",
           "refresh_stale_caches", "skip_blas_probe"]  # fmt: skip

#: numba options of every compiled function of the kernel and its counters.
JIT = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}

_ENGINES = Path(__file__).resolve().parent.parent
#: The files whose code ends up in compiled kernel code: the kernel package, the
#: counters and the codes.
SOURCES = (*sorted((_ENGINES / "kernel").glob("*.py")), _ENGINES / "counters.py",
           _ENGINES / "codes.py")  # fmt: skip


def digest(sources: Iterable[Path], values: dict[str, Any]) -> str:
    """A digest of the files ``sources`` (names and contents) and of ``values``."""
    h = hashlib.sha256()
    for path in sources:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    h.update(repr(sorted(values.items())).encode())
    return h.hexdigest()


def dispatchers_of(*modules: ModuleType) -> list[Any]:
    """The numba functions defined in ``modules`` that are cached on disk."""
    return [
        value
        for module in modules
        for value in vars(module).values()
        if hasattr(value, "py_func") and value.py_func.__module__ == module.__name__
        and getattr(getattr(value, "_cache", None), "cache_path", None) is not None
    ]  # fmt: skip


def refresh_stale_caches(name: str, dispatchers: Iterable[Any], stamp: str) -> bool:
    """Empty the on-disk caches of ``dispatchers`` if they were not compiled from ``stamp``.

    The stamp is kept in the file ``<name>.stamp`` in each cache folder. Call this
    before the dispatchers are first used (when their module is imported).

    Parameters
    ----------
    name : str
        Names the stamp file (one per group of dispatchers, e.g. a module's name).
    dispatchers : iterable of numba dispatchers
        Compiled with ``cache=True``.
    stamp : str
        What their compiled code was made from (:func:`digest`).

    Returns
    -------
    bool
        Whether a cache was emptied.

    Notes
    -----
    ``dispatcher._cache.flush()`` empties a function's cache index (numba 0.59 to
    0.68); the next call compiles and saves again. When the folder cannot be written,
    the dispatchers compile in memory instead (no cache).
    """
    by_folder: dict[str, list[Any]] = {}
    for d in dispatchers:
        by_folder.setdefault(d._cache.cache_path, []).append(d)
    flushed = False
    for folder, group in by_folder.items():
        path = os.path.join(folder, f"{name}.stamp")
        try:
            with open(path) as f:
                if f.read() == stamp:
                    continue
        except OSError:
            pass  # no stamp yet: compiled before stamps were kept, or never
        try:
            for d in group:
                d._cache.flush()
            flushed = True
            with open(path + ".tmp", "w") as f:
                f.write(stamp)
            os.replace(path + ".tmp", path)
        except OSError:
            from numba.core.caching import NullCache

            for d in group:
                d._cache = NullCache()
    return flushed


def cached_on_disk(dispatchers: Iterable[Any]) -> bool | None:
    """Whether every one of ``dispatchers`` has compiled code in its on-disk cache.

    None when that cannot be told (numba's cache index is read through its private
    ``_cache_file``, as in numba 0.59 to 0.68).
    """
    try:
        return all(len(d._cache._cache_file._load_index()) > 0 for d in dispatchers)
    except Exception:  # noqa: BLE001 - another numba, another cache: cannot tell
        return None


def needs_compiling() -> bool:
    """Whether the fast engine's first run will compile (no usable cache on disk).

    It compiles after ccsim is installed or upgraded (20 to 40 s on this kind of
    machine), then loads from the cache in about a second; the command line says so
    before it starts rather than showing a progress bar that does not move.
    """
    from ccsim.engines import counters
    from ccsim.engines.kernel import day

    return cached_on_disk([*dispatchers_of(day), *dispatchers_of(counters)]) is False


def skip_blas_probe() -> bool:
    """Let numba load without importing SciPy's linear algebra (``ccsim`` start-up).

    On its first compile or cache load numba imports ``numba.np.arraymath``, whose
    module body probes for a BLAS by importing ``scipy.linalg.cython_blas``: that
    brings in all of ``scipy.linalg`` and, through SciPy's array-API layer, most of
    numpy's lazy submodules (about 0.2 s, a quarter of a ``ccsim run`` start-up). The
    answer only decides whether numba compiles ``np.correlate`` and ``np.convolve``
    with BLAS or with a plain loop; the kernels use neither. The command line, which
    runs no other numba code, calls this before the first replication so that the
    probe fails at once; ``scipy.linalg`` stays importable as usual afterwards.
    Library users keep numba's default.

    Returns whether the probe was skipped (False when numba had already loaded it).
    """
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return False
    probe = "scipy.linalg.cython_blas"
    sys.modules[probe] = None  # type: ignore[assignment]  # import fails: no BLAS
    try:
        import numba.np.arraymath  # noqa: F401
    except ImportError:  # a numba that does not take "no BLAS" for an answer: its way
        return False
    finally:
        if probe in sys.modules and sys.modules[probe] is None:
            del sys.modules[probe]
    return True

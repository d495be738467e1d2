"""The commands' output files: checked before anything runs, written whole or not at all.

A planner who asks for ``--report nodir/x/report.html`` after a ten-minute run must not
lose the run to a missing folder. So every output a command is asked for (``--out``,
``--report``, ``--records``, ``--write``, ``--store``) is checked before the first
replication: a missing folder is created, a folder given where a file is wanted (or the
reverse) is refused, and a probe file shows that the place is writable. A problem is one
line naming the option and the path, and exit code 2, like an invalid scenario.

Files are then written through :func:`atomic_path`: to a temporary file next to the
target, renamed over it only once complete, so that an interrupt or a full disk never
leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["OutputError", "atomic_path", "check_file", "check_folder"]

_UMASK = os.umask(0o022)  # read the process's umask (setting it back at once)
os.umask(_UMASK)


class OutputError(Exception):
    """An output path that cannot be written (the message names the option and the path)."""


def _writable(folder: Path, option: str, shown: Path) -> None:
    """Create ``folder`` if missing and prove it takes a file (a probe, removed at once)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(
            f"{option} {shown}: {_first_file(folder)} is a file, not a folder"
        ) from None
    except OSError as exc:
        raise OutputError(
            f"{option} {shown}: cannot create folder {folder}: {_reason(exc)}"
        ) from None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ccsim-probe-"):
            pass
    except OSError as exc:
        raise OutputError(f"{option} {shown}: cannot write in {folder}: {_reason(exc)}") from None


def check_folder(path: Path | None, option: str) -> Path | None:
    """Check (and create) an output folder such as ``--out DIR``.

    Parameters
    ----------
    path : pathlib.Path or None
        The folder; ``None`` (the option was not given) passes through.
    option : str
        The option's name for the message (``"--out"``).

    Raises
    ------
    OutputError
        If ``path`` is an existing file, or cannot be created or written in.
    """
    if path is None:
        return None
    if path.exists() and not path.is_dir():
        raise OutputError(f"{option} {path}: is a file, not a folder")
    _writable(path, option, path)
    return path


def check_file(path: Path | None, option: str, suffixes: tuple[str, ...] = ()) -> Path | None:
    """Check an output file such as ``--report FILE.html``; create its folder.

    Parameters
    ----------
    path : pathlib.Path or None
        The file; ``None`` (the option was not given) passes through.
    option : str
        The option's name for the message.
    suffixes : tuple of str
        Allowed suffixes (``(".parquet", ".csv")``); empty for any.

    Raises
    ------
    OutputError
        If ``path`` is a folder, has a suffix not allowed, or its folder cannot be
        created or written in.
    """
    if path is None:
        return None
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder; give a file name")
    if suffixes and path.suffix.lower() not in suffixes:
        raise OutputError(f"{option} {path}: use a file ending in {' or '.join(suffixes)}")
    _writable(path.parent, option, path)
    return path


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path`` that replaces it once the block completes.

    If the block raises (an error, Ctrl-C), the temporary file is removed and ``path``
    is left as it was.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "summary.json"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("{}")
    >>> target.read_text()
    '{}'
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_UMASK)  # as a plain open() would (mkstemp makes it private)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _first_file(folder: Path) -> Path:
    """The first ancestor of ``folder`` (or itself) that exists as a file."""
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            return part
    return folder


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)

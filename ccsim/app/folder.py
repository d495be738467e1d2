"""The planner's folder: the only place the web app reads and writes.

``ccsim app scenarios/`` gives the app one folder of scenario and options files. Every
path the page sends is a name relative to that folder; :meth:`Folder.resolve` turns it
into a file inside the folder or refuses it (an absolute path, ``..``, a hidden file, a
symbolic link that leads out, a file that is not YAML), so a page, or anything that
talks to the server, can neither read nor write elsewhere. Files are written whole or
not at all (a temporary file renamed over the target).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from ccsim.cli.outputs import atomic_path

__all__ = ["SUFFIXES", "Folder", "FolderError"]

#: Scenario, options and sweep files are YAML.
SUFFIXES = (".yaml", ".yml")


class FolderError(Exception):
    """A path the app refuses (outside the folder, not YAML, missing, or already there)."""


#: libyaml's loader where PyYAML has it (listing a folder reads every file's top keys)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Folder:
    """A folder of scenario and options files (``root``, resolved at start)."""

    root: Path
    # kind of each file, kept while its modification time and size are the same
    _kinds: dict[Path, tuple[tuple[int, int], str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def open(cls, path: str | Path) -> Folder:
        """The folder at ``path``; it must exist."""
        root = Path(path).expanduser().resolve()
        if not root.is_dir():
            raise FolderError(f"{path}: not a folder")
        return cls(root)

    def resolve(self, name: str, must_exist: bool = True) -> Path:
        """The file ``name`` (relative, ``/``-separated) inside the folder.

        Raises
        ------
        FolderError
            If ``name`` is absolute, has ``..``, a hidden part or a backslash, is not a
            ``.yaml``/``.yml`` file, leads out of the folder through a symbolic link, or
            (with ``must_exist``) does not exist.
        """
        if not isinstance(name, str) or not name.strip():
            raise FolderError("no file name given")
        if "\\" in name or "\x00" in name or ":" in name:
            raise FolderError(f"{name}: not a file name (use letters, digits, - _ . and /)")
        pure = PurePosixPath(name)
        if pure.is_absolute():
            raise FolderError(f"{name}: give a name inside the folder, not an absolute path")
        if any(part in ("..", ".") or part.startswith(".") for part in pure.parts):
            raise FolderError(f"{name}: .. and hidden names are not allowed")
        if pure.suffix.lower() not in SUFFIXES:
            raise FolderError(f"{name}: only .yaml or .yml files")
        path = (self.root / Path(*pure.parts)).resolve()
        if not path.is_relative_to(self.root):
            raise FolderError(f"{name}: leads out of the folder")
        if must_exist and not path.is_file():
            raise FolderError(f"{name}: no such file in the folder")
        return path

    def name_of(self, path: Path) -> str:
        """The folder-relative name of a file inside the folder (``FolderError`` if outside)."""
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(self.root):
            raise FolderError(f"{path}: outside the folder")
        return resolved.relative_to(self.root).as_posix()

    def read(self, name: str) -> str:
        """The text of a file in the folder."""
        try:
            return self.resolve(name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise FolderError(f"{name}: not a text file (UTF-8)") from None

    def write(self, name: str, text: str, overwrite: bool = False) -> Path:
        """Write ``text`` to ``name`` (whole or not at all); refuse to replace unless asked."""
        path = self.resolve(name, must_exist=False)
        if path.exists() and not overwrite:
            raise FolderError(f"{name} exists already: choose another name or replace it")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.parent.resolve().is_relative_to(self.root):
            raise FolderError(f"{name}: leads out of the folder")
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return path

    def files(self) -> list[dict[str, str]]:
        """The YAML files of the folder and its subfolders, each with its kind.

        Kind is ``"options"`` (``base`` and ``options``), ``"sweep"`` (``base`` and
        ``grid`` or ``points``), ``"scenario"`` (anything else that is a mapping) or
        ``"unreadable"`` (not YAML); the scenarios are validated when opened.
        """
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for filename in sorted(filenames):
                if filename.startswith(".") or Path(filename).suffix.lower() not in SUFFIXES:
                    continue
                name = (Path(dirpath) / filename).relative_to(self.root).as_posix()
                try:
                    self.resolve(name)
                except FolderError:
                    continue  # a link out of the folder is not listed
                out.append({"path": name, "kind": self.kind(name)})
        return out

    def kind(self, name: str) -> str:
        """``"scenario"``, ``"options"``, ``"sweep"`` or ``"unreadable"`` (see :meth:`files`)."""
        try:
            path = self.resolve(name)
            stat = path.stat()
        except (FolderError, OSError):
            return "unreadable"
        stamp = (stat.st_mtime_ns, stat.st_size)
        kept = self._kinds.get(path)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            kind = "unreadable"
        elif "base" in data and "options" in data:
            kind = "options"
        elif "base" in data and ("grid" in data or "points" in data):
            kind = "sweep"
        else:
            kind = "scenario"
        self._kinds[path] = (stamp, kind)
        return kind

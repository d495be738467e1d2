"""The README's layout section matches the tree: every module of ccsim/ is named there.

A top-level module appears as ``name.py``; a module of a package appears by its name in
that package's entry (the lines from ``pkg/`` to the next entry), a sub-package as
``sub/``. A module that is added, moved or renamed without the README fails here.
"""

from __future__ import annotations

import re

from tests.helpers import ROOT


def layout_entries() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    entries: dict[str, str] = {}
    current = None
    for line in block.splitlines():
        match = re.match(r"^  (\S+)\s", line + " ")
        if match:
            current = match[1]
            entries[current] = line
        elif current is not None and line.startswith("    "):
            entries[current] += " " + line
    return entries


def test_every_module_is_in_the_readme_layout() -> None:
    entries = layout_entries()
    missing = []
    for path in sorted((ROOT / "ccsim").rglob("*.py")):
        parts = path.relative_to(ROOT / "ccsim").parts
        if len(parts) == 1:
            if parts[0] not in entries:
                missing.append(parts[0])
            continue
        entry = entries.get(parts[0] + "/", "")
        words = set(re.findall(r"[\w]+/?", entry))
        names = [p + "/" for p in parts[1:-1]] + [path.stem]
        if path.stem == "__init__":
            names = names[:-1]
        if not entry or not all(n in words for n in names):
            missing.append("/".join(parts))
    assert missing == [], f"not in the README's layout section: {missing}"


def test_the_layout_names_nothing_that_is_gone() -> None:
    entries = layout_entries()
    for name in entries:
        if name.endswith(".py"):
            assert (ROOT / "ccsim" / name).exists(), name
        elif name.startswith(("scenarios", "experiments", "tests", "benchmarks", "docs")):
            assert (ROOT / name).exists(), name
        else:
            assert (ROOT / "ccsim" / name).is_dir(), name

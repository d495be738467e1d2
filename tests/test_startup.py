"""Start-up of the ``ccsim`` command with the fast engine.

The command lets numba load without SciPy's linear algebra (see
:func:`ccsim.engines.kernel.jit.skip_blas_probe`): about 0.2 s of a ``ccsim run`` start-up; and
it keeps the objects of its start-up out of the garbage collector's full collections,
at exit too (about 0.25 s). The numbers are the same as in a process that does
neither, and the app run in-process (as here) leaves the process as it was.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys

from typer.testing import CliRunner

from ccsim.cli.app import app
from tests.helpers import ROOT, SCENARIOS

HELPDESK = str(SCENARIOS / "small-helpdesk.yaml")
ARGS = ["run", HELPDESK, "-r", "25", "--seed", "4", "--engine", "fast", "--json"]


def test_fast_run_starts_without_scipy_linalg_and_gives_the_same_numbers() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ccsim", *ARGS],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "numba.np.arraymath" in imported  # numba did load its array maths
    assert "scipy.linalg" not in imported
    frozen = gc.get_freeze_count()
    in_process = CliRunner().invoke(app, ARGS)  # not main(): no probe skipped, no freeze
    assert in_process.exit_code == 0, in_process.output
    assert gc.get_freeze_count() == frozen
    assert json.loads(done.stdout) == json.loads(in_process.stdout)

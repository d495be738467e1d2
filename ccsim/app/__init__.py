"""The web app: the what-if loop of ccsim in a browser, for planners.

``ccsim app scenarios/`` serves one page on this machine (127.0.0.1) where a planner
opens the scenarios of a folder, sees the centre at a glance, changes the main levers
(volume, handle time, staffing per interval or per shift, IVR deflection, patience,
service-level targets, costs) without writing YAML, runs the fast engine with a live
progress bar, reads the KPIs with their confidence intervals and the charts per
interval, keeps variants as options, compares them on common random numbers with the
business case, runs the staffing search, and saves a variant as a scenario or options
file that ``ccsim run`` and ``ccsim compare`` take unchanged.

It is a thin layer over ccsim's public API and holds no model logic:

* :mod:`ccsim.app.folder`: the one folder it may read and write (no path escapes);
* :mod:`ccsim.app.guard`: what the server refuses (other hosts and sites, big bodies);
* :mod:`ccsim.app.runs`: runs in background threads, their progress, cancel, errors;
* :mod:`ccsim.app.views`: ccsim's results arranged as JSON for the page;
* :mod:`ccsim.app.service`: each thing the page asks for, with ccsim's API;
* :mod:`ccsim.app.server`: the FastAPI application and :func:`serve` (uvicorn);
* ``static/``: the page (HTML, CSS, plain JavaScript; Plotly.js from the ``plotly``
  package).

The web stack is an optional extra: ``pip install -e ".[app]"``.
"""

from __future__ import annotations

import importlib.util

__all__ = ["EXTRA_MODULES", "missing_modules"]

#: Modules of the ``app`` extra (import name -> package name).
EXTRA_MODULES = {"fastapi": "fastapi", "uvicorn": "uvicorn", "plotly": "plotly"}


def missing_modules() -> list[str]:
    """Packages of the ``app`` extra that are not installed (empty when it is)."""
    return [pkg for mod, pkg in EXTRA_MODULES.items() if importlib.util.find_spec(mod) is None]

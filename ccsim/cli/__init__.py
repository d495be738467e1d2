"""The ``ccsim`` command (typer + rich); ``python -m ccsim`` runs it too.

:mod:`ccsim.cli.app` holds the command and its sub-commands; :func:`main` is the console
script's entry point.
"""

from ccsim.cli.app import app, main

__all__ = ["app", "main"]

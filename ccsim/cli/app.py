"""The ``ccsim`` command: one typer application, its sub-commands registered by name.

Each sub-command lives with its concept: :mod:`ccsim.cli.run` (validate, run),
:mod:`ccsim.cli.whatif` (compare, sweep, staff), :mod:`ccsim.cli.web` (app, the web
app); :mod:`ccsim.cli.common` holds what they share. :func:`main` is the console
script's entry point (``python -m ccsim`` too).
"""

from __future__ import annotations

import gc

import typer

from ccsim.cli import common
from ccsim.cli.data import backtest_command, calibrate_command
from ccsim.cli.run import run, validate
from ccsim.cli.schedule import schedule_command
from ccsim.cli.web import app_command
from ccsim.cli.whatif import compare_command, staff_command, sweep_command

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="ccsim: a discrete-event contact-centre simulator.",
)
app.command()(validate)
app.command()(run)
app.command(name="compare")(compare_command)
app.command(name="sweep")(sweep_command)
app.command(name="staff")(staff_command)
app.command(name="app")(app_command)
app.command(name="calibrate")(calibrate_command)
app.command(name="backtest")(backtest_command)
app.command(name="schedule")(schedule_command)


def main() -> None:
    """Entry point of the ``ccsim`` console script."""
    common._COMMAND[0] = True
    try:
        app()
    finally:
        # At exit the interpreter runs full garbage collections over every object
        # left, about 200 000 with numba loaded (0.2-0.3 s). Frozen objects are left
        # out; atexit handlers and finalizers of objects freed by reference counting
        # still run.
        gc.freeze()


if __name__ == "__main__":
    main()

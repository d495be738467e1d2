"""``ccsim app``: the what-if web app for planners, on this machine.

``ccsim app scenarios/`` serves the page of :mod:`ccsim.app` for one folder of scenario
and options files and opens it in the browser. It listens on 127.0.0.1 (this machine
only) unless ``--host`` says otherwise, and reads and writes only inside the folder.
The web packages are an optional extra; without them the command says how to install
them.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ccsim.cli.common import err

DEFAULT_PORT = 8765  # ccsim.app.server.DEFAULT_PORT (not imported: the extra may be missing)


def app_command(
    folder: Annotated[
        Path, typer.Argument(help="Folder of scenario and options files (read and written).")
    ] = Path("."),
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = (
        DEFAULT_PORT
    ),
    host: Annotated[
        str, typer.Option(help="Address to listen on; 127.0.0.1 is this machine only.")
    ] = "127.0.0.1",
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the page in the browser.")
    ] = True,
) -> None:
    """Start the what-if web app on a folder of scenarios (http://127.0.0.1:8765/)."""
    from ccsim.app import missing_modules

    missing = missing_modules()
    if missing:
        how = 'pip install -e ".[app]" (from a clone) or pip install "ccsim[app]"'
        err.print(
            f"[red]error:[/red] the web app needs {', '.join(missing)}, not installed here. "
            f"Install the app extra: {escape(how)}",
            highlight=False,
        )
        raise typer.Exit(2)
    if not folder.is_dir():
        err.print(f"[red]error:[/red] {folder}: no such folder")
        raise typer.Exit(2)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            f"[yellow]warning:[/yellow] listening on {host}: anyone who can reach this "
            "machine can read and change the scenarios in the folder (the app has no login)",
            highlight=False,
        )
    if port:
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.bind((host, port))
        except OSError as exc:
            err.print(
                f"[red]error:[/red] cannot listen on {host}:{port} ({exc.strerror or exc}); "
                "choose another port with --port",
                highlight=False,
            )
            raise typer.Exit(2) from None
    from ccsim.app.server import serve

    serve(folder, host=host, port=port, open_browser=browser)

"""The web app's HTTP side: one page, its static files, and a JSON API over the service.

:func:`create_app` builds the FastAPI application for one folder; :func:`serve` runs
it with uvicorn (what ``ccsim app`` does). The page (``static/index.html``, plain
JavaScript, no build step) talks to the JSON API below; Plotly.js is served from the
``plotly`` Python package, so nothing is fetched from the internet.

=======  ===============================  ==============================================
method   path                             what
=======  ===============================  ==============================================
GET      /api/info                        version, folder, defaults, limits
GET      /api/files                       the folder's YAML files and their kinds
GET      /api/open?path=                  a scenario at a glance (an options file: its
                                          base and its options as variants)
POST     /api/validate                    ``{name, text}``: ``ccsim validate``'s message
POST     /api/upload                      ``{name, text, overwrite}``: save if valid
POST     /api/variant                     ``{path, changes, erlang}``: check a variant
POST     /api/save/scenario               ``{path, changes, to, overwrite}``
POST     /api/save/options                ``{path, variants, to, overwrite}``
POST     /api/runs                        ``{kind: simulate|compare|staff, ...}``
GET      /api/runs/{id}                   status, progress, error or result
POST     /api/runs/{id}/cancel            stop at the next progress report
GET      /api/runs/{id}/charts            per-interval series of a finished run
GET      /api/runs/{id}/files/{name}      report.html, intervals.csv, summary.json, ...
=======  ===============================  ==============================================

Errors are JSON ``{"error": message}`` with a 4xx status; the message is shown in the
page as is (for an invalid scenario, the lines of ``ccsim validate``).
"""

from __future__ import annotations

import logging
import threading
import webbrowser
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

import ccsim
from ccsim.app.folder import Folder, FolderError
from ccsim.app.guard import DEFAULT_MAX_BODY, LOOPBACK_NAMES, Guard
from ccsim.app.runs import RunRegistry
from ccsim.app.service import AppError, Service, Variant

__all__ = ["DEFAULT_PORT", "DEFAULT_REPLICATIONS", "create_app", "serve"]

log = logging.getLogger("ccsim.app")

DEFAULT_PORT = 8765
#: The page's default replications per run: 200 keeps a lever-to-KPI loop interactive
#: on multiskill-day (see docs/app.md) with narrow intervals.
DEFAULT_REPLICATIONS = 200
STATIC = Path(__file__).parent / "static"
_WARM_UP = {  # a minute of a one-agent queue: loads the compiled engine before the first run
    "name": "warm-up",
    "horizon": {"intervals": 1, "interval": 60},
    "contact_types": [{"name": "c", "arrivals": {"rate_per_hour": 60},
                       "handle_time": {"dist": "exponential", "mean": 30}}],
    "agent_groups": [{"name": "g", "skills": ["c"], "staffing": 1}],
}  # fmt: skip


# --------------------------------------------------------------------- bodies
class _Body(BaseModel):
    model_config = {"extra": "forbid"}


class TextBody(_Body):
    name: str = Field(min_length=1, max_length=200)
    text: str
    overwrite: bool = False


class VariantBody(_Body):
    name: str = Field(default="", max_length=100)
    changes: dict[str, Any] = {}
    description: str = ""
    costs: dict[str, float] = {}


class CheckBody(_Body):
    path: str
    changes: dict[str, Any] = {}
    name: str = ""
    erlang: bool = True  # the Erlang A requirement too (not needed after a staffing change)


class SaveScenarioBody(_Body):
    path: str
    changes: dict[str, Any] = {}
    to: str
    overwrite: bool = False


class SaveOptionsBody(_Body):
    path: str
    variants: list[VariantBody]
    to: str
    overwrite: bool = False


class RunBody(_Body):
    kind: Literal["simulate", "compare", "staff"]
    path: str
    name: str = ""
    changes: dict[str, Any] = {}
    variants: list[VariantBody] = []
    replications: int = Field(default=DEFAULT_REPLICATIONS, ge=2, le=100_000)
    seed: int = Field(default=ccsim.DEFAULT_SEED, ge=0)
    max_abandon: float | None = Field(default=None, ge=0, le=1)


def _variants(bodies: list[VariantBody]) -> list[Variant]:
    names = [b.name.strip() for b in bodies]
    if any(not n for n in names):
        raise AppError("every variant needs a name")
    pairs = zip(names, bodies, strict=True)
    return [Variant(n, b.changes, b.description, b.costs) for n, b in pairs]


# ------------------------------------------------------------------------ app
def create_app(
    folder: str | Path,
    registry: RunRegistry | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    hosts: frozenset[str] | None = LOOPBACK_NAMES,
    warm_up: bool = True,
) -> FastAPI:
    """The web app for one folder of scenario and options files.

    Parameters
    ----------
    folder : str or pathlib.Path
        The only folder the app reads and writes.
    registry : RunRegistry, optional
        Where runs execute (default: two worker threads).
    max_body : int
        Largest request body in bytes (uploads included).
    hosts : set of str or None
        Host names answered (default: loopback names only); None for any.
    warm_up : bool
        Load the compiled engine in the background at start-up, so that the
        planner's first run does not wait for it.

    Returns
    -------
    fastapi.FastAPI
    """
    service = Service(Folder.open(folder), registry or RunRegistry())

    @asynccontextmanager
    async def lifespan(_: FastAPI):  # noqa: ANN202
        if warm_up:
            threading.Thread(target=_warm_up, name="ccsim-warm-up", daemon=True).start()
        yield
        service.registry.shutdown()

    app = FastAPI(title="ccsim", version=ccsim.__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url="/api/openapi.json")  # fmt: skip
    app.state.service = service
    app.add_middleware(Guard, hosts=hosts, max_body=max_body)

    @app.exception_handler(AppError)
    async def app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status)

    @app.exception_handler(FolderError)
    async def folder_error(_: Request, exc: FolderError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return JSONResponse({"error": "bad request: " + "; ".join(parts)}, status_code=400)

    # ---------------------------------------------------------------- page
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        path = _plotly_path()
        if path is None:
            return Response("/* plotly is not installed: pip install 'ccsim[app]' */",
                            media_type="text/javascript", status_code=404)  # fmt: skip
        return FileResponse(path, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip

    # ---------------------------------------------------------------- files
    @app.get("/api/info")
    def info() -> dict[str, Any]:
        return {
            "version": ccsim.__version__,
            "folder": service.folder.root.name,
            "replications": DEFAULT_REPLICATIONS,
            "seed": ccsim.DEFAULT_SEED,
            "max_upload": max_body,
        }

    @app.get("/api/files")
    def files() -> dict[str, Any]:
        return service.files()

    @app.get("/api/open")
    def open_file(path: Annotated[str, Query(min_length=1)]) -> dict[str, Any]:
        return service.open(path)

    @app.post("/api/validate")
    def validate(body: TextBody) -> dict[str, Any]:
        return service.validate(body.name, body.text)

    @app.post("/api/upload")
    def upload(body: TextBody) -> dict[str, Any]:
        return service.upload(body.name, body.text, body.overwrite)

    @app.post("/api/variant")
    def variant(body: CheckBody) -> dict[str, Any]:
        return service.check_variant(body.path, body.changes, body.name, body.erlang)

    @app.post("/api/save/scenario")
    def save_scenario(body: SaveScenarioBody) -> dict[str, Any]:
        return service.save_scenario(body.path, body.changes, body.to, body.overwrite)

    @app.post("/api/save/options")
    def save_options(body: SaveOptionsBody) -> dict[str, Any]:
        return service.save_options(body.path, _variants(body.variants), body.to, body.overwrite)

    # ----------------------------------------------------------------- runs
    @app.post("/api/runs")
    def start(body: RunBody) -> dict[str, Any]:
        if body.kind == "simulate":
            run = service.simulate(body.path, body.changes, body.replications, body.seed,
                                   body.name)  # fmt: skip
        elif body.kind == "compare":
            run = service.compare(body.path, _variants(body.variants), body.replications,
                                  body.seed)  # fmt: skip
        else:
            run = service.staff(body.path, body.changes, body.replications, body.seed,
                                body.max_abandon)  # fmt: skip
        return run.state()

    @app.get("/api/runs/{run_id}")
    def status(run_id: str) -> dict[str, Any]:
        return service.run(run_id).state()

    @app.post("/api/runs/{run_id}/cancel")
    def cancel(run_id: str) -> dict[str, Any]:
        service.registry.cancel(service.run(run_id).id)
        return service.run(run_id).state()

    @app.get("/api/runs/{run_id}/charts")
    def charts(run_id: str) -> dict[str, Any]:
        return service.charts(run_id)

    @app.get("/api/runs/{run_id}/files/{name}")
    def download(run_id: str, name: str) -> Response:
        content, media, filename = service.download(run_id, name)
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        return Response(content, media_type=media, headers=headers)

    return app


def _plotly_path() -> Path | None:
    """Plotly.js as bundled with the ``plotly`` Python package (None if not installed)."""
    try:
        path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def _warm_up() -> None:
    try:
        ccsim.simulate(ccsim.load_scenario(_WARM_UP), replications=2, seed=0)
    except Exception:  # noqa: BLE001 - a warm-up that fails only costs the first run time
        log.exception("warm-up run failed")


def serve(
    folder: str | Path,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    max_body: int = DEFAULT_MAX_BODY,
) -> None:
    """Run the app with uvicorn until interrupted (what ``ccsim app`` does).

    Parameters
    ----------
    folder : str or pathlib.Path
        The folder of scenario and options files.
    host : str
        Address to bind; the default, 127.0.0.1, is reachable from this machine only.
    port : int
        Port; 0 picks a free one.
    open_browser : bool
        Open the page in the default browser once the server listens.
    max_body : int
        Largest request body in bytes.
    """
    import uvicorn

    loopback = host in ("127.0.0.1", "localhost", "::1")
    app = create_app(folder, max_body=max_body, hosts=LOOPBACK_NAMES if loopback else None)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            threading.Event().wait(0.05)
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{bound}/"
        print(f"ccsim app: {Path(folder).resolve()} at {url} (Ctrl-C to stop)", flush=True)
        if open_browser:
            webbrowser.open(url)

    threading.Thread(target=announce, name="ccsim-announce", daemon=True).start()
    server.run()

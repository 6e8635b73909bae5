"""``serve``: the REST API (and the dashboard pages) over HTTP with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from corridor.cli.options import DbOption
from corridor.cli.output import err_console, labelled
from corridor.config import ENV_DB
from corridor.errors import ConfigError, StoreError
from corridor.store import Store


def serve_cmd(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on (0.0.0.0 exposes it to the network)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Server processes (one holds 125 registrations/s on two cores; "
            "rate limits and the intake waiting room count per process; see docs/cases.md).",
        ),
    ] = 1,
    db: DbOption = None,
) -> None:
    """Serve the API at /api/v1 (docs at /docs) and the dashboard; reads the store read-only."""
    try:
        import uvicorn

        from corridor.api import create_app
    except ImportError as exc:
        raise ConfigError(
            f"`corridor serve` needs the web extra ({exc.name} is missing): "
            "pip install 'corridor[web]'"
        ) from None
    if not 0 < port < 65536:
        raise ConfigError(f"--port {port} is not a TCP port (1-65535)")
    if not 1 <= workers <= 64:
        raise ConfigError(f"--workers {workers}: use 1 to 64 processes")
    store = Store(db)
    try:
        store.connect().close()
    except StoreError as exc:
        # A processing centre may run without statistics: its pages and API work;
        # the dashboard says what is missing until a store is ingested.
        err_console.print(labelled("warning:", "yellow", f"{exc}; serving without statistics"))
    err_console.print(f"serving {store.path} at http://{host}:{port}/ (API docs: /docs)")
    if workers == 1:
        uvicorn.run(create_app(store.path), host=host, port=port, log_level="info")
        return
    # Several processes each build the app: they find the store through the environment.
    os.environ[ENV_DB] = str(store.path)
    uvicorn.run("corridor.api.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="info")  # fmt: skip

"""``serve``: the REST API (and the dashboard pages) over HTTP with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from corridor.cli.options import DbOption
from corridor.cli.output import err_console
from corridor.errors import ConfigError
from corridor.store import Store


def serve_cmd(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on (0.0.0.0 exposes it to the network)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
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
    store = Store(db)
    store.connect().close()  # fail now with the usual message, not on the first request
    err_console.print(f"serving {store.path} at http://{host}:{port}/ (API docs: /docs)")
    uvicorn.run(create_app(store.path), host=host, port=port, log_level="info")

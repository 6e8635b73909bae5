"""``corridor fetch``: download the current official files of sources and ingest them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from corridor.cli.options import DbOption, FormatOption
from corridor.cli.output import console, err_console, labelled, show
from corridor.errors import ConfigError
from corridor.fetch import Client, fetch, fetchable
from corridor.store import Store

ENV_MIRROR = "CORRIDOR_FETCH_MIRROR"


def fetch_cmd(
    sources: Annotated[
        list[str] | None, typer.Argument(help="Connector ids (see --list).", show_default=False)
    ] = None,
    db: DbOption = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only files of this date or later: YYYY-MM or YYYY-MM-DD."),
    ] = None,
    mirror: Annotated[
        str | None,
        typer.Option(
            "--mirror",
            envvar=ENV_MIRROR,
            help="Base URL replacing the agencies' hosts (a mirror; {host} is substituted).",
        ),
    ] = None,
    archive: Annotated[
        Path | None,
        typer.Option("--archive", help="Keep downloads here (default: archive/ beside the store)."),
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per request.")] = 60.0,
    retries: Annotated[int, typer.Option("--retries", help="Retries per request.")] = 3,
    delay: Annotated[
        float, typer.Option("--delay", help="Seconds between requests (be polite).")
    ] = 1.0,
    list_: Annotated[bool, typer.Option("--list", help="List fetchable sources and exit.")] = False,
    fmt: FormatOption = "table",
) -> None:
    """Download the current official files, keep every version, ingest them as releases."""
    if list_ or not sources:
        df = pd.DataFrame(
            [
                {"source": s.info.id, "agency": s.info.agency, "geo": s.info.geo,
                 "page": s.info.publication.page if s.info.publication else "",
                 "files": s.info.publication.links if s.info.publication else ""}
                for s in fetchable()
            ]
        )  # fmt: skip
        show(df, fmt, "fetchable sources")
        if not list_:
            err_console.print("name the sources to fetch, e.g. `corridor fetch cbp.encounters`")
            raise typer.Exit(2)
        return
    start = _since(since) if since else None
    if timeout <= 0 or retries < 0 or delay < 0:
        raise ConfigError("--timeout must be > 0, --retries and --delay >= 0")
    store = Store(db)
    with Client(timeout=timeout, retries=retries, delay=delay) as client:
        done = fetch(
            store.path, sources, since=start, mirror=mirror, archive=archive, client=client,
            progress=lambda msg: err_console.print(labelled("·", "dim", msg)),
        )  # fmt: skip
    rows = []
    for item in done:
        res = item.ingest
        rows.append(
            {"source": item.source, "url": item.url, "status": item.status,
             "release": res.release_id if res else "", "rows": res.rows if res else 0,
             "file": str(item.path) if item.path else ""}
        )  # fmt: skip
    show(pd.DataFrame(rows), fmt, "fetched")
    for item in done:
        for note in item.ingest.notes if item.ingest else []:
            err_console.print(labelled("  note:", "yellow", f"{item.url}: {note}"))
    if fmt == "table":
        console.print(f"store: {store.path}")


def _since(text: str) -> date:
    try:
        if len(text) == 7:
            return date.fromisoformat(text + "-01")
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--since `{text}` is not a date YYYY-MM or YYYY-MM-DD") from None

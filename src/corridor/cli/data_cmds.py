"""``ingest``, ``sources``, ``releases``: getting files into the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from corridor.cli.options import DbOption, FormatOption
from corridor.cli.output import console, err_console, labelled, show
from corridor.errors import ConfigError
from corridor.sources.registry import SOURCES
from corridor.store import Store, ingest


def ingest_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Agency files (CSV, xlsx/xls, PDF or its text, JSON).", show_default=False
        ),
    ],
    db: DbOption = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Force a connector id (see `sources`).")
    ] = None,
    published: Annotated[
        str | None, typer.Option("--published", help="Publication date YYYY-MM-DD.")
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="Mapping file (TOML) describing another agency's layout "
            "(see src/corridor/sources/mapped/README.md).",
        ),
    ] = None,
) -> None:
    """Ingest agency files as new releases: all files or none."""
    pub = _parse_date(published) if published else None
    if mapping is not None:
        if source:
            raise ConfigError("--mapping and --source exclude each other")
        from corridor.sources.mapped import register_mapping

        source = register_mapping(mapping).info.id
    store = Store(db)
    # The spinner only on a terminal: piped, it would leave a blank line on stderr.
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}", markup=False), TimeElapsedColumn(),
        console=err_console, transient=True, disable=not err_console.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task("starting", total=None)
        results = ingest(
            store.path, files, source=source, published=pub,
            progress=lambda msg: progress.update(task, description=msg),
        )  # fmt: skip
    for res in results:
        if res.status == "new" and res.periods is None:
            console.print(
                f"+ {res.path.name}: {res.source} release {res.release_id}, "
                f"{res.rows:,} reference rows"
            )
        elif res.status == "unchanged":
            console.print(f"= {res.path.name}: unchanged, already release {res.release_id}")
        else:
            span = f" {res.periods[0]:%Y-%m}..{res.periods[1]:%Y-%m}" if res.periods else ""
            console.print(
                f"+ {res.path.name}: {res.source} release {res.release_id}, "
                f"{res.rows:,} rows, total {res.total:,}{span}"
            )
            for note in res.notes:
                err_console.print(labelled("  note:", "yellow", note))
    console.print(f"store: {store.path}")
    if any(res.status == "new" for res in results):  # after the commit: never undoes it
        from corridor.cli.alerts_cmd import print_new_alerts

        print_new_alerts(store)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--published `{text}` is not a date YYYY-MM-DD") from None


def sources_cmd(
    db: DbOption = None,
    fmt: FormatOption = "table",
    in_store: Annotated[
        bool, typer.Option("--in-store", help="Only the sources the store holds, with coverage.")
    ] = False,
    available: Annotated[bool, typer.Option("--available", hidden=True)] = False,
) -> None:
    """Every connector: agency, geo, events, publication link (and what the store holds)."""
    store = Store(db)
    if in_store:
        df = store.sources()
        if fmt == "table":
            df = df.assign(dims=df["dims"].map(lambda d: ",".join(d))).drop(columns=["title"])
        show(df, fmt, "sources in the store")
        return
    held: dict[str, dict[str, object]] | None = None
    if store.path.exists() and not available:
        held = {
            str(r["source"]): {str(k): v for k, v in r.items()}
            for r in store.sources().to_dict("records")
        }
    rows = []
    for src in SOURCES.values():
        info = src.info
        row = {
            "source": info.id,
            "agency": info.agency,
            "geo": info.geo,
            "events": ",".join(sorted(info.events)),
            "title": info.title,
            "publisher": info.publisher,
            "group": info.group,
            "priority": info.priority,
            "fetch": "yes" if info.publication else "",
            "url": info.publication.page if info.publication else info.url,
        }
        if held is not None:
            mine = held.get(info.id, {})
            row["releases"] = mine.get("releases", 0)
            row["last"] = mine.get("last") or ""
        rows.append(row)
    df = pd.DataFrame(rows)
    if fmt == "table":
        df = df.drop(columns=["title", "publisher", "group", "priority"])
    show(df, fmt, "connectors")


def releases_cmd(db: DbOption = None, fmt: FormatOption = "table") -> None:
    """Every release, newest first; `current_slices` 0 means fully superseded."""
    df = Store(db).releases()
    if fmt == "table":
        df = df.assign(sha256=df["sha256"].str.slice(0, 12))
    show(df, fmt, "releases")

"""``query`` and ``export``: reading the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.options import DbOption, FormatOption
from corridor.cli.output import console, err_console, labelled, show
from corridor.store import Store


def query_cmd(
    db: DbOption = None,
    geo: Annotated[list[str] | None, typer.Option("--geo", help="Reporting country ISO3.")] = None,
    agency: Annotated[list[str] | None, typer.Option("--agency", help="USBP, OFO, SNM...")] = None,
    event: Annotated[
        list[str] | None, typer.Option("--event", help="Event, or `encounters`.")
    ] = None,
    nat: Annotated[list[str] | None, typer.Option("--nat", help="Nationality ISO3.")] = None,
    area: Annotated[list[str] | None, typer.Option("--area", help="Area slug.")] = None,
    sex: Annotated[list[str] | None, typer.Option("--sex")] = None,
    age: Annotated[list[str] | None, typer.Option("--age")] = None,
    family: Annotated[list[str] | None, typer.Option("--family")] = None,
    authority: Annotated[list[str] | None, typer.Option("--authority")] = None,
    partner: Annotated[list[str] | None, typer.Option("--partner")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Connector id.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First month YYYY-MM.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last month YYYY-MM.")] = None,
    freq: Annotated[str, typer.Option("--freq", help="M (monthly) or A (annual).")] = "M",
    by: Annotated[
        str, typer.Option("--by", help="Comma-separated columns to group by (or `year`).")
    ] = "period",
    sql: Annotated[
        str | None, typer.Option("--sql", help="Raw read-only SQL over flows, releases...")
    ] = None,
    all_sources: Annotated[
        bool, typer.Option("--all-sources", help="Add overlapping sources together anyway.")
    ] = False,
    fmt: FormatOption = "table",
) -> None:
    """Summed flows with filters and grouping, or raw SQL with --sql."""
    store = Store(db)
    if sql:
        show(store.sql(sql), fmt)
        return

    def j(values: list[str] | None) -> list[str] | None:
        return [v.strip() for x in values for v in x.split(",") if v.strip()] if values else None

    df = store.flows(
        geo=j(geo), agency=j(agency), event=j(event), nat=j(nat), area=j(area), sex=j(sex),
        age=j(age), family=j(family), authority=j(authority), partner=j(partner),
        source=j(source), start=start, end=end, freq=freq.upper(),
        by=[b.strip() for b in by.split(",") if b.strip()], all_sources=all_sources,
    )  # fmt: skip
    show(df, fmt)
    for note in store.notes:
        err_console.print(labelled("note:", "yellow", note))
    if df.empty and freq.upper() == "M":
        annual = store.flows(
            geo=j(geo), agency=j(agency), event=j(event), nat=j(nat), source=j(source),
            freq="A", by=[],
        )  # fmt: skip
        if not annual.empty and int(annual["n"].sum()):
            # UNHCR stocks and Darién 2010-2019 are annual: say so rather than "no rows".
            err_console.print(labelled("hint:", "yellow", "annual figures match: add --freq A"))


def export_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, parquet, hxl or sdmx-csv.")
    ] = "csv",
    db: DbOption = None,
    geo: Annotated[list[str] | None, typer.Option("--geo")] = None,
    source: Annotated[list[str] | None, typer.Option("--source")] = None,
    start: Annotated[str | None, typer.Option("--from")] = None,
    end: Annotated[str | None, typer.Option("--to")] = None,
    all_releases: Annotated[
        bool, typer.Option("--all-releases", help="Export flows_all (every release).")
    ] = False,
) -> None:
    """Export the rows of `flows` for other tools."""
    rows = Store(db).export(
        fmt, out, geo=geo, source=source, start=start, end=end, all_releases=all_releases
    )
    console.print(f"wrote {rows:,} rows to {out} ({fmt})")

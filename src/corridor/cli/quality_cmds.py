"""``check`` and ``revisions``: data quality of releases and what changed between them."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.options import DbOption, FormatOption
from corridor.cli.output import console, err_console, labelled, show
from corridor.errors import ConfigError
from corridor.quality import check, revisions
from corridor.quality.html import render_html
from corridor.store import Store


def check_cmd(
    sources: Annotated[
        list[str] | None, typer.Argument(help="Sources to check (default: all).")
    ] = None,
    db: DbOption = None,
    release: Annotated[
        str | None, typer.Option("--release", help="Check this release instead of the latest.")
    ] = None,
    fmt: FormatOption = "table",
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as an HTML page.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when there is any warning.")
    ] = False,
) -> None:
    """Data-quality report per source and release: gaps, totals, jumps, UNK, nationalities."""
    store = Store(db)
    report = check(store, sources or [], release=release)
    if html is not None:
        _write_atomic(html, render_html(report, store=str(store.path)))
    if fmt == "json":
        console.print_json(json.dumps(report.as_dict()))
    else:
        df = report.frame()
        if fmt == "table":
            df = df.assign(period=df["period"].map(lambda p: f"{p:%Y-%m}" if p else ""))
            df = df[["source", "check", "severity", "period", "message"]]
        show(df, fmt, f"data quality: {len(report.releases)} release(s), "
                      f"{report.warnings} warning(s)")  # fmt: skip
    if html is not None:
        err_console.print(f"wrote {html}")
    if strict and report.warnings:
        raise typer.Exit(1)


def revisions_cmd(
    source: Annotated[str, typer.Argument(help="Connector id.", show_default=False)],
    db: DbOption = None,
    old: Annotated[str | None, typer.Option("--from", help="Older release id.")] = None,
    new: Annotated[str | None, typer.Option("--to", help="Newer release id.")] = None,
    cells: Annotated[
        bool, typer.Option("--cells", help="List every changed cell, not the totals per period.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="Cells shown in the table.")] = 20,
    fmt: FormatOption = "table",
) -> None:
    """What changed between two releases of a source (default: the two latest)."""
    report = revisions(Store(db), source, old=old, new=new)
    if fmt == "json":
        payload = {
            "source": report.source, "old": report.old, "new": report.new,
            "summary": report.summary(), "new_periods": report.new_periods,
            "periods": report.periods.to_dict("records"),
            "cells": report.cells.to_dict("records"),
        }  # fmt: skip
        console.print_json(json.dumps(payload, default=str))
        return
    if fmt == "table":
        err_console.print(labelled("revisions:", "cyan", report.summary()))
        if report.new_periods:
            span = f"{report.new_periods[0]}..{report.new_periods[-1]}"
            err_console.print(f"  new periods (not revisions): {span}")
    if cells:
        shown = report.cells if fmt != "table" else report.cells.head(limit)
        show(shown, fmt, "changed cells (largest first)")
    else:
        changed = report.periods
        if fmt == "table":
            changed = changed[changed["diff"] != 0]
        show(changed, fmt, "revised periods")


def _write_atomic(path: Path, text: str) -> None:
    if path.is_dir():
        raise ConfigError(f"--html {path} is a directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    Path(tmp).replace(path)

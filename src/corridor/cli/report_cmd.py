"""``corridor report``: the monitor as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.options import DbOption
from corridor.cli.output import console
from corridor.errors import ConfigError
from corridor.store import Store


def report_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    lang: Annotated[str, typer.Option("--lang", help="Report language: en or es.")] = "en",
    db: DbOption = None,
) -> None:
    """Overview, checkpoints, trends and sources in one HTML file (inline CSS and SVG, no links)."""
    from corridor.web.i18n import LANGS

    if lang not in LANGS:
        raise ConfigError(f"unknown language `{lang}`; use one of: {', '.join(LANGS)}")
    try:
        from corridor.web.report import write_report
    except ImportError as exc:  # Jinja2 comes with the web extra
        raise ConfigError(f"the report needs {exc.name}: pip install 'corridor[web]'") from exc
    path = write_report(Store(db), out, lang)
    console.print(f"wrote {path} ({path.stat().st_size:,} bytes)", highlight=False)

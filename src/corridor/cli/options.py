"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.config import ENV_DB

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar=ENV_DB,
        help="Store file (DuckDB). Default: the user data dir, or $CORRIDOR_DB.",
        show_default=False,
    ),
]

FormatOption = Annotated[str, typer.Option("--format", "-f", help="Output: table, csv or json.")]

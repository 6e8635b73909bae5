"""``corridor alerts``: list the stored alerts, evaluating the rules first on request."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.options import DbOption, FormatOption
from corridor.cli.output import err_console, labelled, show
from corridor.store import Store


def alerts_cmd(
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="Your rules (TOML), added to the shipped ones (default: $CORRIDOR_RULES); "
            "implies --evaluate.",
            show_default=False,
        ),
    ] = None,
    evaluate: Annotated[
        bool, typer.Option("--evaluate", help="Evaluate the rules now and store the result.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only months from YYYY-MM; with --evaluate, every month since then "
            "(default: each series' latest month).",
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Table messages in en or es.")] = "en",
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Alerts raised by the rules (threshold, percent change, forecast, new nationality)."""
    from corridor.analysis.alerts import evaluate as run
    from corridor.analysis.alerts import list_alerts, rules_for, save
    from corridor.analysis.trend_text import check_lang

    check_lang(lang)
    store = Store(db)
    if evaluate or rules is not None:
        found = run(store, rules_for(rules), since=since)
        new = save(store, found)
        err_console.print(f"evaluated: {len(found)} alert(s), {len(new)} new", highlight=False)
    df = list_alerts(store, since=since)
    if fmt == "table":
        if lang == "es":  # alerts stored before Spanish messages existed keep their English
            df = df.assign(message=df["message_es"].where(df["message_es"].notna(), df["message"]))
        df = df.assign(period=df["period"].astype(str).str.slice(0, 7))[
            ["period", "severity", "rule", "nat", "value", "message"]
        ]
    elif fmt == "csv":
        df = df.assign(releases=df["releases"].map(lambda r: ";".join(r)))
    show(df, fmt, "alerts")


def print_new_alerts(store: Store, rules: Path | None = None) -> None:
    """After an ingest: evaluate, store, and print the alerts not seen before.

    Problems are printed as warnings; the ingest has succeeded whatever happens here.
    """
    from corridor.analysis.alerts import after_ingest

    new, problems = after_ingest(store, str(rules) if rules else None)
    for alert in new:
        style = {"critical": "red", "warning": "yellow"}.get(alert.severity, "cyan")
        err_console.print(labelled(f"alert ({alert.severity}):", style, alert.message))
    for problem in problems:
        err_console.print(labelled("warning: alerts not evaluated:", "yellow", problem))

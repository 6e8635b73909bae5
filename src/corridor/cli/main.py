"""Entry point: the Typer app and the one place user errors become messages."""

from __future__ import annotations

import os
import sys

import typer

from corridor.cases.cli import app as cases_app
from corridor.cli import (
    alerts_cmd,
    analysis_cmds,
    data_cmds,
    demo_cmd,
    fetch_cmd,
    forecast_cmds,
    linkage_cmds,
    policy_cmds,
    quality_cmds,
    query_cmds,
    report_cmd,
    serve_cmd,
    synth_cmd,
)
from corridor.cli.output import err_console, labelled
from corridor.errors import CorridorError
from corridor.networks.cli import networks_cmd

app = typer.Typer(
    name="corridor",
    help="Aligned migration statistics for the Americas corridor.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("ingest")(data_cmds.ingest_cmd)
app.command("sources")(data_cmds.sources_cmd)
app.command("releases")(data_cmds.releases_cmd)
app.command("fetch")(fetch_cmd.fetch_cmd)
app.command("check")(quality_cmds.check_cmd)
app.command("revisions")(quality_cmds.revisions_cmd)
app.command("query")(query_cmds.query_cmd)
app.command("export")(query_cmds.export_cmd)
app.command("demo")(demo_cmd.demo_cmd)
app.command("trends")(analysis_cmds.trends_cmd)
app.command("view")(analysis_cmds.view_cmd)
app.command("report")(report_cmd.report_cmd)
app.command("serve")(serve_cmd.serve_cmd)
app.command("alerts")(alerts_cmd.alerts_cmd)
app.command("forecast")(forecast_cmds.forecast_cmd)
app.command("backtest")(forecast_cmds.backtest_cmd)
app.command("synth")(synth_cmd.synth_cmd)
app.command("link")(linkage_cmds.link_cmd)
app.command("encode")(linkage_cmds.encode_cmd)
app.command("journeys")(linkage_cmds.journeys_cmd)
app.command("networks")(networks_cmd)
app.add_typer(cases_app, name="cases")
app.add_typer(policy_cmds.app, name="policy")


def main() -> None:
    """Run the CLI; a user error prints one line and exits non-zero, never a traceback."""
    # Typer handles usage errors itself (message + exit 2); everything else
    # that escapes a command lands here.
    try:
        app()
    except CorridorError as exc:
        err_console.print(labelled("error:", "red", str(exc)), highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug: still one line, with a way to see more
        if os.environ.get("CORRIDOR_DEBUG"):
            raise
        err_console.print(
            labelled(
                "internal error:",
                "red",
                f"{type(exc).__name__}: {exc} (set CORRIDOR_DEBUG=1 for the traceback)",
            ),
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(70)

"""``trends`` and ``view``: statements about one checkpoint, and the corridor as one system."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pandas as pd
import typer

from corridor.analysis.corridor_view import MIN_PAIRS, corridor_view
from corridor.analysis.series import checkpoint
from corridor.analysis.trends import Change, Record, trends
from corridor.cli.options import DbOption, FormatOption
from corridor.cli.output import OUTPUTS, console, err_console, labelled, show
from corridor.errors import ConfigError
from corridor.store import Store

NatOption = Annotated[
    str | None, typer.Option("--nat", help="One nationality (ISO3, e.g. VEN).", show_default=False)
]
FromOption = Annotated[str | None, typer.Option("--from", help="First month (YYYY-MM).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last month (YYYY-MM).")]


def _check_format(fmt: str) -> None:
    if fmt not in OUTPUTS:
        raise ConfigError(f"unknown output format `{fmt}`; use one of: {', '.join(OUTPUTS)}")


def trends_cmd(
    checkpoint: Annotated[
        str,
        typer.Argument(
            help="Checkpoint id: darien, honduras, mexico, us_southwest, "
            "guatemala_returns, usbp_southwest."
        ),
    ] = "us_southwest",
    nat: NatOption = None,
    lang: Annotated[str, typer.Option("--lang", help="Statements in en or es.")] = "en",
    start: FromOption = None,
    end: ToOption = None,
    within: Annotated[
        int, typer.Option("--within", help="Halvings and doublings within this many months.")
    ] = 12,
    db: DbOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Statements a reader can reuse: latest changes, records, level shifts, halvings."""
    _check_format(fmt)
    report = trends(Store(db), checkpoint, nat=nat, lang=lang, start=start, end=end,
                    within=within)  # fmt: skip
    if fmt == "json":
        console.print_json(json.dumps(report.as_dict()))
        return
    rows: list[dict[str, Any]] = []
    for kind, items in (
        ("change", [report.latest_mom, report.latest_yoy]),
        ("largest", [report.largest_fall, report.largest_rise]), ("record", report.records),
        ("break", report.breaks), ("halving", report.halvings), ("doubling", report.doublings),
    ):  # fmt: skip
        for item in items:
            if item is not None:
                label = kind
                if kind == "largest" and isinstance(item, Change):
                    label = "largest fall" if item.end_value < item.start_value else "largest rise"
                elif isinstance(item, Change):
                    label = item.kind
                elif isinstance(item, Record):
                    label = f"{item.kind} ({item.period})"
                rows.append({"kind": label, "statement": item.sentence})
    if fmt == "table":
        first, last = report.first, report.last
        if first is not None and last is not None:
            err_console.print(labelled("series:", "cyan", f"{report.label}, {first:%Y-%m}.."
                                       f"{last:%Y-%m}, counts {report.unit}"))  # fmt: skip
    show(pd.DataFrame(rows, columns=["kind", "statement"]), fmt, "trends")


def view_cmd(
    nat: NatOption = None,
    start: FromOption = None,
    end: ToOption = None,
    top: Annotated[int, typer.Option("--top", help="Nationalities shown per checkpoint.")] = 5,
    max_lag: Annotated[int, typer.Option("--max-lag", help="Largest lag tried (months).")] = 6,
    db: DbOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The corridor in order: monthly table, shares, lead times and ratios with caveats."""
    _check_format(fmt)
    view = corridor_view(Store(db), nat=nat, start=start, end=end, top=top, max_lag=max_lag)
    table = view.table.reset_index()
    leads = pd.DataFrame(
        [{"upstream": lt.upstream, "downstream": lt.downstream, "lag_months": lt.lag,
          "corr": lt.corr, "pairs": lt.pairs} for lt in view.lead_times],
        columns=["upstream", "downstream", "lag_months", "corr", "pairs"],
    )  # fmt: skip
    ratios = pd.DataFrame(
        [{"upstream": r.upstream, "downstream": r.downstream, "ratio": r.ratio,
          "upstream_n": r.upstream_n, "downstream_n": r.downstream_n, "months": r.months,
          "units": f"{_unit(r.upstream)}/{_unit(r.downstream)}", "uncovered": len(r.uncovered),
          "caveats": " | ".join(r.caveats)} for r in view.ratios],
        columns=["upstream", "downstream", "ratio", "upstream_n", "downstream_n", "months",
                 "units", "uncovered", "caveats"],
    )  # fmt: skip
    if fmt == "json":
        console.print_json(json.dumps(view.as_dict()))
        return
    if fmt == "csv":
        # One CSV stream cannot hold four tables: print the monthly table only.
        show(table, fmt)
        return
    who = f" ({view.nat})" if view.nat else ""
    show(table.assign(month=table["month"].dt.strftime("%Y-%m")), fmt, f"corridor{who}")
    show(view.shares, fmt, "shares by nationality (all nationalities)")
    show(leads, fmt, "lead times (month-on-month log changes; lag = months downstream follows)")
    if leads.empty:
        err_console.print(f"  lead times need {MIN_PAIRS}+ months of changes at both "
                          "checkpoints: widen --from/--to", highlight=False)  # fmt: skip
    show(ratios.drop(columns=["caveats"]), fmt, f"ratios downstream/upstream{who}")
    for r in view.ratios:
        for note in r.caveats:
            err_console.print(f"  {r.downstream}/{r.upstream}: {note}", highlight=False)


def _unit(checkpoint_id: str) -> str:
    return checkpoint(checkpoint_id).unit

"""``corridor policy``: threshold rules on the data, what-if variants, projections, pathways."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from corridor.cli.options import DbOption, FormatOption
from corridor.cli.output import console, err_console, labelled, show
from corridor.errors import ConfigError
from corridor.store import Store

app = typer.Typer(
    name="policy",
    help="Policy rules on the data: thresholds with hysteresis, what-if, projections, pathways.",
    no_args_is_help=True,
)

RuleArg = Annotated[
    str,
    typer.Argument(help="A shipped rule id (see `corridor policy rules`) or a rule .toml file."),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="What-if change, KEY=VALUE (repeatable): lift.threshold=1800, "
                 "activate.window_days=14, lift.consecutive_days=28, effective_to=..."),
]  # fmt: skip
PathsOption = Annotated[int, typer.Option("--paths", help="Simulated daily paths.")]
NoiseOption = Annotated[
    float, typer.Option("--noise", help="Day-to-day spread of simulated daily counts (log scale).")
]
RhoOption = Annotated[float, typer.Option("--rho", help="Day-to-day correlation of that noise.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the simulated paths.")]
LangOption = Annotated[str, typer.Option("--lang", help="Sentences in en or es.")]


@app.command("rules")
def rules_cmd(fmt: FormatOption = "table") -> None:
    """The shipped rules: what they read and when they change state."""
    from corridor.analysis.policy.rules import shipped_rules

    rows = [{"id": r.id, "from": r.effective_from.isoformat(),
             "to": r.effective_to.isoformat() if r.effective_to else "",
             "series": r.series.as_checkpoint().id, "activate": r.activate.describe(),
             "lift": r.lift.describe(), "title": r.title} for r in shipped_rules()]  # fmt: skip
    show(pd.DataFrame(rows), fmt, "policy rules")


@app.command("evaluate")
def evaluate_cmd(
    rule: RuleArg,
    settings: SetOption = None,
    daily: Annotated[
        Path | None,
        typer.Option(
            "--daily",
            help="Daily counts (CSV: date and count columns): exact, "
            "instead of the store's monthly data.",
        ),
    ] = None,
    paths: PathsOption = 200,
    noise: NoiseOption = 0.15,
    rho: RhoOption = 0.8,
    seed: SeedOption = 0,
    lang: LangOption = "en",
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """The rule's timeline: when it was in force or lifted, and the numbers that decided it."""
    from corridor.analysis.policy.approx import MonthlyTimeline, Noise
    from corridor.analysis.policy.policy_text import monthly_statements, timeline_statements
    from corridor.analysis.policy.run import changes_frame, evaluate_rule, parse_settings, rule_with
    from corridor.analysis.trend_text import check_lang

    check_lang(lang)
    r = rule_with(rule, parse_settings(settings or []))
    knobs = Noise(noise, rho, paths, seed)
    result = evaluate_rule(r, store=None if daily else Store(db), daily=daily, noise=knobs)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        return
    if isinstance(result, MonthlyTimeline):
        sentences = monthly_statements(result, lang)
    else:
        sentences = timeline_statements(result, lang)
    out = console if fmt == "table" else err_console
    for sentence in sentences:
        out.print(labelled("·", "cyan", sentence), highlight=False, soft_wrap=True)
    if r.notes:
        out.print(labelled("note:", "yellow", r.notes), highlight=False, soft_wrap=True)
    show(changes_frame(result), fmt, "changes of state")


@app.command("project")
def project_cmd(
    rule: RuleArg,
    settings: SetOption = None,
    months: Annotated[int, typer.Option("--months", help="Months past the data (1-24).")] = 6,
    paths: PathsOption = 200,
    noise: NoiseOption = 0.15,
    rho: RhoOption = 0.8,
    seed: SeedOption = 0,
    lang: LangOption = "en",
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """When the rule would trigger or lift, with probabilities from the forecast intervals."""
    from corridor.analysis.policy.approx import Noise
    from corridor.analysis.policy.policy_text import projection_statements
    from corridor.analysis.policy.run import parse_settings, project_rule, rule_with
    from corridor.analysis.trend_text import check_lang

    check_lang(lang)
    r = rule_with(rule, parse_settings(settings or []))
    p = project_rule(r, Store(db), months, Noise(noise, rho, paths, seed))
    if fmt == "json":
        sys.stdout.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
        return
    out = console if fmt == "table" else err_console
    for sentence in projection_statements(p, lang):
        out.print(labelled("·", "cyan", sentence), highlight=False, soft_wrap=True)
    frame = p.frame().assign(period=lambda d: d["period"].dt.strftime("%Y-%m"))
    if fmt == "table":
        frame = frame.round({"forecast_mean": 0, "forecast_lo80": 0, "forecast_hi80": 0,
                             "p_in_force": 2, "p_lifted_by": 2, "p_activated_by": 2})  # fmt: skip
    show(frame, fmt, "projection")


@app.command("pathway")
def pathway_cmd(
    pathway: Annotated[
        str | None,
        typer.Argument(
            help="A shipped pathway id (e.g. chnv) or a pathway .toml file; "
            "none: list the shipped ones."
        ),
    ] = None,
    controls: Annotated[
        str | None,
        typer.Option("--controls", help="Comparison nationalities, ISO3 comma-separated."),
    ] = None,
    pre: Annotated[
        str | None, typer.Option("--pre", help="Before window, FIRST:LAST months (YYYY-MM).")
    ] = None,
    post: Annotated[
        str | None, typer.Option("--post", help="After window, FIRST:LAST months (YYYY-MM).")
    ] = None,
    level: Annotated[float, typer.Option("--level", help="Confidence level.")] = 0.95,
    lang: LangOption = "en",
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """A legal pathway's effect: before/after and difference-in-differences against comparable
    nationalities, with confidence intervals and caveats."""
    from corridor.analysis.policy.pathway_config import load_pathway, pathways
    from corridor.analysis.policy.pathways import pathway_effect

    if pathway is None:
        rows = [{"id": p.id, "start": f"{p.start:%Y-%m}", "covers": ",".join(p.nationalities),
                 "series": p.series, "controls": ",".join(p.controls), "title": p.text(lang)}
                for p in pathways()]  # fmt: skip
        show(pd.DataFrame(rows), fmt, "pathways")
        return
    effect = pathway_effect(
        Store(db), load_pathway(pathway), controls=controls.split(",") if controls else None,
        pre=_window(pre, "--pre"), post=_window(post, "--post"), level=level, lang=lang,
    )  # fmt: skip
    if fmt == "json":
        sys.stdout.write(json.dumps(effect.to_dict(), ensure_ascii=False, default=str) + "\n")
        return
    out = console if fmt == "table" else err_console
    for sentence in effect.statements(lang):
        out.print(labelled("·", "cyan", sentence), highlight=False, soft_wrap=True)
    for caveat in effect.caveats:
        out.print(labelled("caveat:", "yellow", caveat), highlight=False, soft_wrap=True)
    out.print(labelled("method:", "cyan", effect.method(lang)), highlight=False, soft_wrap=True)
    table = effect.table()
    if fmt == "table":  # one decimal, thousands separated: the table is read, not parsed
        numbers = table.select_dtypes("number").columns
        table[numbers] = table[numbers].map(lambda v: "–" if v != v else f"{v:,.1f}")
    show(table, fmt, "before and after")


def _window(text: str | None, option: str) -> tuple[str, str] | None:
    if text is None:
        return None
    first, sep, last = text.partition(":")
    if not sep or not first.strip() or not last.strip():
        raise ConfigError(f"{option} `{text}`: use FIRST:LAST months, e.g. 2022-02:2022-09")
    return first.strip(), last.strip()

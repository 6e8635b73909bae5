"""``/policy``: threshold rules on the data, what-if variants and projections over HTTP.

GET answers are cached per store version like every other analysis (the
simulations take a second or more); a daily file is POSTed as CSV and
evaluated exactly, never cached.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse

from corridor.analysis.policy.approx import MonthlyTimeline, Noise
from corridor.analysis.policy.daily_input import parse_daily
from corridor.analysis.policy.engine import evaluate
from corridor.analysis.policy.policy_text import (
    monthly_statements,
    projection_statements,
    timeline_statements,
)
from corridor.analysis.policy.rules import shipped_rules
from corridor.analysis.policy.run import (
    changes_frame,
    evaluate_rule,
    parse_settings,
    project_rule,
    rule_with,
)
from corridor.analysis.trend_text import check_lang
from corridor.api.respond import TABLE_RESPONSES, Payload, respond
from corridor.api.routes import Format, _store
from corridor.errors import ConfigError

router = APIRouter(responses=TABLE_RESPONSES)

Settings = Annotated[
    list[str] | None,
    Query(alias="set", description="What-if change KEY=VALUE, repeatable: lift.threshold=1800, "
          "activate.window_days=14, lift.consecutive_days=28, effective_to=2025-01-20."),
]  # fmt: skip
Paths = Annotated[int, Query(ge=1, le=2000, description="Simulated daily paths.")]
NoiseQ = Annotated[float, Query(ge=0, le=2, description="Day-to-day noise (log scale).")]
Rho = Annotated[float, Query(ge=0, lt=1, description="Day-to-day correlation of the noise.")]
Seed = Annotated[int, Query(description="Seed of the simulated paths.")]
Lang = Annotated[str, Query(description="Sentences in en or es.")]


@router.get("/policy/rules", summary="The shipped policy rules")
def rules(request: Request, format: Format = None) -> Response:
    def compute() -> Payload:
        rows = [{"id": r.id, "title": r.title, "title_es": r.title_es, "source": r.source,
                 "effective_from": r.effective_from.isoformat(),
                 "effective_to": r.effective_to.isoformat() if r.effective_to else None,
                 "initial_state": r.initial_state, "series": r.series.as_checkpoint().id,
                 "activate": r.activate.describe(), "lift": r.lift.describe(),
                 "notes": r.notes} for r in shipped_rules()]  # fmt: skip
        return Payload(pd.DataFrame(rows))

    return respond(request, compute)


@router.get("/policy/evaluate/{rule_id}", summary="A rule's timeline on the store's data")
def evaluate_on_store(
    request: Request, rule_id: str, settings: Settings = None, paths: Paths = 200,
    noise: NoiseQ = 0.15, rho: Rho = 0.8, seed: Seed = 0, lang: Lang = "en",
    format: Format = None,
) -> Response:  # fmt: skip
    """Monthly data approximated by simulated daily paths: the changes of state with their
    spread across paths, the share of paths in force per day, and plain sentences."""
    check_lang(lang)
    rule = rule_with(rule_id, parse_settings(settings or []), files=False)

    def compute() -> Payload:
        result = evaluate_rule(rule, store=_store(request), noise=Noise(noise, rho, paths, seed))
        assert isinstance(result, MonthlyTimeline)
        meta = {**result.to_dict(), "statements": monthly_statements(result, lang),
                "notes": rule.notes, "source": rule.source,
                "p_in_force": _monthly_share(result.p_in_force)}  # fmt: skip
        return Payload(changes_frame(result), meta)

    return respond(request, compute)


@router.post("/policy/evaluate/{rule_id}", summary="A rule's timeline on daily counts you send")
def evaluate_daily(
    rule_id: str,
    body: Annotated[str, Body(media_type="text/csv",
                              description="CSV: a date column and a count column.")],
    settings: Settings = None, lang: Lang = "en",
) -> JSONResponse:  # fmt: skip
    """Exact: the rule on the daily counts in the request body (nothing is stored)."""
    check_lang(lang)
    rule = rule_with(rule_id, parse_settings(settings or []), files=False)
    timeline = evaluate(rule, parse_daily(body, "request body"))
    return JSONResponse({**timeline.to_dict(), "statements": timeline_statements(timeline, lang)})


@router.get("/policy/project/{rule_id}", summary="When a rule would trigger or lift")
def project(
    request: Request, rule_id: str, settings: Settings = None,
    months: Annotated[int, Query(ge=1, le=24, description="Months past the data.")] = 6,
    paths: Paths = 200, noise: NoiseQ = 0.15, rho: Rho = 0.8, seed: Seed = 0,
    lang: Lang = "en", format: Format = None,
) -> Response:  # fmt: skip
    """Probabilities per month from the forecast's intervals and simulated daily paths."""
    check_lang(lang)
    rule = rule_with(rule_id, parse_settings(settings or []), files=False)

    def compute() -> Payload:
        p = project_rule(rule, _store(request), months, Noise(noise, rho, paths, seed))
        meta = {k: v for k, v in p.to_dict().items() if k != "months"}
        return Payload(p.frame(), {**meta, "statements": projection_statements(p, lang)})

    return respond(request, compute)


def _monthly_share(p: pd.Series) -> list[dict[str, Any]]:
    """Share of paths in force on each month's last day (a compact form of the daily share)."""
    ends = p.dropna().groupby(pd.DatetimeIndex(p.dropna().index).to_period("M")).last()
    return [{"month": str(m), "p_in_force": round(float(v), 3)} for m, v in ends.items()]


@router.get("/policy/pathways", summary="The shipped legal pathways")
def pathway_list(request: Request, format: Format = None) -> Response:
    from corridor.analysis.policy.pathway_config import pathways

    def compute() -> Payload:
        rows = [{"id": p.id, "title": p.title, "title_es": p.title_es, "source": p.source,
                 "start": f"{p.start:%Y-%m}", "nationalities": ",".join(p.nationalities),
                 "series": p.series, "controls": ",".join(p.controls)}
                for p in pathways()]  # fmt: skip
        return Payload(pd.DataFrame(rows))

    return respond(request, compute)


@router.get("/policy/pathways/{pathway_id}", summary="A legal pathway's effect on encounters")
def pathway(
    request: Request, pathway_id: str,
    controls: Annotated[str | None, Query(description="Comparison nationalities, ISO3 "
                                          "comma-separated; default the pathway's.")] = None,
    pre: Annotated[str | None, Query(description="Before window FIRST:LAST (YYYY-MM).")] = None,
    post: Annotated[str | None, Query(description="After window FIRST:LAST (YYYY-MM).")] = None,
    level: Annotated[float, Query(ge=0.5, lt=1, description="Confidence level.")] = 0.95,
    lang: Lang = "en", format: Format = None,
) -> Response:  # fmt: skip
    """Before/after and difference-in-differences against comparable nationalities, with
    intervals, a placebo, variants and caveats; the table is the monthly series (event study)."""
    from corridor.analysis.policy.pathway_config import load_pathway, pathways
    from corridor.analysis.policy.pathways import pathway_effect

    check_lang(lang)
    known = {p.id for p in pathways()}
    if pathway_id not in known:  # ids only: a request never names a file on the server
        raise ConfigError(f"unknown pathway `{pathway_id}`; shipped: {', '.join(sorted(known))}")

    def compute() -> Payload:
        effect = pathway_effect(
            _store(request), load_pathway(pathway_id),
            controls=controls.split(",") if controls else None,
            pre=_window(pre, "pre"), post=_window(post, "post"), level=level, lang=lang,
        )  # fmt: skip
        meta = {k: v for k, v in effect.to_dict().items() if k != "monthly"}
        meta["method"] = effect.method(lang)
        return Payload(effect.frame(), meta)

    return respond(request, compute)


def _window(text: str | None, name: str) -> tuple[str, str] | None:
    if text is None:
        return None
    first, sep, last = text.partition(":")
    if not sep:
        raise ConfigError(f"{name} `{text}`: use FIRST:LAST months, e.g. 2022-02:2022-09")
    return first.strip(), last.strip()

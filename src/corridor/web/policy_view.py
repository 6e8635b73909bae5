"""The policy page: a rule's timeline on the store's data, a what-if form, a projection.

Everything is computed per (store version, rule, settings) and cached: the
simulations take a second or two, a second view of the same scenario none.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pandas as pd

from corridor.analysis import trend_text as txt
from corridor.analysis.policy.approx import MonthlyTimeline, Noise
from corridor.analysis.policy.engine import Transition
from corridor.analysis.policy.policy_text import (
    day,
    monthly_statements,
    projection_statements,
    title,
)
from corridor.analysis.policy.rules import PolicyRule, shipped_rules
from corridor.analysis.policy.run import evaluate_rule, project_rule, rule_with
from corridor.errors import ConfigError, CorridorError
from corridor.store import Store
from corridor.store.store import file_stamp
from corridor.web.charts import COLOURS, Band, Line, line_chart
from corridor.web.i18n import t

#: form field -> rule setting (what-if knobs on the page)
FIELDS: dict[str, str] = {
    "activate_threshold": "activate.threshold",
    "activate_window": "activate.window_days",
    "lift_threshold": "lift.threshold",
    "lift_window": "lift.window_days",
    "lift_days": "lift.consecutive_days",
    "lift_delay": "lift.delay_days",
}
PAGE_PATHS = 100  # fewer simulated paths than the CLI's 200: a page must answer fast
PROJECTION_MONTHS = 6


def settings_from(query: Mapping[str, str], rule: PolicyRule) -> dict[str, str]:
    """The what-if settings a form asks for (fields equal to the rule's own are left out)."""
    own = current_values(rule)
    out = {}
    for name, key in FIELDS.items():
        value = (query.get(name) or "").strip()
        if value and value != own[name]:
            out[key] = value
    return out


def current_values(rule: PolicyRule) -> dict[str, str]:
    a, lift = rule.activate, rule.lift
    return {"activate_threshold": f"{a.threshold:g}", "activate_window": str(a.window_days),
            "lift_threshold": f"{lift.threshold:g}", "lift_window": str(lift.window_days),
            "lift_days": str(lift.consecutive_days),
            "lift_delay": str(lift.delay_days)}  # fmt: skip


Stamp = tuple[int, ...]
Changes = tuple[tuple[str, str], ...]


def _version(store: Store) -> Stamp:
    return file_stamp(store.path)  # see corridor.store.store.file_stamp


@lru_cache(maxsize=32)
def _evaluated(path: str, version: Stamp, rule_id: str, changes: Changes) -> MonthlyTimeline:
    rule = rule_with(rule_id, dict(changes), files=False)
    result = evaluate_rule(rule, store=Store(path), noise=Noise(paths=PAGE_PATHS))
    assert isinstance(result, MonthlyTimeline)
    return result


@lru_cache(maxsize=32)
def _projected(path: str, version: Stamp, rule_id: str, changes: Changes) -> Any:
    rule = rule_with(rule_id, dict(changes), files=False)
    return project_rule(rule, Store(path), PROJECTION_MONTHS, Noise(paths=PAGE_PATHS))


def policy_page(store: Store, query: Mapping[str, str], lang: str) -> dict[str, Any]:
    """Everything the page shows for the rule and settings in ``query``."""
    rules = shipped_rules()
    chosen = query.get("rule") or rules[-1].id
    base = rule_with(chosen, files=False)
    # the form names the rule its values were for: after a switch they do not apply
    switched = bool(query.get("base")) and query.get("base") != chosen
    if switched:
        query = {}
    changes = settings_from(query, base)
    rule = base.with_changes(changes)
    key = tuple(sorted(changes.items()))
    mt = _evaluated(str(store.path), _version(store), chosen, key)
    cp = rule.series.as_checkpoint()
    typed = {k: (query.get(k) or "").strip() for k in FIELDS}
    out: dict[str, Any] = {
        "rules": [{"id": r.id, "title": title(r, lang)} for r in rules],
        "rule": {
            "id": rule.id,
            "title": title(rule, lang),
            "source": rule.source,
            "notes": rule.notes,
            "series": cp.label_es if lang == "es" else cp.label,
        },
        "values": {**current_values(base), **{k: v for k, v in typed.items() if v}},
        "statements": monthly_statements(mt, lang),
        "changes": [_change_row(s.change, lang, s.share, s.earliest, s.latest) for s in mt.spreads],
        "chart": _chart(mt, rule, lang),
        "odds_chart": _odds_chart(mt, lang),
        "command": command(rule.id, changes),
        "projection": None,
        "projection_note": "",
    }
    try:
        p = _projected(str(store.path), _version(store), chosen, key)
    except ImportError:  # statsforecast comes with the forecast extra
        out["projection_note"] = t("policy_no_forecast", lang)
    except ConfigError as exc:
        ended = rule.effective_to
        out["projection_note"] = (
            t("policy_ended", lang, end=day(ended, lang)) if ended is not None else str(exc)
        )
    except CorridorError as exc:
        out["projection_note"] = str(exc)
    else:
        out["projection"] = {
            "statements": projection_statements(p, lang),
            "rows": [{"month": txt.month(ts, lang),
                      "expected": txt.count(float(m) / ts.days_in_month, lang),
                      "p_in_force": txt.pct(100 * float(pin), lang),
                      "p_lifted": txt.pct(100 * float(pl), lang),
                      "p_activated": txt.pct(100 * float(pa), lang)}
                     for ts, m, pin, pl, pa in zip(
                         p.p_in_force.index, p.forecast["mean"], p.p_in_force,
                         p.p_lifted_by, p.p_activated_by, strict=True)],
            "command": command(rule.id, changes, project=True),
        }  # fmt: skip
    return out


@lru_cache(maxsize=16)
def _pathway(path: str, version: Stamp, pathway_id: str, lang: str) -> Any:
    from corridor.analysis.policy.pathway_config import load_pathway
    from corridor.analysis.policy.pathways import pathway_effect

    return pathway_effect(Store(path), load_pathway(pathway_id), lang=lang)


def pathway_section(store: Store, pathway_id: str | None, lang: str) -> dict[str, Any]:
    """A legal pathway's effect: sentences, caveats, method, chart of both groups (100 = before)."""
    from corridor.analysis.policy.pathway_config import pathways

    shipped = pathways()
    ids = [p.id for p in shipped]
    chosen = pathway_id or ids[0]
    if chosen not in ids:
        raise ConfigError(f"unknown pathway `{chosen}`; shipped: {', '.join(ids)}")
    out: dict[str, Any] = {"pathways": [{"id": p.id, "title": p.text(lang)} for p in shipped],
                           "id": chosen, "error": ""}  # fmt: skip
    try:
        effect = _pathway(str(store.path), _version(store), chosen, lang)
    except CorridorError as exc:  # e.g. no US data by nationality in this store
        out["error"] = str(exc)
        return out
    frame = effect.frame()
    idx = pd.DatetimeIndex(pd.to_datetime(frame["period"]))
    treated = pd.Series(frame["treated_index"].to_numpy(dtype="float64"), index=idx)
    control = pd.Series(frame["control_index"].to_numpy(dtype="float64"), index=idx)
    names = t("pathway_covered", lang), t("pathway_comparison", lang)
    out.update({
        "title": effect.pathway.text(lang), "source": effect.pathway.source,
        "statements": effect.statements(lang), "caveats": list(effect.caveats),
        "method": effect.method(lang),
        "chart": line_chart([Line(names[0], treated, COLOURS[1]),
                             Line(names[1], control, COLOURS[0])],
                            title=t("pathway_chart", lang, title=effect.pathway.text(lang)),
                            lang=lang),
        "command": shlex.join(["corridor", "policy", "pathway", chosen, "--lang", lang]),
    })  # fmt: skip
    return out


def report_sections(store: Store, lang: str) -> list[dict[str, Any]]:
    """Each shipped rule and pathway on the store's data, for the HTML report (those without
    data are left out)."""
    out = []
    for rule in shipped_rules():
        try:
            mt = _evaluated(str(store.path), _version(store), rule.id, ())
        except CorridorError:  # e.g. the store has no Border Patrol series
            continue
        out.append({"title": title(rule, lang), "source": rule.source,
                    "statements": monthly_statements(mt, lang), "chart": _chart(mt, rule, lang),
                    "command": command(rule.id, {}), "caveats": [], "method": ""})  # fmt: skip
    from corridor.analysis.policy.pathway_config import pathways

    for p in pathways():
        pw = pathway_section(store, p.id, lang)
        if not pw["error"]:
            out.append({key: pw[key] for key in ("title", "source", "statements", "chart",
                                                 "command", "caveats", "method")})  # fmt: skip
    return out


def command(rule_id: str, changes: Mapping[str, str], *, project: bool = False) -> str:
    """The CLI call that reproduces the page's scenario."""
    verb = "project" if project else "evaluate"
    parts = ["corridor", "policy", verb, rule_id]
    for key, value in sorted(changes.items()):
        parts += ["--set", f"{key}={value}"]
    if project:
        parts += ["--months", str(PROJECTION_MONTHS)]
    parts += ["--paths", str(PAGE_PATHS)]
    return shlex.join(parts)


def _change_row(c: Transition, lang: str, share: float, lo: Any, hi: Any) -> dict[str, str]:
    return {"date": day(c.date, lang), "state": t(f"policy_{c.state}", lang),
            "determined": day(c.determined, lang), "value": txt.count(c.value, lang),
            "share": txt.pct(100 * share, lang),
            "range": f"{day(lo, lang)} – {day(hi, lang)}" if lo and hi else "–"}  # fmt: skip


def _chart(mt: MonthlyTimeline, rule: PolicyRule, lang: str) -> str:
    """The daily average the rule reads, both thresholds, the periods in force shaded."""
    daily = mt.central.daily
    shown = daily[daily["state"] != ""]
    if shown.empty:
        return ""
    avg = shown["avg_lift"]
    lines = [Line(t("policy_avg", lang, days=rule.lift.window_days), avg, COLOURS[0]),
             Line(t("policy_on", lang), pd.Series(rule.activate.threshold, index=avg.index),
                  COLOURS[3], dashed=True),
             Line(t("policy_off", lang), pd.Series(rule.lift.threshold, index=avg.index),
                  COLOURS[2], dashed=True)]  # fmt: skip
    top = max(float(avg.max()), rule.activate.threshold) * 1.05
    bands = []
    for start, end, state in mt.central.periods():
        if state == "in_force":
            span = pd.date_range(start, end, freq="D")
            bands.append(Band(pd.Series(0.0, index=span), pd.Series(top, index=span),
                              COLOURS[3], 0.08))  # fmt: skip
    return line_chart(lines, title=t("policy_chart", lang, rule=title(rule, lang)), lang=lang,
                      bands=bands)  # fmt: skip


def _odds_chart(mt: MonthlyTimeline, lang: str) -> str:
    p = (100 * mt.p_in_force.dropna()).rename("p")
    if p.empty:
        return ""
    return line_chart([Line(t("policy_p_in_force", lang), p, COLOURS[3])],
                      title=t("policy_odds_title", lang), lang=lang, height=160)  # fmt: skip

"""Alert messages in English and Spanish from a rule's templates and a finding's values.

Kinds report values (numbers, months, word keys such as ``rose``); the words
and number formats of each language come from ``trend_text`` so an alert reads
like the trend sentences beside it on the same page.
"""

from __future__ import annotations

import pandas as pd

from corridor.analysis import trend_text as txt
from corridor.analysis.alert_kinds import Finding, Pct
from corridor.analysis.alert_rules import Rule
from corridor.analysis.series import Checkpoint

#: languages every alert is written in (one stored message per language)
ALERT_LANGS: tuple[str, ...] = ("en", "es")

_WORDS = {
    "en": {"above": "above", "below": "below", "rose": "rose", "fell": "fell",
           "mom": "month-on-month", "yoy": "year-on-year"},
    "es": {"above": "por encima de", "below": "por debajo de", "rose": "subió",
           "fell": "bajó", "mom": "mensual", "yoy": "interanual"},
}  # fmt: skip


def value_text(value: object, lang: str) -> str:
    """One field value as text in ``lang``."""
    if isinstance(value, Pct):
        text = f"{value.value:+.1f}" if value.signed else f"{value.value:.1f}"
        return text.replace(".", ",") if lang == "es" else text
    if isinstance(value, pd.Timestamp):
        return txt.month(value, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return txt.count(float(value), lang)
        text = f"{value:,.1f}"
        return text.replace(",", " ").replace(".", ",") if lang == "es" else text
    if isinstance(value, str):
        return _WORDS[lang].get(value, value)
    return str(value)


def messages(rule: Rule, cp: Checkpoint, finding: Finding) -> dict[str, str]:
    """The alert's message in every language of ``ALERT_LANGS``."""
    out = {}
    nat = finding.nat or rule.nat
    for lang in ALERT_LANGS:
        label = cp.label_es if lang == "es" else cp.label
        fields = {
            "rule": rule.id, "checkpoint": cp.id, "label": label, "nat": nat or "",
            "series": txt.subject(label, nat, lang),
            "month": txt.month(finding.period, lang), "value": value_text(finding.value, lang),
            "severity": rule.severity,
            **{k: value_text(v, lang) for k, v in finding.fields.items()},
        }  # fmt: skip
        template = rule.message_es if lang == "es" and rule.message_es else rule.message
        out[lang] = template.format(**fields)
    return out

"""Alert rules: declared in TOML, validated strictly, loaded with their file's name.

A rules file holds ``[[rule]]`` tables. Every rule has an ``id``, a ``kind``,
a ``checkpoint`` (an id of ``analysis.series.CHECKPOINTS``), a ``severity`` and
optionally a ``nat`` and a ``message`` template; the other keys depend on the
kind (see ``KIND_KEYS``). A mistake names the file, the rule and the key, with
the nearest valid key, because a rule that silently never fires is worse than
one that refuses to load.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corridor.analysis.series import CHECKPOINTS
from corridor.config import read_toml
from corridor.errors import ConfigError

ENV_RULES = "CORRIDOR_RULES"
DEFAULT_RULES = Path(__file__).resolve().parent / "rules" / "default.toml"
SEVERITIES = ("info", "warning", "critical")
KINDS = ("threshold", "percent_change", "forecast_exceeded", "new_nationality")
_COMMON = ("id", "kind", "checkpoint", "nat", "severity", "message", "message_es")
#: kind -> its own keys with their types (int is accepted where float is expected)
KIND_KEYS: dict[str, dict[str, type]] = {
    "threshold": {"above": float, "below": float},
    "percent_change": {"change": str, "beyond": float, "direction": str, "min_base": float},
    "forecast_exceeded": {"level": int, "min_history": int},
    "new_nationality": {
        "window": int,
        "small": float,
        "exceeds": float,
        "share_points": float,
        "min_count": float,
    },
}
#: fields a message template may use, per kind (all values are preformatted text)
#: ``series`` is the label with the nationality when the rule names one
FIELDS_COMMON = ("rule", "checkpoint", "label", "series", "nat", "month", "value", "severity")
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "threshold": ("threshold", "direction"),
    "percent_change": ("pct", "signed_pct", "base", "base_month", "direction", "change"),
    "forecast_exceeded": ("level", "lo", "hi", "mean", "model"),
    "new_nationality": ("prior_max", "share", "prior_share", "points"),
}
DEFAULT_MESSAGES = {
    "threshold": "{series}: {value} in {month}, {direction} {threshold}",
    "percent_change": "{series}: {direction} {pct}% in {month} ({base} to {value})",
    "forecast_exceeded": "{series}: {value} in {month}, above the {level}% forecast bound {hi}",
    "new_nationality": "{label}: {nat} at {value} in {month} (at most {prior_max} before; "
    "share {prior_share}% to {share}%)",
}
#: the same in Spanish, for ``message_es`` (pages in ``?lang=es``); the fields
#: come localised too (``diciembre de 2023``, ``249 740``, ``subió``)
DEFAULT_MESSAGES_ES = {
    "threshold": "{series}: {value} en {month}, {direction} {threshold}",
    "percent_change": "{series}: {direction} un {pct} % en {month} ({base} a {value})",
    "forecast_exceeded": "{series}: {value} en {month}, por encima del límite {hi} del "
    "pronóstico al {level} %",
    "new_nationality": "{label}: {nat} con {value} en {month} (como mucho {prior_max} antes; "
    "proporción del {prior_share} % al {share} %)",
}


@dataclass(frozen=True)
class Rule:
    """One alert rule; ``params`` holds the kind's own keys."""

    id: str
    kind: str
    checkpoint: str
    severity: str
    message: str
    nat: str | None = None
    params: Mapping[str, float | int | str] = field(default_factory=dict)
    file: str = ""
    #: the Spanish template (``message_es``); the kind's default when the file has none
    message_es: str = ""

    def get(self, key: str, default: float | int | str | None = None) -> float | int | str | None:
        return self.params.get(key, default)

    def number(self, key: str, default: float) -> float:
        """A numeric parameter (its type was checked on loading) as a float."""
        return float(self.params.get(key, default))

    def integer(self, key: str, default: int) -> int:
        """An integer parameter (its type was checked on loading)."""
        return int(self.params.get(key, default))


def load_rules(path: str | os.PathLike[str]) -> list[Rule]:
    """Read and validate the rules in a TOML file.

    Raises:
        ConfigError: the file is unreadable, not TOML, or a rule is not valid
            (the message names the file, the rule and the key).
    """
    path = Path(path)
    data = read_toml(path, "rules file")
    _unknown(set(data), ("rule",), f"{path.name}")
    raw = data.get("rule", [])
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise ConfigError(f"{path.name}: `rule` must be a list of tables ([[rule]])")
    rules = [_rule(r, path.name, i) for i, r in enumerate(raw, start=1)]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ConfigError(f"{path.name}: rule id `{rule.id}` appears twice")
        seen.add(rule.id)
    return rules


def rules_for(path: str | os.PathLike[str] | None = None) -> list[Rule]:
    """The shipped rules, plus the user's (``path`` or ``$CORRIDOR_RULES``).

    A user rule with a shipped rule's id replaces it.
    """
    rules = {r.id: r for r in load_rules(DEFAULT_RULES)}
    user = path if path is not None else os.environ.get(ENV_RULES) or None
    if user is not None:
        rules.update({r.id: r for r in load_rules(user)})
    return list(rules.values())


def _rule(raw: Mapping[str, object], file: str, index: int) -> Rule:
    where = f"{file}: rule {index}"
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise ConfigError(f"{where}: `id` is required (a non-empty string)")
    where = f"{file}: rule `{rid}`"
    kind = _text(raw, "kind", where, KINDS)
    _unknown(set(raw), (*_COMMON, *KIND_KEYS[kind]), where)
    cp = _text(raw, "checkpoint", where, tuple(c.id for c in CHECKPOINTS))
    severity = _text(raw, "severity", where, SEVERITIES)
    nat = raw.get("nat")
    if nat is not None and (not isinstance(nat, str) or len(nat) != 3 or not nat.isalpha()):
        raise ConfigError(f"{where}: `nat` must be an ISO3 code such as `VEN`, not `{nat}`")
    if nat is not None and kind == "new_nationality":
        raise ConfigError(f"{where}: a new_nationality rule finds nationalities; drop `nat`")
    params = {k: _typed(raw[k], t, k, where) for k, t in KIND_KEYS[kind].items() if k in raw}
    _check_kind(kind, params, where)
    templates = []
    for key, default in (("message", DEFAULT_MESSAGES), ("message_es", DEFAULT_MESSAGES_ES)):
        template = raw.get(key, default[kind])
        if not isinstance(template, str):
            raise ConfigError(f"{where}: `{key}` must be a string")
        _check_template(template, kind, where, key)
        templates.append(template)
    message, message_es = templates
    return Rule(rid, kind, cp, severity, message, nat.upper() if nat else None, params, file,
                message_es)  # fmt: skip


def _check_kind(kind: str, p: Mapping[str, float | int | str], where: str) -> None:
    def need(cond: bool, msg: str) -> None:
        if not cond:
            raise ConfigError(f"{where}: {msg}")

    if kind == "threshold":
        need("above" in p or "below" in p, "a threshold rule needs `above` or `below`")
    elif kind == "percent_change":
        need(p.get("change") in ("mom", "yoy"), "`change` must be `mom` or `yoy`")
        need(float(p.get("beyond", -1)) > 0, "`beyond` (percent, > 0) is required")
        need(p.get("direction", "both") in ("up", "down", "both"),
             "`direction` must be `up`, `down` or `both`")  # fmt: skip
        need(float(p.get("min_base", 0)) >= 0, "`min_base` must be >= 0")
    elif kind == "forecast_exceeded":
        need(p.get("level", 95) in (80, 95), "`level` must be 80 or 95")
        need(int(p.get("min_history", 24)) >= 3, "`min_history` must be at least 3 months")
    else:
        need("exceeds" in p or "share_points" in p,
             "a new_nationality rule needs `exceeds` or `share_points`")  # fmt: skip
        need(int(p.get("window", 6)) >= 1, "`window` must be at least 1 month")


def _check_template(message: str, kind: str, where: str, key: str = "message") -> None:
    names = (*FIELDS_COMMON, *KIND_FIELDS[kind])
    try:
        message.format(**dict.fromkeys(names, ""))
    except KeyError as exc:
        bad = str(exc.args[0])
        raise ConfigError(
            f"{where}: `{key}` uses unknown field `{{{bad}}}`{_suggest(bad, names)}; "
            f"fields: {', '.join(names)}"
        ) from None
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"{where}: `{key}` is not a valid template: {exc}") from None


def _text(raw: Mapping[str, object], key: str, where: str, valid: Sequence[str]) -> str:
    value = raw.get(key)
    if value is None:
        raise ConfigError(f"{where}: `{key}` is required; use one of: {', '.join(valid)}")
    if value not in valid:
        raise ConfigError(
            f"{where}: unknown {key} `{value}`{_suggest(str(value), valid)}; "
            f"use one of: {', '.join(valid)}"
        )
    return str(value)


def _typed(value: object, typ: type, key: str, where: str) -> float | int | str:
    if typ is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if typ is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if typ is str and isinstance(value, str):
        return value
    kind = {float: "a number", int: "an integer", str: "a string"}[typ]
    raise ConfigError(f"{where}: `{key}` must be {kind}, not `{value!r}`")


def _unknown(keys: set[str], valid: Sequence[str], where: str) -> None:
    for key in sorted(keys - set(valid)):
        raise ConfigError(f"{where}: unknown key `{key}`{_suggest(key, valid)}")


def _suggest(word: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(valid), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


__all__ = ["DEFAULT_RULES", "ENV_RULES", "KINDS", "SEVERITIES", "Rule", "load_rules", "rules_for"]

"""Threshold rules with rolling windows and hysteresis, declared in TOML files.

A rule reads one daily series (its ``[series]``: a checkpoint id of
``analysis.series`` or filters of ``Store.flows``) and switches between two
states, ``in_force`` and ``lifted``:

* ``[activate]``: while lifted, the rule comes into force once the
  ``window_days`` rolling average satisfies ``op threshold`` on
  ``consecutive_days`` days in a row, ``delay_days`` after that determination;
* ``[lift]``: the same, the other way.

Two thresholds (e.g. on at 2,500, off below 1,500) give hysteresis; days in a
row and delays give the "28 consecutive days" and "14 days after the
determination" of real proclamations. ``effective_from`` starts the rule in
``initial_state``; ``effective_to`` (optional) ends it. Mistakes name the file
and the key.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from corridor.analysis.series import Checkpoint, checkpoint
from corridor.config import read_toml
from corridor.errors import ConfigError, CorridorError

RULES_DIR = Path(__file__).resolve().parent / "rules"
STATES = ("in_force", "lifted")
OPS = (">=", ">", "<", "<=")
_TOP = ("id", "title", "title_es", "source", "effective_from", "effective_to", "initial_state",
        "notes", "series", "activate", "lift")  # fmt: skip
_CONDITION = ("window_days", "op", "threshold", "consecutive_days", "delay_days")
#: filters a ``[series]`` table may hold besides ``checkpoint`` (those of Store.flows)
SERIES_FILTERS = ("geo", "agency", "event", "nat", "area", "authority", "sex", "age", "family",
                  "unit", "source")  # fmt: skip


@dataclass(frozen=True)
class Condition:
    """``op threshold`` on the ``window_days`` rolling average, ``consecutive_days`` in a row."""

    window_days: int
    op: str
    threshold: float
    consecutive_days: int = 1
    delay_days: int = 0

    def holds(self, average: float) -> bool:
        """Whether one day's rolling average meets the condition (NaN never does)."""
        if average != average:  # NaN: the window is not fully covered
            return False
        t = self.threshold
        return {">=": average >= t, ">": average > t, "<": average < t, "<=": average <= t}[self.op]

    def describe(self) -> str:
        days = f" on {self.consecutive_days} consecutive days" if self.consecutive_days > 1 else ""
        delay = f", {self.delay_days} days after the determination" if self.delay_days else ""
        return f"{self.window_days}-day average {self.op} {self.threshold:,.0f}{days}{delay}"


@dataclass(frozen=True)
class SeriesDef:
    """The series a rule reads: a checkpoint, or ``Store.flows`` filters."""

    checkpoint: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)

    def as_checkpoint(self) -> Checkpoint:
        """The series as a Checkpoint (an ad-hoc one for plain filters)."""
        if self.checkpoint:
            return checkpoint(self.checkpoint, variants=True)
        label = ", ".join(f"{k}={v}" for k, v in sorted(self.filters.items()))
        return Checkpoint("custom", label, label, dict(self.filters), unit="events")


@dataclass(frozen=True)
class PolicyRule:
    id: str
    title: str
    source: str
    effective_from: date
    initial_state: str
    series: SeriesDef
    activate: Condition
    lift: Condition
    effective_to: date | None = None
    title_es: str = ""
    notes: str = ""
    file: str = ""

    def condition(self, state: str) -> Condition:
        """The condition that moves the rule out of ``state``."""
        return self.lift if state == "in_force" else self.activate

    def with_changes(self, changes: Mapping[str, str]) -> PolicyRule:
        """A what-if variant: ``{"lift.threshold": "1800", "effective_to": ""}``.

        Keys are ``section.key`` for the conditions, or top-level dates and
        ``initial_state``; values are text as typed on a command line and are
        validated as in a file.
        """
        rule = self
        for key, text in changes.items():
            where = f"--set {key}={text}"
            section, _, name = key.partition(".")
            if section in ("activate", "lift") and name in _CONDITION:
                cond = getattr(rule, section)
                raw = {k: getattr(cond, k) for k in _CONDITION}
                raw[name] = text if name == "op" else _number(text, where)
                cond = _condition(raw, where)
                rule = (
                    replace(rule, activate=cond)
                    if section == "activate"
                    else replace(rule, lift=cond)
                )
            elif key in ("effective_from", "effective_to"):
                value = _date_text(text, where) if text else None
                if key == "effective_to":
                    rule = replace(rule, effective_to=value)
                elif value is None:
                    raise ConfigError(f"{where}: effective_from cannot be empty")
                else:
                    rule = replace(rule, effective_from=value)
            elif key == "initial_state":
                rule = replace(rule, initial_state=_choice(text, STATES, "initial_state", where))
            else:
                valid = [f"{s}.{k}" for s in ("activate", "lift") for k in _CONDITION]
                valid += ["effective_from", "effective_to", "initial_state"]
                raise ConfigError(f"{where}: unknown setting `{key}`{_suggest(key, valid)}; "
                                  f"use one of: {', '.join(valid)}")  # fmt: skip
        _check(rule, "what-if")
        return rule


def load_rule(name_or_path: str | Path, *, files: bool = True) -> PolicyRule:
    """A shipped rule by id, or (when ``files``) a rule file by path.

    The API passes ``files=False``: a request must never make the server read
    a path of the client's choosing.
    """
    path = Path(name_or_path)
    if not files or not path.suffix:
        for rule in shipped_rules():
            if rule.id == str(name_or_path):
                return rule
        ids = [r.id for r in shipped_rules()]
        raise ConfigError(f"unknown policy rule `{name_or_path}`{_suggest(str(name_or_path), ids)};"
                          f" shipped: {', '.join(ids)} (or give a .toml file)")  # fmt: skip
    return _load_file(path)


def shipped_rules() -> list[PolicyRule]:
    """The rules that come with corridor, in file-name order."""
    return [_load_file(p) for p in sorted(RULES_DIR.glob("*.toml"))]


def _load_file(path: Path) -> PolicyRule:
    raw = read_toml(path, "rule file")
    return _rule(raw, path.name)


def _rule(raw: Mapping[str, object], file: str) -> PolicyRule:
    _unknown(set(raw), _TOP, file)
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise ConfigError(f"{file}: `id` is required (a non-empty string)")
    where = f"{file}: rule `{rid}`"
    texts = {}
    for key in ("title", "source", "title_es", "notes"):
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise ConfigError(f"{where}: `{key}` must be a string")
        texts[key] = value.strip()
    for key in ("title", "source"):
        if not texts[key]:
            raise ConfigError(f"{where}: `{key}` is required (say what the rule is and where "
                              "it is published)")  # fmt: skip
    start = _date(raw.get("effective_from"), "effective_from", where, required=True)
    assert start is not None
    end = _date(raw.get("effective_to"), "effective_to", where, required=False)
    state = _choice(raw.get("initial_state", "lifted"), STATES, "initial_state", where)
    rule = PolicyRule(
        id=rid, title=texts["title"], source=texts["source"], effective_from=start,
        initial_state=state, series=_series(raw.get("series"), where),
        activate=_condition(_table(raw, "activate", where), f"{where}: [activate]"),
        lift=_condition(_table(raw, "lift", where), f"{where}: [lift]"),
        effective_to=end, title_es=texts["title_es"], notes=texts["notes"], file=file,
    )  # fmt: skip
    _check(rule, where)
    return rule


def _check(rule: PolicyRule, where: str) -> None:
    """What only the whole rule can tell: directions, threshold order, dates."""
    if rule.activate.op in ("<", "<=") or rule.lift.op in (">", ">="):
        raise ConfigError(f"{where}: [activate] needs `>=` or `>` and [lift] `<` or `<=` "
                          "(a rule comes into force when numbers are high)")  # fmt: skip
    if rule.lift.threshold > rule.activate.threshold:
        raise ConfigError(f"{where}: the lift threshold ({rule.lift.threshold:,.0f}) is above "
                          f"the activation threshold ({rule.activate.threshold:,.0f})")  # fmt: skip
    if rule.effective_to is not None and rule.effective_to < rule.effective_from:
        raise ConfigError(f"{where}: effective_to ({rule.effective_to}) is before "
                          f"effective_from ({rule.effective_from})")  # fmt: skip


def _series(raw: object, where: str) -> SeriesDef:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: a [series] table is required (`checkpoint = \"...\"` or "
                          f"filters: {', '.join(SERIES_FILTERS)})")  # fmt: skip
    _unknown(set(raw), ("checkpoint", *SERIES_FILTERS), f"{where}: [series]")
    filters = {}
    for key in SERIES_FILTERS:
        if key in raw:
            value = raw[key]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = ",".join(value)
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where}: [series] `{key}` must be a string or a list of them")
            filters[key] = value
    cp = raw.get("checkpoint")
    if cp is not None:
        if filters:
            raise ConfigError(f"{where}: [series] takes `checkpoint` or filters, not both")
        try:
            checkpoint(str(cp), variants=True)
        except CorridorError as exc:
            raise ConfigError(f"{where}: [series] {exc}") from None
        return SeriesDef(checkpoint=str(cp))
    if "geo" not in filters:
        raise ConfigError(f"{where}: [series] needs `checkpoint` or at least `geo`")
    return SeriesDef(filters=filters)


def _table(raw: Mapping[str, object], key: str, where: str) -> dict[str, object]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: an [{key}] table is required "
                          f"({', '.join(_CONDITION)})")  # fmt: skip
    return value


def _condition(raw: Mapping[str, object], where: str) -> Condition:
    _unknown(set(raw), _CONDITION, where)
    op = _choice(raw.get("op"), OPS, "op", where)
    values = {}
    for key, minimum, default in (("window_days", 1, None), ("consecutive_days", 1, 1),
                                  ("delay_days", 0, 0)):  # fmt: skip
        value = raw.get(key, default)
        if value is None:
            raise ConfigError(f"{where}: `{key}` is required (whole days)")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise ConfigError(f"{where}: `{key}` must be a whole number >= {minimum}, "
                              f"not `{value}`")  # fmt: skip
        values[key] = value
    threshold = raw.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or threshold < 0:
        raise ConfigError(f"{where}: `threshold` must be a number >= 0, not `{threshold}`")
    return Condition(values["window_days"], op, float(threshold), values["consecutive_days"],
                     values["delay_days"])  # fmt: skip


def _date(value: object, key: str, where: str, *, required: bool) -> date | None:
    if value is None:
        if required:
            raise ConfigError(f"{where}: `{key}` is required (a date, e.g. 2024-06-05)")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _date_text(value, f"{where}: `{key}`")
    raise ConfigError(f"{where}: `{key}` must be a date such as 2024-06-05, not `{value}`")


def _date_text(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{where}: `{text}` is not a date (YYYY-MM-DD)") from None


def _number(text: str, where: str) -> float:
    try:
        return float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise ConfigError(f"{where}: `{text}` is not a number") from None


def _choice(value: object, valid: Sequence[str], key: str, where: str) -> str:
    if value not in valid:
        raise ConfigError(f"{where}: `{key}` must be one of {', '.join(valid)}, not "
                          f"`{value}`{_suggest(str(value), valid)}")  # fmt: skip
    return str(value)


def _unknown(keys: set[str], valid: Sequence[str], where: str) -> None:
    for key in sorted(keys - set(valid)):
        raise ConfigError(f"{where}: unknown key `{key}`{_suggest(key, valid)}")


def _suggest(word: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(valid), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""

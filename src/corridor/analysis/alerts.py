"""Alerts: rules evaluated on the checkpoint series and kept in the store.

``evaluate`` reads the store (read-only) and returns what fired; ``save``
writes the alerts through a short write connection, one row per (rule,
checkpoint, nat, period), so evaluating twice changes nothing but
``evaluated_at``. Evaluation runs after an ingest has committed: a rule that
fails can never undo the data.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from corridor.analysis import alert_kinds as kinds
from corridor.analysis.alert_rules import Rule, load_rules, rules_for
from corridor.analysis.alert_text import messages
from corridor.analysis.series import by_nationality, checkpoint, monthly
from corridor.canonical.schema import expand_event
from corridor.errors import ConfigError, CorridorError, StoreError
from corridor.store import Store
from corridor.store.query import parse_month

_DDL = """CREATE TABLE IF NOT EXISTS alerts (
    rule VARCHAR NOT NULL, checkpoint VARCHAR NOT NULL, nat VARCHAR NOT NULL,
    period DATE NOT NULL, value DOUBLE NOT NULL, threshold DOUBLE, lo DOUBLE, hi DOUBLE,
    message VARCHAR NOT NULL, severity VARCHAR NOT NULL, evaluated_at TIMESTAMP NOT NULL,
    releases VARCHAR[] NOT NULL, message_es VARCHAR,
    PRIMARY KEY (rule, checkpoint, nat, period))"""
#: stores from before Spanish messages lack the column; writing adds it
_MIGRATE = "ALTER TABLE alerts ADD COLUMN IF NOT EXISTS message_es VARCHAR"
COLUMNS = ("rule", "checkpoint", "nat", "period", "value", "threshold", "lo", "hi",
           "message", "severity", "evaluated_at", "releases", "message_es")  # fmt: skip


@dataclass(frozen=True)
class Alert:
    """One rule that fired for one series in one month."""

    rule: str
    checkpoint: str
    nat: str | None
    period: date
    value: float
    threshold: float | None
    lo: float | None
    hi: float | None
    message: str
    severity: str
    evaluated_at: datetime
    releases: tuple[str, ...]
    #: the message in Spanish (``message`` is English)
    message_es: str = ""


def evaluate(
    store: Store,
    rules: Sequence[Rule],
    *,
    since: str | date | None = None,
    forecaster: kinds.Forecaster | None = None,
    errors: list[str] | None = None,
) -> list[Alert]:
    """The alerts ``rules`` raise on the store's data.

    Args:
        store: the store to read.
        rules: from ``load_rules`` / ``rules_for``.
        since: evaluate every month from this one; default only each series' latest month.
        forecaster: ``forecast(series, horizon, levels=...)`` for forecast rules;
            default ``corridor.analysis.forecast.forecast``.
        errors: when given, a rule that fails adds one line here and the others
            still run (the ingest path); otherwise the error is raised.
    """
    start = parse_month(since) if isinstance(since, str) else since
    now = datetime.now().replace(microsecond=0)
    out: list[Alert] = []
    for rule in rules:
        try:
            out.extend(_evaluate_rule(store, rule, start, forecaster, now))
        except (CorridorError, ImportError) as exc:
            if errors is None:
                raise
            errors.append(f"rule `{rule.id}`: {exc}")
    return out


def _evaluate_rule(
    store: Store,
    rule: Rule,
    start: date | None,
    forecaster: kinds.Forecaster | None,
    now: datetime,
) -> list[Alert]:
    cp = checkpoint(rule.checkpoint)
    if rule.kind == "new_nationality":
        wide = by_nationality(store, cp)
        if wide.empty:
            return []
        found = kinds.new_nationality(rule, wide, _months(wide.dropna(how="all").index, start))
    else:
        s = monthly(store, cp, nat=rule.nat)
        months = _months(s.dropna().index, start)
        if rule.kind == "threshold":
            found = kinds.threshold(rule, s, months)
        elif rule.kind == "percent_change":
            found = kinds.percent_change(rule, s, months)
        else:
            found = kinds.forecast_exceeded(rule, s, months, forecaster or _default_forecaster())
    alerts = []
    for f in found:
        nat = f.nat or rule.nat
        text = messages(rule, cp, f)
        alerts.append(Alert(
            rule.id, cp.id, nat, f.period.date(), f.value, f.threshold, f.lo, f.hi,
            text["en"], rule.severity, now,
            _releases(store, cp.filters, nat, f.period.date()), text["es"],
        ))  # fmt: skip
    return alerts


def _months(index: pd.Index, start: date | None) -> list[pd.Timestamp]:
    if len(index) == 0:
        return []
    if start is None:
        return [index.max()]
    return [t for t in index if t >= pd.Timestamp(start)]


def _default_forecaster() -> kinds.Forecaster:
    try:
        module = importlib.import_module("corridor.analysis.forecast")
    except ImportError as exc:
        raise ConfigError(
            f"forecast rules need corridor.analysis.forecast ({exc}); "
            "install the extra: pip install 'corridor[forecast]'"
        ) from exc
    fn: kinds.Forecaster = module.forecast
    return fn


def _releases(
    store: Store, filters: Mapping[str, str], nat: str | None, period: date
) -> tuple[str, ...]:
    """The releases whose rows make up the series in that month (after overlap selection)."""
    flt = dict(filters)
    if nat:
        flt["nat"] = nat
    used = store.flows(**flt, start=period, end=period, by=["source"])  # type: ignore[arg-type]
    if used.empty:
        return ()
    # the series' own filters too: a source's release may hold other areas or events
    # of the same month (a CBP file of the northern border alone)
    where: list[str] = ["period = ?"]
    params: list[object] = [period]
    sources = tuple(str(s) for s in used["source"])
    for col, values in [*((c, expand_event(v) if c == "event" else (v,)) for c, v in flt.items()),
                        ("source", sources)]:  # fmt: skip
        where.append(f"{col} IN ({', '.join('?' for _ in values)})")  # columns: ours, not input
        params.extend(values)
    df = store.sql(
        f"SELECT DISTINCT release_id FROM flows WHERE {' AND '.join(where)} ORDER BY 1", params
    )
    return tuple(df["release_id"])


def save(store: Store, alerts: Sequence[Alert]) -> list[Alert]:
    """Store ``alerts`` (replacing the same rule, checkpoint, nat and period); return the new ones.

    Opens the store for writing only for this, after any ingest has committed.
    """
    if not store.path.exists():
        raise StoreError(f"no store at {store.path}: run `corridor ingest FILE...` first")
    try:
        con = duckdb.connect(str(store.path))
    except duckdb.Error as exc:
        raise StoreError(f"{store.path}: cannot open the store for writing: {exc}") from exc
    try:
        con.execute(_DDL)
        con.execute(_MIGRATE)
        keys = con.execute("SELECT rule, checkpoint, nat, period FROM alerts").fetchall()
        known = {tuple(k) for k in keys}
        rows = [(*_key(a), a.value, a.threshold, a.lo, a.hi, a.message, a.severity,
                 a.evaluated_at, list(a.releases), a.message_es) for a in alerts]  # fmt: skip
        if not rows:  # DuckDB's executemany refuses an empty list
            return []
        con.execute("BEGIN TRANSACTION")
        con.executemany(
            "DELETE FROM alerts WHERE rule = ? AND checkpoint = ? AND nat = ? AND period = ?",
            [_key(a) for a in alerts],
        )
        con.executemany(
            f"INSERT INTO alerts ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})",
            rows,
        )
        con.execute("COMMIT")
    except duckdb.Error as exc:
        raise StoreError(f"{store.path}: storing alerts failed: {exc}") from exc
    finally:
        con.close()
    return [a for a in alerts if _key(a) not in known]


def _key(a: Alert) -> tuple[str, str, str, date]:
    return (a.rule, a.checkpoint, a.nat or "", a.period)


def list_alerts(
    store: Store,
    *,
    since: str | date | None = None,
    rule: str | None = None,
    checkpoint: str | None = None,
    severity: str | None = None,
) -> pd.DataFrame:
    """Stored alerts, newest month first (an empty frame when none were evaluated yet)."""
    start = parse_month(since) if isinstance(since, str) else since  # checked even when empty
    con = store.connect()
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "alerts" not in tables:
            return pd.DataFrame(columns=list(COLUMNS))
        where, params = ["1 = 1"], []
        for col, value in (("period >=", start), ("rule =", rule),
                           ("checkpoint =", checkpoint), ("severity =", severity)):  # fmt: skip
            if value is not None:
                where.append(f"{col} ?")
                params.append(value)
        have = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'alerts'"
            ).fetchall()
        }
        cols = [c if c in have else f"NULL AS {c}" for c in COLUMNS]  # an older store
        return con.execute(
            f"SELECT {', '.join(cols)} FROM alerts WHERE {' AND '.join(where)} "
            "ORDER BY period DESC, severity, rule, checkpoint, nat",
            params,
        ).df()
    finally:
        con.close()


def after_ingest(store: Store, rules_path: str | None = None) -> tuple[list[Alert], list[str]]:
    """Evaluate the rules after an ingest and store the result: (new alerts, problems).

    Never raises a corridor error: the ingest has already succeeded, and a
    broken rule or a locked store must not read as a failed ingest.
    """
    problems: list[str] = []
    try:
        alerts = evaluate(store, rules_for(rules_path), errors=problems)
        return save(store, alerts), problems
    except CorridorError as exc:
        return [], [*problems, str(exc)]


def as_frame(alerts: Sequence[Alert]) -> pd.DataFrame:
    """Alerts as rows with the same columns as ``list_alerts``."""
    df = pd.DataFrame([asdict(a) for a in alerts], columns=list(COLUMNS))
    df["nat"] = df["nat"].fillna("")
    return df


__all__ = ["Alert", "after_ingest", "as_frame", "evaluate", "list_alerts", "load_rules",
           "rules_for", "save"]  # fmt: skip

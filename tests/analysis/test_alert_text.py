"""Alert messages in English and Spanish: field formats, templates, storage, pages and CLI."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.analysis.alert_kinds import Finding, Pct
from corridor.analysis.alert_rules import DEFAULT_RULES, Rule, load_rules
from corridor.analysis.alert_text import messages, value_text
from corridor.analysis.alerts import evaluate, list_alerts, save
from corridor.analysis.series import checkpoint
from corridor.cli.main import app
from corridor.store import Store, ingest
from corridor.web import views
from tests.analysis.test_alerts import _honduras


@pytest.mark.parametrize(
    ("value", "en", "es"),
    [
        (249740.0, "249,740", "249 740"),
        (1234.5, "1,234.5", "1 234,5"),
        (Pct(50.34), "50.3", "50,3"),
        (Pct(-4.25, signed=True), "-4.2", "-4,2"),
        (pd.Timestamp("2023-12-01"), "December 2023", "diciembre de 2023"),
        ("rose", "rose", "subió"),
        ("below", "below", "por debajo de"),
        ("corridor", "corridor", "corridor"),  # not a word key: kept as is
    ],
)
def test_values_in_each_language(value: object, en: str, es: str) -> None:
    assert (value_text(value, "en"), value_text(value, "es")) == (en, es)


def test_shipped_percent_change_message_in_both_languages() -> None:
    rule = next(r for r in load_rules(DEFAULT_RULES) if r.id == "us-southwest-mom")
    finding = Finding(pd.Timestamp("2024-01-01"), 176195.0, -30.0, fields={
        "pct": Pct(41.66), "signed_pct": Pct(-41.66, signed=True), "base": 301981.0,
        "base_month": pd.Timestamp("2023-12-01"), "direction": "fell", "change": "mom",
    })  # fmt: skip
    text = messages(rule, checkpoint("us_southwest"), finding)
    assert text["en"] == (
        "US southwest border (CBP encounters) fell 41.7% from December 2023 to January 2024 "
        "(301,981 to 176,195)"
    )
    assert text["es"] == (
        "Frontera suroeste de EE. UU. (encuentros CBP): bajó un 41,7 % de diciembre de 2023 "
        "a enero de 2024 (301 981 a 176 195)"
    )


def test_rule_without_spanish_template_uses_its_own_with_spanish_fields() -> None:
    rule = Rule("r", "threshold", "honduras", "info", "{label} {month} {value}")
    text = messages(rule, checkpoint("honduras"), Finding(pd.Timestamp("2025-06-01"), 2900.0))
    assert text == {"en": "Honduras (irregular arrivals) June 2025 2,900",
                    "es": "Honduras (ingresos irregulares) junio de 2025 2 900"}  # fmt: skip


def test_spanish_is_stored_listed_shown_and_printed(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    ingest(db, [_honduras(tmp_path)])
    store = Store(db)
    rule = Rule("r", "threshold", "honduras", "warning", "{series}: {value} in {month}",
                params={"above": 2000}, message_es="{series}: {value} en {month}")  # fmt: skip
    save(store, evaluate(store, [rule]))
    (row,) = list_alerts(store).to_dict("records")
    assert row["message"] == "Honduras (irregular arrivals): 2,900 in June 2025"
    assert row["message_es"] == "Honduras (ingresos irregulares): 2 900 en junio de 2025"
    assert views.alerts(store, "es")[0]["message"] == row["message_es"]
    assert views.alerts(store, "es")[0]["english_only"] is False
    assert views.alerts(store, "en")[0]["message"] == row["message"]
    out = CliRunner().invoke(app, ["alerts", "--lang", "es", "--format", "csv", "--db", str(db)])
    assert out.exit_code == 0 and "2 900 en junio de 2025" in out.output
    bad = CliRunner().invoke(app, ["alerts", "--lang", "fr", "--db", str(db)])
    assert bad.exit_code != 0 and "unknown language `fr`" in str(bad.exception)


def test_store_from_before_spanish_messages_reads_and_migrates(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    ingest(db, [_honduras(tmp_path)])
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE alerts (rule VARCHAR NOT NULL, checkpoint VARCHAR NOT NULL, "
        "nat VARCHAR NOT NULL, period DATE NOT NULL, value DOUBLE NOT NULL, threshold DOUBLE, "
        "lo DOUBLE, hi DOUBLE, message VARCHAR NOT NULL, severity VARCHAR NOT NULL, "
        "evaluated_at TIMESTAMP NOT NULL, releases VARCHAR[] NOT NULL, "
        "PRIMARY KEY (rule, checkpoint, nat, period))"
    )
    con.execute("INSERT INTO alerts VALUES ('old', 'honduras', '', '2025-05-01', 1, NULL, NULL, "
                "NULL, 'old message', 'info', now()::TIMESTAMP, [])")  # fmt: skip
    con.close()
    store = Store(db)
    assert views.alerts(store, "es")[0]["message"] == "old message"  # English kept
    assert views.alerts(store, "es")[0]["english_only"] is True
    rule = Rule("r", "threshold", "honduras", "warning", "{value}", params={"above": 2000})
    save(store, evaluate(store, [rule]))
    got = list_alerts(store).set_index("rule")["message_es"].to_dict()
    assert got["r"] == "2 900" and pd.isna(got["old"])

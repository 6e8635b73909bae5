"""The Alembic migration builds exactly the models' schema, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from corridor.cases import audit
from corridor.cases.db import HEAD, Database, alembic_config, current_revision, migrate
from corridor.cases.models import Base
from corridor.cases.runtime import Cases
from tests.cases.conftest import _pg_database


def test_migrated_schema_matches_the_models(cases: Cases) -> None:
    assert current_revision(cases.db.engine) == HEAD
    with cases.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_at_head_changes_nothing(cases: Cases) -> None:
    migrate(cases.db.engine)  # already at head: nothing to do
    assert current_revision(cases.db.engine) == HEAD
    tables = set(inspect(cases.db.engine).get_table_names())
    assert {"registrations", "persons", "audit_log", "referrals", "outbox"} <= tables


def test_downgrade_drops_every_table(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite'}")
    migrate(db.engine)
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert inspect(db.engine).get_table_names() == ["alembic_version"]
    db.dispose()


def _downgrade(db: Database, revision: str) -> None:
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _old_entries(db: Database, n: int) -> None:
    """Entries as revision 0001 wrote them: one chain, its head row ``id = 1``."""
    prev = audit.GENESIS
    with db.engine.begin() as conn:
        for seq in range(1, n + 1):
            at = audit.now()
            digest = audit.entry_hash(prev, seq, at, "cli", "old.entry", "system", "-", {"n": seq})
            conn.execute(
                text(
                    "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, detail, "
                    "prev_hash, hash) VALUES (:seq, :at, 'cli', 'old.entry', 'system', '-', "
                    ":detail, :prev, :hash)"
                ),
                {"seq": seq, "at": at, "detail": json.dumps({"n": seq}), "prev": prev,
                 "hash": digest},
            )  # fmt: skip
            prev = digest
        conn.execute(text("UPDATE audit_head SET seq = :n, hash = :h WHERE id = 1"), {
            "n": n, "h": prev})  # fmt: skip


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_audit_chains_migration_keeps_the_old_log(backend_name: str, tmp_path: Path) -> None:
    """0001 -> 0002: the single chain becomes chain 1, untouched; 15 chains are added;
    back to 0001 only while they are empty."""
    urls = [f"sqlite:///{tmp_path / 'm.sqlite'}"] if backend_name == "sqlite" else _pg_database()
    for url in urls:
        db = Database(url)
        try:
            migrate(db.engine, "0001")
            _old_entries(db, 3)
            migrate(db.engine)
            with db.session() as s:
                v = audit.verify(s)
                heads = s.scalar(text("SELECT count(*) FROM audit_head"))
            assert v.ok and v.entries == 3 and heads == audit.CHAINS, v
            _downgrade(db, "0001")  # chains 2-16 are empty: allowed
            assert current_revision(db.engine) == "0001"
            migrate(db.engine)
            entity_id = next(
                f"R{i}" for i in range(100) if audit.chain_of("registration", f"R{i}") != 1
            )
            with db.session() as s:
                audit.record(s, "test", "thing.read", "registration", entity_id)
            with pytest.raises(RuntimeError, match="chains 2-16"):
                _downgrade(db, "0001")
            with db.session() as s:
                v = audit.verify(s)
            assert v.ok and v.entries == 4, v
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text("DELETE FROM audit_log WHERE seq = 1"))  # triggers rebuilt
        finally:
            db.dispose()


def test_the_migration_made_as_many_chains_as_the_code_uses() -> None:
    import importlib

    migration = importlib.import_module("corridor.cases.migrations.versions.0002_audit_chains")
    assert migration.CHAINS == audit.CHAINS
    assert migration._genesis(5) == audit.genesis(5) and migration._genesis(1) == audit.GENESIS
    assert {audit.chain_of("registration", f"R{i}") for i in range(1000)} == set(
        range(1, audit.CHAINS + 1)
    )


def test_an_installation_missing_a_chain_head_does_not_open(cases: Cases) -> None:
    from corridor.errors import ConfigError

    with cases.db.engine.begin() as conn:
        row = conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 7")).one()
        conn.execute(text("DELETE FROM audit_head WHERE id = 7"))
    try:
        with pytest.raises(ConfigError, match="15 chain heads, expected 16"):
            cases.db.require_schema()
    finally:
        with cases.db.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO audit_head (id, seq, hash) VALUES (7, :s, :h)"),
                {"s": row.seq, "h": row.hash},
            )
    cases.db.require_schema()

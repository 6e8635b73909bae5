"""The Alembic migration builds exactly the models' schema, on both backends."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from corridor.cases.db import HEAD, Database, alembic_config, current_revision, migrate
from corridor.cases.models import Base
from corridor.cases.runtime import Cases


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

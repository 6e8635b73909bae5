"""The audit log split into 16 hash chains, each with its own head row.

Every request appends an entry, and appending locks the chain's head until the
transaction commits (its flush to disk included): one chain serialised every
commit. Entries are now spread over 16 chains by what they are about (see
``corridor.cases.audit.chain_of``). Existing entries are chain 1 (the head row
``id = 1`` they had) with their hashes unchanged; chains 2-16 start from their
own genesis hash.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CHAINS = 16  # frozen here: corridor.cases.audit.CHAINS must match


def _genesis(chain: int) -> str:
    # as corridor.cases.audit.genesis (copied: a migration must not change with the code)
    if chain == 1:
        return "0" * 64
    return hashlib.sha256(f"corridor-audit-chain|{chain}".encode()).hexdigest()


_COLUMNS = "seq, at, actor, action, entity, entity_id, detail, prev_hash, hash"


def _sqlite_triggers() -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )


def _sqlite_rebuild(chain_column: bool) -> None:
    """SQLite cannot change a primary key in place: a new table, the rows copied."""
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=24), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
    ]
    if chain_column:
        columns.insert(0, sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False))
        key = sa.PrimaryKeyConstraint("chain", "seq")
        copy = f"INSERT INTO audit_log_new (chain, {_COLUMNS}) SELECT 1, {_COLUMNS} FROM audit_log"
    else:
        key = sa.PrimaryKeyConstraint("seq")
        copy = (
            f"INSERT INTO audit_log_new ({_COLUMNS}) SELECT {_COLUMNS} FROM audit_log "
            "WHERE chain = 1"
        )
    op.create_table(
        "audit_log_new", *columns, key, sa.UniqueConstraint("hash", name="uq_audit_hash")
    )
    op.execute(copy)
    op.execute("DROP TABLE audit_log")  # its triggers go with it
    op.execute("ALTER TABLE audit_log_new RENAME TO audit_log")
    _sqlite_triggers()


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # ADD COLUMN with a constant default fires no row trigger and rewrites nothing
        op.execute("ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 1")
        op.execute("ALTER TABLE audit_log ALTER COLUMN chain DROP DEFAULT")
        op.execute("ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey")
        op.execute("ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (chain, seq)")
    else:
        _sqlite_rebuild(chain_column=True)
    heads = sa.table(
        "audit_head", sa.column("id", sa.Integer), sa.column("seq", sa.Integer),
        sa.column("hash", sa.String),
    )  # fmt: skip
    op.bulk_insert(heads, [{"id": c, "seq": 0, "hash": _genesis(c)} for c in range(2, CHAINS + 1)])


def downgrade() -> None:
    """Back to one chain: only possible while chains 2-16 are empty (their entries have
    no place in chain 1's sequence)."""
    bind = op.get_bind()
    used = bind.execute(sa.text("SELECT count(*) FROM audit_log WHERE chain <> 1")).scalar()
    if used:
        raise RuntimeError(f"{used} audit entries are in chains 2-16; 0001 has one chain")
    op.execute("DELETE FROM audit_head WHERE id <> 1")
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey")
        op.execute("ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (seq)")
        op.execute("ALTER TABLE audit_log DROP COLUMN chain")
    else:
        _sqlite_rebuild(chain_column=False)

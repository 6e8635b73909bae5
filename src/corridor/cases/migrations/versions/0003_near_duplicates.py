"""Near duplicates: three blocking-key blind indexes per person, and the scored near
duplicates of each registration.

The blocking keys are keyed hashes and a migration cannot see the key file, so rows
written before this revision keep them NULL until ``corridor cases reindex`` computes
them from the decrypted fields (until then those people are only found as exact
duplicates). Registrations start unscored (``near_scored_at`` NULL): ``corridor cases
duplicates`` or a caseworker opening the case scores them.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BLOCKS = ("dob_block_bidx", "year_surname_bidx", "name_block_bidx")


def upgrade() -> None:
    # nullable columns without a default: no table rewrite on either backend
    for col in BLOCKS:
        op.add_column("persons", sa.Column(col, sa.String(length=32), nullable=True))
        op.create_index(op.f(f"ix_persons_{col}"), "persons", [col], unique=False)
    op.add_column("registrations", sa.Column("near_duplicates", sa.JSON(), nullable=True))
    op.add_column("registrations", sa.Column("near_scored_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would trip the foreign
    # keys of the rows pointing at it
    op.drop_column("registrations", "near_scored_at")
    op.drop_column("registrations", "near_duplicates")
    for col in BLOCKS:
        op.drop_index(op.f(f"ix_persons_{col}"), table_name="persons")
        op.drop_column("persons", col)

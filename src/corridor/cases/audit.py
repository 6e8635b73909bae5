"""The append-only, hash-chained audit log of reads, writes and exports.

Each entry's hash covers the previous hash and the entry's own fields, so an
edited, removed or reordered entry breaks every later link; ``audit_head``
holds the last hash so cutting off the tail is noticed too. Details never hold
PII: references, ids, counts and field names only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, text, update
from sqlalchemy.orm import Session

from corridor.cases.models import AuditEntry, AuditHead

GENESIS = "0" * 64
# the tables themselves: Core statements, not ORM objects (see ``record``)
_LOG = cast(Table, AuditEntry.__table__)
_HEAD = cast(Table, AuditHead.__table__)


def now() -> datetime:
    """UTC without tzinfo, as stored (SQLite keeps no time zones)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def entry_hash(
    prev: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: dict[str, Any],
) -> str:
    body = json.dumps(
        [seq, at.isoformat(), actor, action, entity, entity_id, detail],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    detail: dict[str, Any] | None = None,
    *,
    durable: bool = True,
) -> None:
    """Append one entry in the caller's transaction (it commits or rolls back with it).

    Core statements, not ORM objects: every request writes one of these, and the
    unit of work costs several times the SQL itself.

    ``durable=False`` is for read-only requests on PostgreSQL: their commit does not
    wait for the flush to disk while the head row is locked (the lock serialises
    every request). A crash can then lose the last fraction of a second of such
    read entries, never a write, and never a link: the WAL is flushed in order,
    so a later durable commit carries every earlier entry with it.
    """
    if not durable and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit = off"))
    session.flush()  # entries follow the writes they describe
    head = session.execute(
        select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
    ).one()
    seq, at, info = head.seq + 1, now(), dict(detail or {})
    digest = entry_hash(head.hash, seq, at, actor, action, entity, str(entity_id), info)
    session.execute(
        insert(_LOG).values(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=info,
            prev_hash=head.hash,
            hash=digest,
        )
    )
    session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=digest))


@dataclass
class Verification:
    ok: bool
    entries: int
    head: str
    problem: str = ""
    seq: int | None = None


def verify(session: Session, *, batch: int = 5000) -> Verification:
    """Recompute the chain from the first entry; the first broken link is reported."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    prev, expected, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.seq > last_seq)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for e in rows:
            if e.seq != expected:
                return Verification(False, count, head.hash, f"entry {expected} is missing", e.seq)
            if e.prev_hash != prev:
                return Verification(
                    False, count, head.hash, "link to the previous entry broken", e.seq
                )
            digest = entry_hash(
                prev, e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail
            )
            if digest != e.hash:
                return Verification(False, count, head.hash, "entry altered (hash mismatch)", e.seq)
            prev, expected, count, last_seq = e.hash, expected + 1, count + 1, e.seq
        session.expunge_all()
    if head.seq != count or head.hash != prev:
        return Verification(
            False,
            count,
            head.hash,
            f"head says {head.seq} entries, the log has {count} (truncated?)",
            count,
        )
    return Verification(True, count, prev)

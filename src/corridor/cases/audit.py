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

from sqlalchemy import Table, event, insert, select, text, update
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
    body = _json([seq, at.isoformat(), actor, action, entity, entity_id, detail])
    return hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()


#: entries a transaction has recorded, appended to the chain when it commits
_PENDING = "corridor_audit_pending"
#: set when every entry of the transaction was recorded with ``durable=False``
_LAZY = "corridor_audit_lazy_commit"


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
    """Record one entry in the caller's transaction (it commits or rolls back with it).

    The entry is chained when the transaction commits (``_append_pending``), not
    here: the chain's head row is locked from then until the commit, and every
    request writes an entry, so the lock must cover the commit alone, not the
    rest of the request's work (encryption, screening, queries). Entries keep the
    time they were recorded and their order.

    ``durable=False`` is for read-only requests on PostgreSQL: their commit does not
    wait for the flush to disk while the head row is locked (the lock serialises
    every request). A crash can then lose the last fraction of a second of such
    read entries, never a write, and never a link: the WAL is flushed in order,
    so a later durable commit carries every earlier entry with it. One durable
    entry makes the whole transaction durable.
    """
    record_entry(session, entry(actor, action, entity, entity_id, detail), durable=durable)


def record_entry(session: Session, e: Entry, *, durable: bool = True) -> None:
    """:func:`record` for an entry made earlier with :func:`entry`."""
    pending = session.info.setdefault(_PENDING, [])
    lazy = session.info.get(_LAZY, True) if pending else True
    session.info[_LAZY] = lazy and not durable
    pending.append(e)


def _json(values: list[Any]) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


# One statement on PostgreSQL for the usual single entry: lock the head, insert the
# entry hashed by the database (sha256 of the same text as ``entry_hash``: the body
# is ``[seq,`` followed by the rest of the JSON array, computed here), move the head.
# One round trip instead of three while the head is locked; other writes can come
# first in the same statement as more WITH clauses (see ``pg_append``).
_PG_HEAD_AND_ENTRY = """
head AS (SELECT seq, hash FROM audit_head WHERE id = 1{lazy} FOR UPDATE),
entry AS (
  INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, detail, prev_hash, hash)
  SELECT head.seq + 1, CAST(:audit_at AS TIMESTAMP), :audit_actor, :audit_action,
         :audit_entity, :audit_entity_id, CAST(:audit_detail AS JSON), head.hash,
         encode(sha256(convert_to(head.hash || '|[' || (head.seq + 1) || ',' || :audit_rest,
                                  'UTF8')), 'hex')
  FROM head
  RETURNING seq, hash
)
UPDATE audit_head SET seq = entry.seq, hash = entry.hash FROM entry WHERE audit_head.id = 1
"""
# set_config(..., true) is SET LOCAL: this transaction's commit does not wait for the flush
_LAZY_COMMIT = " AND set_config('synchronous_commit', 'off', true) = 'off'"


def pg_append(writes: str = "", *, durable: bool = True) -> str:
    """SQL appending one entry on PostgreSQL, after ``writes`` (``name AS (...),`` WITH
    clauses) in the same statement; parameters from :func:`pg_entry_params`.

    Atomic on its own: run with autocommit, the head row is locked only while the
    statement commits.
    """
    return "WITH " + writes + _PG_HEAD_AND_ENTRY.format(lazy="" if durable else _LAZY_COMMIT)


Entry = tuple[datetime, str, str, str, str, dict[str, Any]]


def entry(
    actor: str, action: str, entity: str, entity_id: str | int, detail: dict[str, Any] | None
) -> Entry:
    """An entry recorded now, to be chained."""
    return (now(), actor, action, entity, str(entity_id), dict(detail or {}))


def pg_entry_params(e: Entry) -> dict[str, Any]:
    at, actor, action, entity, entity_id, info = e
    return {
        "audit_at": at,
        "audit_actor": actor,
        "audit_action": action,
        "audit_entity": entity,
        "audit_entity_id": entity_id,
        "audit_detail": _json([info])[1:-1],
        "audit_rest": _json([at.isoformat(), actor, action, entity, entity_id, info])[1:],
    }


_PG_APPEND_DURABLE = text(pg_append())
_PG_APPEND_LAZY = text(pg_append(durable=False))


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    """Chain the transaction's entries: lock the head, insert, move the head, commit."""
    pending = session.info.pop(_PENDING, None)
    lazy = session.info.pop(_LAZY, False)
    if not pending:
        return
    session.flush()  # entries follow the writes they describe
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    if postgres and len(pending) == 1:
        session.execute(
            _PG_APPEND_LAZY if lazy else _PG_APPEND_DURABLE, pg_entry_params(pending[0])
        )
        return
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        # the statements below need one transaction: the head stays locked between them
        raise RuntimeError("several audit entries cannot be chained on an autocommit session")
    if postgres and lazy:
        session.execute(text("SET LOCAL synchronous_commit = off"))
    head = session.execute(
        select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
    ).one()
    seq, prev = head.seq, head.hash
    rows = []
    for at, actor, action, entity, entity_id, info in pending:
        seq += 1
        digest = entry_hash(prev, seq, at, actor, action, entity, entity_id, info)
        rows.append({"seq": seq, "at": at, "actor": actor, "action": action, "entity": entity,
                     "entity_id": entity_id, "detail": info, "prev_hash": prev,
                     "hash": digest})  # fmt: skip
        prev = digest
    session.execute(insert(_LOG), rows)
    session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    """A rolled-back transaction's entries describe nothing that happened."""
    session.info.pop(_PENDING, None)
    session.info.pop(_LAZY, None)


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

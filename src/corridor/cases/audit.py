"""The append-only, hash-chained audit log of reads, writes and exports.

Each entry's hash covers the previous hash of its chain and the entry's own
fields, so an edited, removed or reordered entry breaks every later link;
``audit_head`` holds each chain's last hash so cutting off a tail is noticed
too. Details never hold PII: references, ids, counts and field names only.

The log is 16 chains (``CHAINS``), an entry going to the one its entity picks
(:func:`chain_of`): appending locks the chain's head until the transaction has
committed and flushed to disk, so with one chain every request in the system
waited for every other's flush. All entries about one registration stay in one
chain, in order. ``verify`` checks every chain.
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
CHAINS = 16  # chains 1..16; migration 0002 made their head rows
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


def genesis(chain: int) -> str:
    """The ``prev_hash`` of a chain's first entry (chain 1 is the log from before chains)."""
    if chain == 1:
        return GENESIS
    return hashlib.sha256(f"corridor-audit-chain|{chain}".encode()).hexdigest()


def chain_of(entity: str, entity_id: str) -> int:
    """The chain an entity's entries go to: 1..CHAINS, from a hash of the entity."""
    digest = hashlib.sha256(f"{entity}|{entity_id}".encode()).digest()
    return 1 + int.from_bytes(digest[:4], "big") % CHAINS


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
head AS (SELECT seq, hash FROM audit_head WHERE id = :audit_chain{when} FOR UPDATE),
entry AS (
  INSERT INTO audit_log (chain, seq, at, actor, action, entity, entity_id, detail, prev_hash,
                         hash)
  SELECT :audit_chain, head.seq + 1, CAST(:audit_at AS TIMESTAMP), :audit_actor, :audit_action,
         :audit_entity, :audit_entity_id, CAST(:audit_detail AS JSON), head.hash,
         encode(sha256(convert_to(head.hash || '|[' || (head.seq + 1) || ',' || :audit_rest,
                                  'UTF8')), 'hex')
  FROM head
  RETURNING seq, hash
)"""
_PG_MOVE_HEAD = """
UPDATE audit_head SET seq = entry.seq, hash = entry.hash FROM entry
WHERE audit_head.id = :audit_chain
"""
# set_config(..., true) is SET LOCAL: this transaction's commit does not wait for the flush
_LAZY_COMMIT = " AND set_config('synchronous_commit', 'off', true) = 'off'"


def pg_append(writes: str = "", *, durable: bool = True) -> str:
    """SQL appending one entry on PostgreSQL, after ``writes`` (``name AS (...),`` WITH
    clauses) in the same statement; parameters from :func:`pg_entry_params`.

    Atomic on its own: run with autocommit, the head row is locked only while the
    statement commits.
    """
    lazy = "" if durable else _LAZY_COMMIT
    return "WITH " + writes + _PG_HEAD_AND_ENTRY.format(when=lazy) + _PG_MOVE_HEAD


def pg_append_with_query(before: str, query: str, *, when: str, durable: bool = True) -> str:
    """:func:`pg_append` for a statement whose result is ``query`` (a SELECT over the
    ``before`` WITH clauses); the entry is appended only if the SQL condition ``when``
    holds (e.g. the row the query reads exists)."""
    lazy = "" if durable else _LAZY_COMMIT
    return (
        "WITH " + before + _PG_HEAD_AND_ENTRY.format(when=f" AND {when}{lazy}")
        + ",\nmoved AS (" + _PG_MOVE_HEAD + ")\n" + query
    )  # fmt: skip


Entry = tuple[datetime, str, str, str, str, dict[str, Any]]


def entry(
    actor: str, action: str, entity: str, entity_id: str | int, detail: dict[str, Any] | None
) -> Entry:
    """An entry recorded now, to be chained."""
    return (now(), actor, action, entity, str(entity_id), dict(detail or {}))


def pg_entry_params(e: Entry) -> dict[str, Any]:
    at, actor, action, entity, entity_id, info = e
    return {
        "audit_chain": chain_of(entity, entity_id),
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
    by_chain: dict[int, list[Entry]] = {}
    for e in pending:
        by_chain.setdefault(chain_of(e[3], e[4]), []).append(e)
    # heads locked in chain order: two transactions never wait for each other's
    heads = session.execute(
        select(_HEAD.c.id, _HEAD.c.seq, _HEAD.c.hash)
        .where(_HEAD.c.id.in_(sorted(by_chain)))
        .order_by(_HEAD.c.id)
        .with_for_update()
    ).all()
    if len(heads) != len(by_chain):  # never drop an entry silently
        raise RuntimeError(f"audit chains {sorted(by_chain)}: a head row is missing")
    rows = []
    for chain, seq, prev in heads:
        for at, actor, action, entity, entity_id, info in by_chain[chain]:
            seq += 1
            digest = entry_hash(prev, seq, at, actor, action, entity, entity_id, info)
            rows.append({"chain": chain, "seq": seq, "at": at, "actor": actor,
                         "action": action, "entity": entity, "entity_id": entity_id,
                         "detail": info, "prev_hash": prev, "hash": digest})  # fmt: skip
            prev = digest
        session.execute(update(_HEAD).where(_HEAD.c.id == chain).values(seq=seq, hash=prev))
    session.execute(insert(_LOG), rows)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    """A rolled-back transaction's entries describe nothing that happened."""
    session.info.pop(_PENDING, None)
    session.info.pop(_LAZY, None)


@dataclass
class Verification:
    """``head`` digests every chain's head hash (what to note down to compare later);
    ``chain`` and ``seq`` name the first broken entry."""

    ok: bool
    entries: int
    head: str
    problem: str = ""
    seq: int | None = None
    chain: int | None = None


def verify(session: Session, *, batch: int = 5000) -> Verification:
    """Recompute every chain from its first entry; the first broken link is reported."""
    heads = session.execute(select(_HEAD.c.id, _HEAD.c.seq, _HEAD.c.hash).order_by(_HEAD.c.id))
    heads_list = heads.all()
    overall = hashlib.sha256("|".join(h.hash for h in heads_list).encode()).hexdigest()
    count = 0
    stray = session.scalar(
        select(_LOG.c.chain).where(_LOG.c.chain.not_in([h.id for h in heads_list])).limit(1)
    )
    if stray is not None:
        return Verification(False, 0, overall, f"entries in chain {stray}, which has no head",
                            None, stray)  # fmt: skip
    for head in heads_list:
        chain = head.id
        prev, expected, n = genesis(chain), 1, 0
        while True:
            rows = session.execute(
                select(_LOG).where(_LOG.c.chain == chain, _LOG.c.seq >= expected)
                .order_by(_LOG.c.seq).limit(batch)
            ).all()  # fmt: skip
            if not rows:
                break
            for e in rows:
                problem = ""
                if e.seq != expected:
                    problem = f"entry {expected} is missing"
                elif e.prev_hash != prev:
                    problem = "link to the previous entry broken"
                elif e.hash != entry_hash(
                    prev, e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail
                ):
                    problem = "entry altered (hash mismatch)"
                if problem:
                    return Verification(False, count + n, overall, problem, e.seq, chain)
                prev, expected, n = e.hash, expected + 1, n + 1
        count += n
        if head.seq != n or head.hash != prev:
            return Verification(False, count, overall,
                                f"head says {head.seq} entries, the chain has {n} (truncated?)",
                                n, chain)  # fmt: skip
    return Verification(True, count, overall)

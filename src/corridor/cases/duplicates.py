"""Duplicate people and households at registration, by blind index.

Names are compared as a set of folded tokens (so given names and surnames in
either order match), with the date of birth as written and with day and month
swapped; documents by type and number. All on keyed hashes: no plaintext.
Nicknames come from the linkage package's table (``corridor.records``) when it
is installed. Only exact matches of the normalised values are found here; near
matches (typos) need the linkage engine's scoring, offline (``corridor link``).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from corridor.cases.crypto import Keyring, fold
from corridor.cases.models import Person, Registration

PARTICLES = frozenset(
    [
        "de",
        "del",
        "la",
        "las",
        "los",
        "y",
        "e",
        "da",
        "das",
        "do",
        "dos",
        "di",
        "van",
        "von",
        "der",
        "den",
        "le",
        "du",
    ]
)


@lru_cache(maxsize=1)
def _nicknames() -> dict[str, str]:
    """The linkage package's nickname table (Pepe → José), when it is installed."""
    try:
        from corridor.records.nicknames import NICKNAMES
    except ImportError:
        return {}
    return {fold(k): fold(v) for k, v in NICKNAMES.items()}


def name_key(given_names: str, surnames: str, dob: date) -> str:
    """Folded name tokens, nicknames to full names, without particles, in sorted order."""
    nick = _nicknames()
    tokens = sorted(
        nick.get(t, t) for t in fold(f"{given_names} {surnames}").split() if t not in PARTICLES
    )
    return f"{' '.join(tokens)}|{dob.isoformat()}"


def name_dob_indexes(keys: Keyring, given_names: str, surnames: str, dob: date) -> list[str]:
    """The person's index, and the one with day and month swapped when that is a date."""
    out = [keys.blind_index(name_key(given_names, surnames, dob), "name_dob")]
    if dob.day <= 12 and dob.day != dob.month:
        swapped = date(dob.year, dob.day, dob.month)
        out.append(keys.blind_index(name_key(given_names, surnames, swapped), "name_dob"))
    return [x for x in out if x]


def doc_index(keys: Keyring, doc_type: str, doc_number: str | None) -> str | None:
    if not doc_number or doc_type == "none":
        return None
    return keys.blind_index(f"{doc_type}|{doc_number}", "doc")


_MATCHES = (
    select(Registration.reference)
    .join(Person, Person.registration_id == Registration.id)
    .where(
        or_(
            Person.name_dob_bidx.in_(bindparam("names", expanding=True)),
            Person.doc_bidx.in_(bindparam("docs", expanding=True)),
        ),
        Registration.erased_at.is_(None),
    )
    .distinct()
    .limit(20)
)


def find_matches(session: Session, name_indexes: list[str], doc_indexes: list[str]) -> list[str]:
    """References of live registrations sharing a person (by name+dob or document)."""
    if not name_indexes and not doc_indexes:
        return []
    # one statement built once: composing it per call cost more than running it
    rows = session.execute(_MATCHES, {"names": name_indexes, "docs": doc_indexes}).scalars()
    return sorted(rows)

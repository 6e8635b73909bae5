"""Near duplicates: people registered again with a typo, an accent, a nickname, names swapped,
a surname left out or a date of birth mistyped.

Exact duplicates are found at registration by ``corridor.cases.duplicates``. Near ones are
found here, after the registration is committed (the public hot path keeps its two
statements; see docs/cases.md), in two steps:

1. **Candidates by blind index** (no plaintext search): each person stores three more keyed
   hashes (blocking keys): the date of birth within the office's country; the birth year
   with the first three letters of the first surname; the first given name's canonical form
   (nicknames to full names) with the first surname. A registration's candidates are the
   live people sharing any of them (looked up both ways round for swapped names and
   day/month), at most ``CANDIDATE_CAP``.
2. **Fellegi-Sunter scoring** of those few, decrypted: the agreement levels of the linkage
   engine (``corridor.linkage.comparators``, re-stated here in Python on the normalisation
   of ``corridor.records``: folded names, particles dropped, two surnames, nicknames), each
   with fixed m and u probabilities (``M_U``), summed as log-likelihood ratios on a prior.

Each candidate registration with a person at ``p >= FLAG_AT`` is stored on the registration
(``near_duplicates``) with the reasons, for a caseworker to confirm; nothing is merged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz.distance import OSA, JaroWinkler
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from corridor.cases import audit
from corridor.cases.crypto import Keyring, fold
from corridor.cases.duplicates import PARTICLES, _nicknames
from corridor.cases.models import Office, Person, Registration

CANDIDATE_CAP = 50  # people decrypted and scored per registration, at most
FLAG_AT = 0.5  # match probability from which a candidate is shown to caseworkers
# prior odds of a match between two people taken at random: about one true pair among
# the 450,000 registrations of a busy hour's worth of pairs for one person
PRIOR = 1 / 450_000

# comparison -> level -> (m, u): P(level | same person), P(level | two people), after the
# linkage engine's levels and starting values; "else" takes what the others leave
M_U: dict[str, dict[str, tuple[float, float]]] = {
    "given": {
        "exact": (0.80, 0.01),
        "jw92": (0.05, 0.002),
        "second_differs": (0.02, 0.002),
        "first": (0.05, 0.01),
        "jw80": (0.02, 0.02),
        "swapped": (0.01, 0.0001),
    },
    "surname": {
        "exact": (0.80, 0.005),
        "second_differs": (0.03, 0.001),
        "jw92": (0.06, 0.002),
        "other_position": (0.02, 0.001),
        "jw80": (0.04, 0.02),
    },
    "dob": {
        "exact": (0.85, 0.0001),
        "swapped": (0.02, 0.0001),
        "one_digit": (0.08, 0.002),
        "two_digits": (0.02, 0.01),
        "year_within_1": (0.01, 0.05),
    },
    "sex": {"exact": (0.97, 0.5)},
    "nationality": {"exact": (0.95, 0.5)},
    # a different number of the same document type: a renewed passport, rarely
    "document": {"exact": (0.88, 0.00001), "one_edit": (0.10, 0.0001)},
}

REASONS = {
    ("given", "exact"): "same given names",
    ("given", "jw92"): "given names nearly equal",
    ("given", "second_differs"): "first given name equal, second differs",
    ("given", "first"): "first given name or nickname equal",
    ("given", "jw80"): "given names similar",
    ("given", "swapped"): "given name and surname swapped",
    ("given", "else"): "given names differ",
    ("surname", "exact"): "same surname",
    ("surname", "second_differs"): "first surname equal, second differs",
    ("surname", "jw92"): "surname nearly equal",
    ("surname", "other_position"): "one surname shared, other position",
    ("surname", "jw80"): "surname similar",
    ("surname", "else"): "surnames differ",
    ("dob", "exact"): "same dob",
    ("dob", "swapped"): "dob day and month swapped",
    ("dob", "one_digit"): "dob one digit differs",
    ("dob", "two_digits"): "dob two digits differ",
    ("dob", "year_within_1"): "dob year within one",
    ("dob", "else"): "dob differs",
    ("sex", "else"): "sex differs",
    ("nationality", "else"): "nationality differs",
    ("document", "exact"): "same document",
    ("document", "one_edit"): "document one character differs",
    ("document", "else"): "different document",
}


# -- string similarity ------------------------------------------------------------------


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity (prefix scale 0.1, up to 4 characters): RapidFuzz's, the
    implementation DuckDB's ``jaro_winkler_similarity`` uses, so the levels here agree with
    the linkage engine's SQL."""
    return float(JaroWinkler.similarity(a, b))


def edits(a: str, b: str) -> int:
    """Edit distance counting an adjacent transposition as one edit (optimal string
    alignment)."""
    return int(OSA.distance(a, b))


# -- normalisation ----------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return [t for t in fold(text).replace(".", " ").replace("'", "").split() if t not in PARTICLES]


@dataclass(frozen=True)
class Who:
    """One person's compared fields, normalised as ``corridor.records`` does."""

    given: str
    given1: str
    given_nick: str
    surname1: str
    surname2: str | None
    surnames: str
    dob: date | None
    sex: str
    nationality: str
    doc_type: str
    doc: str | None

    @classmethod
    def of(
        cls,
        given_names: str,
        surnames: str,
        dob: date | None,
        sex: str = "",
        nationality: str = "",
        doc_type: str = "none",
        doc_number: str | None = None,
    ) -> Who:
        g, s = _tokens(given_names), _tokens(surnames)
        given1 = g[0] if g else ""
        doc = "".join(c for c in (doc_number or "").upper() if c.isalnum()) or None
        return cls(
            given=" ".join(g),
            given1=given1,
            given_nick=_nicknames().get(given1, given1),
            surname1=s[0] if s else "",
            surname2=s[1] if len(s) > 1 else None,
            surnames=" ".join(s),
            dob=dob,
            sex=sex,
            nationality=nationality,
            doc_type=doc_type,
            doc=doc if doc_type != "none" else None,
        )


# -- blocking keys ----------------------------------------------------------------------

BLOCK_FIELDS = ("dob_block_bidx", "year_surname_bidx", "name_block_bidx")


def _swapped(d: date) -> date | None:
    if d.day > 12 or d.day == d.month:
        return None
    return date(d.year, d.day, d.month)


def _keys(who: Who, country: str, *, search: bool) -> dict[str, list[str]]:
    """Plain blocking keys per column: the one stored, or (``search``) every one looked up."""
    dobs = [who.dob] if who.dob else []
    if search and who.dob and (swapped := _swapped(who.dob)):
        dobs.append(swapped)
    surnames = [who.surname1]
    given = [(who.given_nick, who.surname1)]
    if search:  # names swapped, or the first surname left out by the other record
        surnames += [who.given1, who.surname2 or ""]
        given += [(_nicknames().get(who.surname1, who.surname1), who.given1)]
        given += [(who.given_nick, who.surname2 or "")]
    return {
        "dob_block_bidx": [f"{country}|{d.isoformat()}" for d in dobs],
        "year_surname_bidx": [f"{who.dob.year}|{s[:3]}" for s in surnames if s and who.dob],
        "name_block_bidx": [f"{g}|{s}" for g, s in given if g and s],
    }


def stored_indexes(keys: Keyring, who: Who, country: str) -> dict[str, str | None]:
    """The blocking-key blind indexes stored on a person's row."""
    out: dict[str, str | None] = {}
    for col, plain in _keys(who, country, search=False).items():
        out[col] = keys.blind_index(plain[0], col) if plain else None
    return out


def search_indexes(keys: Keyring, people: Iterable[Who], country: str) -> dict[str, list[str]]:
    """Every blocking-key blind index a household's candidates may carry, per column."""
    out: dict[str, set[str]] = {col: set() for col in BLOCK_FIELDS}
    for who in people:
        for col, plain in _keys(who, country, search=True).items():
            out[col].update(x for x in (keys.blind_index(p, col) for p in plain) if x)
    return {col: sorted(v) for col, v in out.items()}


# -- scoring ----------------------------------------------------------------------------


def _given_level(a: Who, b: Who) -> str | None:
    if not a.given or not b.given:
        return None
    if a.given == b.given:
        return "exact"
    if jaro_winkler(a.given, b.given) >= 0.92:
        return "jw92"
    first = a.given1 == b.given1 or a.given_nick == b.given_nick
    if first and a.given != a.given1 and b.given != b.given1:
        return "second_differs"
    if first:
        return "first"
    if jaro_winkler(a.given, b.given) >= 0.8:
        return "jw80"
    if _names_swapped(a, b):
        return "swapped"
    return "else"


def _names_swapped(a: Who, b: Who) -> bool:
    return bool(a.given1) and a.given1 == b.surname1 and a.surname1 == b.given1


def _surname_level(a: Who, b: Who) -> str | None:
    if not a.surname1 or not b.surname1:
        return None
    if a.surname1 == b.surname1:
        if a.surname2 is None or b.surname2 is None or a.surname2 == b.surname2:
            return "exact"
        return "second_differs"
    if _names_swapped(a, b):
        return None  # counted once, by the given-name comparison
    jw = max(jaro_winkler(a.surnames, b.surnames), jaro_winkler(a.surname1, b.surname1))
    if jw >= 0.92:
        return "jw92"
    if a.surname1 == b.surname2 or a.surname2 == b.surname1:
        return "other_position"
    return "jw80" if jw >= 0.8 else "else"


def _dob_level(a: Who, b: Who) -> str | None:
    if a.dob is None or b.dob is None:
        return None
    if a.dob == b.dob:
        return "exact"
    if _swapped(a.dob) == b.dob:
        return "swapped"
    x, y = a.dob.strftime("%Y%m%d"), b.dob.strftime("%Y%m%d")
    differ = sum(p != q for p, q in zip(x, y, strict=True))
    if differ <= 1 or (differ == 2 and edits(x, y) == 1):
        return "one_digit"
    if differ == 2:
        return "two_digits"
    return "year_within_1" if abs(a.dob.year - b.dob.year) <= 1 else "else"


def _document_level(a: Who, b: Who) -> str | None:
    if a.doc is None or b.doc is None or a.doc_type != b.doc_type:
        return None  # a passport and a national id number are not comparable
    if a.doc == b.doc:
        return "exact"
    return "one_edit" if edits(a.doc, b.doc) <= 1 else "else"


def _same(x: str, y: str) -> str | None:
    if not x or not y:
        return None
    return "exact" if x == y else "else"


def weight(comparison: str, level: str) -> float:
    """The level's log-likelihood ratio ln(m/u); "else" takes the remaining mass."""
    table = M_U[comparison]
    if level == "else":
        m = 1 - sum(v[0] for v in table.values())
        u = 1 - sum(v[1] for v in table.values())
    else:
        m, u = table[level]
    return math.log(m / u)


@dataclass(frozen=True)
class Score:
    probability: float
    levels: dict[str, str]  # comparison -> level (comparisons with a missing value left out)
    one_edit: frozenset[str] = frozenset()  # near-equal names that are one edit apart

    def reasons(self) -> list[str]:
        out = []
        for c, lv in self.levels.items():
            if lv == "jw92" and c in self.one_edit:
                out.append(f"{'given name' if c == 'given' else c} one edit")
            elif (c, lv) in REASONS:
                out.append(REASONS[(c, lv)])
        return out

    def reason_text(self) -> str:
        """The agreements a caseworker checks, e.g. "surname nearly equal, same dob"."""
        return ", ".join(self.reasons())


def score(a: Who, b: Who) -> Score:
    """Fellegi-Sunter match probability of two people, with the level of each field."""
    levels = {
        "given": _given_level(a, b),
        "surname": _surname_level(a, b),
        "dob": _dob_level(a, b),
        "sex": _same(a.sex, b.sex),
        "nationality": _same(a.nationality, b.nationality),
        "document": _document_level(a, b),
    }
    known = {c: lv for c, lv in levels.items() if lv is not None}
    total = math.log(PRIOR / (1 - PRIOR)) + sum(weight(c, lv) for c, lv in known.items())
    one_edit = set()
    if known.get("given") == "jw92" and edits(a.given, b.given) <= 1:
        one_edit.add("given")
    if (
        known.get("surname") == "jw92"
        and min(edits(a.surnames, b.surnames), edits(a.surname1, b.surname1)) <= 1
    ):
        one_edit.add("surname")
    return Score(1 / (1 + math.exp(-total)), known, frozenset(one_edit))


# -- registrations ----------------------------------------------------------------------


def who_of(keys: Keyring, p: Person) -> Who | None:
    """A stored person, decrypted; ``None`` once erased."""
    given = keys.decrypt(p.given_names_enc, "given_names")
    surnames = keys.decrypt(p.surnames_enc, "surnames")
    dob = keys.decrypt(p.dob_enc, "dob")
    if given is None or surnames is None or dob is None:
        return None
    doc = keys.decrypt(p.doc_number_enc, "doc_number")
    return Who.of(given, surnames, date.fromisoformat(dob), p.sex, p.nationality, p.doc_type, doc)


def candidates(
    session: Session, indexes: dict[str, list[str]], exclude: int, cap: int = CANDIDATE_CAP
) -> Sequence[tuple[Person, str]]:
    """Live people (with their registration's reference) sharing a blocking key."""
    conditions = [getattr(Person, col).in_(v) for col, v in indexes.items() if v]
    if not conditions:
        return []
    rows = session.execute(
        select(Person, Registration.reference)
        .join(Registration, Person.registration_id == Registration.id)
        .where(or_(*conditions), Registration.erased_at.is_(None), Registration.id != exclude)
        .order_by(Person.id.desc())  # the most recent first when there are more than cap
        .limit(cap)
    ).all()
    return [(p, ref) for p, ref in rows]


def find(session: Session, keys: Keyring, reg: Registration, country: str) -> list[dict[str, Any]]:
    """Registrations with people likely to be this registration's, best first.

    Each entry: ``reference``, ``p`` (the best person's match probability), ``people``
    (member here, member there, p, reasons) and ``household`` (how many of this
    household's members have a likely match in that one)."""
    mine = [(p.position, w) for p in reg.persons if (w := who_of(keys, p)) is not None]
    if not mine:
        return []
    found = candidates(session, search_indexes(keys, (w for _, w in mine), country), reg.id)
    by_reg: dict[str, list[dict[str, Any]]] = {}
    for person, reference in found:
        theirs = who_of(keys, person)
        if theirs is None:
            continue
        for position, who in mine:
            s = score(who, theirs)
            if s.probability >= FLAG_AT:
                by_reg.setdefault(reference, []).append(
                    {
                        "member": position,
                        "their_member": person.position,
                        "p": round(s.probability, 3),
                        "reasons": s.reasons(),
                    }
                )
    out = []
    for reference, people in by_reg.items():
        people.sort(key=lambda x: -x["p"])
        matched = len({x["member"] for x in people})
        out.append(
            {
                "reference": reference,
                "p": people[0]["p"],
                "household": f"{matched} of {len(reg.persons)} members",
                "people": people,
            }
        )
    return sorted(out, key=lambda x: (-x["p"], x["reference"]))


def office_countries(session: Session) -> dict[str, str]:
    return {code: country for code, country in session.execute(select(Office.code, Office.country))}


def score_registration(
    session: Session,
    keys: Keyring,
    reg: Registration,
    actor: str,
    country: str | None = None,
) -> list[dict[str, Any]]:
    """Find and store a registration's near duplicates; each found registration gets this
    one in its own list too (it was scored before this one existed). The candidates'
    decryption is a read of their personal data: audited, with the references flagged."""
    if country is None:
        country = office_countries(session)[reg.office_code]
    found = find(session, keys, reg, country)
    audit.record(
        session,
        actor,
        "duplicates.score",
        "registration",
        reg.reference,
        {"flagged": [e["reference"] for e in found]},
        durable=False,
    )
    reg.near_duplicates = found or None
    reg.near_scored_at = audit.now()
    for entry in found:
        other = session.scalar(
            select(Registration).where(Registration.reference == entry["reference"])
        )
        if other is None:
            continue
        back = [e for e in (other.near_duplicates or []) if e["reference"] != reg.reference]
        mirrored = [
            {**x, "member": x["their_member"], "their_member": x["member"]} for x in entry["people"]
        ]
        matched = len({x["member"] for x in mirrored})
        back.append(
            {
                "reference": reg.reference,
                "p": entry["p"],
                "household": f"{matched} of {len(other.persons)} members",
                "people": mirrored,
            }
        )
        other.near_duplicates = sorted(back, key=lambda x: (-x["p"], x["reference"]))
    return found


def score_pending(
    session: Session, keys: Keyring, limit: int | None = None, actor: str = "system"
) -> int:
    """Score the live registrations not scored yet, oldest first; returns how many."""
    countries = office_countries(session)
    query = (
        select(Registration)
        .where(Registration.near_scored_at.is_(None), Registration.erased_at.is_(None))
        .order_by(Registration.id)
    )
    if limit is not None:
        query = query.limit(limit)
    n = 0
    for reg in session.scalars(query).all():
        score_registration(session, keys, reg, actor, countries[reg.office_code])
        n += 1
    return n


QUEUE_BATCH = 50  # unscored registrations scored while a work queue is shown, at most


def score_listed(session: Session, keys: Keyring, regs: Iterable[Registration], actor: str) -> int:
    """Score the first ``QUEUE_BATCH`` unscored registrations of a work queue, so its flags
    are current without a background job; returns how many."""
    todo = [r for r in regs if r.near_scored_at is None and r.erased_at is None][:QUEUE_BATCH]
    if todo:
        countries = office_countries(session)
        for reg in todo:
            score_registration(session, keys, reg, actor, countries[reg.office_code])
    return len(todo)


def best(reg: Registration) -> float | None:
    """The best possible duplicate's probability, if any."""
    return max((e["p"] for e in reg.near_duplicates or []), default=None)


def reindex(session: Session, keys: Keyring) -> int:
    """Compute the blocking keys of people stored without them (rows written before
    migration 0003, which cannot see the keys); returns how many people."""
    countries = office_countries(session)
    n = 0
    query = (
        select(Person, Registration.office_code)
        .join(Registration, Person.registration_id == Registration.id)
        .where(Person.dob_block_bidx.is_(None), Registration.erased_at.is_(None))
    )
    for person, office in session.execute(query).all():
        who = who_of(keys, person)
        if who is None:
            continue
        for col, value in stored_indexes(keys, who, countries[office]).items():
            setattr(person, col, value)
        n += 1
    return n


def describe(entry: dict[str, Any]) -> str:
    """One line for a caseworker: "possible duplicate, p=0.87: surname nearly equal, ..."."""
    best = entry["people"][0]
    return (
        f"possible duplicate of {entry['reference']}, p={entry['p']:.2f}: "
        f"{', '.join(best['reasons'])} ({entry['household']})"
    )

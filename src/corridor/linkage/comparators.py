"""Comparisons: each field pair becomes a small agreement level (gamma).

A :class:`Comparison` is an ordered list of levels, each a SQL condition on
the two records ``l`` and ``r``; a pair takes the first level whose condition
holds. Level 0 means "a value is missing" and weighs nothing; the last level
is "disagree". Levels that are exact matches on one column can carry a
term-frequency column: an exact match on a rare surname is stronger evidence
than on ``garcia``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Comparison",
    "Level",
    "available_comparisons",
    "default_comparisons",
    "gamma_sql",
    "level_columns",
]


@dataclass(frozen=True)
class Level:
    """One agreement level: a label and the SQL condition on ``l`` and ``r``."""

    label: str
    sql: str
    tf_column: str | None = None  # exact level on this column: term-frequency adjusted
    m_start: float = 0.5  # starting value of P(level | match) for EM


@dataclass(frozen=True)
class Comparison:
    """A field compared between two records, as ordered levels (best first)."""

    name: str
    columns: tuple[str, ...]  # normalised columns read; a NULL in any -> level 0
    levels: tuple[Level, ...]
    kinds: frozenset[str] = field(default_factory=frozenset)  # blocking keys it overlaps
    # pairs for which this comparison weighs nothing (level 0), e.g. evidence another
    # comparison already counts
    neutral: str | None = None
    # a field that follows from another (sex from the given name, nationality from the
    # surname): its u is measured among random pairs agreeing on that column, so
    # agreeing on it is not counted again as evidence once the names agree
    u_among: str | None = None

    @property
    def n_levels(self) -> int:
        """Levels including the missing level 0 and the final "else"."""
        return len(self.levels) + 2

    def labels(self) -> list[str]:
        return ["missing", *(lv.label for lv in self.levels), "else"]

    def null_sql(self) -> str:
        return " OR ".join(f"l.{c} IS NULL OR r.{c} IS NULL" for c in self.columns[:1])


def level_columns(level: Level) -> frozenset[str]:
    """The normalised columns a level's condition reads."""
    return frozenset(re.findall(r"\b[lr]\.(\w+)", level.sql))


def gamma_sql(comparison: Comparison) -> str:
    """``CASE`` expression giving the comparison's level (0 missing .. n-1 else)."""
    parts = [f"WHEN {comparison.null_sql()} THEN 0"]
    if comparison.neutral:
        parts.append(f"WHEN {comparison.neutral} THEN 0")
    parts += [f"WHEN {lv.sql} THEN {i}" for i, lv in enumerate(comparison.levels, start=1)]
    return f"CAST(CASE {' '.join(parts)} ELSE {len(comparison.levels) + 1} END AS UTINYINT)"


def _jw(col: str, other: str | None = None) -> str:
    return f"jaro_winkler_similarity(l.{col}, r.{other or col})"


def _one_edit(col: str) -> str:
    # Levenshtein first: DuckDB's Damerau-Levenshtein is 2-4x slower per pair, so it only
    # runs on pairs two edits apart, to count a transposition as one edit
    lev = f"levenshtein(l.{col}, r.{col})"
    return f"({lev} <= 1 OR ({lev} = 2 AND damerau_levenshtein(l.{col}, r.{col}) = 1))"


def _exact(col: str, tf: bool = False, m: float = 0.9) -> Level:
    return Level("exact", f"l.{col} = r.{col}", col if tf else None, m)


def default_comparisons() -> list[Comparison]:
    """Every comparison the plaintext linker knows; unavailable ones are dropped."""
    surname_jw = f"greatest({_jw('surnames')}, {_jw('surname1')})"
    # both ways round (one way alone is just a surname that is also a given name, "Jose")
    swapped = "(l.name_tokens = r.name_tokens OR (l.given1 = r.surname1 AND l.surname1 = r.given1))"
    return [
        Comparison(
            "given_name",
            ("given", "given1", "given_nick"),
            (
                _exact("given", tf=True, m=0.85),
                Level("jaro-winkler >= 0.92", f"{_jw('given')} >= 0.92", m_start=0.05),
                # both records give a second given name and they differ beyond a typo
                # (Maria Isabel, Maria Noemi): two sisters' names more often than one
                # person's, unlike a second name one record leaves out (next level)
                Level(
                    "first given name equal, second differs",
                    "(l.given1 = r.given1 OR l.given_nick = r.given_nick)"
                    " AND l.given <> l.given1 AND r.given <> r.given1",
                    m_start=0.02,
                ),
                Level(
                    "first given name or nickname",
                    "l.given1 = r.given1 OR l.given_nick = r.given_nick",
                    m_start=0.05,
                ),
                Level("jaro-winkler >= 0.8", f"{_jw('given')} >= 0.8", m_start=0.02),
                Level("swapped with surname", swapped, m_start=0.01),
            ),
            frozenset({"given", "given1", "given_nick", "name_tokens"}),
        ),
        Comparison(
            "surname",
            ("surnames", "surname1", "surname2"),
            (
                Level(
                    "exact",
                    "l.surname1 = r.surname1 AND (l.surname2 IS NULL OR r.surname2 IS NULL"
                    " OR l.surname2 = r.surname2)",
                    "surname1",
                    0.85,
                ),
                # first surname equal, second surname different: a cousin as often as a
                # typo, so EM weighs it apart from the typo level below
                Level("first equal, second differs", "l.surname1 = r.surname1", m_start=0.03),
                # both surnames, or the first alone (one record leaves the second out)
                Level("jaro-winkler >= 0.92", f"{surname_jw} >= 0.92", m_start=0.06),
                # the surname one record gives first is the other's second: a mother's
                # surname used alone, or two relatives sharing one surname
                Level(
                    "one surname shared, other position",
                    "l.surname1 = r.surname2 OR l.surname2 = r.surname1",
                    m_start=0.02,
                ),
                Level("jaro-winkler >= 0.8", f"{surname_jw} >= 0.8", m_start=0.04),
            ),
            frozenset({"surnames", "surname1", "surname2", "name_tokens"}),
            # swapped names are counted once, by the given-name comparison
            # (the cheap swap test first: most pairs fail it)
            neutral=(
                f"({swapped} AND NOT coalesce(l.given1 = r.given1"
                f" OR l.given_nick = r.given_nick OR {_jw('given')} >= 0.8, false))"
            ),
        ),
        Comparison(
            "dob",
            ("dob", "dob_y", "dob_m", "dob_d"),
            (
                _exact("dob", m=0.85),
                Level(
                    "day and month swapped",
                    "l.dob_y = r.dob_y AND l.dob_m = r.dob_d AND l.dob_d = r.dob_m",
                    m_start=0.02,
                ),
                # dob is always 8 digits: Hamming distance (10x cheaper than edit distance
                # in DuckDB); Damerau-Levenshtein only on the few pairs two digits apart,
                # so two adjacent digits swapped still count as one edit
                Level(
                    "one edit",
                    "hamming(l.dob, r.dob) <= 1 OR (hamming(l.dob, r.dob) = 2"
                    " AND damerau_levenshtein(l.dob, r.dob) = 1)",
                    m_start=0.08,
                ),
                Level("two digits differ", "hamming(l.dob, r.dob) <= 2", m_start=0.03),
                Level("year within 1", "abs(l.dob_y - r.dob_y) <= 1", m_start=0.01),
            ),
            frozenset({"dob", "dob_y", "dob_m", "dob_d"}),
        ),
        # sex follows from the given name (and nationality from both names): an EM session
        # blocked on names must not estimate them, or "agrees on sex" is mistaken for "is
        # the same person"
        Comparison(
            "sex",
            ("sex",),
            (_exact("sex", m=0.97),),
            frozenset({"sex", "given", "given1", "given_nick", "name_tokens"}),
            u_among="given1",
        ),
        Comparison(
            "nationality",
            ("nationality",),
            (_exact("nationality", m=0.95),),
            frozenset(
                {
                    "nationality",
                    "given",
                    "given1",
                    "given_nick",
                    "surname1",
                    "surnames",
                    "name_tokens",
                }
            ),
            u_among="surname1",
        ),
        Comparison(
            "doc_number",
            ("doc_number",),
            (
                _exact("doc_number", m=0.8),
                Level("one edit", _one_edit("doc_number"), m_start=0.1),
            ),
            frozenset({"doc_number"}),
        ),
        Comparison(
            "phone",
            ("phone",),
            (_exact("phone", m=0.7), Level("one edit", _one_edit("phone"), m_start=0.1)),
            frozenset({"phone"}),
        ),
        Comparison(
            "postcode",
            ("postcode",),
            (
                _exact("postcode", tf=True, m=0.85),
                Level("one edit", _one_edit("postcode"), m_start=0.1),
            ),
            frozenset({"postcode"}),
        ),
        Comparison(
            "city",
            ("city",),
            (
                _exact("city", tf=True, m=0.85),
                Level("jaro-winkler >= 0.9", f"{_jw('city')} >= 0.9", m_start=0.1),
            ),
            frozenset({"city"}),
        ),
        Comparison(
            "street",
            ("street",),
            (
                _exact("street", m=0.8),
                Level("jaro-winkler >= 0.9", f"{_jw('street')} >= 0.9", m_start=0.1),
                Level("jaro-winkler >= 0.75", f"{_jw('street')} >= 0.75", m_start=0.05),
            ),
            frozenset({"street"}),
        ),
        Comparison(
            "street_number",
            ("street_number",),
            (_exact("street_number", m=0.85),),
            frozenset({"street_number"}),
        ),
        Comparison(
            "address2",
            ("address2",),
            (
                _exact("address2", m=0.8),
                Level("jaro-winkler >= 0.9", f"{_jw('address2')} >= 0.9", m_start=0.1),
            ),
            frozenset({"address2"}),
        ),
        Comparison("state", ("state",), (_exact("state", m=0.95),), frozenset({"state"})),
    ]


def available_comparisons(
    comparisons: Iterable[Comparison], present: Sequence[str]
) -> list[Comparison]:
    """The comparisons whose first column holds data in at least one source."""
    have = set(present)
    return [c for c in comparisons if c.columns[0] in have]

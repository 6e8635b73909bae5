"""Choosing one source per overlap group so that totals are never double counted.

Several sources may describe the same counts (Darién transits by nationality
and by sex/age; CBP's own file and IOM's harmonised copy). For each overlap
group and period a query uses exactly one source: among those that carry every
dimension the query groups or filters by, the one with the lowest priority that
has data for that period. If no source in a group carries all of them, the one
carrying most is used and a note says which dimension is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class SourceRank:
    source: str
    grp: str
    rank: int


@dataclass(frozen=True)
class Selection:
    ranks: tuple[SourceRank, ...]
    #: (group, note) for groups where no source carries every needed dimension
    notes: tuple[tuple[str, str], ...]

    def notes_for(self, sources: set[str]) -> list[str]:
        """Notes of the groups that the given sources belong to."""
        groups = {r.grp for r in self.ranks if r.source in sources}
        return [note for grp, note in self.notes if grp in groups]

    def values_sql(self) -> str:
        rows = ", ".join(f"('{r.source}', '{r.grp}', {r.rank})" for r in self.ranks)
        return f"(VALUES {rows}) AS pref(source, grp, rnk)" if rows else ""


def choose(
    con: duckdb.DuckDBPyConnection, needed: Iterable[str], only: Iterable[str] | None = None
) -> Selection:
    """Rank the sources of every group for a query needing these dimensions."""
    need = set(needed)
    allowed = set(only) if only else None
    rows = con.execute("SELECT source, grp, dims, priority FROM sources").fetchall()
    groups: dict[str, list[tuple[str, set[str], int]]] = {}
    for source, grp, dims, priority in rows:
        if allowed is not None and source not in allowed:
            continue
        groups.setdefault(grp, []).append((source, set(dims), int(priority)))
    ranks: list[SourceRank] = []
    notes: list[tuple[str, str]] = []
    for grp, members in sorted(groups.items()):
        full = sorted((m for m in members if need <= m[1]), key=lambda m: (m[2], m[0]))
        if full:
            ordered = full
        else:
            ordered = sorted(members, key=lambda m: (-len(need & m[1]), m[2], m[0]))
            best = ordered[0]
            missing = ", ".join(sorted(need - best[1]))
            notes.append(
                (grp, f"{grp}: no source breaks down by {missing}; `{best[0]}` shows it blank")
            )
            ordered = ordered[:1]
        ranks.extend(SourceRank(m[0], grp, i) for i, m in enumerate(ordered))
    return Selection(tuple(ranks), tuple(notes))

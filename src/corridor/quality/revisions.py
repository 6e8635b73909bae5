"""``corridor revisions``: what changed between two releases of a source.

CBP and UPM revise past months in every new file. Comparing two releases
cell by cell (every canonical key) over the periods both cover tells an
analyst which published numbers moved and by how much; cells only in the
newer release outside that overlap are new months, not revisions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from corridor.canonical.schema import KEY_COLUMNS
from corridor.errors import QueryError
from corridor.store import Store


@dataclass
class RevisionReport:
    source: str
    old: str
    new: str
    #: one row per changed cell: key columns, old_n, new_n, diff, pct, kind
    cells: pd.DataFrame
    #: per period both releases cover: old and new totals, cells revised/added/removed
    periods: pd.DataFrame
    #: periods only the newer release covers (new data, not revisions)
    new_periods: list[str]

    @property
    def revised_cells(self) -> int:
        return int((self.cells["kind"] == "revised").sum()) if len(self.cells) else 0

    def summary(self) -> str:
        if self.cells.empty:
            return f"{self.source}: no cell changed between {self.old} and {self.new}"
        net = int(self.cells["diff"].sum())
        months = self.periods.loc[self.periods["diff"] != 0, "period"].tolist()
        span = f" in {len(months)} period(s), {months[0]}..{months[-1]}" if months else ""
        return (
            f"{self.source}: {len(self.cells):,} cell(s) changed between {self.old} and "
            f"{self.new}{span} ({self.revised_cells:,} revised, "
            f"{int((self.cells['kind'] == 'added').sum()):,} added, "
            f"{int((self.cells['kind'] == 'removed').sum()):,} removed); net {net:+,}"
        )


def revisions(
    store: Store, source: str, *, old: str | None = None, new: str | None = None
) -> RevisionReport:
    """Compare two releases of ``source`` (default: the two latest).

    Raises:
        QueryError: fewer than two releases, or a release of another source.
    """
    releases = store.sql(
        "SELECT release_id FROM releases WHERE source = ? ORDER BY ingested_at", [source]
    )["release_id"].tolist()
    if not releases:
        raise QueryError(f"no releases of `{source}` in the store (see `corridor releases`)")
    for given in (old, new):
        if given is not None and given not in releases:
            raise QueryError(
                f"`{given}` is not a release of `{source}`; its releases: {', '.join(releases)}"
            )
    if new is None:
        new = releases[-1]
    if old is None:
        earlier = releases[: releases.index(new)]
        if not earlier:
            raise QueryError(
                f"`{source}` has only one release before or at {new}: nothing to compare "
                "(ingest or fetch a newer file first)"
            )
        old = earlier[-1]
    if old == new:
        raise QueryError("--from and --to name the same release")
    keys = ", ".join(KEY_COLUMNS)
    # Compare only over (freq, period, geo, area) slices both releases cover.
    diff = store.sql(
        f"""
        WITH shared AS (
            SELECT freq, period, geo, area FROM coverage WHERE release_id = ?
            INTERSECT SELECT freq, period, geo, area FROM coverage WHERE release_id = ?),
        a AS (SELECT {keys}, n FROM flows_all f SEMI JOIN shared s USING (freq, period, geo, area)
              WHERE release_id = ?),
        b AS (SELECT {keys}, n FROM flows_all f SEMI JOIN shared s USING (freq, period, geo, area)
              WHERE release_id = ?)
        SELECT {", ".join(f"coalesce(a.{k}, b.{k}) AS {k}" for k in KEY_COLUMNS)},
               a.n AS old_n, b.n AS new_n
        FROM a FULL OUTER JOIN b USING ({keys})
        WHERE a.n IS DISTINCT FROM b.n
        ORDER BY abs(coalesce(b.n, 0) - coalesce(a.n, 0)) DESC, period
        """,
        [old, new, old, new],
    )
    diff["kind"] = "revised"
    diff.loc[diff["old_n"].isna(), "kind"] = "added"
    diff.loc[diff["new_n"].isna(), "kind"] = "removed"
    diff["old_n"] = diff["old_n"].fillna(0).astype("int64")
    diff["new_n"] = diff["new_n"].fillna(0).astype("int64")
    diff["diff"] = diff["new_n"] - diff["old_n"]
    diff["pct"] = (diff["diff"] / diff["old_n"].where(diff["old_n"] != 0) * 100).round(2)
    diff["period"] = pd.to_datetime(diff["period"]).dt.strftime("%Y-%m")
    periods = store.sql(
        """
        WITH shared AS (
            SELECT freq, period, geo, area FROM coverage WHERE release_id = ?
            INTERSECT SELECT freq, period, geo, area FROM coverage WHERE release_id = ?)
        SELECT strftime(c.period, '%Y-%m') AS period,
               sum(n) FILTER (WHERE release_id = ?)::BIGINT AS old_total,
               sum(n) FILTER (WHERE release_id = ?)::BIGINT AS new_total
        FROM coverage c SEMI JOIN shared s USING (freq, period, geo, area)
        WHERE release_id IN (?, ?) GROUP BY ALL ORDER BY 1
        """,
        [old, new, old, new, old, new],
    )
    periods["diff"] = periods["new_total"] - periods["old_total"]
    periods["pct"] = (periods["diff"] / periods["old_total"].where(periods["old_total"] != 0)
                      * 100).round(2)  # fmt: skip
    counts = diff.groupby(["period", "kind"]).size().unstack(fill_value=0)
    for kind in ("revised", "added", "removed"):
        periods[f"cells_{kind}"] = (
            periods["period"].map(counts[kind]).fillna(0).astype("int64")
            if kind in counts.columns
            else 0
        )
    fresh = store.sql(
        """
        SELECT DISTINCT strftime(period, '%Y-%m') AS p FROM coverage WHERE release_id = ?
        EXCEPT SELECT DISTINCT strftime(period, '%Y-%m') FROM coverage WHERE release_id = ?
        ORDER BY 1
        """,
        [new, old],
    )["p"].tolist()
    return RevisionReport(source, old, new, diff.reset_index(drop=True), periods, fresh)


__all__ = ["RevisionReport", "revisions"]

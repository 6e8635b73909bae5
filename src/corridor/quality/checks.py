"""``corridor check``: a data-quality report per source and release.

Each check looks at one release's rows (by default the latest release of
every source) and states findings in words an analyst can act on:

- ``missing_month``: a month absent inside the span a monthly release covers,
  or present in the previous release of the source and gone from this one;
- ``total_mismatch``: a total printed in the file that disagrees with the sum
  of its detail rows (connectors record both, see ``DeclaredTotal``);
- ``jump``: a month-on-month change far outside the series' usual changes,
  by a robust z-score on log changes (median and MAD, so one surge does not
  hide the next);
- ``unknown_code``: counts whose nationality could only be mapped to ``UNK``;
- ``nationality_appears`` / ``nationality_vanishes``: a nationality that
  starts to be reported mid-series, or stops while it was still sizeable;
- ``overlap_disagreement``: months where this source, preferred in its overlap
  group, gives totals far from another source of the group (queries take the
  preferred one: an excerpt or a partial file would make them undercount).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

import duckdb
import pandas as pd

from corridor.errors import QueryError
from corridor.store import Store

#: a log change this many robust standard deviations from the median is a jump
JUMP_Z = 4.0
#: ... and must move at least this many people/events (small series are noisy)
JUMP_MIN_CHANGE = 100
#: floor for the robust spread of log changes: series that hardly move (or sit
#: at zero for years) would otherwise flag every ordinary wobble
MIN_SPREAD = 0.25
#: a nationality's jumps are checked when it averages at least this much a month
JUMP_NAT_MEAN = 100.0
#: a nationality appearing or vanishing is reported from this monthly size up
MIN_NAT_MEAN = 20.0
#: UNK above this share of a release is a warning, below it information
UNK_WARN_SHARE = 0.05
#: sources of one overlap group disagree when their month totals differ by more
#: than this share and at least OVERLAP_MIN_DIFF people/events
OVERLAP_SHARE = 0.10
OVERLAP_MIN_DIFF = 100


@dataclass(frozen=True)
class Finding:
    source: str
    release_id: str
    check: str
    severity: str  # "warning" or "info"
    message: str
    period: date | None = None
    series: str = ""
    value: float | None = None


@dataclass
class QualityReport:
    """Every finding, and which releases were checked."""

    releases: list[dict[str, object]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        cols = [f for f in Finding.__dataclass_fields__]
        return pd.DataFrame([asdict(f) for f in self.findings], columns=cols)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def as_dict(self) -> dict[str, object]:
        return {
            "releases": self.releases,
            "warnings": self.warnings,
            "findings": [
                {**asdict(f), "period": f.period.isoformat() if f.period else None}
                for f in self.findings
            ],
        }


def check(
    store: Store,
    sources: Sequence[str] = (),
    *,
    release: str | None = None,
) -> QualityReport:
    """Run every check on the latest release of each source (or on ``release``).

    Raises:
        QueryError: an unknown source or release id.
    """
    con = store.connect()
    try:
        targets = _targets(con, sources, release)
        report = QualityReport()
        for source, release_id, file_name, previous in targets:
            rows = con.execute(
                "SELECT period, freq, geo, area, event, nat, sum(n)::BIGINT AS n "
                "FROM flows_all WHERE release_id = ? GROUP BY ALL",
                [release_id],
            ).df()
            report.releases.append(
                {"source": source, "release_id": release_id, "file_name": file_name,
                 "rows": len(rows), "previous": previous or ""}
            )  # fmt: skip
            found: list[Finding] = []
            found += _missing_months(con, source, release_id, previous, rows)
            found += _total_mismatches(con, source, release_id)
            found += _jumps(source, release_id, rows)
            found += _unknown_codes(source, release_id, rows)
            found += _nationality_changes(source, release_id, rows)
            found += _overlap_disagreements(con, source, release_id, rows)
            report.findings.extend(found)
        return report
    finally:
        con.close()


def _targets(
    con: duckdb.DuckDBPyConnection, sources: Sequence[str], release: str | None
) -> list[tuple[str, str, str, str | None]]:
    """(source, release, file, previous release of the same source) to check."""
    releases = con.execute(
        "SELECT source, release_id, file_name, ingested_at FROM releases "
        "ORDER BY source, ingested_at"
    ).fetchall()
    flow_releases = {
        r[0] for r in con.execute("SELECT DISTINCT release_id FROM coverage").fetchall()
    }
    by_source: dict[str, list[tuple[str, str]]] = {}
    for source, rid, name, _ in releases:
        if rid in flow_releases:  # reference tables have no flows to check
            by_source.setdefault(source, []).append((rid, name))
    if release is not None:
        for source, items in by_source.items():
            ids = [r for r, _ in items]
            if release in ids:
                i = ids.index(release)
                return [(source, release, items[i][1], ids[i - 1] if i else None)]
        raise QueryError(
            f"no release `{release}` with flows in the store (see `corridor releases`)"
        )
    unknown = [s for s in sources if s not in by_source]
    if unknown:
        held = ", ".join(sorted(by_source)) or "none"
        raise QueryError(f"no releases of {', '.join(unknown)} in the store (it holds: {held})")
    out = []
    for source in sources or sorted(by_source):
        items = by_source[source]
        previous = items[-2][0] if len(items) > 1 else None
        out.append((source, items[-1][0], items[-1][1], previous))
    return out


def _month_range(first: date, last: date) -> list[date]:
    months, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        months.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _missing_months(
    con: duckdb.DuckDBPyConnection, source: str, release_id: str, previous: str | None,
    rows: pd.DataFrame,
) -> list[Finding]:  # fmt: skip
    monthly = rows[rows["freq"] == "M"]
    if monthly.empty:
        return []
    have = {_as_date(p) for p in monthly["period"].unique()}
    gaps = [m for m in _month_range(min(have), max(have)) if m not in have]
    out = []
    for run in _runs(gaps):
        what = f"{run[0]:%Y-%m}" if len(run) == 1 else \
            f"{len(run)} months, {run[0]:%Y-%m}..{run[-1]:%Y-%m}"  # fmt: skip
        out.append(
            Finding(source, release_id, "missing_month", "warning",
                    f"{what} missing inside the span {min(have):%Y-%m}..{max(have):%Y-%m}",
                    period=run[0], value=float(len(run)))
        )  # fmt: skip
    if previous:
        before = {
            _as_date(r[0])
            for r in con.execute(
                "SELECT DISTINCT period FROM coverage WHERE release_id = ? AND freq = 'M'",
                [previous],
            ).fetchall()
        }
        for m in sorted(before - have):
            if min(have) <= m <= max(have):
                continue  # already reported as a gap
            out.append(
                Finding(source, release_id, "missing_month", "warning",
                        f"{m:%Y-%m} was in the previous release {previous} and is not in this one",
                        period=m)
            )  # fmt: skip
    return out


def _runs(months: list[date]) -> list[list[date]]:
    """Consecutive months grouped: [Jan, Feb, Apr] -> [[Jan, Feb], [Apr]]."""
    runs: list[list[date]] = []
    for m in months:
        if runs and _month_range(runs[-1][-1], m)[1:] == [m]:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _total_mismatches(
    con: duckdb.DuckDBPyConnection, source: str, release_id: str
) -> list[Finding]:
    try:
        totals = con.execute(
            "SELECT what, period, published, computed, file_row, file_column "
            "FROM declared_totals WHERE release_id = ? AND published <> computed ORDER BY file_row",
            [release_id],
        ).fetchall()
    except duckdb.CatalogException:
        return []  # a store written before declared totals existed
    out = []
    for what, period, published, computed, row, column in totals:
        where = f" (row {row}" + (f", column `{column}`" if column else "") + ")" if row else ""
        diff = published - computed
        out.append(
            Finding(source, release_id, "total_mismatch", "warning",
                    f"{what}{where}: the file prints {published:,}, its details add up to "
                    f"{computed:,} ({diff:+,})", period=_as_date(period) if period else None,
                    series=what, value=float(diff))
        )  # fmt: skip
    return out


def _overlap_disagreements(
    con: duckdb.DuckDBPyConnection, source: str, release_id: str, rows: pd.DataFrame
) -> list[Finding]:
    """Month totals of this release against the other sources of its overlap group.

    Reported from the preferred source's side only: that is the one queries use.
    """
    meta = dict(con.execute("SELECT source, grp FROM sources").fetchall())
    prio = dict(con.execute("SELECT source, priority FROM sources").fetchall())
    grp = meta.get(source)
    others = [s for s, g in meta.items() if g == grp and s != source and prio[s] > prio[source]]
    monthly = rows[rows["freq"] == "M"]
    if not others or monthly.empty:
        return []
    keys = ["period", "geo", "area", "event"]
    mine = monthly.groupby(keys, observed=True)["n"].sum()
    theirs = con.execute(
        f"SELECT source, period, geo, area, event, sum(n)::BIGINT AS n FROM flows "
        f"WHERE freq = 'M' AND source IN ({', '.join('?' for _ in others)}) GROUP BY ALL",
        others,
    ).df()
    out = []
    for (other, geo, area, event), g in theirs.groupby(
        ["source", "geo", "area", "event"], observed=True
    ):
        both = pd.DataFrame({"other": g.set_index("period")["n"]})
        both["mine"] = [mine.get((p, geo, area, event)) for p in both.index]
        both = both.dropna()
        diff = both["mine"] - both["other"]
        off = both[(diff.abs() >= OVERLAP_MIN_DIFF)
                   & (diff.abs() > OVERLAP_SHARE * both["other"].abs())]  # fmt: skip
        if off.empty:
            continue
        months = [_as_date(p) for p in sorted(off.index)]
        gaps = (off["mine"] / off["other"].where(off["other"] > 0) - 1).abs().fillna(float("inf"))
        i = int(gaps.to_numpy().argmax())
        worst, worst_at = off.iloc[i], _as_date(off.index[i])
        ratio = worst["mine"] / worst["other"] - 1 if worst["other"] else float("inf")
        spans = ", ".join(
            f"{r[0]:%Y-%m}" + (f"..{r[-1]:%Y-%m}" if len(r) > 1 else "") for r in _runs(months)
        )
        lower = bool((off["mine"] < off["other"]).mean() > 0.5)
        what = f"{geo}{'/' + str(area) if area else ''} {event}"
        out.append(Finding(
            source, release_id, "overlap_disagreement", "warning" if lower else "info",
            f"{what}: {source} and {other} (same overlap group `{grp}`) differ by more "
            f"than {OVERLAP_SHARE:.0%} in {len(months)} month(s) ({spans}), e.g. "
            f"{worst_at:%Y-%m}: {worst['mine']:,.0f} against {worst['other']:,.0f} "
            f"({ratio:+.0%}). Queries take {source} for these months"
            + (": if it is an excerpt or a partial file, they undercount "
               "(compare with --all-sources)." if lower else "."),
            period=months[0], series=what, value=float(worst["mine"] - worst["other"]),
        ))  # fmt: skip
    return out


def _series(rows: pd.DataFrame) -> Iterable[tuple[str, pd.Series]]:
    """Monthly totals per (geo, area, event), and per nationality when followed."""
    monthly = rows[rows["freq"] == "M"]
    if monthly.empty:
        return
    for (geo, area, event), part in monthly.groupby(["geo", "area", "event"], sort=True):
        label = "/".join(str(x) for x in (geo, area, event) if x)
        yield label, part.groupby("period")["n"].sum().sort_index()
        if part["nat"].nunique() <= 1:
            continue
        for nat, sub in part.groupby("nat", sort=True):
            if nat in ("", "UNK", "OTH"):
                continue
            series = sub.groupby("period")["n"].sum().sort_index()
            if series.mean() >= JUMP_NAT_MEAN:
                yield f"{label} {nat}", series


def _jumps(source: str, release_id: str, rows: pd.DataFrame) -> list[Finding]:
    covered = {_as_date(p) for p in rows.loc[rows["freq"] == "M", "period"].unique()}
    out = []
    for label, series in _series(rows):
        full = _fill_months(series)
        # Only changes between two months the release holds: a missing month is
        # reported once as such, not twice more as a fall and a rise.
        pairs = [
            (i, math.log((b + 1) / (a + 1)))
            for i, (a, b) in enumerate(itertools.pairwise(full.to_numpy(dtype="float64")))
            if _as_date(full.index[i]) in covered and _as_date(full.index[i + 1]) in covered
        ]
        if len(pairs) < 6:
            continue
        logs = sorted(x for _, x in pairs)
        med = logs[len(logs) // 2]
        spread = max(1.4826 * sorted(abs(x - med) for x in logs)[len(logs) // 2], MIN_SPREAD)
        values = full.to_numpy(dtype="float64")
        for i, change in pairs:
            z = (change - med) / spread
            before, after = values[i], values[i + 1]
            if abs(z) < JUMP_Z or abs(after - before) < JUMP_MIN_CHANGE:
                continue
            month = _as_date(full.index[i + 1])
            prev = _as_date(full.index[i])
            verb = "rose" if after > before else "fell"
            pct = (after - before) / before * 100 if before else float("inf")
            shown = f"{abs(pct):.1f}%" if math.isfinite(pct) else "from zero"
            # A whole series jumping is worth a look; one nationality's jump is context.
            severity = "info" if " " in label else "warning"
            out.append(
                Finding(source, release_id, "jump", severity,
                        f"{label} {verb} {shown} from {prev:%Y-%m} ({before:,.0f}) to "
                        f"{month:%Y-%m} ({after:,.0f}), {abs(z):.1f} robust SDs beyond its "
                        "usual month-to-month change", period=month, series=label,
                        value=round(z, 2))
            )  # fmt: skip
    return out


def _unknown_codes(source: str, release_id: str, rows: pd.DataFrame) -> list[Finding]:
    total = int(rows["n"].sum())
    unk = int(rows.loc[rows["nat"] == "UNK", "n"].sum())
    if not unk or not total or rows["nat"].nunique() <= 1:
        return []
    share = unk / total
    severity = "warning" if share > UNK_WARN_SHARE else "info"
    return [
        Finding(source, release_id, "unknown_code", severity,
                f"{unk:,} of {total:,} ({share:.1%}) could only be mapped to UNK (unknown "
                "nationality)", value=round(share, 4))
    ]  # fmt: skip


def _nationality_changes(source: str, release_id: str, rows: pd.DataFrame) -> list[Finding]:
    monthly = rows[(rows["freq"] == "M") & ~rows["nat"].isin(["", "UNK", "OTH"])]
    if monthly.empty or monthly["nat"].nunique() <= 1:
        return []
    months = sorted({_as_date(p) for p in monthly["period"].unique()})
    if len(months) < 6:
        return []
    first, last = months[0], months[-1]
    out = []
    for nat, part in monthly.groupby("nat", sort=True):
        by_month = part.groupby("period")["n"].sum()
        by_month.index = pd.Index([_as_date(p) for p in by_month.index], dtype=object)
        present = sorted(_as_date(p) for p, v in by_month.items() if v > 0)
        if not present:
            continue
        size = float(by_month.mean())
        if present[0] > months[2] and size >= MIN_NAT_MEAN:
            out.append(
                Finding(source, release_id, "nationality_appears", "info",
                        f"{nat} first reported in {present[0]:%Y-%m} (series starts "
                        f"{first:%Y-%m}), {int(by_month.sum()):,} since", period=present[0],
                        series=str(nat))
            )  # fmt: skip
        recent = [m for m in months if m <= present[-1]][-6:]
        typical = (
            float(by_month.reindex(pd.Index(recent, dtype=object)).fillna(0).mean())
            if recent
            else 0.0
        )
        if present[-1] < months[-2] and typical >= MIN_NAT_MEAN:
            out.append(
                Finding(source, release_id, "nationality_vanishes", "info",
                        f"{nat} last reported in {present[-1]:%Y-%m} (about {typical:,.0f} a "
                        f"month before) but the series runs to {last:%Y-%m}",
                        period=present[-1], series=str(nat))
            )  # fmt: skip
    return out


def _fill_months(series: pd.Series) -> pd.Series:
    index = [_as_date(p) for p in series.index]
    months = _month_range(min(index), max(index))
    return pd.Series([float(v) for v in series.to_numpy()], index=index).reindex(months)\
        .fillna(0.0)  # fmt: skip


def _as_date(value: object) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(str(value)).date()


__all__ = ["Finding", "QualityReport", "check"]

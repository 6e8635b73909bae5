"""Trends of one monthly series: changes, records, halvings and doublings, breaks.

Every finding is a dataclass with its numbers and a ``sentence`` a reader can
reuse as it stands (English or Spanish). Series come from
:func:`corridor.analysis.series.monthly`: monthly, first-of-month index, NaN
where the sources do not cover. Gaps are never read as zeros: a change needs
both months observed, a record says over which months it holds.

The series-level functions (``change``, ``changes``, ``records``, ``episodes``,
``breaks``) take a series and the words to name it; :func:`trends` reads a
checkpoint from a store and runs them all.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd

from corridor.analysis import trend_text as txt
from corridor.analysis.series import (
    CHECKPOINTS,
    VARIANTS,
    Checkpoint,
    checkpoint,
    monthly,
)
from corridor.analysis.series import (
    USBP_SOUTHWEST as USBP_SOUTHWEST,  # re-exported: defined with the other series
)
from corridor.analysis.trend_breaks import (
    MAX_BREAKS,
    MIN_SIZE,
    PENALTY,
    break_months,
    monthly_growth,
)
from corridor.errors import QueryError
from corridor.store import Store

#: Every series ``trends`` accepts: the corridor's checkpoints, then variants.
TREND_SERIES: tuple[Checkpoint, ...] = (*CHECKPOINTS, *VARIANTS)


def trend_series(series_id: str) -> Checkpoint:
    """The checkpoint (or variant) with this id, or an error listing the valid ones."""
    return checkpoint(series_id, variants=True)


@dataclass(frozen=True)
class Change:
    """The change between two observed months."""

    kind: Literal["mom", "yoy", "change"]
    start: pd.Timestamp
    end: pd.Timestamp
    start_value: float
    end_value: float
    #: percent change; None when the start is zero
    pct: float | None
    sentence: str


@dataclass(frozen=True)
class Record:
    """The highest or lowest month (or complete calendar year) of a series."""

    kind: Literal["high", "low"]
    period: Literal["month", "year"]
    when: pd.Timestamp
    value: float
    #: the span over which the record holds (first and last month or year compared)
    span_start: pd.Timestamp
    span_end: pd.Timestamp
    #: months with data (period="month") or complete years (period="year") compared
    compared: int
    sentence: str


@dataclass(frozen=True)
class Episode:
    """A halving or a doubling: a month at most half (or at least twice) an earlier one."""

    kind: Literal["halving", "doubling"]
    start: pd.Timestamp
    end: pd.Timestamp
    months: int
    start_value: float
    end_value: float
    sentence: str


@dataclass(frozen=True)
class Break:
    """A structural break: the first month of a new level or trend (see ``trend_breaks``)."""

    month: pd.Timestamp
    before_start: pd.Timestamp
    before_end: pd.Timestamp
    before_mean: float
    #: least-squares trend of the segment, percent per month
    before_growth_pct: float
    after_start: pd.Timestamp
    after_end: pd.Timestamp
    after_mean: float
    after_growth_pct: float
    sentence: str


@dataclass(frozen=True)
class TrendReport:
    """Everything :func:`trends` finds in one series."""

    series_id: str
    label: str
    nat: str | None
    lang: str
    unit: str
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    latest_mom: Change | None = None
    latest_yoy: Change | None = None
    #: the largest month-on-month fall and rise (among months at or above ``min_level``)
    largest_fall: Change | None = None
    largest_rise: Change | None = None
    records: list[Record] = field(default_factory=list)
    halvings: list[Episode] = field(default_factory=list)
    doublings: list[Episode] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)

    def statements(self) -> list[str]:
        """The sentences, latest changes first, then records, breaks and episodes."""
        found: list[Change | Record | Break | Episode | None] = [
            self.latest_mom, self.latest_yoy, self.largest_fall, self.largest_rise,
            *self.records, *self.breaks,
            *self.halvings, *self.doublings,
        ]  # fmt: skip
        return [item.sentence for item in found if item is not None]

    def as_dict(self) -> dict[str, Any]:
        """Plain data (timestamps as ``YYYY-MM-DD``) for JSON."""

        def plain(value: Any) -> Any:
            if isinstance(value, pd.Timestamp):
                return f"{value:%Y-%m-%d}"
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        out: dict[str, Any] = plain(asdict(self))
        out["statements"] = self.statements()
        return out


def _observed(series: pd.Series) -> pd.Series:
    if not isinstance(series.index, pd.DatetimeIndex):
        raise QueryError("a trend needs a monthly series indexed by dates")
    return series.dropna()


def change(
    series: pd.Series, start: str | date | pd.Timestamp, end: str | date | pd.Timestamp,
    *, label: str, lang: str = "en", kind: Literal["mom", "yoy", "change"] = "change",
) -> Change:  # fmt: skip
    """The change from month ``start`` to month ``end``; both must be observed."""
    lang = txt.check_lang(lang)
    observed = _observed(series)
    t0, t1 = (pd.Timestamp(t).to_period("M").to_timestamp() for t in (start, end))
    missing = [txt.month(t, "en") for t in (t0, t1) if t not in observed.index]
    if missing:
        raise QueryError(f"{label}: no data for {' and '.join(missing)}")
    v0, v1 = float(observed[t0]), float(observed[t1])
    pct = None if v0 == 0 else (v1 - v0) / v0 * 100
    return Change(kind, t0, t1, v0, v1, pct, _change_sentence(label, t0, t1, v0, v1, pct, lang))


def _change_sentence(
    label: str, t0: pd.Timestamp, t1: pd.Timestamp, v0: float, v1: float, pct: float | None,
    lang: str,
) -> str:  # fmt: skip
    when = txt.span(t0, t1, lang)
    numbers = (f"(de {txt.count(v0, lang)} a {txt.count(v1, lang)})" if lang == "es"
               else f"({txt.count(v0, lang)} to {txt.count(v1, lang)})")  # fmt: skip
    if lang == "es":
        when = "de " + when
        if pct is None or round(pct, 1) == 0:
            verb = "subió desde cero" if pct is None and v1 > 0 else "no cambió"
            return f"{label} {verb} {when} {numbers}."
        verb = "subió" if pct > 0 else "cayó"
    else:
        when = "from " + when
        if pct is None or round(pct, 1) == 0:
            verb = "rose from zero" if pct is None and v1 > 0 else "was unchanged"
            return f"{label} {verb} {when} {numbers}."
        verb = "rose" if pct > 0 else "fell"
    return f"{label} {verb} {txt.pct(abs(pct), lang)} {when} {numbers}."


def changes(series: pd.Series) -> pd.DataFrame:
    """One row per month: ``month``, ``value``, ``mom_pct``, ``yoy_pct`` (NaN across gaps)."""
    _observed(series)
    values = series.astype("float64")
    prev = values.shift(1, freq="MS").reindex(values.index)
    year_ago = values.shift(12, freq="MS").reindex(values.index)
    mom = (values / prev - 1) * 100
    yoy = (values / year_ago - 1) * 100
    out = pd.DataFrame({"month": values.index, "value": values.to_numpy(),
                        "mom_pct": mom.to_numpy(), "yoy_pct": yoy.to_numpy()})  # fmt: skip
    return out.replace([float("inf"), float("-inf")], float("nan"))


def records(series: pd.Series, *, label: str, lang: str = "en") -> list[Record]:
    """Highest and lowest month, and highest and lowest complete calendar year.

    Sources start at different dates, so each record names the span it holds
    over. Years count only when all twelve months are observed (a partial
    year is not a low); with fewer than two complete years there is no yearly
    record.
    """
    lang = txt.check_lang(lang)
    observed = _observed(series)
    if observed.empty:
        return []
    first, last = observed.index.min(), observed.index.max()
    found = [
        _record(kind, "month", observed, first, last, len(observed), label, lang)
        for kind in ("high", "low")
    ]
    years = pd.DatetimeIndex(observed.index).year
    months_seen = observed.groupby(years).size()
    complete = [y for y, n in zip(months_seen.index, months_seen, strict=True) if n == 12]
    if len(complete) >= 2:
        yearly = observed[years.isin(complete)]
        totals = yearly.groupby(years[years.isin(complete)]).sum()
        totals.index = pd.to_datetime([f"{y}-01-01" for y in totals.index])
        y0, y1 = totals.index.min(), totals.index.max()
        found += [_record(kind, "year", totals, y0, y1, len(totals), label, lang)
                  for kind in ("high", "low")]  # fmt: skip
    return found


def _record(
    kind: Literal["high", "low"], period: Literal["month", "year"], values: pd.Series,
    first: pd.Timestamp, last: pd.Timestamp, compared: int, label: str, lang: str,
) -> Record:  # fmt: skip
    when = pd.Timestamp(values.idxmax() if kind == "high" else values.idxmin())  # type: ignore[arg-type]
    value = float(values[when])
    n = txt.count(value, lang)
    high = kind == "high"
    if period == "month":
        if lang == "es":
            text = (f"{label}: {n} en {txt.month(when, lang)}, el mes "
                    f"{'más alto' if high else 'más bajo'} entre {txt.month(first, lang)} y "
                    f"{txt.month(last, lang)} ({compared} meses con datos).")  # fmt: skip
        else:
            text = (f"{label}: {n} in {txt.month(when, lang)}, the "
                    f"{'highest' if high else 'lowest'} month between {txt.month(first, lang)} "
                    f"and {txt.month(last, lang)} ({compared} months with data).")  # fmt: skip
    elif lang == "es":
        text = (f"{label}: {n} en {when.year}, el {'más alto' if high else 'más bajo'} de los "
                f"años calendario completos de {first.year} a {last.year}.")  # fmt: skip
    else:
        text = (f"{label}: {n} in {when.year}, the {'highest' if high else 'lowest'} of the "
                f"complete calendar years {first.year} to {last.year}.")  # fmt: skip
    return Record(kind, period, when, value, first, last, compared, text)


def episodes(
    series: pd.Series, kind: Literal["halving", "doubling"], *, label: str, lang: str = "en",
    within: int = 12, min_level: float = 100,
) -> list[Episode]:  # fmt: skip
    """Halvings (a month at most half the highest of the ``within`` months before it)
    or doublings (at least twice the lowest), as non-overlapping episodes.

    Scanning forward, an episode ends at the first month that reaches the
    factor; the next one is looked for only after it, so one fall is reported
    once, from its peak, not once per month it stays low. Months without data
    are skipped, never read as zeros; doublings from zero are not counted, nor
    episodes starting below ``min_level`` (6 to 108 people is noise, not news).
    """
    lang = txt.check_lang(lang)
    if within < 1:
        raise QueryError("`within` must be at least 1 month")
    observed = _observed(series)
    found: list[Episode] = []
    after = None  # months up to this one belong to an episode already found
    for t, value in observed.items():
        ts = pd.Timestamp(t)  # type: ignore[arg-type]
        lo = ts - pd.DateOffset(months=within)
        window = observed[(observed.index >= lo) & (observed.index < ts)]
        if after is not None:
            window = window[window.index >= after]
        if window.empty:
            continue
        if kind == "halving":
            ref_t = pd.Timestamp(window.idxmax())  # type: ignore[arg-type]
            hit = window[ref_t] >= min_level and value <= window[ref_t] / 2
        else:
            positive = window[(window > 0) & (window >= min_level)]
            if positive.empty:
                continue
            ref_t = pd.Timestamp(positive.idxmin())  # type: ignore[arg-type]
            hit = value >= positive[ref_t] * 2
        if hit:
            found.append(
                _episode(kind, ref_t, ts, float(observed[ref_t]), float(value), label, lang)
            )
            after = ts
    return found


def _episode(
    kind: Literal["halving", "doubling"], t0: pd.Timestamp, t1: pd.Timestamp, v0: float,
    v1: float, label: str, lang: str,
) -> Episode:  # fmt: skip
    months = (t1.year - t0.year) * 12 + t1.month - t0.month
    a, b = f"{txt.count(v0, lang)}", f"{txt.count(v1, lang)}"
    if lang == "es":
        verb = "se redujo a la mitad" if kind == "halving" else "se duplicó"
        unit = "mes" if months == 1 else "meses"
        text = (f"{label} {verb} en {months} {unit}: de {a} en {txt.month(t0, lang)} "
                f"a {b} en {txt.month(t1, lang)}.")  # fmt: skip
    else:
        verb = "halved" if kind == "halving" else "doubled"
        unit = "month" if months == 1 else "months"
        text = (f"{label} {verb} in {months} {unit}: from {a} in {txt.month(t0, lang)} "
                f"to {b} in {txt.month(t1, lang)}.")  # fmt: skip
    return Episode(kind, t0, t1, months, v0, v1, text)


def breaks(
    series: pd.Series, *, label: str, lang: str = "en", penalty: float = PENALTY,
    min_size: int = MIN_SIZE, max_breaks: int = MAX_BREAKS,
) -> list[Break]:  # fmt: skip
    """Structural breaks in level or trend (method in ``trend_breaks``), each with the
    mean monthly count and the monthly trend of the segments before and after it."""
    lang = txt.check_lang(lang)
    observed = _observed(series)
    cuts = break_months(observed, penalty=penalty, min_size=min_size, max_breaks=max_breaks)
    edges = [observed.index.min(), *cuts, observed.index.max() + pd.DateOffset(months=1)]
    segments = []
    for a, b in itertools.pairwise(edges):
        part = observed[(observed.index >= a) & (observed.index < b)]
        segments.append((part.index.min(), part.index.max(), float(part.mean()),
                         monthly_growth(part)))  # fmt: skip
    found = []
    for i, cut in enumerate(cuts):
        (b0, b1, bm, bg), (a0, a1, am, ag) = segments[i], segments[i + 1]
        text = _break_sentence(label, cut, segments[i], segments[i + 1], lang)
        found.append(Break(pd.Timestamp(cut), b0, b1, bm, bg, a0, a1, am, ag, text))
    return found


def _break_sentence(
    label: str, cut: pd.Timestamp, before: tuple[pd.Timestamp, pd.Timestamp, float, float],
    after: tuple[pd.Timestamp, pd.Timestamp, float, float], lang: str,
) -> str:  # fmt: skip
    def trend(growth: float) -> str:
        sign = "+" if growth >= 0 else "-"
        return sign + txt.pct(abs(growth), lang)

    (b0, b1, bm, bg), (a0, a1, am, ag) = before, after
    if lang == "es":
        return (f"{label}: quiebre en {txt.month(cut, lang)}: {txt.count(bm, lang)} al mes "
                f"en promedio (tendencia {trend(bg)} al mes, {txt.span(b0, b1, lang)}), luego "
                f"{txt.count(am, lang)} al mes (tendencia {trend(ag)} al mes, "
                f"{txt.span(a0, a1, lang)}).")  # fmt: skip
    return (f"{label}: break in {txt.month(cut, lang)}: {txt.count(bm, lang)} a month on "
            f"average (trend {trend(bg)} a month, {txt.span(b0, b1, lang)}), then "
            f"{txt.count(am, lang)} a month (trend {trend(ag)} a month, "
            f"{txt.span(a0, a1, lang)}).")  # fmt: skip


def largest_changes(
    series: pd.Series, *, label: str, lang: str = "en", min_level: float = 100
) -> tuple[Change | None, Change | None]:
    """The largest month-on-month fall and rise, in percent, between observed months.

    A change from a month below ``min_level`` is left out: 5 to 40 is +700%
    and means nothing.
    """
    table = changes(series)
    base = table["value"].shift(1)
    keep = (base >= min_level) & table["mom_pct"].notna()
    pcts = pd.Series(table["mom_pct"][keep].to_numpy(), index=table["month"][keep])
    falls, rises = pcts[pcts < 0], pcts[pcts > 0]
    out: list[Change | None] = []
    for candidates, pick in ((falls, falls.idxmin), (rises, rises.idxmax)):
        if candidates.empty:
            out.append(None)
            continue
        end = pd.Timestamp(pick())  # type: ignore[arg-type]
        out.append(change(series, end - pd.DateOffset(months=1), end, label=label, lang=lang,
                          kind="mom"))  # fmt: skip
    return out[0], out[1]


def latest_changes(
    series: pd.Series, *, label: str, lang: str = "en"
) -> tuple[Change | None, Change | None]:
    """Month-on-month and year-on-year change to the latest observed month (None across a gap)."""
    observed = _observed(series)
    if observed.empty:
        return None, None
    last = observed.index.max()
    out: list[Change | None] = []
    for months, kind in ((1, "mom"), (12, "yoy")):
        before = last - pd.DateOffset(months=months)
        out.append(change(observed, before, last, label=label, lang=lang, kind=kind)  # type: ignore[arg-type]
                   if before in observed.index else None)  # fmt: skip
    return out[0], out[1]


def trends(
    store: Store, series_id: str | Checkpoint, *, nat: str | None = None, lang: str = "en",
    start: str | date | None = None, end: str | date | None = None, within: int = 12,
    min_level: float = 100, penalty: float = PENALTY,
) -> TrendReport:  # fmt: skip
    """All findings for one checkpoint (``TREND_SERIES``), optionally one nationality."""
    lang = txt.check_lang(lang)
    cp = trend_series(series_id) if isinstance(series_id, str) else series_id
    series = monthly(store, cp, nat=nat, start=start, end=end)
    label = txt.subject(cp.label_es if lang == "es" else cp.label, nat, lang)
    observed = series.dropna()
    if observed.empty:
        who = f" for nationality {nat.upper()}" if nat else ""
        # same words as corridor_view: a window with no data is not an empty store
        window = f" between {start or 'the start'} and {end or 'the end'}" if start or end else ""
        raise QueryError(f"no data for checkpoint `{cp.id}`{who}{window or ' in the store'}")
    mom, yoy = latest_changes(series, label=label, lang=lang)
    fall, rise = largest_changes(series, label=label, lang=lang, min_level=min_level)
    return TrendReport(
        series_id=cp.id, label=label, nat=nat.upper() if nat else None, lang=lang,
        unit=cp.unit, first=observed.index.min(), last=observed.index.max(),
        latest_mom=mom, latest_yoy=yoy, largest_fall=fall, largest_rise=rise,
        records=records(series, label=label, lang=lang),
        halvings=episodes(series, "halving", label=label, lang=lang, within=within,
                          min_level=min_level),
        doublings=episodes(series, "doubling", label=label, lang=lang, within=within,
                          min_level=min_level),
        breaks=breaks(series, label=label, lang=lang, penalty=penalty),
    )  # fmt: skip

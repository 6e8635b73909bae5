"""What each page shows, computed from a store: plain dicts for the templates.

Shared by the web pages and the HTML report so both say the same thing.
Optional analyses (forecasts, alerts) are used when their modules are
installed in this checkout; a page never fails because one is missing.
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd

from corridor.analysis import trend_text as txt
from corridor.analysis.series import CHECKPOINTS, Checkpoint, by_nationality, checkpoint, monthly
from corridor.countries.names import name_of
from corridor.errors import CorridorError, QueryError
from corridor.store import Store
from corridor.store.query import parse_month
from corridor.store.store import file_stamp
from corridor.web.charts import COLOURS, Band, Line, line_chart
from corridor.web.i18n import TEXT, t

SPARK_MONTHS = 24
TOP_NATS = 10


def cp_label(cp: Checkpoint, lang: str) -> str:
    return cp.label_es if lang == "es" else cp.label


def unit_text(cp: Checkpoint, lang: str, *, short: bool = False) -> str:
    return t(f"unit_{cp.unit}{'_short' if short else ''}", lang)


def nat_name(code: str, lang: str) -> str:
    try:
        return name_of(code, lang)
    except CorridorError:
        return code


def month_arg(value: str | None) -> str | None:
    """A ``YYYY-MM`` (or ``YYYY``) filter from a form, checked as the store reads it."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parse_month(value)
    except QueryError:
        raise QueryError(f"`{value}` is not a month: use YYYY-MM, e.g. 2024-01") from None
    return value


def _latest(series: pd.Series, lang: str) -> dict[str, Any]:
    observed = series.dropna()
    last_ts = observed.index.max()
    prev_ts = last_ts - pd.DateOffset(months=1)
    prev = series.get(prev_ts)
    change = None
    if prev is not None and pd.notna(prev) and prev > 0:
        change = (float(observed[last_ts]) / float(prev) - 1) * 100
    return {
        "month": txt.month(last_ts, lang),
        "value": txt.count(float(observed[last_ts]), lang),
        # arrows, not red/green: a fall in crossings is not "good" news by itself
        "change": None
        if change is None
        else ("▲ +" if change > 0 else "▼ ") + txt.pct(change, lang),
        "direction": None if change is None else ("up" if change > 0 else "down"),
    }


def overview(store: Store, lang: str) -> list[dict[str, Any]]:
    """One panel per checkpoint, in corridor order."""
    panels = []
    for i, cp in enumerate(CHECKPOINTS):
        series = monthly(store, cp)
        panel: dict[str, Any] = {
            "id": cp.id, "label": cp_label(cp, lang), "unit": unit_text(cp, lang),
            "chart": "", "latest": None,
        }  # fmt: skip
        if series.notna().any():
            recent = series.loc[: series.last_valid_index()].iloc[-SPARK_MONTHS:]
            title = (
                f"{cp_label(cp, lang)}, {unit_text(cp, lang, short=True)} {t('per_month', lang)}"
            )
            last: Any = recent.last_valid_index()
            panel["chart"] = line_chart(
                [Line(f"{last:%Y-%m}", recent, COLOURS[i % len(COLOURS)])],
                title=title, lang=lang, width=360, height=110, compact=True,
            )  # fmt: skip
            panel["latest"] = _latest(series, lang)
        panels.append(panel)
    return panels


def nationalities(store: Store, lang: str) -> list[dict[str, str]]:
    """Nationalities seen at any checkpoint, most counted first."""
    totals: dict[str, float] = {}
    for cp in CHECKPOINTS:
        df = store.flows(**cp.filters, by=["nat"])  # type: ignore[arg-type]
        for code, n in zip(df["nat"], df["n"], strict=True):
            totals[code] = totals.get(code, 0.0) + float(n)
    ranked = sorted(totals, key=lambda c: -totals[c])
    return [{"code": c, "name": nat_name(c, lang)} for c in ranked if c not in ("TOT",)]


def nationality(store: Store, nat: str, lang: str) -> list[dict[str, Any]]:
    """One chart per checkpoint for one nationality (scales differ too much to share one)."""
    charts = []
    for i, cp in enumerate(CHECKPOINTS):
        series = monthly(store, cp, nat=nat)
        if not series.notna().any():
            continue
        title = t("cp_title", lang, label=cp_label(cp, lang), unit=unit_text(cp, lang, short=True))
        colour = COLOURS[i % len(COLOURS)]
        lines, bands = [Line(nat, series, colour)], []
        fc = forecast_of(store, cp, lang, nat=nat)
        if fc is not None:
            lines.append(Line(t("forecast", lang), fc["mean"], colour, dashed=True))
            bands = [Band(fc["lo95"], fc["hi95"], colour, 0.12),
                     Band(fc["lo80"], fc["hi80"], colour, 0.2)]  # fmt: skip
        charts.append({
            "id": cp.id, "label": cp_label(cp, lang), "title": title,
            "chart": line_chart(lines, title=f"{nat_name(nat, lang)}: {title}", lang=lang,
                                bands=bands),
            "forecast": fc,
        })  # fmt: skip
    return charts


def along_corridor(store: Store, nat: str, lang: str) -> list[dict[str, str]]:
    """Consecutive checkpoints for one nationality: ratio of totals and lead time."""
    from corridor.analysis.corridor_view import lead_times, ratios

    leads = {(lt.upstream, lt.downstream): lt for lt in lead_times(store, nat=nat)}
    rows = []
    for r in ratios(store, nat=nat):
        if not r.months:
            continue
        up, down = checkpoint(r.upstream), checkpoint(r.downstream)
        lt = leads.get((r.upstream, r.downstream))
        lead = t("lead_few", lang)
        if lt is not None:  # lead_times leaves out lags with fewer than MIN_PAIRS pairs
            lead = t("lead_value", lang, lag=lt.lag, corr=txt.ratio(lt.corr, lang))
        # no one counted upstream over those months: there is no ratio to give
        value = "–" if math.isnan(r.ratio) else txt.count(100 * r.ratio, lang)
        rows.append({
            "stretch": f"{_short(up, lang)} → {_short(down, lang)}",
            "ratio": t("ratio_months", lang, value=value, months=r.months),
            "lead": lead,
            "units": t("units_differ", lang) if up.unit != down.unit else "",
        })  # fmt: skip
    return rows


def _short(cp: Checkpoint, lang: str) -> str:
    return cp_label(cp, lang).split(" (")[0]


def checkpoint_detail(
    store: Store,
    cp_id: str,
    lang: str,
    *,
    start: str | None = None,
    end: str | None = None,
    scores: bool = False,
) -> dict[str, Any]:
    """A checkpoint's series in a window, its top nationalities, trends and forecast."""
    cp = checkpoint(cp_id)
    start, end = month_arg(start), month_arg(end)
    # a year as ``to`` is its December, as in Store.flows
    if start and end and parse_month(start) > parse_month(end, end=True):
        raise QueryError(f"`from` ({start}) is after `to` ({end})")
    series = monthly(store, cp, start=start, end=end)
    title = t("cp_title", lang, label=cp_label(cp, lang), unit=unit_text(cp, lang, short=True))
    out: dict[str, Any] = {
        "id": cp.id, "label": cp_label(cp, lang), "title": title, "unit": unit_text(cp, lang),
        "start": start or "", "end": end or "", "chart": "", "top": [], "span": "",
        "statements": [], "forecast": None, "scores": [], "scored": scores,
        "filtered": bool(start or end), "alerts": [],
    }  # fmt: skip
    if not series.notna().any():
        return out
    first: Any = series.first_valid_index()
    last: Any = series.last_valid_index()
    out["span"] = txt.span(first, last, lang)
    lines = [Line(_short(cp, lang), series)]
    fc = forecast_of(store, cp, lang) if not end else None
    bands: list[Band] = []
    if fc is not None:
        out["forecast"] = fc
        lines.append(Line(t("forecast", lang), fc["mean"], COLOURS[1], dashed=True))
        bands = [Band(fc["lo95"], fc["hi95"], COLOURS[1], 0.12),
                 Band(fc["lo80"], fc["hi80"], COLOURS[1], 0.2)]  # fmt: skip
    out["chart"] = line_chart(lines, title=title, lang=lang, bands=bands)
    wide = by_nationality(store, cp, start=start, end=end).drop(columns=["TOT"], errors="ignore")
    covered = wide.dropna(how="all").index
    if len(covered):
        # the breakdown by nationality may start later than the total (Honduras: 2018
        # against 2014): the top table's heading names the months it sums
        out["span"] = txt.span(covered.min(), covered.max(), lang)
    by_nat = wide.sum().sort_values(ascending=False, kind="stable")
    total = float(by_nat.sum()) or 1.0
    out["top"] = [
        {"code": str(code), "name": nat_name(str(code), lang), "count": txt.count(float(n), lang),
         "share": txt.pct(100 * float(n) / total, lang)}
        for code, n in by_nat.iloc[:TOP_NATS].items()
    ]  # fmt: skip
    out["statements"] = statements(store, cp, lang, start=start, end=end)
    out["alerts"] = alerts(store, lang, cp_id=cp.id)
    # Scores stored for the current data (``corridor backtest --save``, the demo)
    # show at once; computing them on a page view takes seconds, so only on request.
    stored = stored_scores(store, cp.id)
    if stored is not None:
        out["scores"], out["scored"] = _score_rows(stored, lang), True
    elif scores:
        out["scores"] = backtest_scores(store, cp, lang)
    return out


def statements(
    store: Store, cp: Checkpoint, lang: str, *, start: str | date | None = None,
    end: str | date | None = None,
) -> list[str]:  # fmt: skip
    """Trend sentences for a checkpoint; none when the window is too short to say anything."""
    from corridor.analysis.trends import trends

    try:
        return trends(store, cp, lang=lang, start=start, end=end).statements()
    except QueryError:
        return []


def _version(store: Store) -> tuple[int, ...]:
    """Changes whenever the store may have, so cached results never go stale."""
    return file_stamp(store.path)


@lru_cache(maxsize=128)
def _forecast_frame(
    path: str, version: tuple[int, ...], cp_id: str, horizon: int, nat: str | None
) -> pd.DataFrame | None:
    from corridor.analysis.forecast_series import forecast_checkpoint

    # The corridor model (upstream checkpoints as leading indicators, policy
    # steps) scored better than naive and ETS in benchmarks/forecast.py.
    try:
        return forecast_checkpoint(Store(path), cp_id, horizon, nat=nat, model="corridor")
    except CorridorError:  # e.g. too few months since the last gap
        return None


def forecast_of(
    store: Store, cp: Checkpoint, lang: str, horizon: int = 6, *, nat: str | None = None
) -> dict[str, Any] | None:
    """The forecast (all nationalities, or one) with 80/95% intervals, or None.

    Cached per store version: a page view costs nothing after the first.
    """
    try:
        df = _forecast_frame(str(store.path), _version(store), cp.id, horizon, nat)
    except ImportError:  # statsforecast comes with the forecast extra
        return None
    if df is None or df.empty:
        return None
    idx = pd.to_datetime(df["period"])
    cols = {c: pd.Series(df[c].to_numpy(dtype="float64"), index=idx) for c in
            ("mean", "lo80", "hi80", "lo95", "hi95")}  # fmt: skip
    model = str(df["model"].iloc[0])
    rows = [
        {"month": txt.month(ts, lang), "mean": txt.count(m, lang),
         "i80": f"{txt.count(lo8, lang)} – {txt.count(hi8, lang)}",
         "i95": f"{txt.count(lo9, lang)} – {txt.count(hi9, lang)}"}
        for ts, m, lo8, hi8, lo9, hi9 in zip(idx, *cols.values(), strict=True)
    ]  # fmt: skip
    return {**cols, "model": model, "rows": rows, "note": t("forecast_note", lang, model=model)}


@lru_cache(maxsize=16)
def _scores(path: str, version: tuple[int, ...], cp_id: str) -> pd.DataFrame:
    from corridor.analysis.backtest import backtest

    store = Store(path)
    panel = {cp.id: monthly(store, cp) for cp in CHECKPOINTS}
    return backtest(panel, series=[cp_id], horizons=(1, 3))


def backtest_scores(store: Store, cp: Checkpoint, lang: str) -> list[dict[str, Any]]:
    """Rolling-origin scores of every model on this checkpoint (slow: cached per store version)."""
    try:
        df = _scores(str(store.path), _version(store), cp.id)
    except QueryError:
        return []
    return _score_rows(df, lang)


def stored_scores(store: Store, cp_id: str) -> pd.DataFrame | None:
    """Scores kept in the store for its current data, if any."""
    from corridor.analysis.backtest_store import stored_scores as stored

    return stored(store, cp_id)


def _score_rows(df: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    def num(value: float, fmt: str) -> str:
        text = "–" if pd.isna(value) else format(value, fmt)
        return text.replace(".", ",") if lang == "es" else text

    df = df.sort_values(["horizon", "model"])
    best = df.groupby("horizon")["mase"].transform("min")
    return [
        {"model": str(r["model"]), "horizon": str(r["horizon"]), "mase": num(r["mase"], ".2f"),
         "mape": num(r["mape"], ".1f"), "cov80": num(100 * r["coverage80"], ".0f"),
         "cov95": num(100 * r["coverage95"], ".0f"), "origins": str(r["n_origins"]),
         "best": bool(r["mase"] == b)}
        for r, b in zip(_records(df), best, strict=True)
    ]  # fmt: skip


def alerts(store: Store, lang: str, *, cp_id: str | None = None) -> list[dict[str, Any]]:
    """Stored alerts (``analysis.alerts``), newest month first; optionally one checkpoint's."""
    from corridor.analysis.alerts import list_alerts

    rows = []
    for r in _records(list_alerts(store, checkpoint=cp_id)):
        cp = checkpoint(str(r["checkpoint"]))
        sev = str(r["severity"])
        rows.append({
            "month": txt.month(pd.Timestamp(r["period"]), lang), "checkpoint": _short(cp, lang),
            "cp_id": cp.id, "nat": nat_name(str(r["nat"]), lang) if r["nat"] else "",
            "severity": t(f"sev_{sev}", lang) if f"sev_{sev}" in TEXT else sev,
            "severity_id": sev, "rule": str(r["rule"]), "message": _message(r, lang),
            "english_only": lang == "es" and not (isinstance(r.get("message_es"), str)
                                                  and r["message_es"]),
        })  # fmt: skip
    return rows


def _message(alert: dict[str, Any], lang: str) -> str:
    """The alert in the page's language; English for alerts stored before Spanish existed."""
    es = alert.get("message_es")
    return str(es) if lang == "es" and isinstance(es, str) and es else str(alert["message"])


def sources(store: Store, lang: str) -> dict[str, list[dict[str, Any]]]:
    """Sources with their coverage, and every release (newest first)."""

    def day(value: Any, fmt: str = "%Y-%m-%d") -> str:
        return "" if pd.isna(value) else pd.Timestamp(value).strftime(fmt)

    src = [
        {"source": r["source"], "title": r["title"],
         "coverage": f"{r['first'] or '?'} – {r['last'] or '?'}",
         "releases": int(r["releases"]), "rows": txt.count(float(r["rows"]), lang)}
        for r in _records(store.sources())
    ]  # fmt: skip
    rel = [
        {"source": r["source"], "file": r["file_name"], "rows": txt.count(float(r["rows"]), lang),
         "ingested": day(r["ingested_at"], "%Y-%m-%d %H:%M"), "published": day(r["published"]),
         "in_use": t("yes" if int(r["current_slices"]) else "no", lang)}
        for r in _records(store.releases())
    ]  # fmt: skip
    return {"sources": src, "releases": rel}


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    # plain dicts: row access by name, typed loosely on purpose (mixed columns)
    return [{str(k): v for k, v in row.items()} for row in df.to_dict("records")]

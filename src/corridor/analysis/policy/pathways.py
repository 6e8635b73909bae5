"""Legal-pathway effects: before/after and difference-in-differences by nationality.

A pathway (``pathway_config``) covers some nationalities from a start month.
``pathway_effect`` compares their monthly encounters on one series before and
after the start with those of comparable nationalities it does not cover:

* a before/after table per group (monthly mean of the group's total, and the
  average nationality's change with an interval across nationalities);
* the difference-in-differences on ``log(1 + count)``: the two-way
  fixed-effects estimate ``nationality + month + treated x post``, which on
  this balanced panel equals the treated nationalities' mean log change minus
  the comparison's; reported as a percentage with a t interval on
  ``G - 2`` degrees of freedom from the per-nationality changes, and a
  randomisation p-value (see ``pathway_stats`` for why, with so few groups);
* a placebo (the same estimate with a start ``placebo_shift_months`` earlier,
  inside data from before the pathway) and a pre-trend test (difference in
  the groups' monthly slopes in the pre window);
* the pathway's variants (e.g. Border Patrol only, a post window that ends
  before Title 42 did, without Venezuela), each a full re-estimate;
* the caveats, in English or Spanish, printed beside the numbers.

Months the source covers where a nationality has no rows count as 0 (and are
reported); months between the two windows are left out of the estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import corridor.analysis.policy.pathway_text as text
from corridor.analysis.policy.pathway_config import (
    Pathway,
    Variant,
    Window,
    check_nationalities,
    load_pathway,
    parse_window,
    pathways,
)
from corridor.analysis.policy.pathway_stats import (
    Estimate,
    changes,
    difference,
    mean_interval,
    permutation_p,
    slopes,
    to_pct,
)
from corridor.analysis.series import Checkpoint, by_nationality, checkpoint
from corridor.analysis.trend_text import check_lang
from corridor.errors import ConfigError, CorridorError, QueryError
from corridor.store import Store


@dataclass(frozen=True)
class GroupChange:
    """Before/after of one group: monthly mean of its total, and its average nationality."""

    group: str  # "treated" or "control"
    nationalities: tuple[str, ...]
    pre_mean: float
    post_mean: float
    #: the average nationality's log change, with a t interval across nationalities
    by_nationality: Estimate

    @property
    def change_pct(self) -> float:
        """Change of the group's monthly mean total, in percent."""
        return 100.0 * (self.post_mean / self.pre_mean - 1) if self.pre_mean else float("nan")


@dataclass(frozen=True)
class NationalityChange:
    """One nationality's before/after and its change relative to the comparison group."""

    nat: str
    group: str
    pre_mean: float
    post_mean: float
    zero_months: int  # months the source covers with no rows for it (counted as 0)
    change_pct: float  # of mean log(1 + count), as a percentage
    vs_control_pct: float  # its log change minus the comparison's mean log change


@dataclass(frozen=True)
class PlaceboCheck:
    """The same estimate on a fake start before the pathway existed."""

    method: str  # "shifted" (start moved earlier) or "split_pre" (halves of the pre window)
    pre: Window
    post: Window
    estimate: Estimate

    @property
    def flagged(self) -> bool:
        """An "effect" where there was none: the parallel-trends assumption is in doubt."""
        return self.estimate.excludes_zero()


@dataclass(frozen=True)
class PreTrend:
    """Difference of the groups' mean monthly log slopes in the pre window."""

    months: int
    estimate: Estimate  # log points a month

    @property
    def flagged(self) -> bool:
        return self.estimate.excludes_zero()


@dataclass(frozen=True)
class VariantResult:
    """A robustness check: the DiD with some inputs changed, or why it could not run."""

    id: str
    label: str
    series: str
    treated: tuple[str, ...]
    controls: tuple[str, ...]
    pre: Window
    post: Window
    estimate: Estimate | None = None
    error: str | None = None


@dataclass
class PathwayEffect:
    """Everything ``pathway_effect`` measured, with the inputs it used."""

    pathway: Pathway
    series: Checkpoint
    treated: tuple[str, ...]
    controls: tuple[str, ...]
    pre: Window
    post: Window
    level: float
    lang: str
    groups: list[GroupChange]
    nationalities: list[NationalityChange]
    did: Estimate
    permutation_p: float
    permutations: int
    placebo: PlaceboCheck | None
    pretrend: PreTrend | None
    variants: list[VariantResult]
    monthly: pd.DataFrame = field(repr=False)
    caveats: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def series_id(self) -> str:
        """The id of the series measured (``us_southwest``, ...)."""
        return self.series.id

    @property
    def group(self) -> dict[str, GroupChange]:
        return {g.group: g for g in self.groups}

    @property
    def totals_pct(self) -> float:
        """Ratio of the groups' total changes, in percent (big nationalities weigh more).

        A description beside the estimate, with no interval.
        """
        t, c = self.group["treated"], self.group["control"]
        if not (t.pre_mean and c.pre_mean and c.post_mean):
            return float("nan")
        return 100.0 * ((t.post_mean / t.pre_mean) / (c.post_mean / c.pre_mean) - 1)

    def frame(self) -> pd.DataFrame:
        """Monthly series for a chart.

        Columns: ``period``; ``treated`` and ``control`` (group totals);
        ``treated_index`` and ``control_index`` (100 = the group's pre-window
        monthly mean); ``gap_pct`` (treated minus control mean log count,
        relative to its pre-window mean, as a percentage: the month-by-month
        difference-in-differences, about 0 before the start when trends are
        parallel) with ``gap_low_pct`` and ``gap_high_pct`` (its interval, as
        for the estimate: an event study); ``window`` (``pre``, ``post`` or
        empty).
        """
        return self.monthly.copy()

    def table(self) -> pd.DataFrame:
        """The before/after table: one row per group."""
        rows = []
        for g in self.groups:
            est = g.by_nationality
            rows.append({
                "group": g.group, "nationalities": ",".join(g.nationalities),
                "pre_monthly_mean": g.pre_mean, "post_monthly_mean": g.post_mean,
                "change_pct": g.change_pct, "avg_nationality_change_pct": est.pct,
                "avg_nationality_low_pct": est.pct_low, "avg_nationality_high_pct": est.pct_high,
            })  # fmt: skip
        return pd.DataFrame(rows)

    def statements(self, lang: str | None = None) -> list[str]:
        """Plain sentences with the numbers, in ``lang`` (default: the language asked for)."""
        return text.statements(self, check_lang(lang or self.lang))

    def method(self, lang: str | None = None) -> str:
        """How the estimate and its interval are computed, in one paragraph."""
        return text.method(self, check_lang(lang or self.lang))

    def caveats_in(self, lang: str) -> list[str]:
        """The caveats in another language than the one asked for."""
        return text.caveats(self, check_lang(lang))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (months as ``YYYY-MM``, missing numbers as None)."""
        p = self.pathway
        frame = self.monthly.assign(period=self.monthly["period"].dt.strftime("%Y-%m"))
        return _clean({
            "pathway": {
                "id": p.id, "title": p.text(self.lang), "source": p.source,
                "source_date": p.source_date.isoformat(), "start": _ym(p.start),
                "end": _ym(p.end) if p.end is not None else None,
                "nationalities": list(p.nationalities), "cap": p.cap,
                "cap_unit": p.cap_unit_es if self.lang == "es" and p.cap_unit_es else p.cap_unit,
                "file": p.file,
            },
            "series": {"id": self.series.id, "label": text.series_label(self.series, self.lang),
                       "unit": self.series.unit},
            "treated": list(self.treated), "controls": list(self.controls),
            "controls_why": text.controls_why(self, self.lang),
            "pre": [_ym(m) for m in self.pre], "post": [_ym(m) for m in self.post],
            "level": self.level, "lang": self.lang,
            "method": self.method(),
            "groups": self.table().to_dict(orient="records"),
            "nationalities": [vars(n).copy() for n in self.nationalities],
            "did": _estimate(self.did) | {"permutation_p": self.permutation_p,
                                          "permutations": self.permutations},
            "totals_pct": self.totals_pct,
            "placebo": None if self.placebo is None else {
                "method": self.placebo.method, "pre": [_ym(m) for m in self.placebo.pre],
                "post": [_ym(m) for m in self.placebo.post],
                "flagged": self.placebo.flagged, **_estimate(self.placebo.estimate)},
            "pretrend": None if self.pretrend is None else {
                "months": self.pretrend.months, "flagged": self.pretrend.flagged,
                "slope_log_per_month": self.pretrend.estimate.log,
                "low": self.pretrend.estimate.low, "high": self.pretrend.estimate.high,
                "p_value": self.pretrend.estimate.p_value},
            "variants": [{
                "id": v.id, "label": v.label, "series": v.series, "treated": list(v.treated),
                "controls": list(v.controls), "pre": [_ym(m) for m in v.pre],
                "post": [_ym(m) for m in v.post], "error": v.error,
                "estimate": None if v.estimate is None else _estimate(v.estimate)}
                for v in self.variants],
            "monthly": frame.to_dict(orient="records"),
            "statements": self.statements(),
            "caveats": list(self.caveats),
            "notes": list(self.notes),
        })  # fmt: skip


def pathway_effect(
    store: Store,
    pathway: Pathway,
    *,
    controls: Sequence[str] | None = None,
    pre: tuple[str, str] | None = None,
    post: tuple[str, str] | None = None,
    level: float = 0.95,
    lang: str = "en",
) -> PathwayEffect:
    """Before/after and difference-in-differences of a pathway's nationalities against others.

    Args:
        store: the store to read encounters from (the pathway's series).
        pathway: from ``load_pathway``.
        controls: comparison nationalities (ISO3); default the pathway's.
        pre: first and last month (``"YYYY-MM"``) before; default the pathway's.
        post: first and last month after; default the pathway's.
        level: confidence level of every interval, e.g. 0.95.
        lang: ``en`` or ``es`` for the caveats and statements.

    Raises:
        QueryError: no data for the series, a nationality without data, windows
            outside the data or in the wrong order.
        ConfigError: a bad option (level, language, nationality code, month).
    """
    check_lang(lang)
    if not 0.5 <= level < 1:
        raise ConfigError(f"level must be in [0.5, 1), e.g. 0.95, not {level}")
    if controls is None:
        ctrl = pathway.controls
    else:  # a list, or "COL,ECU" as typed on a command line
        ctrl = check_nationalities(controls if isinstance(controls, str) else list(controls),
                                   "controls")  # fmt: skip
    both = sorted(set(ctrl) & set(pathway.nationalities))
    if both:
        raise QueryError(f"{', '.join(both)} is covered by `{pathway.id}` and cannot be a "
                         "comparison nationality")  # fmt: skip
    pre_w = parse_window(list(pre), "pre") if pre is not None else pathway.pre
    post_w = parse_window(list(post), "post") if post is not None else pathway.post
    cp = pathway.checkpoint()
    cache: dict[str, pd.DataFrame] = {}
    core = _compare(store, cp, pathway.nationalities, ctrl, pre_w, post_w, level, cache)
    placebo = _placebo(core, pathway.placebo_shift_months, level)
    variants = [_variant(store, v, cp, pathway.nationalities, ctrl, pre_w, post_w, level, cache)
                for v in pathway.variants]  # fmt: skip
    effect = PathwayEffect(
        pathway=pathway, series=cp, treated=pathway.nationalities, controls=ctrl, pre=pre_w,
        post=post_w, level=level, lang=lang, groups=core.groups, nationalities=core.nats,
        did=core.did, permutation_p=core.perm_p, permutations=core.perms, placebo=placebo,
        pretrend=core.pretrend, variants=variants,
        monthly=_monthly(core, placebo, level), notes=core.notes,
    )  # fmt: skip
    effect.caveats = text.caveats(effect, lang)
    return effect


@dataclass
class _Core:
    """One comparison on one series: the panel and the estimates."""

    logs: pd.DataFrame  # months x nationalities, log(1 + count), covered months only
    counts: pd.DataFrame
    treated: list[str]
    controls: list[str]
    pre: pd.Index
    post: pd.Index
    covered: pd.Index
    groups: list[GroupChange]
    nats: list[NationalityChange]
    did: Estimate
    perm_p: float
    perms: int
    pretrend: PreTrend | None
    notes: list[str]


def _compare(
    store: Store, cp: Checkpoint, treated: Sequence[str], controls: Sequence[str], pre: Window,
    post: Window, level: float, cache: dict[str, pd.DataFrame],
) -> _Core:  # fmt: skip
    if pre[1] >= post[0]:
        raise QueryError(f"the pre window ({_ym(pre[0])}..{_ym(pre[1])}) must end before the "
                         f"post window starts ({_ym(post[0])})")  # fmt: skip
    wide = cache.get(cp.id)
    if wide is None:
        wide = cache[cp.id] = by_nationality(store, cp)
    if wide.empty or wide.notna().sum().sum() == 0:
        raise QueryError(f"no data by nationality for `{cp.id}` ({cp.label}) in the store; "
                         "ingest a source that publishes it")  # fmt: skip
    wanted = list(treated) + list(controls)
    absent = [n for n in wanted if n not in wide.columns or wide[n].notna().sum() == 0]
    if absent:
        have = sorted(c for c in wide.columns if wide[c].notna().any())
        raise QueryError(f"no encounters of {', '.join(absent)} on `{cp.id}`; nationalities "
                         f"with data: {', '.join(have)}")  # fmt: skip
    # Each nationality counts from its first to its last month with rows: before
    # that the source may not break its counts down (US data: only from FY2020),
    # so a missing month there is unknown, not 0. Inside, a missing month is 0.
    starts = {n: pd.Timestamp(wide.index[wide[n].notna()].min()) for n in wanted}
    ends = {n: pd.Timestamp(wide.index[wide[n].notna()].max()) for n in wanted}
    first_nat, last_nat = max(starts, key=starts.__getitem__), min(ends, key=ends.__getitem__)
    first, last = starts[first_nat], ends[last_nat]
    for name, (a, b) in (("pre", pre), ("post", post)):
        if a < first or b > last:
            raise QueryError(f"the {name} window {_ym(a)}..{_ym(b)} is outside the data of "
                             f"`{cp.id}` by nationality for {', '.join(wanted)}: "
                             f"{_ym(first)}..{_ym(last)} (from {first_nat}'s first month to "
                             f"{last_nat}'s last)")  # fmt: skip
    span = wide.loc[first:last, wanted]
    covered = span.index[span.notna().any(axis=1)]
    pre_m = covered[(covered >= pre[0]) & (covered <= pre[1])]
    post_m = covered[(covered >= post[0]) & (covered <= post[1])]
    for name, months, (a, b) in (("pre", pre_m, pre), ("post", post_m, post)):
        if len(months) == 0:
            raise QueryError(f"`{cp.id}` has no data by nationality in the {name} window "
                             f"{_ym(a)}..{_ym(b)}")  # fmt: skip
    in_windows = wide.loc[pre_m.union(post_m)]
    missing = [n for n in wanted if in_windows[n].notna().sum() == 0]
    if missing:
        windows = f"{_ym(pre[0])}..{_ym(pre[1])} and {_ym(post[0])}..{_ym(post[1])}"
        raise QueryError(f"no encounters of {', '.join(missing)} on `{cp.id}` in the windows "
                         f"{windows}")  # fmt: skip
    raw = wide.loc[covered, wanted]
    counts = raw.fillna(0.0)
    logs = pd.DataFrame(np.log1p(counts.to_numpy()), index=counts.index, columns=counts.columns)
    notes = []
    zeros = {n: int(raw.loc[pre_m.union(post_m), n].isna().sum()) for n in wanted}
    for n, k in zeros.items():
        if k:
            notes.append(f"{n}: {k} month(s) in the windows without rows, counted as 0")

    d = changes(logs, pre_m, post_m)
    t, c = list(treated), list(controls)
    did = difference(d[t], d[c], level)
    perm_p, perms = permutation_p(d, t)
    groups = []
    for name, members in (("treated", t), ("control", c)):
        total = counts[members].sum(axis=1)
        pre_mean, post_mean = float(total[pre_m].mean()), float(total[post_m].mean())
        groups.append(
            GroupChange(name, tuple(members), pre_mean, post_mean, mean_interval(d[members], level))
        )
    control_mean = float(d[c].mean())
    nats = [
        NationalityChange(
            nat=n, group="treated" if n in t else "control",
            pre_mean=float(counts.loc[pre_m, n].mean()),
            post_mean=float(counts.loc[post_m, n].mean()), zero_months=zeros[n],
            change_pct=to_pct(float(d[n])), vs_control_pct=to_pct(float(d[n]) - control_mean),
        )
        for n in wanted
    ]  # fmt: skip
    pretrend = None
    if len(pre_m) >= 3:
        s = slopes(logs, pre_m)
        pretrend = PreTrend(len(pre_m), difference(s[t], s[c], level))
    return _Core(logs, counts, t, c, pre_m, post_m, covered, groups, nats, did, perm_p, perms,
                 pretrend, notes)  # fmt: skip


def _placebo(core: _Core, shift: int, level: float) -> PlaceboCheck | None:
    """A fake start ``shift`` months earlier, kept inside the time before the real pre window ends.

    When the data do not reach that far back, the pre window is split in two
    halves instead (a weaker check: fewer months).
    """
    off = pd.DateOffset(months=shift)
    pre_first, pre_last = core.pre.min(), core.pre.max()
    fake_pre = (pre_first - off, pre_last - off)
    fake_post = (core.post.min() - off, min(core.post.max() - off, pre_last))
    months = core.covered
    p_pre = months[(months >= fake_pre[0]) & (months <= fake_pre[1])]
    p_post = months[(months >= fake_post[0]) & (months <= fake_post[1])]
    method = "shifted"
    if fake_pre[0] < months.min() or fake_post[0] <= fake_pre[1] or fake_post[0] > fake_post[1] \
            or len(p_pre) == 0 or len(p_post) == 0:  # fmt: skip
        if len(core.pre) < 4:
            return None
        half = len(core.pre) // 2
        p_pre, p_post = core.pre[:half], core.pre[half:]
        fake_pre, fake_post = (p_pre.min(), p_pre.max()), (p_post.min(), p_post.max())
        method = "split_pre"
    d = changes(core.logs, p_pre, p_post)
    est = difference(d[core.treated], d[core.controls], level)
    return PlaceboCheck(method, fake_pre, fake_post, est)


def _variant(
    store: Store, v: Variant, cp: Checkpoint, treated: Sequence[str], controls: Sequence[str],
    pre: Window, post: Window, level: float, cache: dict[str, pd.DataFrame],
) -> VariantResult:  # fmt: skip
    vcp = checkpoint(v.series, variants=True) if v.series else cp
    t = v.treated or tuple(treated)
    c = v.controls or tuple(controls)
    vpre, vpost = v.pre or pre, v.post or post
    result = VariantResult(v.id, v.label, vcp.id, t, c, vpre, vpost)
    try:
        if set(t) & set(c):
            raise QueryError(f"{', '.join(sorted(set(t) & set(c)))} is both covered and a "
                             "comparison")  # fmt: skip
        core = _compare(store, vcp, t, c, vpre, vpost, level, cache)
    except CorridorError as exc:
        return VariantResult(**{**vars(result), "error": str(exc)})
    return VariantResult(**{**vars(result), "estimate": core.did})


def _monthly(core: _Core, placebo: PlaceboCheck | None, level: float) -> pd.DataFrame:
    start = core.pre.min()
    if placebo is not None:
        start = min(start, placebo.pre[0])
    months = core.covered[(core.covered >= start) & (core.covered <= core.post.max())]
    treated = core.counts.loc[months, core.treated].sum(axis=1)
    control = core.counts.loc[months, core.controls].sum(axis=1)
    base_t = core.counts.loc[core.pre, core.treated].sum(axis=1).mean()
    base_c = core.counts.loc[core.pre, core.controls].sum(axis=1).mean()
    # event-study path: each month's log count against the nationality's pre-window
    # mean, covered minus comparison, with the same interval as the estimate
    rel = core.logs.loc[months] - core.logs.loc[core.pre].mean()
    per_month = [difference(rel.loc[m, core.treated], rel.loc[m, core.controls], level)
                 for m in months]  # fmt: skip
    window = np.where(months.isin(core.pre), "pre", np.where(months.isin(core.post), "post", ""))
    return pd.DataFrame({
        "period": months, "treated": treated.to_numpy(), "control": control.to_numpy(),
        "treated_index": (100 * treated / base_t).to_numpy() if base_t else np.nan,
        "control_index": (100 * control / base_c).to_numpy() if base_c else np.nan,
        "gap_pct": [e.pct for e in per_month],
        "gap_low_pct": [np.nan if e.pct_low is None else e.pct_low for e in per_month],
        "gap_high_pct": [np.nan if e.pct_high is None else e.pct_high for e in per_month],
        "window": window,
    })  # fmt: skip


def _estimate(e: Estimate) -> dict[str, Any]:
    return {"log": e.log, "se": e.se, "df": e.df, "effect_pct": e.pct, "low_pct": e.pct_low,
            "high_pct": e.pct_high, "p_value": e.p_value, "level": e.level}  # fmt: skip


def _ym(month: pd.Timestamp) -> str:
    return f"{month:%Y-%m}"


def _clean(value: Any) -> Any:
    """NaN and numpy scalars to JSON-ready Python values, recursively."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if value != value else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


__all__ = [
    "GroupChange",
    "NationalityChange",
    "Pathway",
    "PathwayEffect",
    "PlaceboCheck",
    "PreTrend",
    "VariantResult",
    "load_pathway",
    "pathway_effect",
    "pathways",
]

"""Sentences and caveats about a pathway effect, in English or Spanish.

Numbers follow ``trend_text`` (Spanish: decimal comma, space before ``%``).
Caveats are the pathway file's own (its legal and historical confounders)
followed by those that hold for any such comparison and those the numbers
themselves raise (a failed placebo, few nationalities, months counted as 0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from corridor.analysis import trend_text as txt
from corridor.analysis.policy.pathway_stats import Estimate
from corridor.analysis.series import Checkpoint
from corridor.countries import name_of

if TYPE_CHECKING:
    from corridor.analysis.policy.pathways import PathwayEffect


def series_label(cp: Checkpoint, lang: str) -> str:
    return cp.label_es if lang == "es" else cp.label


def controls_why(effect: PathwayEffect, lang: str) -> str:
    p = effect.pathway
    if effect.controls != p.controls:
        return ("Comparación elegida por el usuario." if lang == "es"
                else "Comparison chosen by the user.")  # fmt: skip
    return p.controls_why_es if lang == "es" and p.controls_why_es else p.controls_why


def method(effect: PathwayEffect, lang: str) -> str:
    """How the numbers are computed, in one paragraph."""
    g = len(effect.treated) + len(effect.controls)
    if lang == "es":
        return (
            "Diferencia en diferencias sobre log(1 + encuentros) por nacionalidad y mes: efectos "
            "fijos de nacionalidad y de mes más cubierta×después, que en este panel balanceado "
            "es igual al cambio medio de las nacionalidades cubiertas menos el de la comparación. "
            f"Intervalo t con varianza combinada y {g} − 2 grados de libertad calculado sobre los "
            "cambios por nacionalidad (Donald y Lang, 2007): con tan pocos grupos, los errores "
            "agrupados habituales rechazan demasiado a menudo. El valor p de aleatorización "
            "repite la estimación con cada elección posible de nacionalidades cubiertas."
        )
    return (
        "Difference-in-differences on log(1 + encounters) by nationality and month: nationality "
        "and month fixed effects plus covered×post, which on this balanced panel equals the "
        "covered nationalities' mean log change minus the comparison's. The interval is a "
        f"pooled two-sample t interval with {g} - 2 degrees of freedom on the per-nationality "
        "changes (Donald and Lang, 2007): with this few groups the usual clustered standard "
        "errors reject far too often. The randomisation p-value repeats the estimate for every "
        "possible choice of covered nationalities."
    )


def statements(effect: PathwayEffect, lang: str) -> list[str]:
    """Plain sentences with the numbers (the caveats are separate)."""
    es = lang == "es"
    p, cp = effect.pathway, effect.series
    label = series_label(cp, lang)
    pre, post = _span(effect.pre, lang), _span(effect.post, lang)
    out = []
    for g in effect.groups:
        who = _names(g.nationalities, lang)
        if es:
            out.append(f"{label}: los encuentros de nacionales de {who} promediaron "
                       f"{txt.count(g.pre_mean, lang)} al mes de {pre} y "
                       f"{txt.count(g.post_mean, lang)} de {post} "
                       f"({_spct(g.change_pct, lang)}).")  # fmt: skip
        else:
            out.append(f"{label}: encounters of {who} nationals averaged "
                       f"{txt.count(g.pre_mean, lang)} a month from {pre} and "
                       f"{txt.count(g.post_mean, lang)} from {post} "
                       f"({_spct(g.change_pct, lang)}).")  # fmt: skip
    d = effect.did
    ci = _ci(d, lang)
    perm = _num(effect.permutation_p, lang)
    covered, others = _names(effect.treated, lang), _names(effect.controls, lang)
    if es:
        out.append(f"Diferencia en diferencias ({p.text(lang)}, desde {txt.month(p.start, lang)}):"
                   f" frente a {others}, los encuentros de las nacionalidades cubiertas "
                   f"({covered}) cambiaron {_spct(d.pct, lang)}{ci}; valor p de aleatorización "
                   f"{perm} ({effect.permutations} asignaciones).")  # fmt: skip
    else:
        out.append(f"Difference-in-differences ({p.text(lang)}, from {txt.month(p.start, lang)}):"
                   f" against {others}, encounters of the covered nationalities ({covered}) "
                   f"changed by {_spct(d.pct, lang)}{ci}; randomisation p-value {perm} "
                   f"({effect.permutations} assignments).")  # fmt: skip
    totals = effect.totals_pct
    if totals == totals:  # not NaN
        change = _spct(totals, lang)
        out.append(f"Tomados como totales (pesan más las nacionalidades grandes), los encuentros "
                   f"de las cubiertas cambiaron {change} frente a la comparación."
                   if es else
                   f"Taken as totals (larger nationalities weigh more), encounters of the covered "
                   f"nationalities changed by {change} against the comparison.")  # fmt: skip
    treated_rows = [n for n in effect.nationalities if n.group == "treated"]
    if len(treated_rows) > 1:
        parts = ", ".join(f"{_names((n.nat,), lang)} {_spct(n.vs_control_pct, lang)}"
                          for n in treated_rows)  # fmt: skip
        out.append(f"Por nacionalidad, frente a la comparación: {parts}." if es
                   else f"By nationality, against the comparison: {parts}.")  # fmt: skip
    if effect.placebo is not None:
        pl = effect.placebo
        how = _placebo_how(effect, lang)
        verdict = (
            ("señala tendencias previas distintas: el supuesto de tendencias paralelas es dudoso"
             if es else "flags diverging pre-trends: the parallel-trends assumption is in doubt")
            if pl.flagged else
            ("no señala tendencias previas distintas" if es
             else "does not flag diverging pre-trends")
        )  # fmt: skip
        out.append(f"{how}: {_spct(pl.estimate.pct, lang)}{_ci(pl.estimate, lang)}; {verdict}.")
    if effect.pretrend is not None:
        pt = effect.pretrend
        slope = _spct(pt.estimate.pct, lang)
        ci = _ci(pt.estimate, lang)
        if es:
            out.append(f"Tendencia previa ({pt.months} meses antes): las nacionalidades cubiertas "
                       f"se apartaron de la comparación {slope} al mes{ci}.")  # fmt: skip
        else:
            out.append(f"Pre-trend ({pt.months} months before): the covered nationalities drifted "
                       f"from the comparison by {slope} a month{ci}.")  # fmt: skip
    for v in effect.variants:
        name = next((x.text(lang) for x in p.variants if x.id == v.id), v.label)
        if v.estimate is None:
            out.append(f"{name}: " + (f"sin estimación ({v.error})." if es
                                      else f"no estimate ({v.error})."))  # fmt: skip
        else:
            out.append(f"{name}: {_spct(v.estimate.pct, lang)}{_ci(v.estimate, lang)}.")
    if p.cap is not None:
        unit = p.cap_unit_es if es and p.cap_unit_es else p.cap_unit
        out.append(f"Tope de la vía: {txt.count(p.cap, lang)} {unit}." if es
                   else f"The pathway's cap: {txt.count(p.cap, lang)} {unit}.")  # fmt: skip
    return out


def caveats(effect: PathwayEffect, lang: str) -> list[str]:
    """The caveats to print beside the numbers, in ``lang``."""
    es = lang == "es"
    p = effect.pathway
    out = list(p.caveats_es if es and p.caveats_es else p.caveats)
    if effect.series.unit == "events":
        out.append(
            "Los encuentros cuentan eventos, no personas: quien cruza, es expulsado y vuelve a "
            "cruzar cuenta varias veces, y los cambios en la expulsión cambian la reincidencia."
            if es else
            "Encounters count events, not people: someone who crosses, is expelled and crosses "
            "again counts several times, and changes in expulsions change repeat crossings."
        )  # fmt: skip
    out.append(
        "La diferencia en diferencias solo mide el efecto de la vía si, sin ella, las "
        "nacionalidades cubiertas habrían evolucionado como la comparación (tendencias "
        "paralelas) y nada más las afectó a ellas solas desde la misma fecha."
        if es else
        "The difference-in-differences measures the pathway's effect only if, without it, the "
        "covered nationalities would have moved like the comparison (parallel trends) and "
        "nothing else hit them alone from the same date."
    )  # fmt: skip
    flagged = [x for x in (effect.placebo, effect.pretrend) if x is not None and x.flagged]
    if flagged:
        out.append(
            "La prueba placebo o de tendencia previa encontró un «efecto» antes de la vía: "
            "léase la estimación como una cota imprecisa, no como el efecto."
            if es else
            "The placebo or pre-trend check found an \"effect\" before the pathway existed: read "
            "the estimate as a rough bound, not as the effect."
        )  # fmt: skip
    g = len(effect.treated) + len(effect.controls)
    if g - 2 < 1:
        out.append(
            "Con menos de tres nacionalidades no hay intervalo de confianza."
            if es
            else "With fewer than three nationalities there is no confidence interval."
        )
    else:
        out.append(
            f"Los intervalos se basan en solo {g} nacionalidades ({g - 2} grados de libertad): "
            "son anchos a propósito."
            if es else
            f"The intervals rest on only {g} nationalities ({g - 2} degrees of freedom): they "
            "are wide on purpose."
        )  # fmt: skip
    for note in effect.notes:
        out.append(("Nota: " if es else "Note: ") + note)
    return out


def _placebo_how(effect: PathwayEffect, lang: str) -> str:
    pl = effect.placebo
    assert pl is not None
    shift = effect.pathway.placebo_shift_months
    spans = f"{_span(pl.pre, lang)} / {_span(pl.post, lang)}"
    if pl.method == "shifted":
        return (f"Placebo con inicio {shift} meses antes ({spans})" if lang == "es"
                else f"Placebo with a start {shift} months earlier ({spans})")  # fmt: skip
    return (f"Placebo dentro del periodo previo, en dos mitades ({spans})" if lang == "es"
            else f"Placebo inside the pre window, split in halves ({spans})")  # fmt: skip


def _ci(e: Estimate, lang: str) -> str:
    if e.pct_low is None or e.pct_high is None:
        return " (sin intervalo)" if lang == "es" else " (no interval)"
    level = round(e.level * 100)
    lo, hi = _spct(e.pct_low, lang), _spct(e.pct_high, lang)
    if lang == "es":
        return f" (IC del {level} %: {lo} a {hi})"
    return f" ({level}% CI {lo} to {hi})"


def _spct(value: float, lang: str) -> str:
    """A signed percentage; whole numbers from 1,000% up (intervals on the log scale get wide)."""
    text = f"{value:+,.0f}" if abs(value) >= 1000 else f"{value:+.1f}"
    if lang == "es":
        return text.replace(",", " ").replace(".", ",") + " %"
    return text + "%"


def _num(value: float, lang: str) -> str:
    text = f"{value:.3f}"
    return text.replace(".", ",") if lang == "es" else text


def _span(window: tuple[pd.Timestamp, pd.Timestamp], lang: str) -> str:
    if window[0] == window[1]:
        return txt.month(window[0], lang)
    return txt.span(window[0], window[1], lang)


def _names(codes: tuple[str, ...] | list[str], lang: str) -> str:
    names = [name_of(c, lang) or c for c in codes]
    if len(names) == 1:
        return names[0]
    joiner = " y " if lang == "es" else " and "
    return ", ".join(names[:-1]) + joiner + names[-1]

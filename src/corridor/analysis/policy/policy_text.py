"""Rule timelines and projections in sentences (English or Spanish) a reader can reuse."""

from __future__ import annotations

from datetime import date

import pandas as pd

from corridor.analysis import trend_text as txt
from corridor.analysis.policy.approx import MonthlyTimeline
from corridor.analysis.policy.engine import Timeline, Transition
from corridor.analysis.policy.rules import PolicyRule
from corridor.analysis.policy.whatif import Projection

_STATE = {"en": {"in_force": "in force", "lifted": "lifted"},
          "es": {"in_force": "en vigor", "lifted": "levantada"}}  # fmt: skip


def day(d: date, lang: str) -> str:
    """``5 June 2024`` / ``5 de junio de 2024``."""
    month = txt.month(pd.Timestamp(d), lang)
    return f"{d.day} de {month}" if lang == "es" else f"{d.day} {month}"


def title(rule: PolicyRule, lang: str) -> str:
    return rule.title_es if lang == "es" and rule.title_es else rule.title


def _num(value: float, lang: str) -> str:
    return txt.count(value, lang)


def change_sentence(t: Transition, lang: str) -> str:
    """``1 February 2025: lifted. The 7-day average was < 1,500 on 28 days in a row ...``."""
    c = t.condition
    avg, thr, det = _num(t.value, lang), _num(c.threshold, lang), day(t.determined, lang)
    if lang == "es":
        verb = "se levanta" if t.state == "lifted" else "entra en vigor"
        run = (f" durante {c.consecutive_days} días seguidos desde el {day(t.run_start, lang)}"
               if c.consecutive_days > 1 else "")  # fmt: skip
        delay = f", con efecto {c.delay_days} días después" if c.delay_days else ""
        return (
            f"{day(t.date, lang)}: {verb}. El promedio de {c.window_days} días fue "
            f"{c.op} {thr}{run}; el {det}, día de la determinación, era {avg}{delay}."
        )
    verb = "lifted" if t.state == "lifted" else "comes into force"
    run = (f" on {c.consecutive_days} days in a row from {day(t.run_start, lang)}"
           if c.consecutive_days > 1 else "")  # fmt: skip
    delay = f", in effect {c.delay_days} days later" if c.delay_days else ""
    return (
        f"{day(t.date, lang)}: {verb}. The {c.window_days}-day average was {c.op} {thr}"
        f"{run}; it was {avg} on {det}, the determination{delay}."
    )


def timeline_statements(tl: Timeline, lang: str = "en") -> list[str]:
    """What happened under the rule, in order."""
    txt.check_lang(lang)
    rule = tl.rule
    periods = tl.periods()
    if not periods:
        return ["No hay días con datos en el periodo de la regla."
                if lang == "es" else "No days with data in the rule's period."]  # fmt: skip
    start, end = periods[0][0], periods[-1][1]
    state0 = _STATE[lang][rule.initial_state]
    out = [f"{title(rule, lang)}: "
           + (f"{state0} desde el {day(start, lang)}; evaluada hasta el {day(end, lang)}."
              if lang == "es" else
              f"{state0} from {day(start, lang)}; evaluated to {day(end, lang)}.")]  # fmt: skip
    out += [change_sentence(t, lang) for t in tl.transitions]
    if not tl.transitions:
        out.append("Ningún cambio de estado en el periodo." if lang == "es"
                   else "No change of state in the period.")  # fmt: skip
    if tl.pending is not None:
        p = tl.pending
        out.append(
            (f"Determinación el {day(p.determined, lang)}: pasaría a "
             f"{_STATE[lang][p.state]} el {day(p.date, lang)}, después del final de los datos.")
            if lang == "es" else
            (f"Determined on {day(p.determined, lang)}: would become {_STATE[lang][p.state]} "
             f"on {day(p.date, lang)}, after the data end.")
        )  # fmt: skip
    return out


def monthly_statements(mt: MonthlyTimeline, lang: str = "en") -> list[str]:
    """The central timeline, said plainly to be an approximation, with its spread."""
    n = mt.noise
    pct = lambda v: txt.pct(100 * v, lang)  # noqa: E731
    if lang == "es":
        out = [f"Aproximación: datos mensuales, no diarios. Cada mes se reparte en sus días "
               f"(línea hacia los meses vecinos, total exacto) y se simulan {n.paths} "
               f"trayectorias diarias (ruido {txt.ratio(n.sigma, lang)}, correlación "
               f"{txt.ratio(n.rho, lang)}); las fechas son aproximadas."]  # fmt: skip
    else:
        out = [f"Approximation: monthly data, not daily. Each month is spread over its days "
               f"(a line toward the neighbouring months, total kept) and {n.paths} daily paths "
               f"are simulated (noise {n.sigma:.2f}, day-to-day correlation {n.rho:.2f}); "
               "dates are approximate."]  # fmt: skip
    out += timeline_statements(mt.central, lang)
    for s in mt.spreads:
        if s.median is None:
            out.append(f"{day(s.change.date, lang)}: "
                       + ("ninguna trayectoria simulada muestra este cambio."
                          if lang == "es" else "no simulated path shows this change."))  # fmt: skip
            continue
        assert s.earliest is not None and s.latest is not None
        out.append(
            (f"En el {pct(s.share)} de las trayectorias ocurre el mismo cambio, entre el "
             f"{day(s.earliest, lang)} y el {day(s.latest, lang)} (90 %).")
            if lang == "es" else
            (f"On {pct(s.share)} of simulated paths the same change happens, between "
             f"{day(s.earliest, lang)} and {day(s.latest, lang)} (90%).")
        )  # fmt: skip
    central_states = {t.state for t in mt.central.transitions}
    for f in mt.first:
        if f.state in central_states or f.share == 0 or f.median is None:
            continue
        what = _STATE[lang][f.state]
        out.append(
            (f"Aunque la trayectoria central no lo muestra, en el {pct(f.share)} de las "
             f"trayectorias la regla queda {what} (primera vez hacia el {day(f.median, lang)}): "
             "el resultado depende de la variación diaria que los datos mensuales no muestran.")
            if lang == "es" else
            (f"The central path does not show it, but on {pct(f.share)} of paths the rule is "
             f"{what} (first around {day(f.median, lang)}): the outcome depends on daily "
             "swings the monthly data cannot show.")
        )  # fmt: skip
    return out


def projection_statements(p: Projection, lang: str = "en") -> list[str]:
    """When the rule would trigger or lift, with probabilities from the forecast intervals."""
    model = str(p.forecast["model"].iloc[0])
    pct = lambda v: txt.pct(100 * v, lang)  # noqa: E731
    last = p.p_in_force.index[-1]
    end = day(p.data_end.date(), lang)
    if p.state_at_end:
        state = _STATE[lang][p.state_at_end]
        now = (f"Al final de los datos ({end}) la regla está {state}." if lang == "es"
               else f"At the data end ({end}) the rule is {state}.")  # fmt: skip
    else:
        begins, state = day(p.rule.effective_from, lang), _STATE[lang][p.rule.initial_state]
        now = (f"La regla empieza el {begins}, después de los datos ({end}), {state}."
               if lang == "es" else
               f"The rule starts on {begins}, after the data ({end}), {state}.")  # fmt: skip
    if lang == "es":
        out = [f"{now} Proyección con el pronóstico ({model}) y su intervalo del 80 %, "
               f"{p.noise.paths} futuros simulados."]  # fmt: skip
    else:
        out = [f"{now} Projected with the forecast ({model}) and its 80% interval, "
               f"{p.noise.paths} simulated futures."]  # fmt: skip
    current = p.state_at_end or p.rule.initial_state
    series = p.p_lifted_by if current == "in_force" else p.p_activated_by
    verb = {"en": ("lifted", "in force again"), "es": ("levantada", "de nuevo en vigor")}[lang]
    word = verb[0] if current == "in_force" else verb[1]
    month = txt.month(last, lang)
    out.append(
        f"Probabilidad de que esté {word} a finales de {month}: {pct(series.iloc[-1])}."
        if lang == "es" else
        f"Probability that it is {word} by the end of {month}: {pct(series.iloc[-1])}."
    )  # fmt: skip
    hit = series[series >= 0.5]
    if len(hit):
        m = txt.month(hit.index[0], lang)
        out.append(f"Más probable que no desde {m}." if lang == "es"
                   else f"More likely than not from {m}.")  # fmt: skip
    return out

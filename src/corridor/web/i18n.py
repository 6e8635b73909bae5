"""Every word the pages and the report show, in English and Spanish.

One dictionary so a missing translation is a KeyError in tests, not a
half-translated page.
"""

from __future__ import annotations

from collections.abc import Sequence

LANGS = ("en", "es")

TEXT: dict[str, tuple[str, str]] = {
    # key: (English, Spanish)
    "site": ("Corridor monitor", "Monitor del corredor"),
    "nav_overview": ("Overview", "Resumen"),
    "nav_nationality": ("Nationalities", "Nacionalidades"),
    "nav_sources": ("Data sources", "Fuentes de datos"),
    "nav_alerts": ("Alerts", "Alertas"),
    "nav_policy": ("Policy rules", "Reglas de política"),
    "policy_title": ("Policy rules on the data", "Reglas de política sobre los datos"),
    "policy_intro": (
        "A rule switches on and off with rolling averages of a series. Change the thresholds "
        "and windows to see what the same data would have done under another rule.",
        "Una regla se activa y se levanta según promedios móviles de una serie. Cambie los "
        "umbrales y las ventanas para ver qué habrían hecho los mismos datos con otra regla.",
    ),
    "policy_rule": ("Rule", "Regla"),
    "policy_series": ("Series", "Serie"),
    "policy_source": ("Source", "Fuente"),
    "policy_whatif": ("What if", "Qué pasaría si"),
    "activate_threshold": ("Comes into force at (per day)", "Entra en vigor desde (por día)"),
    "activate_window": ("…averaged over (days)", "…promediado en (días)"),
    "lift_threshold": ("Lifted below (per day)", "Se levanta por debajo de (por día)"),
    "lift_window": ("…averaged over (days)", "…promediado en (días)"),
    "lift_days": ("…on days in a row", "…durante días seguidos"),
    "lift_delay": ("…taking effect after (days)", "…con efecto tras (días)"),
    "apply": ("Apply", "Aplicar"),
    "policy_in_force": ("in force", "en vigor"),
    "policy_lifted": ("lifted", "levantada"),
    "policy_avg": ("{days}-day average", "Promedio de {days} días"),
    "policy_on": ("Into force at", "Entra en vigor"),
    "policy_off": ("Lifted below", "Se levanta"),
    "policy_chart": (
        "{rule}: daily average it reads (central path), thresholds; shaded: in force",
        "{rule}: promedio diario que lee (trayectoria central), umbrales; sombreado: en vigor",
    ),
    "policy_p_in_force": ("Paths in force, %", "Trayectorias en vigor, %"),
    "policy_odds_title": (
        "Share of the simulated daily paths on which the rule is in force (%)",
        "Proporción de trayectorias diarias simuladas en las que la regla está en vigor (%)",
    ),
    "policy_changes": ("Changes of state", "Cambios de estado"),
    "policy_date": ("Takes effect", "Efecto"),
    "policy_state": ("New state", "Nuevo estado"),
    "policy_determined": ("Determined", "Determinación"),
    "policy_value": ("Average that day", "Promedio ese día"),
    "policy_share": ("Paths with it", "Trayectorias con él"),
    "policy_range": ("90% of those paths", "90 % de esas trayectorias"),
    "policy_no_changes": (
        "No change of state on the central path.",
        "Ningún cambio de estado en la trayectoria central.",
    ),
    "policy_reproduce": (
        "Reproduce from the command line:",
        "Reproducir desde la línea de comandos:",
    ),
    "policy_projection": ("Projection with the forecast", "Proyección con el pronóstico"),
    "policy_expected": ("Expected per day", "Esperado por día"),
    "policy_p_month_end": ("In force at month end", "En vigor a fin de mes"),
    "policy_p_lifted": ("Lifted by then", "Levantada para entonces"),
    "policy_p_activated": ("Into force by then", "En vigor para entonces"),
    "pathways_title": (
        "Legal pathways: effect on encounters",
        "Vías legales: efecto en los encuentros",
    ),
    "pathway": ("Pathway", "Vía"),
    "pathway_covered": ("Covered", "Cubiertas"),
    "pathway_comparison": ("Comparison", "Comparación"),
    "pathway_chart": (
        "{title}: encounters of the covered and the comparison nationalities, 100 = before",
        "{title}: encuentros de las nacionalidades cubiertas y de comparación, 100 = antes",
    ),
    "caveats": ("Caveats", "Advertencias"),
    "method": ("Method", "Método"),
    "policy_ended": (
        "This rule ended on {end}, before the data end: nothing to project. Try the rule that "
        "replaced it.",
        "Esta regla terminó el {end}, antes del final de los datos: no hay nada que proyectar. "
        "Pruebe la regla que la sustituyó.",
    ),
    "policy_no_forecast": (
        "Projections need the forecast extra: pip install 'corridor[forecast]'.",
        "Las proyecciones necesitan el extra de pronóstico: pip install 'corridor[forecast]'.",
    ),
    "overview_title": (
        "The corridor, south to north: last 24 months at each checkpoint",
        "El corredor, de sur a norte: últimos 24 meses en cada punto de control",
    ),
    "overview_intro": (
        "Monthly counts as published by each agency. A missing month is a gap, never a zero.",
        "Conteos mensuales tal como los publica cada agencia. Un mes sin datos es un hueco, "
        "nunca un cero.",
    ),
    "latest": ("Latest month", "Último mes"),
    "mom": ("Change on previous month", "Cambio respecto al mes anterior"),
    "no_data": ("No data in the store.", "Sin datos en el almacén."),
    "no_data_window": ("No data between these months.", "Sin datos entre estos meses."),
    "more": ("{n} more statements", "{n} afirmaciones más"),
    "along": ("Along the corridor", "A lo largo del corredor"),
    "stretch": ("From → to", "De → a"),
    "ratio": ("Count downstream per 100 upstream", "Conteo aguas abajo por cada 100 aguas arriba"),
    "ratio_months": ("{value} ({months} months both cover)", "{value} ({months} meses con ambos)"),
    "lead": ("Lead time", "Desfase"),
    "lead_value": ("{lag} months (r = {corr})", "{lag} meses (r = {corr})"),
    "lead_few": ("too few months to tell", "muy pocos meses para saberlo"),
    "along_note": (
        "Not a rate of passage: people join and leave the route between checkpoints, and "
        "definitions differ.",
        "No es una tasa de paso: hay personas que entran y salen de la ruta entre puntos de "
        "control, y las definiciones difieren.",
    ),
    "units_differ": ("persons vs events", "personas frente a eventos"),
    "no_prev": ("previous month not published", "mes anterior no publicado"),
    "details": ("Details", "Detalle"),
    "unit_persons": ("persons", "personas"),
    "unit_events": (
        "events (one person may count twice)",
        "eventos (una persona puede contar dos veces)",
    ),
    "unit_persons_short": ("persons", "personas"),
    "unit_events_short": ("events", "eventos"),
    "per_month": ("per month", "por mes"),
    "nat_title": ("{nat} at each checkpoint", "{nat} en cada punto de control"),
    "nationality": ("Nationality", "Nacionalidad"),
    "show": ("Show", "Mostrar"),
    "from": ("From (YYYY-MM)", "Desde (AAAA-MM)"),
    "to": ("To (YYYY-MM)", "Hasta (AAAA-MM)"),
    "cp_title": ("{label}: monthly {unit}", "{label}: {unit} por mes"),
    "top_nats": ("Top nationalities, {span}", "Principales nacionalidades, {span}"),
    "count": ("Count", "Cantidad"),
    "share": ("Share", "Proporción"),
    "trends": ("What changed", "Qué cambió"),
    "forecast": ("Forecast", "Pronóstico"),
    "forecast_note": (
        "Shaded: 80% and 95% prediction intervals. Model: {model}.",
        "Sombreado: intervalos de predicción del 80 % y 95 %. Modelo: {model}.",
    ),
    "month": ("Month", "Mes"),
    "next_month": (
        "Forecast for {month}: {mean} (80% interval {i80}).",
        "Pronóstico para {month}: {mean} (intervalo del 80 %: {i80}).",
    ),
    "expected": ("Expected", "Esperado"),
    "i80": ("80% interval", "Intervalo del 80 %"),
    "i95": ("95% interval", "Intervalo del 95 %"),
    "scores": ("How well each model forecast past months", "Qué tan bien pronosticó cada modelo"),
    "scores_link": (
        "Score the models on past months (takes a few seconds)",
        "Evaluar los modelos en meses pasados (tarda unos segundos)",
    ),
    "scores_missing": (
        "No backtest scores stored for this data: run `corridor backtest --save` to include them.",
        "No hay puntuaciones guardadas para estos datos: ejecute `corridor backtest --save` para "
        "incluirlas.",
    ),
    "model": ("Model", "Modelo"),
    "horizon": ("Months ahead", "Meses adelante"),
    "coverage80": ("In 80% interval", "Dentro del 80 %"),
    "coverage95": ("In 95% interval", "Dentro del 95 %"),
    "origins": ("Forecasts", "Pronósticos"),
    "scores_note": (
        "Rolling origin: each model forecasts from every past month and is scored on what came. "
        "MASE below naive's is better than repeating the last month (the best per horizon in "
        "bold); MAPE in %; a good 80% interval holds about 80% of the actuals.",
        "Origen móvil: cada modelo pronostica desde cada mes pasado y se compara con lo que "
        "ocurrió. Un MASE menor que el del modelo ingenuo mejora a repetir el último mes (el "
        "mejor por horizonte en negrita); MAPE en %; un buen intervalo del 80 % contiene cerca "
        "del 80 % de los valores reales.",
    ),
    "alerts": ("Alerts", "Alertas"),
    "alerts_title": (
        "Alerts raised by the rules, newest month first",
        "Alertas de las reglas, el mes más reciente primero",
    ),
    "alerts_none": (
        "No alerts stored: run `corridor alerts --evaluate` (or ingest).",
        "No hay alertas guardadas: ejecute `corridor alerts --evaluate` (o ingiera).",
    ),
    "alerts_all": ("All alerts", "Todas las alertas"),
    "alerts_lang": (
        "Some alerts were stored before messages were written in Spanish too; they stay in "
        "English until `corridor alerts --evaluate` runs again.",
        "Algunas alertas se guardaron antes de que los mensajes se redactaran también en "
        "español; siguen en inglés hasta que se ejecute de nuevo `corridor alerts --evaluate`.",
    ),
    "severity": ("Severity", "Gravedad"),
    "sev_info": ("info", "aviso"),
    "sev_warning": ("warning", "advertencia"),
    "sev_critical": ("critical", "crítica"),
    "rule": ("Rule", "Regla"),
    "checkpoint": ("Checkpoint", "Punto de control"),
    "message": ("Message", "Mensaje"),
    "sources_title": ("Data sources and their releases", "Fuentes de datos y sus publicaciones"),
    "source": ("Source", "Fuente"),
    "title": ("Title", "Título"),
    "coverage": ("Coverage", "Cobertura"),
    "releases": ("Releases", "Publicaciones"),
    "rows": ("Rows", "Filas"),
    "file": ("File", "Archivo"),
    "ingested": ("Ingested", "Ingerido"),
    "published": ("Published", "Publicado"),
    "in_use": ("In use", "En uso"),
    "yes": ("yes", "sí"),
    "no": ("no (superseded)", "no (reemplazada)"),
    "error": ("Cannot show this page", "No se puede mostrar esta página"),
    "report_title": ("Corridor report", "Informe del corredor"),
    "generated": ("Generated {when} from {db}.", "Generado el {when} a partir de {db}."),
    "language": ("Language", "Idioma"),
}


def check(lang: str | None) -> str:
    """``lang`` when supported, else English (pages never fail on a bad ``?lang``)."""
    return lang if lang in LANGS else "en"


def preferred_language(header: str | None, supported: Sequence[str]) -> str | None:
    """The first of ``supported`` an ``Accept-Language`` header asks for, by q-value then
    order (``q=0`` means "not this one"); None when it asks for none of them."""
    wanted: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in supported and q > 0:
            wanted.append((-q, i, primary))
    return min(wanted)[2] if wanted else None


def from_accept_language(header: str | None) -> str:
    """The first supported language in an ``Accept-Language`` header, else English."""
    return preferred_language(header, LANGS) or "en"


def t(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` fields filled in."""
    text = TEXT[key][LANGS.index(check(lang))]
    return text.format(**values) if values else text

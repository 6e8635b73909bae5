"""Every word of the staff pages in Spanish and English, and how a staff page picks its language.

Caseworkers at the Safe Mobility Offices work in Spanish; English is for the receiving-country
officers. Status, state, outcome and reason codes stay codes in the data and the API: only
their display goes through ``code_label``. One table, so a missing translation fails a test.
"""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response

from corridor.cases.web.i18n import LANG_NAMES, TEXT, t
from corridor.web.i18n import preferred_language

STAFF_LANGS = ("es", "en")
STAFF_LANG_NAMES = {code: LANG_NAMES[code] for code in STAFF_LANGS}
LANG_COOKIE = "corridor_staff_lang"
LANG_COOKIE_PATH = "/cases/staff"

# key: (es, en)
STAFF_TEXT: dict[str, tuple[str, str]] = {
    "site": ("Oficina de Movilidad Segura — personal", "Safe Mobility Office — staff"),
    "queue_link": ("Cola", "Queue"),
    "sign_out": ("Cerrar sesión", "Sign out"),
    "sign_in": ("Iniciar sesión", "Sign in"),
    "email": ("Correo electrónico", "E-mail"),
    "password": ("Contraseña", "Password"),
    "totp": ("Código de su aplicación de autenticación", "Code from your authenticator app"),
    "queue_title": ("Cola · {office}", "Queue · {office}"),
    "status": ("Estado", "Status"),
    "all": ("todos", "all"),
    "office": ("Oficina", "Office"),
    "show": ("Mostrar", "Show"),
    "reference": ("Referencia", "Reference"),
    "nationality": ("Nacionalidad", "Nationality"),
    "people": ("Personas", "People"),
    "registered": ("Registrado", "Registered"),
    "no_cases": ("No hay casos.", "No cases."),
    "possible_duplicate": ("posible duplicado", "possible duplicate"),
    "possible_duplicate_p": ("posible duplicado, p={p}", "possible duplicate, p={p}"),
    "give_appointments": ("Asignar citas", "Give appointments"),
    "day": ("Día", "Day"),
    "allocate": ("Asignar los cupos del día", "Allocate the day's places"),
    "case_title": ("Caso {reference}", "Case {reference}"),
    "case_line": (
        "oficina {office} · {n} persona(s) · registrado el {registered} · situación {host}",
        "office {office} · {n} people · registered {registered} · host status {host}",
    ),
    "duplicate_of": ("Posible duplicado de: {refs}", "Possible duplicate of: {refs}"),
    "to_confirm": (
        "Por confirmar (nunca se fusionan automáticamente):",
        "To confirm (never merged automatically):",
    ),
    "near_line": (
        "posible duplicado de {reference}, p={p}: {reasons} ({household})",
        "possible duplicate of {reference}, p={p}: {reasons} ({household})",
    ),
    "household_matched": ("{matched} de {total} miembros", "{matched} of {total} members"),
    "household": ("Grupo familiar", "Household"),
    "name": ("Nombre", "Name"),
    "born": ("Nacimiento", "Born"),
    "sex": ("Sexo", "Sex"),
    "document": ("Documento", "Document"),
    "arrived": ("Llegada", "Arrived"),
    "contact": ("Contacto", "Contact"),
    "screening": ("Evaluación", "Screening"),
    "eligible": ("Elegible", "Eligible"),
    "not_eligible": ("No elegible", "Not eligible"),
    "rules_as_of": ("reglas {rules}, a fecha {as_of}", "rules {rules}, as of {as_of}"),
    "screen_again": ("Evaluar de nuevo", "Screen again"),
    "appointments": ("Citas", "Appointments"),
    "none": ("Ninguna.", "None."),
    "interview": ("Entrevista", "Interview"),
    "outcome": ("Resultado", "Outcome"),
    "notes": ("Notas", "Notes"),
    "record_interview": ("Registrar entrevista", "Record interview"),
    "interviews_recorded": ("{n} entrevista(s) registrada(s).", "{n} interview(s) recorded."),
    "referrals": ("Remisiones", "Referrals"),
    "deadline": ("plazo {day}", "deadline {day}"),
    "overdue": ("vencido", "overdue"),
    "decision": ("decisión {decision}", "decision {decision}"),
    "pathway": ("Vía", "Pathway"),
    "sponsor_ref": ("Referencia del patrocinador (parole)", "Supporter reference (parole)"),
    "invitation_ref": (
        "Referencia de la invitación (reunificación familiar)",
        "Invitation reference (family reunification)",
    ),
    "refer": ("Referir", "Refer"),
    "language": ("Idioma", "Language"),
    # eligibility checks by rule code (the English detail is shown on English pages only)
    "check_in_force": ("regla vigente", "rule in force"),
    "check_nationality": ("nacionalidad", "nationality"),
    "check_presence": ("presencia antes de la fecha límite", "presence before the cut-off"),
    "check_min_age": ("edad mínima", "minimum age"),
    "check_max_age": ("edad máxima", "maximum age"),
    "check_status": ("situación migratoria", "immigration status"),
    "check_intake": ("periodo de inscripción abierto", "intake window open"),
    # the check's sentence, from its params (eligibility.Check); `_ok` / `_fail` by outcome
    "says_in_force_fail": (
        "ninguna regla de {title} vigente el {as_of}",
        "no rule of {title} in force on {as_of}",
    ),
    "says_nationality_ok": (
        "nacionalidad {nationality}: está entre {allowed}",
        "nationality {nationality} is one of {allowed}",
    ),
    "says_nationality_fail": (
        "nacionalidad {nationality}: no está entre {allowed}",
        "nationality {nationality} is not one of {allowed}",
    ),
    "says_presence_ok": (
        "llegó a más tardar en la fecha límite, {cutoff}",
        "arrived on or before the cut-off {cutoff}",
    ),
    "says_presence_fail": (
        "llegó después de la fecha límite, {cutoff}",
        "arrived after the cut-off {cutoff}",
    ),
    "says_min_age": (
        "edad {age} el {as_of}, mínimo {limit}",
        "age {age} on {as_of}, minimum {limit}",
    ),
    "says_max_age": (
        "edad {age} el {as_of}, máximo {limit}",
        "age {age} on {as_of}, maximum {limit}",
    ),
    "says_status_ok": (
        "situación `{status}`: está entre {allowed}",
        "status `{status}` is one of {allowed}",
    ),
    "says_status_fail": (
        "situación `{status}`: no está entre {allowed}",
        "status `{status}` is not one of {allowed}",
    ),
    "says_intake_ok": ("inscripción abierta el {as_of}", "intake open on {as_of}"),
    "says_intake_fail": ("inscripción cerrada el {as_of}", "intake closed on {as_of}"),
    # flash messages after an action
    "flash_screened": ("Evaluado: {result} ({rules})", "Screened: {result} ({rules})"),
    "result_eligible": ("elegible", "eligible"),
    "result_not_eligible": ("no elegible", "not eligible"),
    "flash_interview": ("Entrevista registrada ({outcome})", "Interview recorded ({outcome})"),
    "flash_referred": ("Referido a {pathway}", "Referred to {pathway}"),
    "flash_moved": ("{pathway}: {state}", "{pathway}: {state}"),
    "flash_allocated": (
        "Asignadas {fcfs} por orden de llegada y {drawn} por sorteo",
        "Allocated {fcfs} first-come and {drawn} drawn",
    ),
    # errors, by HTTP status; the English detail stays in the API and the logs
    "error_400": ("La solicitud no es válida.", "The request is not valid."),
    "error_401": (
        "No se pudo iniciar sesión: revise el correo, la contraseña y el código.",
        "Sign-in failed: check the e-mail, password and code.",
    ),
    "error_403": (
        "No tiene permiso para esto, o el formulario expiró; abra la página de nuevo.",
        "You may not do this, or the form expired; open the page again.",
    ),
    "error_404": ("No encontrado.", "Not found."),
    "error_409": ("Conflicto con el estado actual del caso.", "Conflicts with the case's state."),
    "error_429": (
        "Demasiados intentos; espere un momento.",
        "Too many attempts; wait a moment.",
    ),
    "error_other": ("Algo salió mal.", "Something went wrong."),
}

# code -> (es, en): statuses, referral states, interview outcomes, allocation kinds
CODES: dict[str, tuple[str, str]] = {
    "self": ("titular", "main applicant"),  # a member's relationship to the applicant
    "registered": ("registrado", "registered"),
    "eligible": ("elegible", "eligible"),
    "ineligible": ("no elegible", "ineligible"),
    "scheduled": ("con cita", "scheduled"),
    "interviewed": ("entrevistado", "interviewed"),
    "referred": ("referido", "referred"),
    "closed": ("cerrado", "closed"),
    "withdrawn": ("retirado", "withdrawn"),
    "prescreened": ("preevaluado", "prescreened"),
    "approved": ("aprobado", "approved"),
    "denied": ("denegado", "denied"),
    "departed": ("viajó", "departed"),
    "travel_ready": ("listo para viajar", "travel ready"),
    "travel_authorized": ("viaje autorizado", "travel authorized"),
    "awaiting_supporter": ("esperando patrocinador", "awaiting supporter"),
    "supporter_confirmed": ("patrocinador confirmado", "supporter confirmed"),
    "invited": ("invitado", "invited"),
    "submitted": ("presentado", "submitted"),
    "accepted_for_processing": ("aceptado para trámite", "accepted for processing"),
    "employer_matched": ("empleador asignado", "employer matched"),
    "visa_interview": ("entrevista de visa", "visa interview"),
    "visa_issued": ("visa expedida", "visa issued"),
    "completed": ("realizada", "completed"),
    "no_show": ("no se presentó", "no show"),
    "rescheduled": ("reprogramada", "rescheduled"),
    "booked": ("reservada", "booked"),
    "cancelled": ("cancelada", "cancelled"),
    "attended": ("asistió", "attended"),
    "fcfs": ("orden de llegada", "first come"),
    "draw": ("sorteo", "draw"),
    "drawn": ("sorteo", "drawn"),
    "caseworker": ("gestor de casos", "caseworker"),
    "supervisor": ("supervisor", "supervisor"),
    "receiving_officer": ("oficial del país receptor", "receiving-country officer"),
    "analyst": ("analista", "analyst"),
    "admin": ("administrador", "admin"),
    "investigator": ("investigador", "investigator"),
}

# pathway code -> (es, en) title; the codes themselves stay in the data and the API
PATHWAY_TITLES: dict[str, tuple[str, str]] = {
    "usrap": (
        "Programa de Admisión de Refugiados de EE. UU.",
        "US Refugee Admissions Program",
    ),
    "parole": (
        "Parole humanitario con un patrocinador en EE. UU.",
        "Humanitarian parole with a US supporter",
    ),
    "family_reunification": (
        "Parole de reunificación familiar (por invitación)",
        "Family reunification parole (by invitation)",
    ),
    "labour": (
        "Vías laborales (visas de trabajo temporal)",
        "Labour pathways (temporary work visas)",
    ),
    "canada": (
        "Canadá (vías humanitaria y familiar)",
        "Canada (humanitarian and family streams)",
    ),
    "spain": (
        "España (programas humanitarios y laborales)",
        "Spain (humanitarian and labour programmes)",
    ),
}

# the near-duplicate reasons as the linkage scorer words them (English data) -> (es, en)
REASONS: dict[str, tuple[str, str]] = {
    "same given names": ("mismos nombres", "same given names"),
    "given names nearly equal": ("nombres casi iguales", "given names nearly equal"),
    "first given name equal, second differs": (
        "primer nombre igual, el segundo difiere",
        "first given name equal, second differs",
    ),
    "first given name or nickname equal": (
        "primer nombre o apodo igual",
        "first given name or nickname equal",
    ),
    "given names similar": ("nombres parecidos", "given names similar"),
    "given name and surname swapped": (
        "nombre y apellido intercambiados",
        "given name and surname swapped",
    ),
    "given names differ": ("nombres distintos", "given names differ"),
    "given name one edit": ("nombre a una letra", "given name one edit"),
    "same surname": ("mismo apellido", "same surname"),
    "first surname equal, second differs": (
        "primer apellido igual, el segundo difiere",
        "first surname equal, second differs",
    ),
    "surname nearly equal": ("apellido casi igual", "surname nearly equal"),
    "surname one edit": ("apellido a una letra", "surname one edit"),
    "one surname shared, other position": (
        "un apellido compartido, en otra posición",
        "one surname shared, other position",
    ),
    "surname similar": ("apellido parecido", "surname similar"),
    "surnames differ": ("apellidos distintos", "surnames differ"),
    "same dob": ("misma fecha de nacimiento", "same dob"),
    "dob day and month swapped": (
        "día y mes de nacimiento intercambiados",
        "dob day and month swapped",
    ),
    "dob one digit differs": (
        "fecha de nacimiento con un dígito distinto",
        "dob one digit differs",
    ),
    "dob two digits differ": (
        "fecha de nacimiento con dos dígitos distintos",
        "dob two digits differ",
    ),
    "dob year within one": ("año de nacimiento a un año", "dob year within one"),
    "dob differs": ("fecha de nacimiento distinta", "dob differs"),
    "sex differs": ("sexo distinto", "sex differs"),
    "nationality differs": ("nacionalidad distinta", "nationality differs"),
    "same document": ("mismo documento", "same document"),
    "document one character differs": (
        "documento con un carácter distinto",
        "document one character differs",
    ),
    "different document": ("documento distinto", "different document"),
}

_HOUSEHOLD = re.compile(r"(\d+) of (\d+) members")


def st(lang: str, key: str, **kw: object) -> str:
    """The staff-page text ``key`` in ``lang`` (KeyError when the catalogue lacks it)."""
    text = STAFF_TEXT[key][STAFF_LANGS.index(lang)]
    return text.format(**kw) if kw else text


def code_label(lang: str, code: str | None) -> str:
    """How a status/state/outcome code reads; an unknown code is shown as itself."""
    if code is None:
        return ""
    names = CODES.get(code)
    return names[STAFF_LANGS.index(lang)] if names else code


def applicant_label(lang: str, prefix: str, code: str | None) -> str:
    """A member's sex, relationship, document type or host status, worded as on the
    applicant pages (the same catalogue)."""
    if not code:
        return ""
    key = f"{prefix}{code}"
    return t(lang, key) if key in TEXT else code_label(lang, code)


def check_label(lang: str, rule: str) -> str:
    key = f"check_{rule}"
    return st(lang, key) if key in STAFF_TEXT else rule


def check_sentence(lang: str, check: object) -> str:
    """What an eligibility check found, in ``lang``: from its params when the screening
    stored them; a screening from before params were kept shows its English detail on
    English pages and nothing more on others (the label and ✓/✗ say the outcome)."""

    def get(name: str) -> object:  # a stored dict or the API's CheckOut
        return check.get(name) if isinstance(check, dict) else getattr(check, name, None)

    rule, params = str(get("rule")), get("params")
    outcome = "ok" if get("ok") else "fail"
    if isinstance(params, dict) and params:
        for key in (f"says_{rule}_{outcome}", f"says_{rule}"):
            if key in STAFF_TEXT:
                try:
                    return st(lang, key).format(**params)
                except (KeyError, IndexError):
                    break  # params of another shape: fall back to the stored detail
    return str(get("detail") or "") if lang == "en" else ""


def pathway_title(lang: str, code: str, fallback: str) -> str:
    names = PATHWAY_TITLES.get(code)
    return names[STAFF_LANGS.index(lang)] if names else fallback


def near_line(lang: str, entry: dict[str, object]) -> str:
    """The near-duplicate line: "possible duplicate of R, p=0.87: reasons (1 of 2 members)"."""
    people = entry.get("people") or [{}]
    best = people[0] if isinstance(people, list) and people else {}
    i = STAFF_LANGS.index(lang)
    reasons = [
        REASONS[r][i] if r in REASONS else str(r)
        for r in (best.get("reasons") or [] if isinstance(best, dict) else [])
    ]
    household = str(entry.get("household", ""))
    m = _HOUSEHOLD.fullmatch(household)
    if m:
        household = st(lang, "household_matched", matched=m.group(1), total=m.group(2))
    p = entry.get("p")
    return st(
        lang,
        "near_line",
        reference=entry.get("reference"),
        p=f"{p:.2f}" if isinstance(p, float | int) else p,
        reasons=", ".join(reasons),
        household=household,
    )


def staff_lang(request: Request) -> str:
    """``?lang=`` (the switch), then the remembered choice, then the browser's
    Accept-Language, then Spanish, the offices' working language."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in STAFF_LANGS:
            return candidate
    return preferred_language(request.headers.get("accept-language"), STAFF_LANGS) or "es"


def remember_lang(request: Request, response: Response, lang: str, secure: bool) -> Response:
    """Keep a switched language for the next staff pages (a language code, never PII)."""
    if request.query_params.get("lang") == lang and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="strict",
            path=LANG_COOKIE_PATH,
            secure=secure,
        )
    return response

"""The staff pages in Spanish and English: a complete catalogue, a caseworker's queue and
case in Spanish with no English left for the translated texts, and a language switch that
keeps the page."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from corridor.cases import near_duplicates, referrals
from corridor.cases.web import staff_pages
from corridor.cases.web.render import TEMPLATES
from corridor.cases.web.staff_i18n import (
    CODES,
    LANG_COOKIE,
    PATHWAY_TITLES,
    REASONS,
    STAFF_LANGS,
    STAFF_TEXT,
    near_line,
    st,
)
from tests.cases.conftest import add_account, member, register, registration
from tests.cases.test_near_duplicates import person, unique
from tests.cases.test_pages import hidden, staff_login

STAFF_TEMPLATES = sorted(TEMPLATES.glob("staff_*.html"))
USED = re.compile(r"""\bst\(\s*(?:lang|"es"|"en"|'es'|'en')\s*,\s*['"]([a-z0-9_]+)['"]""")
# texts that read the same in both languages (a code, a number) are not checked for leftovers
SAME = {k for k, (es, en) in STAFF_TEXT.items() if es == en}


def keys_used() -> set[str]:
    sources = [*STAFF_TEMPLATES, Path(staff_pages.__file__)]
    return {k for f in sources for k in USED.findall(f.read_text(encoding="utf-8"))}


def test_every_staff_text_exists_in_spanish_and_english() -> None:
    used = keys_used()
    assert len(used) > 50, "the key pattern no longer matches the templates"
    missing = sorted(used - STAFF_TEXT.keys())
    assert not missing, f"keys used on the staff pages but not in the catalogue: {missing}"
    for table in (STAFF_TEXT, CODES, REASONS, PATHWAY_TITLES):
        for key, texts in table.items():
            assert len(texts) == len(STAFF_LANGS), key
            assert all(x.strip() for x in texts), f"`{key}` is empty in some language"
    # the placeholders agree, so a format never fails in one language only
    for key, texts in STAFF_TEXT.items():
        fields = [sorted(re.findall(r"{(\w+)", x)) for x in texts]
        assert fields[0] == fields[1], key


def test_every_code_shown_on_the_staff_pages_has_a_label() -> None:
    codes = set(staff_pages.STATUSES) | {"registered", "completed", "no_show", "rescheduled"}
    codes |= {"fcfs", "draw", "booked"}
    for p in referrals.PATHWAYS.values():
        codes |= p.states
    assert not sorted(codes - CODES.keys())
    assert not sorted(set(referrals.PATHWAYS) - PATHWAY_TITLES.keys())
    reasons = set(near_duplicates.REASONS.values()) | {"given name one edit", "surname one edit"}
    assert not sorted(reasons - REASONS.keys())


def test_the_near_duplicate_line_in_both_languages() -> None:
    entry: dict[str, Any] = {
        "reference": "COL-ABC",
        "p": 0.871,
        "household": "1 of 2 members",
        "people": [{"reasons": ["surname nearly equal", "same dob"]}],
    }
    assert near_line("en", entry) == (
        "possible duplicate of COL-ABC, p=0.87: surname nearly equal, same dob (1 of 2 members)"
    )
    assert near_line("es", entry) == (
        "posible duplicado de COL-ABC, p=0.87: apellido casi igual, "
        "misma fecha de nacimiento (1 de 2 miembros)"
    )


def english_left(page: str) -> list[str]:
    """English texts of translated keys that appear as a whole element or attribute text."""
    out = []
    for key, (_es, en) in STAFF_TEXT.items():
        if key in SAME or "{" in en:
            continue
        text = html.escape(en, quote=True)
        if re.search(
            rf'>\s*{re.escape(text)}\s*<|(?:title|aria-label|placeholder|alt)="{re.escape(text)}"',
            page,
        ):
            out.append(en)
    return out


def test_a_caseworkers_queue_and_case_in_spanish(app: Any, client: TestClient) -> None:
    surname = unique("Quintero")
    first = register(client, registration(members=[person("Yusleidy", surname, "1988-07-21")]))
    again = register(client, registration(members=[person("Yusleydi", surname, "1988-07-21")]))
    rt = app.state.cases_runtime
    # Spanish is the default: no Accept-Language, no choice made
    with TestClient(app, base_url="https://testserver") as c:
        login = c.get("/cases/staff/login")
        assert '<html lang="es">' in login.text and ">Iniciar sesión<" in login.text
        staff_login(c, add_account(rt, "es-queue", "caseworker", "COL-BOG", None))
        queue = c.get("/cases/staff/queue")
        assert queue.status_code == 200 and '<html lang="es">' in queue.text
        for key in ("queue_link", "sign_out", "reference", "nationality", "people", "show"):
            assert st("es", key) in queue.text, key
        assert st("es", "queue_title", office="COL-BOG") in queue.text
        assert '<option value="eligible">elegible</option>' in queue.text  # code kept, label es
        row = next(line for line in queue.text.splitlines() if again["reference"] in line)
        assert 'title="posible duplicado, p=' in row
        assert not english_left(queue.text), english_left(queue.text)

        case = c.get(f"/cases/staff/case/{again['reference']}")
        assert case.status_code == 200
        for key in ("household", "screening", "screen_again", "record_interview", "to_confirm"):
            assert st("es", key) in case.text, key
        assert f"posible duplicado de {first['reference']}, p=" in case.text
        assert "possible duplicate of" not in case.text
        # the member's codes (relationship, sex, nationality, document) read in Spanish
        assert "<td>0 titular</td>" in case.text and "<td>Mujer</td>" in case.text
        assert "<td>Venezuela</td>" in case.text and "<td>Ninguno </td>" in case.text
        assert not english_left(case.text), english_left(case.text)

        csrf = hidden(case.text, "csrf")
        r = c.post(f"/cases/staff/case/{again['reference']}/screen", data={"csrf": csrf})
        assert r.status_code == 200 and "Evaluado: elegible (" in r.text
        r = c.post(
            f"/cases/staff/case/{again['reference']}/interview",
            data={"csrf": csrf, "outcome": "completed", "notes": ""},
        )
        assert "Entrevista registrada (realizada)" in r.text
        assert "<strong>entrevistado</strong>" in r.text
        r = c.post(
            f"/cases/staff/case/{again['reference']}/refer", data={"csrf": csrf, "pathway": "usrap"}
        )
        assert "Referido a usrap" in r.text and "→ preevaluado" in r.text
        assert not english_left(r.text), english_left(r.text)
        # errors are worded from the catalogue too (a stale form)
        r = c.post(f"/cases/staff/case/{again['reference']}/screen", data={"csrf": "stale"})
        assert r.status_code == 403 and st("es", "error_403") in r.text
        assert "the form expired" not in r.text


def test_the_switch_keeps_the_page_and_is_remembered(app: Any, client: TestClient) -> None:
    ref = register(client, registration(members=[member(given_names="Dayana")]))["reference"]
    rt = app.state.cases_runtime
    with TestClient(app, base_url="https://testserver", headers={"Accept-Language": "es-CO"}) as c:
        staff_login(c, add_account(rt, "switch", "caseworker", "COL-BOG", None))
        queue = c.get("/cases/staff/queue?status=eligible")
        assert '<html lang="es">' in queue.text
        # the switch links point at this page, with its filter, and no personal data
        links = re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', queue.text)
        assert dict((lang, url) for url, lang in links) == {
            "es": "/cases/staff/queue?status=eligible&amp;lang=es",
            "en": "/cases/staff/queue?status=eligible&amp;lang=en",
        }
        english = c.get("/cases/staff/queue?status=eligible&lang=en")
        assert '<html lang="en">' in english.text and ">Sign out<" in english.text
        assert "selected>eligible</option>" in english.text
        assert english.cookies.get(LANG_COOKIE) == "en"
        # remembered over the browser's Spanish on the next pages, the case included
        case = c.get(f"/cases/staff/case/{ref}")
        assert '<html lang="en">' in case.text and ">Household<" in case.text
        assert f'href="/cases/staff/case/{ref}?lang=es"' in case.text
        back = c.get(f"/cases/staff/case/{ref}?lang=es")
        assert '<html lang="es">' in back.text and ">Grupo familiar<" in back.text
        assert c.get("/cases/staff/queue").text.count('<html lang="es">') == 1
        # an unknown language is ignored, never echoed
        odd = c.get("/cases/staff/queue?lang=xx")
        assert odd.status_code == 200 and '<html lang="es">' in odd.text
        assert "lang=xx" not in odd.text


def test_a_failed_sign_in_is_worded_in_the_chosen_language(app: Any) -> None:
    for lang, accept in (("es", "es-EC,es;q=0.9"), ("en", "en-US,en;q=0.8,es;q=0.5")):
        with TestClient(
            app, base_url="https://testserver", headers={"Accept-Language": accept}
        ) as c:
            page = c.get("/cases/staff/login")
            assert f'<html lang="{lang}">' in page.text
            r = c.post(
                "/cases/staff/login",
                data={
                    "csrf": hidden(page.text, "csrf"),
                    "email": "nobody@example.org",
                    "password": "wrong password",
                    "totp": "000000",
                },
            )
            assert r.status_code == 401 and st(lang, "error_401") in r.text
            assert "nobody@example.org" not in str(r.url)

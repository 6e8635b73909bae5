"""Jinja2 environment and the security headers every cases page carries."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from corridor.cases.web.i18n import LANG_NAMES, LANGS, nat_name, t
from corridor.cases.web.staff_i18n import (
    STAFF_LANG_NAMES,
    STAFF_LANGS,
    applicant_label,
    check_label,
    check_sentence,
    code_label,
    near_line,
    pathway_title,
    st,
)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

HEADERS = {
    # no script at all on these pages; forms post only to this site
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        t=t,
        nat_name=nat_name,
        LANGS=LANGS,
        LANG_NAMES=LANG_NAMES,
        st=st,
        code_label=code_label,
        near_line=near_line,
        applicant_label=applicant_label,
        check_label=check_label,
        check_sentence=check_sentence,
        pathway_title=pathway_title,
        STAFF_LANGS=STAFF_LANGS,
        STAFF_LANG_NAMES=STAFF_LANG_NAMES,
    )
    return env


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)

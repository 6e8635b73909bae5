"""The Jinja2 environment shared by the pages and the report."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from corridor.web.i18n import t

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = t
    return env


def render(template: str, **context: Any) -> str:
    """Render a template; charts are passed as SVG strings and marked safe there."""
    return environment().get_template(template).render(**context)


def stylesheet() -> str:
    """The CSS, for the report to inline."""
    return (STATIC / "style.css").read_text(encoding="utf-8")

"""``corridor report``: the overview, checkpoints and sources as one self-contained HTML file.

CSS and SVG are inline and nothing is linked, so the file can be mailed or
opened offline.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from corridor.analysis.series import CHECKPOINTS
from corridor.store import Store
from corridor.web import i18n, views
from corridor.web.policy_view import report_sections
from corridor.web.render import render, stylesheet


def report_html(store: Store, lang: str = "en") -> str:
    """The report as a string."""
    lang = i18n.check(lang)
    return render(
        "report.html", lang=lang, css=stylesheet(), db=store.path.name,
        generated=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        items=views.overview(store, lang), alerts=views.alerts(store, lang),
        details=[views.checkpoint_detail(store, cp.id, lang) for cp in CHECKPOINTS],
        s=views.sources(store, lang), policy=report_sections(store, lang),
    )  # fmt: skip


def write_report(store: Store, out: str | os.PathLike[str], lang: str = "en") -> Path:
    """Write the report to ``out`` and return its path.

    All or nothing: the file is written beside ``out`` and renamed over it, so
    a full disk never leaves half a report where yesterday's was.
    """
    path = Path(out)
    html = report_html(store, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path

"""The quality report as one self-contained HTML page (inline CSS, no scripts, no CDN)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from corridor.quality.checks import QualityReport

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:1rem auto;max-width:70rem;padding:0 1rem;
color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.warning{color:#8a1c00;font-weight:600}.info{color:#235}
.ok{color:#1d6b2a}.muted{color:#666}td.num{text-align:right}
td{overflow-wrap:anywhere}.wrap{overflow-x:auto}
@media (max-width:40rem){td,th{padding:.25rem}body{font-size:14px}}
"""


def render_html(report: QualityReport, *, store: str = "") -> str:
    """The report as HTML: a summary per release, then its findings."""
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width,initial-scale=1">',
        f"<title>corridor data quality</title><style>{_CSS}</style></head><body>",
        "<h1>Data quality</h1>",
        f"<p class=muted>{escape(store)} · checked {datetime.now():%Y-%m-%d %H:%M} · "
        f"{len(report.releases)} release(s), {report.warnings} warning(s)</p>",
        "<div class=wrap><table><tr><th>source</th><th>release</th><th>file</th>"
        "<th>warnings</th><th>notes</th></tr>",
    ]
    for rel in report.releases:
        mine = [f for f in report.findings if f.release_id == rel["release_id"]]
        warn = sum(1 for f in mine if f.severity == "warning")
        cls = "warning" if warn else "ok"
        parts.append(
            f"<tr><td>{escape(str(rel['source']))}</td><td>{escape(str(rel['release_id']))}</td>"
            f"<td>{escape(str(rel['file_name']))}</td><td class='num {cls}'>{warn}</td>"
            f"<td class=num>{len(mine) - warn}</td></tr>"
        )
    parts.append("</table></div>")
    for rel in report.releases:
        mine = [f for f in report.findings if f.release_id == rel["release_id"]]
        parts.append(f"<h2>{escape(str(rel['source']))} <span class=muted>"
                     f"{escape(str(rel['release_id']))}</span></h2>")  # fmt: skip
        if not mine:
            parts.append("<p class=ok>No findings.</p>")
            continue
        parts.append("<table><tr><th>check</th><th>period</th><th>finding</th></tr>")
        for f in mine:
            period = f"{f.period:%Y-%m}" if f.period else ""
            parts.append(
                f"<tr><td class={f.severity}>{escape(f.check)}</td><td>{period}</td>"
                f"<td>{escape(f.message)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)

"""The monitor's web pages and the self-contained HTML report.

Pages are rendered on the server (Jinja2) with charts as inline SVG, so they
need no JavaScript, no CDN and little bandwidth. FastAPI is imported only by
:mod:`corridor.web.pages`; the report needs Jinja2 alone.
"""

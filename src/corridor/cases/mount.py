"""Mount the cases API and pages on the corridor app, when the ``cases`` extra is installed.

Imports nothing heavy at module level so ``corridor.api.create_app`` can call
:func:`mount` unconditionally.
"""

from __future__ import annotations

import importlib.util
from typing import Any

REQUIRED = ("sqlalchemy", "alembic", "argon2", "pyotp", "cryptography", "multipart", "rapidfuzz")


def available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in REQUIRED)


def mount(app: Any, prefix: str = "/api/v1") -> bool:
    """Add the routers, error handler and pages; False (nothing added) without the extra."""
    if not available():
        return False
    from fastapi import Request
    from fastapi.responses import JSONResponse

    import corridor.cases.web.pages as pages
    from corridor.cases.api import public, staff
    from corridor.cases.errors import CasesError, TooMany

    app.include_router(public.router, prefix=prefix)
    app.include_router(staff.auth_router, prefix=prefix)
    app.include_router(staff.router, prefix=prefix)
    pages.mount(app)

    async def cases_error(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, CasesError)
        if request.url.path.startswith(pages.PREFIX):
            return pages.error_page(request, exc)
        headers = {"Cache-Control": "no-store"}
        if isinstance(exc, TooMany):
            headers["Retry-After"] = str(exc.retry_after)
        return JSONResponse({"error": exc.message}, status_code=exc.status, headers=headers)

    app.add_exception_handler(CasesError, cases_error)
    return True

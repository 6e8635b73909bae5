"""Errors of the cases module; each carries the HTTP status the API answers with."""

from __future__ import annotations

from corridor.errors import CorridorError


class CasesError(CorridorError):
    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CasesError):
    status = 404


class Unauthorized(CasesError):
    status = 401


class Forbidden(CasesError):
    status = 403


class Conflict(CasesError):
    status = 409


class Invalid(CasesError):
    status = 422


class TooMany(CasesError):
    """Rate limited or over capacity (the waiting room); ``retry_after`` in seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int, *, status: int = 429) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status

"""The REST API: ``create_app(db_path)`` returns a FastAPI app serving ``/api/v1``.

Importing this package imports FastAPI; ``corridor`` itself never imports it,
so the CLI stays fast and works without the ``web`` extra.
"""

from __future__ import annotations

from corridor.api.app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]

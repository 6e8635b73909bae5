"""The cases REST API under ``/api/v1`` (public registration and status; staff operations)."""

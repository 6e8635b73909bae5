"""Alembic migrations of the cases schema (run by ``corridor cases init``)."""

"""The ``corridor`` command line (Typer + rich)."""

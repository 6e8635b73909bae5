"""``python -m corridor.cli``: the same as the ``corridor`` command."""

from corridor.cli.main import main

main()

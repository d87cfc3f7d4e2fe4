"""``python -m collector_tui`` is the ``collector`` command."""

from collector_tui.cli.main import run

run()

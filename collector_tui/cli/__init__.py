"""The ``collector`` command line (Typer). Textual is imported only to open the UI."""

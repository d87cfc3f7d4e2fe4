"""Storage layer: SQLModel tables, engine factory, queries and Alembic migrations.

Nothing here knows about Textual, Typer or the application's rules.
"""

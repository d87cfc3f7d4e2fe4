"""Errors a service reports to the CLI or a screen: plain words, ids only, never PHI."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service refused; ``str(error)`` is safe to show a user."""

    exit_code = 1


class DatabaseNotReadyError(ServiceError):
    """The database is missing, empty or not at the schema this build expects."""


class AccessDeniedError(ServiceError):
    """The acting user may not do this."""


class NotFoundError(ServiceError):
    """The entity does not exist or the user may not see it."""

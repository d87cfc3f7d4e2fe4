"""A call the compliance rules block: logged with a supervisor's override, or asked for as one.

The contact form has one field for a reason. A supervisor's (or an admin's) reason overrides the
block and is recorded with the call (:func:`~.account_actions.log_contact`). A collector may not
override: their reason becomes a request a supervisor approves or rejects
(:func:`~collector_tui.services.team.approvals.request_override`); nothing is logged until then,
and once it is approved the collector logs that one call as usual.
"""

from __future__ import annotations

from datetime import datetime

from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import ContactEntry, log_contact
from collector_tui.services.desk.account_change import ActionResult
from collector_tui.services.errors import AccessDeniedError, CallBlockedError
from collector_tui.services.team.approvals import request_override
from collector_tui.services.team.permissions import Permission, can


def log_contact_or_ask_override(
    db: Database, actor: Actor, entry: ContactEntry, *, now: datetime
) -> ActionResult:
    """Log the contact; if the rules block the call and the actor, who may not override them, gave
    a reason, ask a supervisor for an override with that reason instead (nothing is logged; the
    result's message says what was asked).

    Everything else is :func:`~.account_actions.log_contact`'s: a blocked call with no reason is
    refused (:class:`CallBlockedError`), a supervisor's reason overrides the block, a collector's
    approved request lets the call be logged, and a reason for a call the rules allow is dropped.
    """
    try:
        return log_contact(db, actor, entry, now=now)
    except (CallBlockedError, AccessDeniedError):
        if can(actor, Permission.OVERRIDE_COMPLIANCE) or not entry.override_reason:
            raise
        return request_override(
            db, actor, entry.account_id, entry.version, entry.phone_id, entry.override_reason, now=now
        )

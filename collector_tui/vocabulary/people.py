"""Who uses the workstation, and the numbers people are reached at."""

from __future__ import annotations

from collector_tui.vocabulary.term import Term


class Role(Term):
    COLLECTOR = "collector", "Collector"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Administrator"
    OPERATOR = (
        "operator",
        "Nightly operator",
    )  # the nightly service account: imports, refresh, plan checks, exports


class PhoneType(Term):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class PhoneStatus(Term):
    OK = "ok", "Good number"
    WRONG = "wrong", "Wrong number"
    DISCONNECTED = "disconnected", "Disconnected"

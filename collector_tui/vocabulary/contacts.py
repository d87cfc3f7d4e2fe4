"""Contacts with people: how they happen, which way, and with whom."""

from __future__ import annotations

from collector_tui.vocabulary.term import Term


class Channel(Term):
    CALL = "call", "Phone call"
    VOICEMAIL = "voicemail", "Voicemail"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    NOTE = "note", "Note"
    SYSTEM = "system", "System"


class Direction(Term):
    OUT = "out", "Outbound"
    IN = "in", "Inbound"
    NONE = "none", "No direction"


class Party(Term):
    """Who the collector spoke with on a contact (``none``: nobody, or not said)."""

    GUARANTOR = "guarantor", "Guarantor"
    PATIENT = "patient", "Patient"
    THIRD_PARTY = "third_party", "Someone else"
    ATTORNEY = "attorney", "Attorney"
    INSURER = "insurer", "Insurer (a payer's representative)"
    NONE = "none", "Nobody"


class Verification(Term):
    """Right-party verification on a call: whether the caller proved to be the person the account
    is about before anything about the debt was said."""

    VERIFIED = "verified", "Identity verified"
    REFUSED = "refused", "Caller declined to verify"
    FAILED = "failed", "Could not verify"

"""Right-party verification on an inbound call, and the disclosure a debt collector must make.

Before anything about a debt is said to a caller, the collector makes sure the caller is the
person the account is about: telling anyone else that the debt exists is a communication with a
third party (15 U.S.C. 1692c(b); 12 CFR 1006.6(d)), and the account's charges are protected
health information (45 CFR 164.514(h)). The caller proves it with two of the facts on file
(:data:`FACTS`); one who will not is *refused*, one who gets fewer than two right *failed*.

A third-party collector (a facility of regime ``third_party``) must also say, in the first
communication and in every later one, that it is a debt collector (15 U.S.C. 1692e(11), the
"mini-Miranda"): :func:`required_disclosure` gives the line to read.
"""

from __future__ import annotations

from collections.abc import Iterable

from collector_tui.vocabulary import Regime, Verification

# What a caller may prove who they are with, as the workspace asks for it.
FACTS: dict[str, str] = {
    "date_of_birth": "Date of birth",
    "address": "Address",
    "ssn_last4": "Last four of SSN",
    "account_number": "Account number",
}
FACTS_NEEDED = 2

MINI_MIRANDA = (
    "This is a communication from a debt collector. This is an attempt to collect a debt, and any "
    "information obtained will be used for that purpose."
)
MINI_MIRANDA_CITATION = "15 U.S.C. 1692e(11)"


def verification_outcome(
    confirmed: Iterable[str], *, on_file: Iterable[str] = FACTS, refused: bool = False
) -> Verification:
    """``verified`` with at least two of :data:`FACTS` given correctly; ``refused`` when the caller
    would not answer (whatever was ticked); ``failed`` otherwise. Only a fact the account has
    ``on_file`` can be given correctly: one that is not proves nothing. An unknown fact is an error."""
    given = set(confirmed)
    unknown = given - FACTS.keys()
    if unknown:
        raise ValueError(f"not a verification fact: {', '.join(sorted(unknown))}")
    if refused:
        return Verification.REFUSED
    proved = given & set(on_file)
    return Verification.VERIFIED if len(proved) >= FACTS_NEEDED else Verification.FAILED


def required_disclosure(regime: str) -> str | None:
    """The line a collector must read on a call for a facility of ``regime`` (None: none required:
    a provider's own business office is no debt collector under the FDCPA, 15 U.S.C. 1692a(6))."""
    return MINI_MIRANDA if regime == Regime.THIRD_PARTY else None


__all__ = [
    "FACTS",
    "FACTS_NEEDED",
    "MINI_MIRANDA",
    "MINI_MIRANDA_CITATION",
    "required_disclosure",
    "verification_outcome",
]

"""Disposition codes: what happened on a contact, and what it counts as.

``attempt`` and ``conversation`` feed the Reg F call-frequency limits
(12 CFR 1006.14(b)): a call that never connects to the dialed number (busy,
disconnected tone) and a call the consumer asked for are not counted;
``right_party`` and ``worked`` feed the queue and team results.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Disposition:
    code: str
    label: str
    attempt: bool
    conversation: bool
    right_party: bool
    worked: bool


def _d(
    code: str,
    label: str,
    *,
    attempt: bool = True,
    conversation: bool = False,
    right_party: bool = False,
    worked: bool = True,
) -> Disposition:
    return Disposition(code, label, attempt, conversation, right_party, worked)


DISPOSITIONS: dict[str, Disposition] = {
    d.code: d
    for d in (
        _d("NA", "no answer"),
        # 1006.14(b)(3)(iii): calls that do not connect to the dialed number do not count.
        _d("BUSY", "busy signal", attempt=False),
        _d("DISC", "disconnected-number tone", attempt=False),
        _d("LMVM", "left limited-content voicemail"),
        _d("WRONG", "wrong number", conversation=True),
        _d("3RD", "third party", conversation=True),
        _d("RPC_PTP", "right party: promise to pay", conversation=True, right_party=True),
        _d("RPC_PLAN", "right party: payment plan", conversation=True, right_party=True),
        _d("RPC_PIF", "right party: paid in full", conversation=True, right_party=True),
        _d("RPC_REFUSE", "right party: refused", conversation=True, right_party=True),
        _d("RPC_HARD", "right party: hardship", conversation=True, right_party=True),
        _d("RPC_CB", "right party: callback", conversation=True, right_party=True),
        _d("DISPUTE", "dispute", conversation=True, right_party=True),
        _d("CEASE", "cease communication", conversation=True, right_party=True),
        _d("ATTY", "attorney representation", conversation=True),
        _d("BK", "bankruptcy", conversation=True),
        _d("DECEASED", "deceased", conversation=True),
        _d("FAP_REQ", "financial assistance requested", conversation=True, right_party=True),
        _d("ITEMIZED", "itemized bill requested", conversation=True, right_party=True),
        _d("NEW_INS", "new insurance information", conversation=True, right_party=True),
        # Inbound calls are not placed calls, but a conversation in one still starts the 7 days.
        _d("INBOUND", "inbound call", attempt=False, conversation=True, right_party=True),
        # 1006.14(b)(3)(ii): a call made at the consumer's request for information is excluded.
        _d("REQ_INFO", "call the consumer asked for", attempt=False, right_party=True),
        _d("NOTE", "note", attempt=False, worked=False),
        _d("LETTER", "letter sent", attempt=False, worked=False),
    )
}


def disposition(code: str) -> Disposition | None:
    return DISPOSITIONS.get(code.upper())

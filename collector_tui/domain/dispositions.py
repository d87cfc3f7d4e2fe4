"""Disposition codes: what happened on a contact, what it counts as, and what comes next.

The codes are policy data (``policies/workspace.toml``). ``attempt`` and
``conversation`` feed the Reg F call-frequency limits (12 CFR 1006.14(b)):
a call that never connects to the dialed number (busy, disconnected tone) and
a call the consumer asked for are not counted; ``right_party`` and ``worked``
feed the queue and team results; ``next_step`` is what the workspace does
after the contact is logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.vocabulary import Channel

# The channels a disposition may log from the workspace.
CHANNELS = tuple(c.value for c in (Channel.CALL, Channel.VOICEMAIL, Channel.LETTER, Channel.NOTE))
HOLD_STEP = "hold:"
PHONE_STEP = "phone:"
SIMPLE_STEPS = ("none", "callback", "promise", "plan", "payment")
PHONE_STEPS = ("wrong", "disconnected")
_FLAGS = ("attempt", "conversation", "right_party", "worked")
_KEYS = {"label", "channel", "next_step", *_FLAGS}


@dataclass(frozen=True, slots=True)
class Disposition:
    code: str
    label: str
    attempt: bool
    conversation: bool
    right_party: bool
    worked: bool
    channel: str = "call"
    next_step: str = "none"

    @property
    def hold_reason(self) -> str | None:
        """The hold this disposition places, if any."""
        return self.next_step.removeprefix(HOLD_STEP) if self.next_step.startswith(HOLD_STEP) else None

    @property
    def phone_status(self) -> str | None:
        """The status the dialled number gets (wrong, disconnected), if any."""
        return self.next_step.removeprefix(PHONE_STEP) if self.next_step.startswith(PHONE_STEP) else None

    @property
    def is_placed_call(self) -> bool:
        """A call the collector dialled (what the calling window and the frequency limits govern)."""
        return self.channel in (Channel.CALL, Channel.VOICEMAIL) and self.code not in ("INBOUND",)


def _valid_step(step: object, hold_reasons: tuple[str, ...]) -> bool:
    if not isinstance(step, str):
        return False
    if step.startswith(HOLD_STEP):
        return step.removeprefix(HOLD_STEP) in hold_reasons
    if step.startswith(PHONE_STEP):
        return step.removeprefix(PHONE_STEP) in PHONE_STEPS
    return step in SIMPLE_STEPS


def parse_dispositions(data: Mapping[str, Any], hold_reasons: tuple[str, ...]) -> dict[str, Disposition]:
    """The ``[dispositions.CODE]`` tables, checked: unknown keys, flags and next steps are refused."""
    table = data.get("dispositions")
    if not isinstance(table, Mapping) or not table:
        raise PolicyError("[dispositions] is missing")
    found: dict[str, Disposition] = {}
    for code, entry in table.items():
        where = f"dispositions.{code}"
        if not isinstance(entry, Mapping):
            raise PolicyError(f"[{where}] must be a table")
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise PolicyError(f"{where}: unknown key(s) {', '.join(unknown)}")
        label = entry.get("label")
        if not isinstance(label, str) or not label:
            raise PolicyError(f"{where}.label is required")
        flags = {}
        for flag in _FLAGS:
            value = entry.get(flag, flag in ("attempt", "worked"))
            if not isinstance(value, bool):
                raise PolicyError(f"{where}.{flag} must be true or false")
            flags[flag] = value
        channel = entry.get("channel", "call")
        if channel not in CHANNELS:
            raise PolicyError(f"{where}.channel must be one of {', '.join(CHANNELS)}")
        step = entry.get("next_step", "none")
        valid_step = (
            step in SIMPLE_STEPS
            or (
                isinstance(step, str)
                and step.startswith(HOLD_STEP)
                and step[len(HOLD_STEP) :] in hold_reasons
            )
            or (
                isinstance(step, str)
                and step.startswith(PHONE_STEP)
                and step[len(PHONE_STEP) :] in PHONE_STEPS
            )
        )
        if not valid_step:
            raise PolicyError(
                f"{where}.next_step {step!r} must be one of {', '.join(SIMPLE_STEPS)}, "
                f"hold:<reason> or phone:wrong|disconnected"
            )
        found[code.upper()] = Disposition(code.upper(), label, channel=channel, next_step=step, **flags)
    return found

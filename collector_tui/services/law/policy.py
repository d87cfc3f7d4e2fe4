"""The policies in force (compliance, queue priority, workspace, payment plans, denials): the shipped files
with the office's overrides merged on top.

A policy says what the office may do (when it may call, which plans it offers), so it is the
office's, chosen by an admin and stored in the database (:mod:`.office_policy`), never taken from
a user's environment or config file. Opening a database installs its overrides here
(:func:`install_overrides`), and every ``current_*()`` caller gets that office's policies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from collector_tui.config import ConfigError
from collector_tui.domain.compliance.policy import CompliancePolicy, PolicyError, parse_policy
from collector_tui.domain.denial_work import DenialPolicy, parse_denial_policy
from collector_tui.domain.fingerprint import content_digest
from collector_tui.domain.plan_policy import PlanPolicy, parse_plan_policy
from collector_tui.domain.priority import PriorityPolicy, parse_priority_policy
from collector_tui.domain.workspace_policy import WorkspacePolicy, parse_workspace_policy
from collector_tui.vocabulary import HoldReason

SHIPPED_POLICY = "compliance.toml"
SHIPPED_PRIORITY = "priority.toml"
SHIPPED_WORKSPACE = "workspace.toml"
SHIPPED_PLANS = "plans.toml"
SHIPPED_DENIALS = "denials.toml"

# The kinds of policy an office may override, each with its shipped file (as `collector policy` names them).
COMPLIANCE = "compliance"
PRIORITY = "priority"
WORKSPACE = "workspace"
PLANS = "plans"
DENIALS = "denials"
SHIPPED_FILES: Mapping[str, str] = {
    COMPLIANCE: SHIPPED_POLICY,
    PRIORITY: SHIPPED_PRIORITY,
    WORKSPACE: SHIPPED_WORKSPACE,
    PLANS: SHIPPED_PLANS,
    DENIALS: SHIPPED_DENIALS,
}
_PARSERS: Mapping[str, Callable[..., Any]] = {
    COMPLIANCE: parse_policy,
    PRIORITY: parse_priority_policy,
    WORKSPACE: partial(parse_workspace_policy, hold_reasons=HoldReason.codes()),
    PLANS: parse_plan_policy,
    DENIALS: parse_denial_policy,
}


def shipped_policy_text(name: str = SHIPPED_POLICY) -> str:
    return resources.files("collector_tui.policies").joinpath(name).read_text(encoding="utf-8")


# (kind, override text) -> the parsed policy: reopening a database, or installing the same
# override again, gives the very same object (placement_values compares policies by identity).
_PARSED: dict[tuple[str, str | None], Any] = {}


def effective_policy(kind: str, override: str | None = None) -> Any:
    """The shipped policy of ``kind`` with ``override`` (TOML text) merged on top.

    Raises :class:`PolicyError` (naming the key) when the result cannot be used.
    """
    key = (kind, override)
    if key not in _PARSED:
        extra = () if override is None else (override,)
        _PARSED[key] = _PARSERS[kind](shipped_policy_text(SHIPPED_FILES[kind]), *extra)
    return _PARSED[key]


# The office's overrides installed for this process (kind -> TOML text), from the database opened.
_OVERRIDES: dict[str, str] = {}
# kind -> the policy in force, worked out at first use (or set by a use_*() for tests).
_LOADED: dict[str, Any] = {}


def install_overrides(overrides: Mapping[str, str]) -> None:
    """Make ``overrides`` (kind -> TOML text; a kind left out: the shipped policy) this process's.

    An override that cannot be used is reported when the policy is first needed, not here: an
    admin must still be able to open the database to replace it.
    """
    unknown = sorted(set(overrides) - set(SHIPPED_FILES))
    if unknown:
        raise ValueError(f"unknown policy kinds {unknown}")
    _OVERRIDES.clear()
    _OVERRIDES.update(overrides)
    _LOADED.clear()


def _current(kind: str) -> Any:
    if kind not in _LOADED:
        override = _OVERRIDES.get(kind)
        try:
            _LOADED[kind] = effective_policy(kind, override)
        except PolicyError as exc:
            if override is None:
                raise ConfigError(f"the shipped {SHIPPED_FILES[kind]}: {exc}") from None
            raise ConfigError(
                f"the office's {kind} policy stored in this database: {exc}; an administrator can "
                f"replace it (collector policy set {kind} FILE) or clear it (collector policy clear {kind})"
            ) from None
    return _LOADED[kind]


def _use(kind: str, policy: object | None) -> None:
    _LOADED.pop(kind, None)
    if policy is not None:
        _LOADED[kind] = policy


def _load(kind: str, override: Path | None) -> Any:
    """The shipped policy with the TOML file at ``override`` merged on top; a problem names the file."""
    if override is None:
        try:
            return effective_policy(kind)
        except PolicyError as exc:
            raise ConfigError(f"the shipped {SHIPPED_FILES[kind]}: {exc}") from None
    try:
        text = override.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{override}: the {kind} policy cannot be read ({exc})") from None
    try:
        return effective_policy(kind, text)
    except PolicyError as exc:
        raise ConfigError(f"{override}: {exc}") from None


def load_compliance_policy(override: Path | None = None) -> CompliancePolicy:
    """The shipped compliance policy, with the TOML file ``override`` merged on top."""
    policy: CompliancePolicy = _load(COMPLIANCE, override)
    return policy


def current_policy() -> CompliancePolicy:
    """The compliance policy in force: the shipped file with the opened database's override."""
    policy: CompliancePolicy = _current(COMPLIANCE)
    return policy


def use_policy(policy: CompliancePolicy | None) -> None:
    """Set (or with None, forget) this process's compliance policy until the next database is opened:
    for tests."""
    _use(COMPLIANCE, policy)


def current_priority_policy() -> PriorityPolicy:
    """The priority policy in force: the shipped file with the opened database's override."""
    policy: PriorityPolicy = _current(PRIORITY)
    return policy


def load_workspace_policy(override: Path | None = None) -> WorkspacePolicy:
    """The shipped dispositions, promise policy and rework delay, with the TOML file ``override``
    merged on top."""
    policy: WorkspacePolicy = _load(WORKSPACE, override)
    return policy


def current_workspace_policy() -> WorkspacePolicy:
    """The workspace policy in force: the shipped file with the opened database's override."""
    policy: WorkspacePolicy = _current(WORKSPACE)
    return policy


def load_plan_policy(override: Path | None = None) -> PlanPolicy:
    """The shipped plan terms, interest ceilings and income caps, with the TOML file ``override``
    merged on top."""
    policy: PlanPolicy = _load(PLANS, override)
    return policy


def shipped_plan_policy() -> PlanPolicy:
    """The plan policy as shipped (what a quote with no database is judged by)."""
    return load_plan_policy()


def current_plan_policy() -> PlanPolicy:
    """The payment-plan policy in force: the shipped file with the opened database's override."""
    policy: PlanPolicy = _current(PLANS)
    return policy


# policy object's id -> (the object, its digest); the object is kept so its id is not reused.
_DIGESTS: dict[int, tuple[object, str]] = {}


def policy_digest(policy: object) -> str:
    """The content digest of a parsed policy (:func:`content_digest`), worked out once per object:
    what a verdict, a plan or an audit event records it was made under."""
    found = _DIGESTS.get(id(policy))
    if found is None or found[0] is not policy:
        if len(_DIGESTS) > 64:
            _DIGESTS.clear()
        found = (policy, content_digest(policy))
        _DIGESTS[id(policy)] = found
    return found[1]


def current_digest(kind: str) -> str:
    """The digest of the ``kind`` policy in force."""
    return policy_digest(_current(kind))


def current_denial_policy() -> DenialPolicy:
    """The denial worklist's rules in force: the shipped file with the opened database's override."""
    policy: DenialPolicy = _current(DENIALS)
    return policy


def use_denial_policy(policy: DenialPolicy | None) -> None:
    """Set (or with None, forget) this process's denial policy until the next database is opened:
    for tests."""
    _use(DENIALS, policy)

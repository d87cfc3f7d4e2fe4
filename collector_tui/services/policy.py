"""Loading the policies (compliance, queue priority, workspace, payment plans): the shipped file, an
override on top."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from collector_tui.config import (
    ConfigError,
    compliance_policy_override,
    plan_policy_override,
    priority_policy_override,
    workspace_policy_override,
)
from collector_tui.domain.compliance.policy import CompliancePolicy, PolicyError, parse_policy
from collector_tui.domain.plan_policy import PlanPolicy, parse_plan_policy
from collector_tui.domain.priority import PriorityPolicy, parse_priority_policy
from collector_tui.domain.workspace_policy import WorkspacePolicy, parse_workspace_policy
from db import codes

SHIPPED_POLICY = "compliance.toml"
SHIPPED_PRIORITY = "priority.toml"
SHIPPED_WORKSPACE = "workspace.toml"
SHIPPED_PLANS = "plans.toml"


def shipped_policy_text(name: str = SHIPPED_POLICY) -> str:
    return resources.files("collector_tui.policies").joinpath(name).read_text(encoding="utf-8")


def _override_text(path: Path | None, what: str) -> list[str]:
    if path is None:
        return []
    try:
        return [path.read_text(encoding="utf-8")]
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: the {what} policy cannot be read ({exc})") from None


def load_compliance_policy(
    override: Path | None = None, env: Mapping[str, str] | None = None
) -> CompliancePolicy:
    """The policy in force: ``override`` (or the configured one) merged over the shipped file."""
    path = override if override is not None else compliance_policy_override(env)
    extra = _override_text(path, "compliance")
    try:
        return parse_policy(shipped_policy_text(), *extra)
    except PolicyError as exc:
        where = path if path is not None else f"the shipped {SHIPPED_POLICY}"
        raise ConfigError(f"{where}: {exc}") from None


_CURRENT: list[CompliancePolicy] = []


def current_policy() -> CompliancePolicy:
    """The policy for this process, loaded once (a change to the files takes effect at the next start)."""
    if not _CURRENT:
        _CURRENT.append(load_compliance_policy())
    return _CURRENT[0]


def use_policy(policy: CompliancePolicy | None) -> None:
    """Replace (or with None, forget) this process's policy: for the CLI's --policy and for tests."""
    _CURRENT.clear()
    if policy is not None:
        _CURRENT.append(policy)


def load_priority_policy(
    override: Path | None = None, env: Mapping[str, str] | None = None
) -> PriorityPolicy:
    """The queue's priority weights: ``override`` (or the configured one) merged over the shipped file."""
    path = override if override is not None else priority_policy_override(env)
    extra = _override_text(path, "priority")
    try:
        return parse_priority_policy(shipped_policy_text(SHIPPED_PRIORITY), *extra)
    except PolicyError as exc:
        where = path if path is not None else f"the shipped {SHIPPED_PRIORITY}"
        raise ConfigError(f"{where}: {exc}") from None


_PRIORITY: list[PriorityPolicy] = []


def current_priority_policy() -> PriorityPolicy:
    """The priority policy for this process, loaded once."""
    if not _PRIORITY:
        _PRIORITY.append(load_priority_policy())
    return _PRIORITY[0]


def load_workspace_policy(
    override: Path | None = None, env: Mapping[str, str] | None = None
) -> WorkspacePolicy:
    """Dispositions, the promise policy and the rework delay: the override merged over the shipped file."""
    path = override if override is not None else workspace_policy_override(env)
    extra = _override_text(path, "workspace")
    try:
        return parse_workspace_policy(
            shipped_policy_text(SHIPPED_WORKSPACE), *extra, hold_reasons=codes.HOLD_REASONS
        )
    except PolicyError as exc:
        where = path if path is not None else f"the shipped {SHIPPED_WORKSPACE}"
        raise ConfigError(f"{where}: {exc}") from None


_WORKSPACE: list[WorkspacePolicy] = []


def current_workspace_policy() -> WorkspacePolicy:
    """The workspace policy for this process, loaded once."""
    if not _WORKSPACE:
        _WORKSPACE.append(load_workspace_policy())
    return _WORKSPACE[0]


def load_plan_policy(override: Path | None = None, env: Mapping[str, str] | None = None) -> PlanPolicy:
    """Plan terms, interest ceilings and income caps: the override merged over the shipped file."""
    path = override if override is not None else plan_policy_override(env)
    extra = _override_text(path, "plan")
    try:
        return parse_plan_policy(shipped_policy_text(SHIPPED_PLANS), *extra)
    except PolicyError as exc:
        where = path if path is not None else f"the shipped {SHIPPED_PLANS}"
        raise ConfigError(f"{where}: {exc}") from None


_PLANS: list[PlanPolicy] = []


def current_plan_policy() -> PlanPolicy:
    """The payment-plan policy for this process, loaded once."""
    if not _PLANS:
        _PLANS.append(load_plan_policy())
    return _PLANS[0]

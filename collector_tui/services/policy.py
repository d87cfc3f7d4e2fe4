"""Loading the policies (compliance, queue priority, workspace, payment plans): the shipped file, an
override on top."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

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
P = TypeVar("P")


def shipped_policy_text(name: str = SHIPPED_POLICY) -> str:
    return resources.files("collector_tui.policies").joinpath(name).read_text(encoding="utf-8")


def _override_text(path: Path | None, what: str) -> list[str]:
    if path is None:
        return []
    try:
        return [path.read_text(encoding="utf-8")]
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: the {what} policy cannot be read ({exc})") from None


def _load(shipped: str, path: Path | None, what: str, parse: Callable[..., P]) -> P:
    """The shipped file with the office's override at ``path`` merged on top, parsed; a problem
    names the file it is in."""
    extra = _override_text(path, what)
    try:
        return parse(shipped_policy_text(shipped), *extra)
    except PolicyError as exc:
        where = path if path is not None else f"the shipped {shipped}"
        raise ConfigError(f"{where}: {exc}") from None


# Each policy is loaded once per process: a change to the files takes effect at the next start.
_LOADED: dict[str, Any] = {}


def _once(name: str, load: Callable[[], P]) -> P:
    if name not in _LOADED:
        _LOADED[name] = load()
    loaded: P = _LOADED[name]
    return loaded


def load_compliance_policy(
    override: Path | None = None, env: Mapping[str, str] | None = None
) -> CompliancePolicy:
    """The policy in force: ``override`` (or the configured one) merged over the shipped file."""
    path = override if override is not None else compliance_policy_override(env)
    return _load(SHIPPED_POLICY, path, "compliance", parse_policy)


def current_policy() -> CompliancePolicy:
    """The compliance policy for this process, loaded once."""
    return _once(SHIPPED_POLICY, load_compliance_policy)


def use_policy(policy: CompliancePolicy | None) -> None:
    """Replace (or with None, forget) this process's policy: for the CLI's --policy and for tests."""
    _LOADED.pop(SHIPPED_POLICY, None)
    if policy is not None:
        _LOADED[SHIPPED_POLICY] = policy


def load_priority_policy(
    override: Path | None = None, env: Mapping[str, str] | None = None
) -> PriorityPolicy:
    """The queue's priority weights: ``override`` (or the configured one) merged over the shipped file."""
    path = override if override is not None else priority_policy_override(env)
    return _load(SHIPPED_PRIORITY, path, "priority", parse_priority_policy)


def current_priority_policy() -> PriorityPolicy:
    """The priority policy for this process, loaded once."""
    return _once(SHIPPED_PRIORITY, load_priority_policy)


def load_workspace_policy(
    override: Path | None = None, env: Mapping[str, str] | None = None
) -> WorkspacePolicy:
    """Dispositions, the promise policy and the rework delay: the override merged over the shipped file."""
    path = override if override is not None else workspace_policy_override(env)
    return _load(
        SHIPPED_WORKSPACE, path, "workspace", partial(parse_workspace_policy, hold_reasons=codes.HOLD_REASONS)
    )


def current_workspace_policy() -> WorkspacePolicy:
    """The workspace policy for this process, loaded once."""
    return _once(SHIPPED_WORKSPACE, load_workspace_policy)


def load_plan_policy(override: Path | None = None, env: Mapping[str, str] | None = None) -> PlanPolicy:
    """Plan terms, interest ceilings and income caps: the override merged over the shipped file."""
    path = override if override is not None else plan_policy_override(env)
    return _load(SHIPPED_PLANS, path, "plan", parse_plan_policy)


def current_plan_policy() -> PlanPolicy:
    """The payment-plan policy for this process, loaded once."""
    return _once(SHIPPED_PLANS, load_plan_policy)

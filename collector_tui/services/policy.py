"""Loading the compliance policy: the shipped rules with the office's override on top."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from collector_tui.config import ConfigError, compliance_policy_override
from collector_tui.domain.compliance.policy import CompliancePolicy, PolicyError, parse_policy

SHIPPED_POLICY = "compliance.toml"


def shipped_policy_text() -> str:
    return resources.files("collector_tui.policies").joinpath(SHIPPED_POLICY).read_text(encoding="utf-8")


def load_compliance_policy(
    override: Path | None = None, env: Mapping[str, str] | None = None
) -> CompliancePolicy:
    """The policy in force: ``override`` (or the configured one) merged over the shipped file."""
    path = override if override is not None else compliance_policy_override(env)
    extra: list[str] = []
    if path is not None:
        try:
            extra.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: the compliance policy cannot be read ({exc})") from None
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

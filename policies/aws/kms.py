"""KMS key rules: rotation, explicit and non-public key policies, lockout safety and the
deletion window."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import (
    Category,
    fmt_number,
    is_set,
    number,
    resource_rule,
    truthy,
    wildcard_principals,
)

KEY = "aws:kms/key:Key"

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY


@resource_rule(
    name="aws-kms-key-require-rotation",
    description="Symmetric KMS keys must have automatic key rotation enabled.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set enable_key_rotation=True (optionally rotation_period_in_days).",
    references=[
        "Security Hub KMS.4",
        "CIS AWS Foundations v1.4.0 3.8",
        "PCP aws-kms-key-enable-key-rotation",
        "CKV_AWS_7",
    ],
    resource_types=[KEY],
)
def key_rotation(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Rotation limits how much data one leaked key version protects. Asymmetric, HMAC
    and custom-key-store keys cannot rotate automatically and are exempt."""
    spec = args.props.get("customerMasterKeySpec")
    if spec not in (None, "", "SYMMETRIC_DEFAULT") or is_set(args.props, "customKeyStoreId"):
        return
    if not truthy(args.props.get("enableKeyRotation")):
        yield "enableKeyRotation is not true."


@resource_rule(
    name="aws-kms-key-require-explicit-policy",
    description="KMS keys must define an explicit key policy.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Pass policy= with statements for the account root (administration) and the roles that use the key.",
    references=["CKV2_AWS_64"],
    resource_types=[KEY],
)
def key_explicit_policy(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The default key policy delegates everything to IAM in the account, so any
    sufficiently broad IAM policy can decrypt the ML data."""
    if not is_set(args.props, "policy"):
        yield "policy is not set; the default key policy delegates all access to IAM."


@resource_rule(
    name="aws-kms-key-disallow-wildcard-principal",
    description="KMS key policies must not allow the wildcard principal without a scoping condition.",
    category=SECURITY,
    severity=Severity.CRITICAL,
    enforcement=MANDATORY,
    remediation="Name principals explicitly, or scope '*' with kms:CallerAccount / aws:PrincipalOrgID conditions.",
    references=["FSBP KMS.5", "CKV_AWS_33"],
    resource_types=[KEY],
)
def key_wildcard_principal(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """A key usable by any AWS principal makes its encryption meaningless."""
    yield from wildcard_principals(args.props.get("policy"), "policy")


@resource_rule(
    name="aws-kms-key-disallow-bypass-lockout-check",
    description="KMS keys must not bypass the key policy lockout safety check.",
    category=SECURITY,
    severity=Severity.CRITICAL,
    enforcement=MANDATORY,
    remediation="Remove bypass_policy_lockout_safety_check (or set it to False).",
    references=["PCP aws-kms-key-disallow-bypass-policy-lockout-safety-check"],
    resource_types=[KEY],
)
def key_bypass_lockout(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Bypassing the check allows a policy that locks every principal out of the key,
    making the data it protects unrecoverable."""
    if truthy(args.props.get("bypassPolicyLockoutSafetyCheck")):
        yield "bypassPolicyLockoutSafetyCheck is true."


@resource_rule(
    name="aws-kms-key-require-deletion-window",
    description="KMS keys must keep a deletion waiting period long enough to undo a mistaken deletion.",
    category=SECURITY,
    severity=Severity.CRITICAL,
    enforcement=MANDATORY,
    remediation="Set deletion_window_in_days to at least the configured minimum (AWS allows 7-30; default 30).",
    references=["FSBP KMS.3"],
    resource_types=[KEY],
    config_schema={
        "minimumDays": {
            "type": "number",
            "minimum": 7,
            "maximum": 30,
            "default": 30,
            "description": "Shortest deletion window accepted, in days.",
        }
    },
)
def key_deletion_window(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Once the window ends the key and every object encrypted with it are gone. Dev
    accepts 7 days so short-lived stacks can be torn down; prod requires 30."""
    days = number(args.props.get("deletionWindowInDays"))
    minimum = float(config["minimumDays"])
    if days is not None and days < minimum:
        yield f"deletionWindowInDays is {fmt_number(days)}; at least {fmt_number(minimum)} required."

"""Cloud KMS rules: key rotation within 90 days."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, fmt_number, resource_rule

CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
DAY = 86_400


def seconds(duration: Any) -> float | None:
    """``"7776000s"`` -> 7776000.0; ``None`` when unset or not in seconds."""
    if not isinstance(duration, str) or not duration.endswith("s"):
        return None
    try:
        return float(duration[:-1])
    except ValueError:
        return None


@resource_rule(
    name="gcp-kms-crypto-key-require-rotation",
    description="Cloud KMS encryption keys must rotate at least every maximumDays days (90 by default).",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set rotation_period to at most '7776000s' (90 days).",
    references=["CKV_GCP_43"],
    resource_types=[CRYPTO_KEY],
    config_schema={
        "maximumDays": {
            "type": "integer",
            "default": 90,
            "description": "Longest rotation period, days.",
        }
    },
)
def key_rotation(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Rotation limits how much data one key version protects."""
    if args.props.get("purpose") not in (None, "ENCRYPT_DECRYPT"):
        return  # asymmetric keys cannot rotate automatically
    period = seconds(args.props.get("rotationPeriod"))
    limit = int(config["maximumDays"])
    if period is None:
        yield "rotationPeriod is not set."
    elif period > limit * DAY:
        yield f"rotationPeriod is {fmt_number(period / DAY)} days; at most {limit} allowed."

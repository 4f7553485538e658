"""Fleet rules: memberships of clusters carry their identity issuer (fleet Workload
Identity), so workloads never need keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, is_set, resource_rule

MEMBERSHIP = "gcp:gkehub/membership:Membership"


@resource_rule(
    name="gcp-gkehub-membership-require-workload-identity",
    description="Fleet memberships must name the cluster's OIDC issuer (authority.issuer) so fleet Workload Identity works.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set authority={'issuer': <the cluster's service-account issuer URL>}.",
    references=["none (project rule: no public control checks fleet membership authority)"],
    resource_types=[MEMBERSHIP],
)
def membership_authority(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without an issuer, workloads on the cluster reach Google Cloud only with keys."""
    issuer = dig(args.props, "authority", "issuer")
    if not is_set(args.props.get("authority") or {}, "issuer"):
        yield "authority.issuer is not set."
    elif isinstance(issuer, str) and not issuer.startswith("https://"):
        yield f"authority.issuer {issuer} is not https."

"""Identity rules: role assignments the programs create grant narrow roles, never the
subscription-wide administrator roles."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, resource_rule

ASSIGNMENT = "azure-native:authorization:RoleAssignment"

PRIVILEGED_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
}
"""Built-in privileged administrator roles
(https://learn.microsoft.com/azure/role-based-access-control/built-in-roles)."""


@resource_rule(
    name="azure-role-assignment-disallow-privileged-roles",
    description="Role assignments must not grant Owner, Contributor or access-administration "
    "roles.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Grant the narrowest built-in data-plane or service role on the narrowest "
    "scope (e.g. AzureML Data Scientist on one workspace).",
    references=["none (project rule: least privilege for workload and release identities)"],
    resource_types=[ASSIGNMENT],
)
def privileged_roles(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An identity with Owner or Contributor can change the resources and grants that
    guard it; a leaked federated token then becomes a takeover."""
    role = str(args.props.get("roleDefinitionId") or "").rsplit("/", 1)[-1].lower()
    if role in PRIVILEGED_ROLES:
        yield f"roleDefinitionId is {PRIVILEGED_ROLES[role]}; grant a narrower role."

"""User-assigned managed identities and the role assignments that grant them access.

Role assignments are the Azure counterpart of an IAM policy attachment. Three traps
shape ``role_assignment``:

- ``authorization.RoleAssignment.principal_type`` defaults to ``User`` in the SDK
  (``_internal_init``); ARM then rejects a managed identity with
  ``UnmatchedPrincipalType`` (Azure/azure-dev#3581), so it is always passed.
- A role assignment's name must be a GUID, unique per scope. A random one (the SDK's
  default) makes every re-created stack add a duplicate and fail with
  ``RoleAssignmentExists``; the name here is a UUIDv5 of scope, role and principal, the
  same rule as Bicep's ``guid(scope, principal, role)``.
- Role definition ids are per subscription:
  ``/subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/<guid>``; the
  subscription comes from the ``getClientConfig`` invoke, the GUIDs from ``ROLES``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, managedidentity

from .. import naming

ROLES: dict[str, str] = {
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "AcrPush": "8311e382-0749-4cb8-b61a-304f252e45ec",
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    "AzureML Data Scientist": "f6c7c914-8db3-469d-8ca1-694a8f32e121",
    "AzureML Registry User": "1823dd4f-9b8c-4ab6-ab4e-7397a3684615",
    "Azure AI Enterprise Network Connection Approver": "b556d68e-0be0-4f35-a333-ad7ee1ce17ea",
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
}
"""Built-in role names and their ids, the same in every subscription and tenant
(https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). Only
data-plane roles a workload needs; no Owner, Contributor or User Access Administrator."""

ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("6f1c8f5e-2d7b-4c1e-9a55-6d3b0c7a4e21")
"""UUIDv5 namespace of role assignment names; changing it renames (replaces) every
assignment."""

PRINCIPAL_TYPE = "ServicePrincipal"
"""Managed identities and service principals; the SDK's default ``User`` is wrong for them."""

_GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def role_definition_id(subscription_id: str, role: str) -> str:
    """The subscription-scoped id of built-in ``role`` (a ``ROLES`` key)."""
    return (
        f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/"
        f"roleDefinitions/{ROLES[role]}"
    )


def assignment_name(scope: str, role_id: str, principal_id: str) -> str:
    """The deterministic GUID name of the assignment of ``role_id`` to ``principal_id``
    on ``scope`` (case-insensitive, as ARM ids are)."""
    seed = f"{scope.lower()}|{role_id.lower()}|{principal_id.lower()}"
    return str(uuid.uuid5(ROLE_ASSIGNMENT_NAMESPACE, seed))


def check_role(argument: str, role: str) -> str | None:
    """A problem message when ``role`` is not in ``ROLES``, else ``None``."""
    if role in ROLES:
        return None
    return f"{argument}: {role!r} is not a known role; one of {', '.join(sorted(ROLES))}"


def role_assignment(
    logical_name: str,
    *,
    scope: pulumi.Input[str],
    role: str,
    principal_id: pulumi.Input[str],
    parent: pulumi.Resource,
    argument: str = "principal_id",
) -> authorization.RoleAssignment:
    """Grant built-in ``role`` to the service principal ``principal_id`` on ``scope``.

    ``principal_type`` is ``ServicePrincipal`` and the assignment's name is
    ``assignment_name(...)``; ``argument`` names the input in the error raised when the
    principal id, once known, is not a GUID.
    """
    problem = check_role("role", role)
    if problem:
        raise ValueError(problem)
    subscription = authorization.get_client_config_output(
        opts=pulumi.InvokeOutputOptions(parent=parent)
    ).subscription_id
    role_id = subscription.apply(lambda sub: role_definition_id(sub, role))

    def checked(value: str) -> str:
        if value is not None and not _GUID.match(value):
            raise pulumi.InputPropertyError(
                argument, f"{value!r} is not a principal (object) id GUID"
            )
        return value

    principal = pulumi.Output.from_input(principal_id).apply(checked)
    name = pulumi.Output.all(pulumi.Output.from_input(scope), role_id, principal).apply(
        lambda v: assignment_name(v[0], v[1], v[2])
    )
    return authorization.RoleAssignment(
        logical_name,
        role_assignment_name=name,
        scope=scope,
        role_definition_id=role_id,
        principal_id=principal,
        principal_type=PRINCIPAL_TYPE,
        opts=pulumi.ResourceOptions(parent=parent),
    )


@dataclass
class Grant:
    """One role on one scope, e.g. ``Grant("Storage Blob Data Reader", account_id)``."""

    role: str
    """A ``ROLES`` key."""
    scope: pulumi.Input[str]
    """The resource id the role applies to (the narrowest that works: an account, a
    container, a registry, a key)."""


@dataclass
class ManagedIdentityArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the identity."""
    location: pulumi.Input[str]
    """Azure region of the identity, e.g. ``westeurope``."""
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on the identity (role assignments
    take no tags)."""
    grants: Mapping[str, Grant] = field(default_factory=dict)
    """Role assignments of the identity by label; the label names the child
    (``<name>-<label>``), so renaming one replaces that assignment only."""


_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")


class ManagedIdentity(pulumi.ComponentResource):
    """A user-assigned managed identity and its role assignments.

    User-assigned (rather than system-assigned) identities exist before the resources
    that use them, so the grants a service needs at creation (a storage account reading
    its customer-managed key) can be in place first, and the identity survives the
    replacement of the resource that uses it.
    """

    identity: managedidentity.UserAssignedIdentity
    role_assignments: dict[str, authorization.RoleAssignment]
    identity_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    client_id: pulumi.Output[str]
    identity_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ManagedIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:azure:ManagedIdentity", name, None, opts)
        problems = [
            p
            for label, grant in args.grants.items()
            for p in (
                check_role(f"grants[{label!r}].role", grant.role),
                None
                if _LABEL.match(label)
                else f"grants[{label!r}]: labels are 1-40 lower-case letters, digits, hyphens",
            )
            if p
        ]
        if problems:
            raise ValueError("invalid ManagedIdentityArgs:\n  - " + "\n  - ".join(problems))

        # UserAssignedIdentityArgs has ``resource_name`` (the identity's name), which
        # collides with the logical name: keyword form only (sdk-survey G1).
        self.identity = managedidentity.UserAssignedIdentity(
            naming.child(name),
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.identity_id = self.identity.id
        self.principal_id = self.identity.principal_id
        self.client_id = self.identity.client_id
        self.identity_name = self.identity.name
        self.role_assignments = {
            label: role_assignment(
                naming.child(name, label),
                scope=grant.scope,
                role=grant.role,
                principal_id=self.principal_id,
                parent=self,
            )
            for label, grant in sorted(args.grants.items())
        }
        self.register_outputs(
            {
                "identity_id": self.identity_id,
                "principal_id": self.principal_id,
                "client_id": self.client_id,
                "identity_name": self.identity_name,
            }
        )

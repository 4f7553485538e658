"""The keyless identity GitHub Actions deploys an Azure stack with.

A user-assigned managed identity in the foundation's resource group with a federated
identity credential that trusts GitHub's issuer, audience ``api://AzureADTokenExchange``
and exactly one subject, ``repo:<owner>/<repo>:environment:<env>`` ("Configure a
user-assigned managed identity to trust an external identity provider",
https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust-user-assigned-managed-identity).
``azure/login`` and the azure-native provider (``ARM_USE_OIDC``) sign in as it with the
job's OIDC token; no secret exists.

Permissions: two custom roles, assignable in the stack's subscription only. The deploy
role, assigned on the foundation's resource group only, has the operations of the
resource providers the stack's architectures use (``ARCHITECTURE_PROVIDERS``; the
``budget`` entry: the stack's consumption budget, scoped to that resource group), and
role assignment management limited by an Azure ABAC
condition to the data-plane roles the components grant (``identity.ROLES``) for
service principals ("Delegate Azure role assignment management to others with
conditions", https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-overview).
The subscription role, assigned on the subscription, has only what cannot be granted
on the group: creating and reading resource groups, and the Cost Management scheduled
actions of the anomaly alert ("Insight Alerts are only available on subscription
scope"; ``SUBSCRIPTION_ACTIONS``). Resource providers are registered by an
administrator once (docs/ci.md): ``<provider>/register/action`` is a subscription
operation the deploy role does not hold.
No Owner, Contributor or User Access Administrator; the identity cannot assign itself
(or anyone) a role outside that list, nor change role definitions.

Changing this identity's own role definition or assignment needs an administrator
(``pulumi up`` with the administrator's sign-in): the deploy role may read but not
write role definitions. The same holds for the stack's first deploy, which creates it.
Azure DevOps: a "workload identity federation" service connection uses the same kind
of federated credential with issuer ``https://vstoken.dev.azure.com/<organization id>``
and subject ``sc://<organization>/<project>/<service connection>`` (docs/ci.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import pulumi
from pulumi_azure_native import authorization, managedidentity

from .. import github_oidc, naming
from ..settings.ci import CiSettings
from .identity import PRINCIPAL_TYPE, ROLES, assignment_name

ARCHITECTURE_PROVIDERS: Mapping[str, tuple[str, ...]] = {
    "azure_foundation": (
        "Microsoft.ManagedIdentity",
        "Microsoft.KeyVault",
        "Microsoft.Storage",
        "Microsoft.ContainerRegistry",
        "Microsoft.Network",
        "Microsoft.OperationalInsights",
        "Microsoft.Insights",
    ),
    # Architectures merged on main after this table was written (branches azureml, aks):
    # derived from the resource types their modules create; verify at the merge.
    "azure_ml_devops": (
        "Microsoft.MachineLearningServices",
        "Microsoft.ManagedIdentity",
        "Microsoft.KeyVault",
        "Microsoft.Storage",
        "Microsoft.ContainerRegistry",
        "Microsoft.Network",
        "Microsoft.Insights",
        "Microsoft.OperationalInsights",
    ),
    "aks_mlops": (
        "Microsoft.ContainerService",
        "Microsoft.KubernetesConfiguration",
        "Microsoft.MachineLearningServices",
        "Microsoft.ManagedIdentity",
        "Microsoft.Network",
        "Microsoft.Insights",
        "Microsoft.OperationalInsights",
    ),
    "arc_hybrid_mlops": (
        "Microsoft.Kubernetes",
        "Microsoft.KubernetesConfiguration",
        "Microsoft.MachineLearningServices",
        "Microsoft.ManagedIdentity",
    ),
    # Not an architecture: the stack's budget (components/azure/budget.py), whose
    # operations are listed one by one in ARCHITECTURE_ACTIONS.
    "budget": (),
}
"""Resource providers whose resources each Azure architecture creates
(``components/registry.py`` keys); a new Azure architecture adds its line here, or its
stacks fail to plan."""

ARCHITECTURE_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "budget": ("Microsoft.Consumption/budgets/*",),
}
"""Single operations (not whole providers) of an entry, on the resource group."""

BASE_ACTIONS = (
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.Resources/subscriptions/resourceGroups/delete",
    "Microsoft.Authorization/roleDefinitions/read",
    "Microsoft.Authorization/roleAssignments/read",
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleAssignments/delete",
)
"""Every stack, on its resource group: the group itself, and role assignments
(bounded by ``condition``)."""

SUBSCRIPTION_ACTIONS = (
    "Microsoft.Resources/subscriptions/read",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Resources/subscriptions/resourceGroups/write",
)
"""Every stack, on the subscription: create the resource group (it cannot be deleted
from here: ``delete`` is granted on the group only)."""

SUBSCRIPTION_ARCHITECTURE_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "budget": (
        "Microsoft.CostManagement/scheduledActions/*",
        "Microsoft.CostManagement/views/read",
    ),
}
"""Operations of an entry that only exist at subscription scope (the anomaly alert)."""

ROLE_DEFINITION_NAMESPACE = uuid.UUID("9b0f3c2a-5d4e-4f6a-8b7c-1d2e3f4a5b6c")
"""UUIDv5 namespace of the custom role's id (role definition ids are GUIDs)."""


class UnknownArchitectureError(ValueError):
    """An architecture whose Azure resource providers this module does not know."""


def actions_of(architectures: Sequence[str]) -> list[str]:
    """The custom role's actions for ``architectures``: the base ones, then
    ``<provider>/*`` for each resource provider they use."""
    unknown = sorted(a for a in architectures if a not in ARCHITECTURE_PROVIDERS)
    if unknown:
        raise UnknownArchitectureError(
            f"ci: the Azure resource providers of architecture(s) {', '.join(unknown)} are "
            "unknown; add them to ARCHITECTURE_PROVIDERS in components/azure/ci_identity.py"
        )
    providers = sorted({p for a in architectures for p in ARCHITECTURE_PROVIDERS[a]})
    extra = sorted({x for a in architectures for x in ARCHITECTURE_ACTIONS.get(a, ())})
    return [*BASE_ACTIONS, *(f"{p}/*" for p in providers), *extra]


def subscription_actions_of(architectures: Sequence[str]) -> list[str]:
    """The subscription role's actions for ``architectures``."""
    extra = sorted({x for a in architectures for x in SUBSCRIPTION_ARCHITECTURE_ACTIONS.get(a, ())})
    return [*SUBSCRIPTION_ACTIONS, *extra]


def assignment_condition(role_ids: Sequence[str]) -> str:
    """The ABAC condition (version 2.0) that lets the holder create and delete only
    assignments of ``role_ids`` (GUIDs), and create them only for service principals."""
    guids = ", ".join(sorted(role_ids))
    return (
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
        "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
        f"ForAnyOfAnyValues:GuidEquals {{{guids}}} AND "
        "@Request[Microsoft.Authorization/roleAssignments:PrincipalType] "
        "ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'})) AND "
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
        "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
        f"ForAnyOfAnyValues:GuidEquals {{{guids}}}))"
    )


class AzureCiIdentity(pulumi.ComponentResource):
    """A managed identity GitHub Actions signs in as, and its deploy role."""

    identity: managedidentity.UserAssignedIdentity
    credential: managedidentity.FederatedIdentityCredential
    role: authorization.RoleDefinition
    assignment: authorization.RoleAssignment
    subscription_role: authorization.RoleDefinition
    subscription_assignment: authorization.RoleAssignment
    client_id: pulumi.Output[str]
    tenant_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    subject: str

    def __init__(
        self,
        name: str,
        settings: CiSettings,
        architectures: Sequence[str],
        shared: Mapping[str, pulumi.ComponentResource],
        name_prefix: str,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("mlops:azure:CiIdentity", name, None, opts)
        actions = actions_of(architectures)
        foundation = shared.get("azure_foundation")
        group = getattr(foundation, "resource_group", None)
        if group is None:
            raise ValueError("ci: an Azure CI identity lives in azure_foundation's resource group")
        child = pulumi.ResourceOptions(parent=self)
        self.subject = settings.subject
        self.identity = managedidentity.UserAssignedIdentity(
            naming.child(name),
            resource_group_name=group.name,
            location=group.location,
            tags=dict(tags),
            opts=child,
        )
        self.credential = managedidentity.FederatedIdentityCredential(
            naming.child(name, "github"),
            resource_group_name=group.name,
            resource_name_=self.identity.name,
            federated_identity_credential_resource_name="github",
            issuer=github_oidc.ISSUER,
            subject=self.subject,
            audiences=[github_oidc.AZURE_AUDIENCE],
            opts=child,
        )
        client = authorization.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        )
        scope = client.subscription_id.apply(lambda s: f"/subscriptions/{s}")
        self.principal_id = self.identity.principal_id
        self.role, self.assignment = self._role(
            naming.child(name, "deploy"), f"{name_prefix}-ci-deploy", scope, group.id, actions
        )
        self.subscription_role, self.subscription_assignment = self._role(
            naming.child(name, "subscription"),
            f"{name_prefix}-ci-subscription",
            scope,
            scope,
            subscription_actions_of(architectures),
        )
        self.client_id = self.identity.client_id
        self.tenant_id = client.tenant_id
        self.register_outputs(
            {
                "client_id": self.client_id,
                "tenant_id": self.tenant_id,
                "principal_id": self.principal_id,
            }
        )

    def _role(
        self,
        name: str,
        role_name: str,
        subscription: pulumi.Output[str],
        assigned_on: pulumi.Input[str],
        actions: Sequence[str],
    ) -> tuple[authorization.RoleDefinition, authorization.RoleAssignment]:
        """A custom role ``role_name`` defined in ``subscription`` with ``actions``,
        assigned to the identity on ``assigned_on``; role assignment writes are bounded
        by ``assignment_condition`` wherever the role holds them."""
        child = pulumi.ResourceOptions(parent=self)
        role = authorization.RoleDefinition(
            name,
            role_definition_id=subscription.apply(
                lambda s: str(uuid.uuid5(ROLE_DEFINITION_NAMESPACE, f"{s.lower()}|{role_name}"))
            ),
            role_name=role_name,
            description=f"pulumi up of the stack by GitHub Actions ({self.subject})",
            role_type="CustomRole",
            scope=subscription,
            assignable_scopes=[subscription],
            permissions=[authorization.PermissionArgs(actions=list(actions))],
            opts=child,
        )
        conditioned = any(a.startswith("Microsoft.Authorization/roleAssignments/") for a in actions)
        assignment = authorization.RoleAssignment(
            name,
            role_assignment_name=pulumi.Output.all(assigned_on, role.id, self.principal_id).apply(
                lambda v: assignment_name(v[0], v[1], v[2])
            ),
            scope=assigned_on,
            role_definition_id=role.id,
            principal_id=self.principal_id,
            principal_type=PRINCIPAL_TYPE,
            condition=assignment_condition(list(ROLES.values())) if conditioned else None,
            condition_version="2.0" if conditioned else None,
            opts=child,
        )
        return role, assignment

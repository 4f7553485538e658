"""Workload identity for pods: a user-assigned identity with its role grants, trusted
for one Kubernetes service account through a federated identity credential on the
cluster's OIDC issuer (https://learn.microsoft.com/azure/aks/workload-identity-overview).

Pods of the service account annotated ``azure.workload.identity/client-id: <client id>``
and labelled ``azure.workload.identity/use: "true"`` get Entra tokens of the identity;
no secret or key is stored anywhere. ``manifests.py`` writes the service account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import managedidentity

from .. import naming
from .identity import Grant, ManagedIdentity, ManagedIdentityArgs

TOKEN = "mlops:azure:WorkloadIdentity"
AUDIENCE = "api://AzureADTokenExchange"
"""The audience Entra ID expects in federated Kubernetes tokens."""


def subject(namespace: str, service_account: str) -> str:
    """The OIDC subject of a Kubernetes service account's tokens."""
    return f"system:serviceaccount:{namespace}:{service_account}"


@dataclass
class WorkloadIdentityArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str]
    issuer_url: pulumi.Input[str]
    """The cluster's OIDC issuer URL."""
    namespace: str
    service_account: str
    grants: Mapping[str, Grant] = field(default_factory=dict)


class WorkloadIdentity(pulumi.ComponentResource):
    """An identity with ``grants`` that exactly one service account can use."""

    identity: ManagedIdentity
    credential: managedidentity.FederatedIdentityCredential
    client_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        self.identity = ManagedIdentity(
            naming.child(name, "identity"),
            ManagedIdentityArgs(
                resource_group_name=args.resource_group_name,
                location=args.location,
                tags=args.tags,
                grants=args.grants,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Keyword form: the Args class's ``resource_name`` (the identity) collides
        # with the logical name (sdk-survey G1).
        self.credential = managedidentity.FederatedIdentityCredential(
            naming.child(name, "federation"),
            resource_group_name=args.resource_group_name,
            resource_name_=self.identity.identity_name,
            issuer=args.issuer_url,
            subject=subject(args.namespace, args.service_account),
            audiences=[AUDIENCE],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.client_id = self.identity.client_id
        self.principal_id = self.identity.principal_id
        self.register_outputs({"client_id": self.client_id})

"""Azure DevOps integration without secrets: a project-level Azure Resource Manager
service connection that signs in with workload identity federation as a user-assigned
identity, the federated credential that trusts exactly that connection, and the release
pipeline (YAML in the repository) authorised to use it.

Issuer and subject come from the service connection's outputs
(``workload_identity_federation_issuer`` / ``_subject``), never from strings built here:
Azure DevOps moves connections from its own issuer
(``https://vstoken.dev.azure.com/<org id>``, subject ``sc://<org>/<project>/<name>``)
to the Entra issuer (``https://login.microsoftonline.com/<tenant>/v2.0``, opaque
subject), and the old issuer retires in 2027 (sdk-survey G12,
https://learn.microsoft.com/azure/devops/pipelines/release/convert-service-connections).

GitHub Actions is the documented alternative: ``github`` adds a second federated
credential on the same identity for ``repo:<owner/repo>:environment:<env>`` (issuer
``https://token.actions.githubusercontent.com``), used by ``azure/login`` with the
identity's client id, tenant and subscription.

The provider is explicit (``azuredevops.Provider(org_service_url=...)``); it signs in
with ``AZDO_PERSONAL_ACCESS_TOKEN`` or its OIDC settings from the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azuredevops as azuredevops
from pulumi_azure_native import authorization, managedidentity

from .. import naming
from .identity import Grant, ManagedIdentity, ManagedIdentityArgs

AUDIENCE = "api://AzureADTokenExchange"
"""The audience Entra expects in federated tokens (both Azure DevOps and GitHub)."""
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
WORKLOAD_IDENTITY_FEDERATION = "WorkloadIdentityFederation"


@dataclass
class AzureDevOpsArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str]
    organization_url: str
    project: str
    repository: str
    branch: str
    yaml_path: str
    connection_name: str
    """Name of the service connection (the release YAML's ``azureSubscription``)."""
    grants: Mapping[str, Grant]
    """The release identity's roles, by label: only what the release does."""
    github_subject: str | None = None
    """``repo:<owner/repo>:environment:<env>`` for the GitHub alternative; ``None``: none."""


class AzureDevOpsRelease(pulumi.ComponentResource):
    """Release identity, WIF service connection, federated credential(s), pipeline."""

    provider: azuredevops.Provider
    identity: ManagedIdentity
    service_connection: azuredevops.ServiceEndpointAzureRM
    federated_credential: managedidentity.FederatedIdentityCredential
    github_credential: managedidentity.FederatedIdentityCredential | None
    pipeline: azuredevops.BuildDefinition
    authorization: azuredevops.PipelineAuthorization
    service_connection_id: pulumi.Output[str]
    pipeline_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: AzureDevOpsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:azure:AzureDevOpsRelease", name, None, opts)
        tags = dict(args.tags)
        self.identity = ManagedIdentity(
            naming.child(name, "identity"),
            ManagedIdentityArgs(
                resource_group_name=args.resource_group_name,
                location=args.location,
                tags=tags,
                grants=dict(args.grants),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.provider = azuredevops.Provider(
            naming.child(name, "provider"),
            org_service_url=args.organization_url,
            opts=pulumi.ResourceOptions(parent=self),
        )
        devops = pulumi.ResourceOptions(parent=self, provider=self.provider)
        invoke = pulumi.InvokeOutputOptions(parent=self, provider=self.provider)
        project = azuredevops.get_project_output(name=args.project, opts=invoke)
        project_id = project.apply(lambda p: p.id or "")
        client = authorization.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        )
        self.service_connection = azuredevops.ServiceEndpointAzureRM(
            naming.child(name, "connection"),
            project_id=project_id,
            service_endpoint_name=args.connection_name,
            description="Azure ML release: workload identity federation, no secret (mlops-iac).",
            service_endpoint_authentication_scheme=WORKLOAD_IDENTITY_FEDERATION,
            azurerm_spn_tenantid=client.tenant_id,
            azurerm_subscription_id=client.subscription_id,
            azurerm_subscription_name=client.subscription_id,
            credentials={"serviceprincipalid": self.identity.client_id},
            opts=devops,
        )
        self.federated_credential = managedidentity.FederatedIdentityCredential(
            naming.child(name, "federation"),
            resource_group_name=args.resource_group_name,
            resource_name_=self.identity.identity_name,
            issuer=self.service_connection.workload_identity_federation_issuer,
            subject=self.service_connection.workload_identity_federation_subject,
            audiences=[AUDIENCE],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.github_credential = None
        if args.github_subject:
            # Azure applies federated credentials of one identity one at a time
            # ("Concurrent Federated Identity Credentials writes ... not supported").
            self.github_credential = managedidentity.FederatedIdentityCredential(
                naming.child(name, "github"),
                resource_group_name=args.resource_group_name,
                resource_name_=self.identity.identity_name,
                issuer=GITHUB_ISSUER,
                subject=args.github_subject,
                audiences=[AUDIENCE],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.federated_credential]),
            )
        repository = azuredevops.get_git_repository_output(
            project_id=project_id, name=args.repository, opts=invoke
        )
        self.pipeline = azuredevops.BuildDefinition(
            naming.child(name, "pipeline"),
            project_id=project_id,
            name=f"{args.connection_name}-release",
            path="\\mlops-iac",
            repository={
                "repo_type": "TfsGit",
                "repo_id": repository.apply(lambda r: r.id or ""),
                "branch_name": f"refs/heads/{args.branch}",
                "yml_path": args.yaml_path,
            },
            ci_trigger={"use_yaml": True},
            opts=devops,
        )
        # Only this pipeline may use the connection (no "grant access to all pipelines").
        self.authorization = azuredevops.PipelineAuthorization(
            naming.child(name, "authorization"),
            project_id=project_id,
            resource_id=self.service_connection.id,
            type="endpoint",
            pipeline_id=self.pipeline.id.apply(int),
            opts=devops,
        )
        self.service_connection_id = self.service_connection.id
        self.pipeline_id = self.pipeline.id
        self.register_outputs(
            {
                "service_connection_id": self.service_connection_id,
                "pipeline_id": self.pipeline_id,
                "identity_client_id": self.identity.client_id,
            }
        )

"""The keyless identity GitHub Actions deploys a Google Cloud stack with.

A workload identity pool with an OIDC provider for GitHub's issuer whose attribute
condition admits tokens of exactly one repository and one subject (its GitHub
environment or branch), and a service account that only that subject may impersonate
(``roles/iam.workloadIdentityUser`` for ``principal://.../subject/<sub>``), as
google-github-actions/auth's "Workload Identity Federation through a Service Account"
and Google's "Configure Workload Identity Federation with deployment pipelines"
(https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines)
describe. No service account key exists.

Permissions: the predefined admin role of each service the stack's architectures
create resources in (``ARCHITECTURE_ROLES``), and ``roles/resourcemanager.projectIamAdmin``
only under an IAM condition that lets it grant and revoke exactly the project roles
the architectures grant (``ARCHITECTURE_PROJECT_GRANTS``; "Delegate the granting of
roles", https://cloud.google.com/iam/docs/setting-limits-on-granting-roles). No Owner
or Editor. The pool, provider and the account's own grants are changed by an
administrator only (the first deploy, and any change of this identity).

The account is ``<prefix>-deploy``: the Vertex architecture's pipeline account is
``<prefix>-ci``, and the environment's policy config names ``<prefix>-deploy@...`` in
``gcp-project-iam-disallow-service-account-admin``'s ``allowedDeployAccounts``, the one
service account that may hold admin roles on the project (docs/ci.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_gcp as gcp

from .. import github_oidc, naming
from ..retention import stateful_options
from ..settings import Retention
from ..settings.ci import CiSettings

ARCHITECTURE_ROLES: Mapping[str, tuple[str, ...]] = {
    "gcp_foundation": (
        "roles/serviceusage.serviceUsageAdmin",
        "roles/storage.admin",
        "roles/cloudkms.admin",
        "roles/compute.networkAdmin",
        "roles/compute.securityAdmin",
        "roles/servicenetworking.networksAdmin",
        "roles/artifactregistry.admin",
        "roles/logging.configWriter",
        "roles/monitoring.notificationChannelEditor",
        "roles/iam.serviceAccountAdmin",
    ),
    # Architectures merged on main after this table was written (branches vertex, gke):
    # derived from the resource types their modules create; verify at the merge.
    "vertex_mlops": (
        "roles/serviceusage.serviceUsageAdmin",
        "roles/aiplatform.admin",
        "roles/storage.admin",
        "roles/bigquery.admin",
        "roles/artifactregistry.admin",
        "roles/cloudkms.admin",
        "roles/compute.networkAdmin",
        "roles/servicenetworking.networksAdmin",
        "roles/notebooks.admin",
        "roles/cloudscheduler.admin",
        "roles/monitoring.alertPolicyEditor",
        "roles/monitoring.notificationChannelEditor",
        "roles/iam.serviceAccountAdmin",
    ),
    "hybrid_tf_mlops": (
        "roles/serviceusage.serviceUsageAdmin",
        "roles/aiplatform.admin",
        "roles/gkehub.admin",
        "roles/cloudscheduler.admin",
        "roles/artifactregistry.admin",
        "roles/iam.serviceAccountAdmin",
    ),
    "gke_mlops": (
        "roles/serviceusage.serviceUsageAdmin",
        "roles/container.admin",
        "roles/compute.networkAdmin",
        "roles/compute.securityAdmin",
        "roles/dataflow.admin",
        "roles/storage.admin",
        "roles/monitoring.alertPolicyEditor",
        "roles/cloudquotas.admin",
        "roles/iam.serviceAccountAdmin",
    ),
}
"""Predefined roles a deploy of each GCP architecture needs (``components/registry.py``
keys): each service's admin role, which includes setting IAM on its own resources
(bucket, key and repository grants). A new GCP architecture adds its line here, or its
stacks fail to plan."""

ARCHITECTURE_PROJECT_GRANTS: Mapping[str, tuple[str, ...]] = {
    "gcp_foundation": ("roles/logging.logWriter", "roles/monitoring.metricWriter"),
    "vertex_mlops": (
        "roles/aiplatform.user",
        "roles/bigquery.jobUser",
        "roles/logging.logWriter",
        "roles/monitoring.metricWriter",
    ),
    "hybrid_tf_mlops": (
        "roles/aiplatform.user",
        "roles/aiplatform.viewer",
        "roles/logging.logWriter",
    ),
    "gke_mlops": (
        "roles/container.defaultNodeServiceAccount",
        "roles/dataflow.worker",
        "roles/logging.logWriter",
        "roles/monitoring.metricWriter",
    ),
}
"""Project-level roles each architecture grants its service accounts: the only roles
the deploy identity may grant on the project."""

PROJECT_IAM_ADMIN = "roles/resourcemanager.projectIamAdmin"
POOL_ID_LENGTH = 32
"""Workload identity pool ids: 4-32 lower-case letters, digits and hyphens; the
``gcp-`` prefix is reserved (API reference, projects.locations.workloadIdentityPools)."""


class UnknownArchitectureError(ValueError):
    """An architecture whose Google Cloud roles this module does not know."""


def roles_of(architectures: Sequence[str]) -> tuple[list[str], list[str]]:
    """(project roles of the deploy identity, project roles it may grant), sorted."""
    unknown = sorted(a for a in architectures if a not in ARCHITECTURE_ROLES)
    if unknown:
        raise UnknownArchitectureError(
            f"ci: the Google Cloud roles of architecture(s) {', '.join(unknown)} are unknown; "
            "add them to ARCHITECTURE_ROLES in components/gcp/ci_identity.py"
        )
    roles = sorted({r for a in architectures for r in ARCHITECTURE_ROLES[a]})
    grants = sorted({r for a in architectures for r in ARCHITECTURE_PROJECT_GRANTS.get(a, ())})
    return roles, grants


def grant_condition(roles: Sequence[str]) -> str:
    """CEL that admits a project IAM change only when it grants or revokes ``roles``."""
    quoted = ", ".join(f"'{r}'" for r in roles)
    return f"api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([{quoted}])"


def attribute_condition(
    repository: str,
    subject: str,
    repository_id: int | None = None,
    repository_owner_id: int | None = None,
) -> str:
    """CEL over GitHub's token that admits one repository and one subject only, and,
    when given, only the repository and owner with these immutable ids (string claims)."""
    ids = [
        f"assertion.{claim} == '{value}'"
        for claim, value in (
            ("repository_id", repository_id),
            ("repository_owner_id", repository_owner_id),
        )
        if value is not None
    ]
    return " && ".join(
        [f"assertion.repository == '{repository}'", *ids, f"assertion.sub == '{subject}'"]
    )


class GcpCiIdentity(pulumi.ComponentResource):
    """A workload identity pool and provider for GitHub, and the deploy service account."""

    pool: gcp.iam.WorkloadIdentityPool
    provider: gcp.iam.WorkloadIdentityPoolProvider
    account: gcp.serviceaccount.Account
    impersonation: gcp.serviceaccount.IAMMember
    project_members: dict[str, gcp.projects.IAMMember]
    provider_name: pulumi.Output[str]
    service_account_email: pulumi.Output[str]
    subject: str

    def __init__(
        self,
        name: str,
        settings: CiSettings,
        architectures: Sequence[str],
        name_prefix: str,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
        retention: Retention = Retention.DESTROYABLE,
    ) -> None:
        super().__init__("mlops:gcp:CiIdentity", name, None, opts)
        roles, grantable = roles_of(architectures)
        child = pulumi.ResourceOptions(parent=self)
        self.subject = settings.subject
        # Pools, providers and service accounts carry no labels in the API.
        del tags
        self.pool = gcp.iam.WorkloadIdentityPool(
            naming.child(name),
            workload_identity_pool_id=naming.physical(
                name_prefix, "github", max_length=POOL_ID_LENGTH
            ),
            display_name=naming.physical(name_prefix, "github", max_length=32),
            description=f"GitHub Actions of {settings.repository}",
            # A deleted pool's id stays reserved for 30 days, and the pool is what the
            # deploy signs in through: protected stacks keep it (and its provider).
            opts=stateful_options(retention, self),
        )
        self.provider = gcp.iam.WorkloadIdentityPoolProvider(
            naming.child(name, "github"),
            workload_identity_pool_id=self.pool.workload_identity_pool_id,
            workload_identity_pool_provider_id="github",
            display_name="GitHub Actions",
            attribute_mapping={
                "google.subject": "assertion.sub",
                "attribute.repository": "assertion.repository",
                "attribute.environment": "assertion.environment",
                "attribute.ref": "assertion.ref",
            },
            attribute_condition=attribute_condition(
                settings.repository,
                self.subject,
                settings.repository_id,
                settings.repository_owner_id,
            ),
            oidc=gcp.iam.WorkloadIdentityPoolProviderOidcArgs(issuer_uri=github_oidc.ISSUER),
            opts=stateful_options(retention, self),
        )
        self.account = gcp.serviceaccount.Account(
            naming.child(name, "deploy"),
            account_id=naming.physical(name_prefix, "deploy", max_length=30),
            display_name=f"pulumi up by GitHub Actions ({self.subject})"[:100],
            opts=child,
        )
        subject = self.subject
        self.impersonation = gcp.serviceaccount.IAMMember(
            naming.child(name, "github-impersonation"),
            service_account_id=self.account.name,
            role="roles/iam.workloadIdentityUser",
            member=self.pool.name.apply(
                lambda pool: f"principal://iam.googleapis.com/{pool}/subject/{subject}"
            ),
            opts=child,
        )
        project = gcp.organizations.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).project
        self.project_members = {
            role: gcp.projects.IAMMember(
                naming.child(name, naming.physical(role.rsplit("/", 1)[-1])),
                project=project,
                role=role,
                member=self.account.member,
                opts=child,
            )
            for role in roles
        }
        if grantable:
            self.project_members[PROJECT_IAM_ADMIN] = gcp.projects.IAMMember(
                naming.child(name, "project-iam-admin"),
                project=project,
                role=PROJECT_IAM_ADMIN,
                member=self.account.member,
                condition=gcp.projects.IAMMemberConditionArgs(
                    title="grant-stack-roles-only",
                    description="Only the project roles the stack's architectures grant.",
                    expression=grant_condition(grantable),
                ),
                opts=child,
            )
        self.provider_name = self.provider.name
        self.service_account_email = self.account.email
        self.register_outputs(
            {
                "provider_name": self.provider_name,
                "service_account_email": self.service_account_email,
            }
        )

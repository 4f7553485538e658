"""Clusters outside Google Cloud (on premises, other clouds) in a fleet, and Workload
Identity Federation that lets their workloads read models and images without keys.

- ``FleetMembership``: one ``gkehub.Membership`` per cluster, with the cluster's
  service-account token issuer as ``authority`` (fleet Workload Identity). The Connect
  agent runs on the cluster and is installed out of band (``gcloud container fleet
  memberships register`` or the attached-clusters install manifest); a membership that
  already exists is adopted with ``pulumi import``. GKE clusters are members through
  their ``endpoint.gke_cluster.resource_link``.
- ``FederatedAccess``: a workload identity pool with one OIDC provider per cluster
  (issuer = the cluster's issuer, and its JSON Web Key Set when Google cannot reach the
  issuer; only service accounts of that cluster's serving namespace pass the
  ``attribute_condition``), and read grants for each serving namespace's federated
  identities on the given buckets and repositories, plus ``roles/aiplatform.viewer``
  (read models in the Model Registry) on the project.

Pool and provider ids stay taken for 30 days after a delete (soft delete,
pulumi/pulumi-gcp#1149): they derive from the stack prefix, are stateful
(``protected`` stacks protect them) and must never be replaced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp
from pulumi_gcp.gkehub import MembershipEndpointArgsDict
from pulumi_gcp.iam import WorkloadIdentityPoolProviderOidcArgsDict

from .. import naming
from ..retention import stateful_options
from ..settings import Retention
from ._common import deletion_policy, label_problems, raise_problems
from .identity import ResourceGrant, resource_member

SERVICES = (
    "gkehub.googleapis.com",
    "connectgateway.googleapis.com",
    "iam.googleapis.com",
    "sts.googleapis.com",
    "iamcredentials.googleapis.com",
)
"""APIs these blocks need (``ProjectServices``): fleet, Connect gateway, federation."""

MODEL_READER = "roles/aiplatform.viewer"
"""Read models and endpoints in Vertex AI (the Model Registry) and nothing else
(https://cloud.google.com/vertex-ai/docs/general/access-control#predefined-roles)."""

POOL_ID = re.compile(r"^(?!gcp-)[a-z0-9][-a-z0-9]{2,30}[a-z0-9]$")
"""Pool ids: 4-32 lower-case letters, digits and hyphens, not starting with ``gcp-``."""
PROVIDER_ID = re.compile(r"^(?!gcp-)[a-z0-9][-a-z0-9]{2,30}[a-z0-9]$")


@dataclass(frozen=True)
class MemberCluster:
    membership_id: str
    issuer_url: str
    """The cluster's OIDC issuer (``https://...``)."""
    gke_cluster_id: str | None = None
    """``projects/<p>/locations/<l>/clusters/<c>`` for a GKE cluster; ``None`` otherwise."""
    namespace: str | None = None
    """The cluster's serving namespace; ``None``: ``FederatedAccessArgs.namespace``."""
    jwks_json: str | None = None
    """The issuer's JSON Web Key Set, for an issuer Google cannot reach (a private
    cluster's); ``None``: Google fetches the keys from the issuer's discovery URL."""


@dataclass
class FleetMembershipArgs:
    cluster: MemberCluster
    labels: Mapping[str, str]
    retention: Retention = Retention.DESTROYABLE


class FleetMembership(pulumi.ComponentResource):
    membership: gcp.gkehub.Membership
    membership_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: FleetMembershipArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:FleetMembership", name, None, opts)
        raise_problems("FleetMembershipArgs", label_problems(args.labels))
        cluster = args.cluster
        endpoint: MembershipEndpointArgsDict | None = None
        if cluster.gke_cluster_id is not None:
            endpoint = {
                "gke_cluster": {
                    "resource_link": f"//container.googleapis.com/{cluster.gke_cluster_id}"
                }
            }
        self.membership = gcp.gkehub.Membership(
            naming.child(name),
            membership_id=cluster.membership_id,
            location="global",
            authority={"issuer": cluster.issuer_url},
            endpoint=endpoint,
            labels=dict(args.labels),
            deletion_policy=deletion_policy(args.retention),
            opts=stateful_options(args.retention, self),
        )
        self.membership_id = self.membership.id
        self.register_outputs({"membership_id": self.membership_id})


@dataclass
class FederatedAccessArgs:
    pool_id: str
    clusters: Sequence[MemberCluster]
    namespace: str
    """Kubernetes namespace whose service accounts get the grants, on every cluster that
    names none of its own (``principal_set``)."""
    read_grants: Mapping[str, ResourceGrant] = field(default_factory=dict)
    """Keyed by a short name for the child (``<name>-<key>``)."""
    retention: Retention = Retention.DESTROYABLE
    project: str | None = None


class FederatedAccess(pulumi.ComponentResource):
    pool: gcp.iam.WorkloadIdentityPool
    providers: dict[str, gcp.iam.WorkloadIdentityPoolProvider]
    grants: dict[str, pulumi.CustomResource]
    principal_set: pulumi.Output[str]
    """``principalSet://.../attribute.namespace/<namespace>``: every workload of the
    namespace on any of the clusters."""
    principal_sets: dict[str, pulumi.Output[str]]
    """The principal set of each cluster's namespace, by namespace."""

    def __init__(
        self, name: str, args: FederatedAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:FederatedAccess", name, None, opts)
        _validate(args)
        self.pool = gcp.iam.WorkloadIdentityPool(
            naming.child(name, "pool"),
            workload_identity_pool_id=args.pool_id,
            display_name=args.pool_id,
            description="Workloads of clusters outside Google Cloud (mlops-iac)",
            disabled=False,
            project=args.project,
            opts=stateful_options(args.retention, self),
        )
        self.providers = {
            cluster.membership_id: gcp.iam.WorkloadIdentityPoolProvider(
                naming.child(name, cluster.membership_id),
                workload_identity_pool_id=self.pool.workload_identity_pool_id,
                workload_identity_pool_provider_id=cluster.membership_id,
                display_name=cluster.membership_id,
                attribute_mapping={
                    "google.subject": "assertion.sub",
                    "attribute.namespace": "assertion['kubernetes.io']['namespace']",
                },
                # Only the cluster's serving namespace's service accounts may exchange
                # tokens.
                attribute_condition="assertion.sub.startsWith('system:serviceaccount:"
                f"{_namespace(cluster, args)}:')",
                oidc=_oidc(cluster),
                project=args.project,
                opts=stateful_options(args.retention, self),
            )
            for cluster in args.clusters
        }
        number = gcp.organizations.get_project_output(
            project_id=args.project, opts=pulumi.InvokeOutputOptions(parent=self)
        ).number
        namespaces = dict.fromkeys([args.namespace, *(_namespace(c, args) for c in args.clusters)])
        self.principal_sets = {
            ns: pulumi.Output.concat(
                "principalSet://iam.googleapis.com/projects/",
                number,
                "/locations/global/workloadIdentityPools/",
                self.pool.workload_identity_pool_id,
                "/attribute.namespace/",
                ns,
            )
            for ns in namespaces
        }
        self.principal_set = self.principal_sets[args.namespace]
        child = pulumi.ResourceOptions(parent=self)
        # The default namespace's grants keep their short names (stable URNs); another
        # namespace's end in ``-<namespace>``.
        suffixes = {ns: "" if ns == args.namespace else f"-{ns}" for ns in namespaces}
        self.grants = {
            f"{key}{suffixes[ns]}": resource_member(
                naming.child(name, f"{key}{suffixes[ns]}"), grant, self.principal_sets[ns], child
            )
            for ns in namespaces
            for key, grant in args.read_grants.items()
        }
        project = (
            args.project
            or gcp.organizations.get_client_config_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).project
        )
        for ns, suffix in suffixes.items():
            self.grants[f"models{suffix}"] = gcp.projects.IAMMember(
                naming.child(name, f"models{suffix}"),
                project=project,
                role=MODEL_READER,
                member=self.principal_sets[ns],
                opts=child,
            )
        self.register_outputs(
            {"pool_id": self.pool.workload_identity_pool_id, "principal_set": self.principal_set}
        )


def _namespace(cluster: MemberCluster, args: FederatedAccessArgs) -> str:
    return cluster.namespace or args.namespace


def _oidc(cluster: MemberCluster) -> WorkloadIdentityPoolProviderOidcArgsDict:
    oidc: WorkloadIdentityPoolProviderOidcArgsDict = {"issuer_uri": cluster.issuer_url}
    if cluster.jwks_json is not None:
        oidc["jwks_json"] = cluster.jwks_json
    return oidc


def _validate(args: FederatedAccessArgs) -> None:
    problems = []
    if not POOL_ID.match(args.pool_id):
        problems.append(f"pool_id: {args.pool_id!r} must be 4-32 lower-case letters, digits, '-'")
    if not args.clusters:
        problems.append("clusters: at least one")
    for cluster in args.clusters:
        if not PROVIDER_ID.match(cluster.membership_id):
            problems.append(f"clusters[{cluster.membership_id!r}]: not a provider id (4-32)")
        if not cluster.issuer_url.startswith("https://"):
            problems.append(f"clusters[{cluster.membership_id!r}].issuer_url: https:// only")
    if any(k == "models" or k.startswith("models-") for k in args.read_grants):
        problems.append("read_grants: 'models' is the Model Registry grant's name")
    raise_problems("FederatedAccessArgs", problems)

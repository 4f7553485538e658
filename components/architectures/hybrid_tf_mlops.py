"""Architecture 9, hybrid TensorFlow, on the Google Cloud foundation.

on-premises or other-cloud data -> TensorFlow training in Vertex AI Pipelines (the
Deep Learning Containers that carry TensorFlow; "TensorFlow Enterprise" is not a
product name used here) -> models in the Vertex AI Model Registry -> serving on an
existing GKE cluster or on an attached (fleet) cluster, as the settings choose.

The clusters outside Google Cloud join the fleet (``FleetMembership``, one per
cluster, adopting existing clusters with ``pulumi import``), and their serving
namespace reaches models and images through Workload Identity Federation
(``FederatedAccess``), without keys. With ``serving: gke`` the existing GKE cluster
is registered in the fleet too and its serving namespace (GKE Workload Identity
Federation, ``<project>.svc.id.goog``) gets the same read grants. Training runs in the
cloud on the schedule of a ``PipelineSchedule``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ..gcp import fleet, pipeline_schedule
from ..gcp.fleet import (
    MODEL_READER,
    FederatedAccess,
    FederatedAccessArgs,
    FleetMembership,
    FleetMembershipArgs,
    MemberCluster,
)
from ..gcp.identity import MemberGrants, MemberGrantsArgs, ResourceGrant
from ..gcp.names import check_name, fixed_name
from ..gcp.pipeline_schedule import PipelineSchedule, PipelineScheduleArgs
from ..gcp.registry import ContainerRegistry, ContainerRegistryArgs
from ..gcp.services import ProjectServices
from ..registry import Deployment, Outputs
from ..settings import Retention
from ..settings.gcp import HybridTfMlopsSettings
from ..tags import merge_tags
from .gcp_foundation import (
    OBJECT_VIEWER,
    REGISTRY_AGENT,
    REGISTRY_READER,
    SERVICE_ACCOUNT_USER,
    GcpFoundation,
)
from .gcp_foundation import SERVICES as FOUNDATION_SERVICES
from .vertex_mlops import VERTEX_USER, training_capacity, training_parameters

TOKEN = "mlops:gcp:HybridTfMlops"

SERVICES = tuple(sorted({*fleet.SERVICES, *pipeline_schedule.SERVICES} - set(FOUNDATION_SERVICES)))
"""The APIs this architecture adds to the foundation's (which it does not manage twice)."""

GKE_ISSUER = "https://container.googleapis.com/v1/"
"""A GKE cluster's issuer is this prefix and its id (pulumi-gcp docs of
``gkehub.Membership.authority``)."""


@dataclass
class HybridTfMlopsArgs:
    settings: HybridTfMlopsSettings
    foundation: GcpFoundation
    region: str
    name_prefix: str
    labels: Mapping[str, str]
    retention: Retention = Retention.DESTROYABLE


class HybridTfMlops(pulumi.ComponentResource):
    """The hybrid TensorFlow architecture (see the module doc)."""

    services: ProjectServices
    memberships: dict[str, FleetMembership]
    federation: FederatedAccess
    pipeline_templates: ContainerRegistry
    schedule: PipelineSchedule
    serving_member: pulumi.Output[str]

    def __init__(
        self, name: str, args: HybridTfMlopsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        s, f, region, labels = args.settings, args.foundation, args.region, args.labels
        prefix, retention = args.name_prefix, args.retention
        self.services = ProjectServices(
            naming.child(name, "apis"), SERVICES, opts=pulumi.ResourceOptions(parent=self)
        )
        after = pulumi.ResourceOptions(parent=self, depends_on=[self.services])
        project = gcp.organizations.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).project

        clusters = [
            MemberCluster(
                c.membership_id,
                c.issuer_url,
                namespace=c.serving_namespace,
                jwks_json=c.jwks_json,
            )
            for c in s.clusters
        ]
        members = list(clusters)
        if s.serving == "gke" and s.gke_cluster_id is not None:
            members.append(
                MemberCluster(
                    s.gke_cluster_id.rsplit("/", 1)[-1],
                    GKE_ISSUER + s.gke_cluster_id,
                    gke_cluster_id=s.gke_cluster_id,
                )
            )
        self.memberships = {
            m.membership_id: FleetMembership(
                naming.child(name, m.membership_id),
                FleetMembershipArgs(cluster=m, labels=labels, retention=retention),
                after,
            )
            for m in members
        }
        read_grants = {
            "pipeline-root": ResourceGrant(
                "bucket", f.pipeline_root_bucket.bucket_name, OBJECT_VIEWER
            ),
            "images": ResourceGrant("repository", f.registry_id, REGISTRY_READER),
        }
        # Each cluster trusts its own serving namespace; the principal set of the
        # first cluster's (where attached serving runs) is the architecture's output.
        namespace = s.clusters[0].serving_namespace
        self.federation = FederatedAccess(
            naming.child(name, "federation"),
            FederatedAccessArgs(
                pool_id=fixed_name(
                    "workload-identity-pool",
                    prefix,
                    "onprem",
                    owner=naming.child(name, "federation"),
                ),
                clusters=clusters,
                namespace=namespace,
                read_grants=read_grants,
                retention=retention,
            ),
            after,
        )
        self.serving_member = self.federation.principal_set
        if s.serving == "gke":
            # GKE Workload Identity Federation: the namespace's Kubernetes service
            # accounts in the project's workload pool.
            number = gcp.organizations.get_project_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).number
            self.serving_member = pulumi.Output.concat(
                "principalSet://iam.googleapis.com/projects/",
                number,
                "/locations/global/workloadIdentityPools/",
                project,
                ".svc.id.goog/namespace/",
                s.gke_namespace,
            )
            MemberGrants(
                naming.child(name, "gke-serving"),
                MemberGrantsArgs(
                    member=self.serving_member,
                    project_roles=(MODEL_READER,),
                    resource_grants=read_grants,
                ),
                after,
            )

        self.pipeline_templates = ContainerRegistry(
            naming.child(name, "pipelines"),
            ContainerRegistryArgs(
                location=region,
                kms_key_id=f.kms_key_id,
                kms_key_grants=[f.key.grant(REGISTRY_AGENT)],
                labels=labels,
                retention=retention,
                repository_id=check_name(
                    "artifact-registry-repository", naming.physical(prefix, "tf-pipelines")
                ),
                format="KFP",
                description="Compiled TensorFlow training pipeline templates (mlops-iac)",
            ),
            after,
        )
        MemberGrants(
            naming.child(name, "runner-grants"),
            MemberGrantsArgs(
                member=f.pipeline_runner.member,
                project_roles=(VERTEX_USER,),
                resource_grants={
                    "templates": ResourceGrant(
                        "repository", self.pipeline_templates.repository_id, REGISTRY_READER
                    ),
                    "act-as-self": ResourceGrant(
                        "service_account", f.pipeline_runner.account_name, SERVICE_ACCOUNT_USER
                    ),
                },
            ),
            after,
        )
        job_name = fixed_name(
            "compute", prefix, "tf", s.schedule.pipeline_name, owner=naming.child(name, "schedule")
        )
        self.schedule = PipelineSchedule(
            naming.child(name, "schedule"),
            PipelineScheduleArgs.from_settings(
                s.schedule,
                job_name=job_name,
                region=region,
                project=project,
                repository=self.pipeline_templates.repository_name,
                pipeline_root=pulumi.Output.concat(f.pipeline_root, "/runs"),
                service_account_email=f.pipeline_runner_email,
                kms_key_id=f.kms_key_id,
                parameters={
                    **training_parameters(s.training),
                    "training_image": s.training_image,
                    "training_service_account": f.trainer_email,
                    "data_bucket": f.data_bucket_name,
                    "serving_target": s.serving,
                },
                labels=labels,
            ),
            after,
        )
        self.register_outputs(
            {
                "membership_ids": [m.membership_id for m in self.memberships.values()],
                "principal_set": self.federation.principal_set,
                "schedule_job_id": self.schedule.job_id,
            }
        )


def deploy(deployment: Deployment, settings: HybridTfMlopsSettings) -> Outputs:
    """The registry's entry point: ``HybridTfMlops`` named ``hybrid`` on the stack's
    foundation, its training capacity declared, and its flat outputs."""
    foundation = deployment.take("gcp_foundation", GcpFoundation)
    hybrid = HybridTfMlops(
        "hybrid",
        HybridTfMlopsArgs(
            settings=settings,
            foundation=foundation,
            region=deployment.region,
            name_prefix=deployment.name_prefix,
            labels=merge_tags(deployment.tags, component="hybrid-tf-mlops"),
            retention=deployment.retention,
        ),
        opts=deployment.opts,
    )
    deployment.declare_capacity(
        training_capacity(
            settings.training, deployment.region, "architectures.hybrid_tf_mlops.training"
        )
    )
    return {
        "hybrid_membership_ids": pulumi.Output.all(
            *[m.membership_id for m in hybrid.memberships.values()]
        ),
        "hybrid_workload_identity_pool": hybrid.federation.pool.name,
        "hybrid_principal_set": hybrid.federation.principal_set,
        "hybrid_serving_member": hybrid.serving_member,
        "hybrid_pipeline_templates_url": hybrid.pipeline_templates.repository_url,
        "hybrid_schedule_job_id": hybrid.schedule.job_id,
    }

"""The Google Cloud foundation: the base every Google Cloud architecture shares.

project APIs -> customer-managed key (rotated) -> data bucket, pipeline-root bucket,
Docker repository and log bucket encrypted with it; placeholder service accounts
(pipeline runner, training) with least-privilege grants and no keys; a private network
(Private Google Access, flow logs, Cloud NAT only when asked); e-mail alert channels.

The Vertex AI, GKE and hybrid TensorFlow architectures (issue 10) compose this
component and extend its service accounts with the roles their services need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from .. import naming
from ..gcp import identity, kms, log_sinks, network, registry, storage
from ..gcp.identity import ResourceGrant, ServiceAccount, ServiceAccountArgs
from ..gcp.kms import CmekKey, CmekKeyArgs
from ..gcp.log_sinks import AlertChannel, AlertChannelArgs, LogBucket, LogBucketArgs
from ..gcp.names import check_name, fixed_name
from ..gcp.network import PrivateNetwork, PrivateNetworkArgs, SubnetSpec
from ..gcp.registry import ContainerRegistry, ContainerRegistryArgs
from ..gcp.services import ProjectServices
from ..gcp.storage import DataBucket, DataBucketArgs
from ..registry import Deployment, Outputs
from ..settings import Retention
from ..settings.gcp import GcpFoundationSettings
from ..tags import merge_tags

TOKEN = "mlops:gcp:Foundation"

STORAGE_AGENT = "storage.googleapis.com"
REGISTRY_AGENT = "artifactregistry.googleapis.com"
LOGGING_AGENT = "logging.googleapis.com"
ENCRYPTER_SERVICES = (STORAGE_AGENT, REGISTRY_AGENT, LOGGING_AGENT)
"""Service agents granted the key: each encrypts one kind of the foundation's data."""

SERVICES = tuple(
    sorted(
        {
            *kms.SERVICES,
            *storage.SERVICES,
            *registry.SERVICES,
            *network.SERVICES,
            *identity.SERVICES,
            *log_sinks.SERVICES,
        }
    )
)
"""The APIs the foundation enables (left on at destroy; see ``ProjectServices``)."""

WORKLOAD_PROJECT_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter")
"""The only project-wide roles the placeholder accounts get: writing their own logs and
metrics (https://cloud.google.com/logging/docs/access-control#permissions_and_roles,
https://cloud.google.com/monitoring/access-control#predefined_roles)."""

OBJECT_VIEWER = "roles/storage.objectViewer"
OBJECT_USER = "roles/storage.objectUser"
"""Read objects; read, create, overwrite and delete objects (no bucket administration,
no IAM changes; https://cloud.google.com/storage/docs/access-control/iam-roles)."""
REGISTRY_READER = "roles/artifactregistry.reader"
SERVICE_ACCOUNT_USER = "roles/iam.serviceAccountUser"
"""Lets the pipeline runner start jobs that run as the training account, on that one
account only (https://cloud.google.com/iam/docs/service-account-permissions#user-role)."""


@dataclass
class GcpFoundationArgs:
    """Inputs of ``GcpFoundation``: the settings, the region of every regional child,
    ``name_prefix`` (starts the fixed names: repository, log bucket, service accounts;
    unique per project), the merged ``labels`` for every labelable child and the
    stack's ``retention``."""

    settings: GcpFoundationSettings
    region: str
    name_prefix: str
    labels: Mapping[str, str]
    retention: Retention = Retention.DESTROYABLE


class GcpFoundation(pulumi.ComponentResource):
    """The shared Google Cloud base of the ML architectures (see the module doc)."""

    services: ProjectServices
    key: CmekKey
    data_bucket: DataBucket
    pipeline_root_bucket: DataBucket
    registry: ContainerRegistry
    network: PrivateNetwork
    log_bucket: LogBucket
    pipeline_runner: ServiceAccount
    trainer: ServiceAccount
    alert_channels: list[AlertChannel]
    kms_key_id: pulumi.Output[str]
    data_bucket_name: pulumi.Output[str]
    pipeline_root_bucket_name: pulumi.Output[str]
    pipeline_root: pulumi.Output[str]
    registry_id: pulumi.Output[str]
    registry_url: pulumi.Output[str]
    network_id: pulumi.Output[str]
    subnet_id: pulumi.Output[str]
    log_bucket_id: pulumi.Output[str]
    pipeline_runner_email: pulumi.Output[str]
    trainer_email: pulumi.Output[str]
    alert_channel_ids: list[pulumi.Output[str]]

    def __init__(
        self, name: str, args: GcpFoundationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        s, region, labels, retention = args.settings, args.region, args.labels, args.retention
        prefix = args.name_prefix

        self.services = ProjectServices(
            naming.child(name, "apis"), SERVICES, opts=pulumi.ResourceOptions(parent=self)
        )
        # A component and its children are registered after its `depends_on`, so no
        # child is created before the APIs it needs are on.
        after_apis = pulumi.ResourceOptions(parent=self, depends_on=[self.services])

        self.key = CmekKey(
            naming.child(name, "key"),
            CmekKeyArgs(
                location=region,
                labels=labels,
                retention=retention,
                rotation_days=s.key_rotation_days,
                encrypter_services=ENCRYPTER_SERVICES,
            ),
            after_apis,
        )
        key_id = self.key.key_id

        self.data_bucket = DataBucket(
            naming.child(name, "data"),
            DataBucketArgs(
                location=region,
                kms_key_id=key_id,
                kms_key_grants=[self.key.grant(STORAGE_AGENT)],
                labels=labels,
                retention=retention,
                lifecycle=s.data_lifecycle,
            ),
            after_apis,
        )
        self.pipeline_root_bucket = DataBucket(
            naming.child(name, "pipeline-root"),
            DataBucketArgs(
                location=region,
                kms_key_id=key_id,
                kms_key_grants=[self.key.grant(STORAGE_AGENT)],
                labels=labels,
                retention=retention,
                lifecycle=s.pipeline_root_lifecycle,
            ),
            after_apis,
        )
        self.registry = ContainerRegistry(
            naming.child(name, "images"),
            ContainerRegistryArgs(
                location=region,
                kms_key_id=key_id,
                kms_key_grants=[self.key.grant(REGISTRY_AGENT)],
                labels=labels,
                retention=retention,
                repository_id=check_name(
                    "artifact-registry-repository", naming.physical(prefix, "images")
                ),
                keep_recent_versions=s.image_keep_recent_versions,
                delete_untagged_after_days=s.image_delete_untagged_after_days,
                description="Container images of the ML workloads (mlops-iac)",
            ),
            after_apis,
        )
        self.network = PrivateNetwork(
            naming.child(name, "network"),
            PrivateNetworkArgs(
                region=region,
                labels=labels,
                subnets=(SubnetSpec("workloads", s.subnet_cidr),),
                cloud_nat=s.cloud_nat,
                flow_log_sampling=s.flow_log_sampling,
            ),
            after_apis,
        )
        self.log_bucket = LogBucket(
            naming.child(name, "logs"),
            LogBucketArgs(
                location=region,
                retention_days=s.log_retention_days,
                retention=retention,
                kms_key_id=key_id,
                kms_key_grants=[self.key.grant(LOGGING_AGENT)],
                bucket_id=check_name("logging-bucket", naming.physical(prefix, "logs")),
                description="Logs of the ML workloads (mlops-iac)",
            ),
            after_apis,
        )

        self.trainer = ServiceAccount(
            naming.child(name, "training"),
            ServiceAccountArgs(
                account_id=fixed_name(
                    "service-account", prefix, "training", owner=naming.child(name, "training")
                ),
                display_name="Training jobs (mlops-iac)",
                description="Runs training jobs: reads data, writes pipeline artifacts.",
                project_roles=WORKLOAD_PROJECT_ROLES,
                resource_grants={
                    "data": ResourceGrant("bucket", self.data_bucket.bucket_name, OBJECT_VIEWER),
                    "pipeline-root": ResourceGrant(
                        "bucket", self.pipeline_root_bucket.bucket_name, OBJECT_USER
                    ),
                    "images": ResourceGrant(
                        "repository", self.registry.repository_id, REGISTRY_READER
                    ),
                },
            ),
            after_apis,
        )
        self.pipeline_runner = ServiceAccount(
            naming.child(name, "pipelines"),
            ServiceAccountArgs(
                account_id=fixed_name(
                    "service-account", prefix, "pipelines", owner=naming.child(name, "pipelines")
                ),
                display_name="ML pipeline runs (mlops-iac)",
                description="Runs pipelines: reads data, writes pipeline artifacts, starts "
                "jobs as the training account.",
                project_roles=WORKLOAD_PROJECT_ROLES,
                resource_grants={
                    "data": ResourceGrant("bucket", self.data_bucket.bucket_name, OBJECT_VIEWER),
                    "pipeline-root": ResourceGrant(
                        "bucket", self.pipeline_root_bucket.bucket_name, OBJECT_USER
                    ),
                    "images": ResourceGrant(
                        "repository", self.registry.repository_id, REGISTRY_READER
                    ),
                    "act-as-training": ResourceGrant(
                        "service_account", self.trainer.account_name, SERVICE_ACCOUNT_USER
                    ),
                },
            ),
            after_apis,
        )

        self.alert_channels = [
            AlertChannel(
                naming.child(name, f"alerts-{i}"),
                AlertChannelArgs(
                    email=str(email), labels=labels, display_name=f"{prefix} alerts ({email})"
                ),
                after_apis,
            )
            for i, email in enumerate(s.alert_emails)
        ]

        self.kms_key_id = key_id
        self.data_bucket_name = self.data_bucket.bucket_name
        self.pipeline_root_bucket_name = self.pipeline_root_bucket.bucket_name
        self.pipeline_root = self.pipeline_root_bucket.bucket_url
        self.registry_id = self.registry.repository_id
        self.registry_url = self.registry.repository_url
        self.network_id = self.network.network_id
        self.subnet_id = self.network.subnet_ids["workloads"]
        self.log_bucket_id = self.log_bucket.bucket_id
        self.pipeline_runner_email = self.pipeline_runner.email
        self.trainer_email = self.trainer.email
        self.alert_channel_ids = [channel.channel_id for channel in self.alert_channels]
        self.register_outputs(
            {
                "kms_key_id": self.kms_key_id,
                "data_bucket_name": self.data_bucket_name,
                "pipeline_root": self.pipeline_root,
                "registry_url": self.registry_url,
                "network_id": self.network_id,
                "subnet_id": self.subnet_id,
                "pipeline_runner_email": self.pipeline_runner_email,
                "trainer_email": self.trainer_email,
            }
        )


def deploy(deployment: Deployment, settings: GcpFoundationSettings) -> Outputs:
    """The registry's entry point: one ``GcpFoundation`` named ``gcp`` and its flat
    outputs (``gcp_alert_channel_ids`` is ``None`` without alert e-mails)."""
    foundation = GcpFoundation(
        "gcp",
        GcpFoundationArgs(
            settings=settings,
            region=deployment.region,
            name_prefix=deployment.name_prefix,
            labels=merge_tags(deployment.tags, component="gcp-foundation"),
            retention=deployment.retention,
        ),
        opts=deployment.opts,
    )
    deployment.offer("gcp_foundation", foundation)
    return {
        "gcp_kms_key_id": foundation.kms_key_id,
        "gcp_data_bucket": foundation.data_bucket_name,
        "gcp_pipeline_root_bucket": foundation.pipeline_root_bucket_name,
        "gcp_pipeline_root": foundation.pipeline_root,
        "gcp_registry_id": foundation.registry_id,
        "gcp_registry_url": foundation.registry_url,
        "gcp_network_id": foundation.network_id,
        "gcp_subnet_id": foundation.subnet_id,
        "gcp_log_bucket_id": foundation.log_bucket_id,
        "gcp_pipeline_runner_email": foundation.pipeline_runner_email,
        "gcp_training_email": foundation.trainer_email,
        "gcp_alert_channel_ids": (
            pulumi.Output.all(*foundation.alert_channel_ids)
            if foundation.alert_channel_ids
            else None
        ),
    }

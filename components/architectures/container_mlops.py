"""Reference architecture 3: container-based MLOps on AWS.

data sources -> S3 -> ECS/Fargate data processing -> ECR model containers -> EKS model
serving (GPU node groups scaling from zero) -> CloudWatch monitoring.

Self-contained: its own KMS key, network, buckets and names (``<prefix>-serving``,
``<prefix>/<repository>``, ``alias/<prefix>-containers``), so a stack can enable it
beside ``sagemaker_cicd``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..aws.alarm_topic import AlarmTopic, alarm_topic
from ..aws.arns import AccountArns
from ..aws.bucket import EncryptedBucket, EncryptedBucketArgs
from ..aws.container_alarms import container_alarms, create_alarms
from ..aws.ecr import ImageRepositories, ImageRepositoriesArgs
from ..aws.eks_cluster import EksCluster, EksClusterArgs, addon, attach_managed
from ..aws.eks_nodes import NodeGroups, NodeGroupsArgs, NodePool, gpu_pool, system_pool
from ..aws.eks_workloads import (
    EksWorkloads,
    EksWorkloadsArgs,
    pod_identity_role,
    pull_through_prefix,
)
from ..aws.fargate_processing import FargateProcessing, FargateProcessingArgs
from ..aws.kms import KmsKey, KmsKeyArgs
from ..aws.network import PrivateNetwork, PrivateNetworkArgs
from ..naming import child, physical
from ..registry import Capacity, Deployment, Outputs
from ..settings import CapacityStrategy, Cloud, Retention
from ..settings.containers import ContainerMlopsSettings, NodeAmi
from ..tags import merge_tags

TOKEN = "mlops:aws:ContainerMlops"
SETTINGS = "architectures.container_mlops"
OBSERVABILITY = ("amazon-cloudwatch", "cloudwatch-agent")
"""Namespace and service account of the CloudWatch agent the observability add-on runs."""


@dataclass
class ContainerMlopsArgs:
    """Inputs of ``ContainerMlops``: the settings, the region, the stack's name prefix
    (starts the cluster, repository, alarm and alias names) and the merged tags."""

    settings: ContainerMlopsSettings
    region: str
    name_prefix: str
    tags: Mapping[str, str]
    retention: Retention = Retention.DESTROYABLE


def node_pools(s: ContainerMlopsSettings) -> list[NodePool]:
    """The system pool and every GPU pool, resolved to EKS arguments."""
    pools = [system_pool(s.system_pool, f"{SETTINGS}.system_pool")]
    pools += [
        gpu_pool(key, pool, f"{SETTINGS}.gpu_pools.{key}") for key, pool in s.gpu_pools.items()
    ]
    return pools


class ContainerMlops(pulumi.ComponentResource):
    """ECR repositories, Fargate processing, an EKS serving cluster with GPU node groups
    and the model server, and CloudWatch alarms."""

    key: KmsKey
    data_bucket: EncryptedBucket
    model_bucket: EncryptedBucket
    network: PrivateNetwork
    repositories: ImageRepositories
    processing: FargateProcessing | None
    cluster: EksCluster
    node_groups: NodeGroups
    addons: dict[str, aws.eks.Addon]
    observability_role: pulumi.Resource
    workloads: EksWorkloads
    alarms: AlarmTopic
    metric_alarms: dict[str, aws.cloudwatch.MetricAlarm]
    pools: list[NodePool]

    cluster_name: pulumi.Output[str]
    data_bucket_name: pulumi.Output[str]
    model_bucket_name: pulumi.Output[str]
    repository_urls: dict[str, pulumi.Output[str]]
    processing_cluster_name: pulumi.Output[str] | None
    kms_key_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: ContainerMlopsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        s, prefix, tags = args.settings, args.name_prefix, dict(args.tags)
        self.pools = node_pools(s)  # settings errors before any resource
        here = pulumi.ResourceOptions(parent=self)
        arns = AccountArns(self)
        retention_days = s.monitoring.log_retention_days
        consumers = s.registry.consumer_account_ids
        self.key = KmsKey(
            child(name, "key"),
            KmsKeyArgs(
                description=f"{prefix}: container images, data, cluster secrets, logs, alarms",
                tags=tags,
                retention=Retention.PROTECTED if consumers else args.retention,
                alias_name=physical(prefix, "containers"),
                service_principals=["cloudwatch.amazonaws.com"],
                # No reader accounts: ECR decrypts layers for pulls through the grant it
                # holds on the key, so consumers need no key permission of their own.
                log_group_region=args.region,
            ),
            opts=here,
        )
        self.kms_key_arn = self.key.key_arn
        self.data_bucket = self._bucket(name, "data", args)
        self.model_bucket = self._bucket(name, "models", args)
        self.network = PrivateNetwork(
            child(name, "network"),
            PrivateNetworkArgs(
                settings=s.network,
                tags=tags,
                region=args.region,
                kms_key_arn=self.key.key_arn,
                log_retention_days=retention_days,
            ),
            opts=here,
        )
        self.repositories = ImageRepositories(
            child(name, "images"),
            ImageRepositoriesArgs(
                names=s.registry.repositories,
                prefix=prefix,
                kms_key_arn=self.key.key_arn,
                tags=tags,
                keep_images=s.registry.keep_images,
                untagged_expire_days=s.registry.untagged_expire_days,
                build_tag_patterns=s.registry.build_tag_patterns,
                consumer_account_roots=[arns.account_root(a) for a in consumers],
                retention=Retention.PROTECTED if consumers else args.retention,
            ),
            opts=here,
        )
        self.repository_urls = self.repositories.repository_urls
        self.processing = self._processing(name, args)
        self.processing_cluster_name = self.processing.cluster_name if self.processing else None
        cluster_name = physical(prefix, "serving")
        self.cluster = EksCluster(
            child(name, "cluster"),
            EksClusterArgs(
                settings=s.cluster,
                cluster_name=cluster_name,
                subnet_ids=self.network.subnet_ids,
                kms_key_arn=self.key.key_arn,
                tags=tags,
                log_retention_days=retention_days,
            ),
            opts=here,
        )
        self.cluster_name = self.cluster.cluster_name
        self.node_groups = NodeGroups(
            child(name, "nodes"),
            NodeGroupsArgs(
                cluster_name=self.cluster.cluster_name,
                cluster_security_group_id=self.cluster.cluster_security_group_id,
                subnet_ids=self.network.subnet_ids,
                pools=self.pools,
                tags=tags,
                pull_through_prefix=pull_through_prefix(prefix),
                depends_on=list(self.cluster.addons.values()),
            ),
            opts=here,
        )
        groups = list(self.node_groups.node_groups.values())
        self._late_addons(name, cluster_name, tags, groups)
        self.workloads = self._workloads(name, args, cluster_name, groups)
        self.alarms = alarm_topic(
            name,
            kms_key_arn=self.key.key_arn,
            emails=s.monitoring.alarm_emails,
            arns=arns,
            tags=tags,
            parent=self,
        )
        self.metric_alarms = create_alarms(
            child(name, "alarm"),
            cluster_name=cluster_name,
            alarms=container_alarms(
                s.monitoring.restart_threshold,
                s.monitoring.gpu_utilisation_percent,
                gpus=bool(s.gpu_pools),
            ),
            topic_arn=self.alarms.topic.arn,
            tags=tags,
            parent=self,
        )
        self.data_bucket_name = self.data_bucket.bucket_name
        self.model_bucket_name = self.model_bucket.bucket_name
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "data_bucket_name": self.data_bucket_name,
                "model_bucket_name": self.model_bucket_name,
                "repository_urls": self.repository_urls,
                "kms_key_arn": self.kms_key_arn,
            }
        )

    def _bucket(self, name: str, role: str, args: ContainerMlopsArgs) -> EncryptedBucket:
        return EncryptedBucket(
            child(name, role),
            EncryptedBucketArgs(
                kms_key_arn=self.key.key_arn, tags=args.tags, retention=args.retention
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _processing(self, name: str, args: ContainerMlopsArgs) -> FargateProcessing | None:
        p = args.settings.processing
        if not p.enabled:
            return None
        repo = self.repositories.repositories[p.repository]
        return FargateProcessing(
            child(name, "processing"),
            FargateProcessingArgs(
                settings=p,
                name_prefix=args.name_prefix,
                region=args.region,
                image_uri=repo.repository_url.apply(lambda url: f"{url}:{p.image_tag}"),
                repository_arn=repo.arn,
                data_bucket_name=self.data_bucket.bucket_name,
                data_bucket_arn=self.data_bucket.bucket_arn,
                kms_key_arn=self.key.key_arn,
                subnet_ids=self.network.subnet_ids,
                security_group_ids=self.network.security_group_ids,
                tags=args.tags,
                log_retention_days=args.settings.monitoring.log_retention_days,
                input_prefix=p.trigger_prefix or "incoming/",
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _late_addons(
        self,
        name: str,
        cluster_name: str,
        tags: Mapping[str, str],
        groups: list[aws.eks.NodeGroup],
    ) -> None:
        """CoreDNS and the CloudWatch observability add-on need nodes to run on (an
        add-on without ready pods stays DEGRADED and fails its create)."""
        namespace, account = OBSERVABILITY
        role = pod_identity_role(
            child(name, "observability-role"),
            cluster_name=cluster_name,
            namespace=namespace,
            service_account=account,
            description="CloudWatch agent: Container Insights metrics and logs.",
            statements=[],
            tags=tags,
            parent=self,
        )
        attached = attach_managed(
            child(name, "observability-role"),
            role,
            AccountArns(self),
            ["CloudWatchAgentServerPolicy"],
            self,
        )
        self.observability_role = role
        self.addons = {
            "coredns": addon(
                child(name, "coredns"),
                cluster_name=self.cluster.cluster_name,
                addon_name="coredns",
                tags=tags,
                parent=self,
                depends_on=groups,
            ),
            "amazon-cloudwatch-observability": addon(
                child(name, "observability"),
                cluster_name=self.cluster.cluster_name,
                addon_name="amazon-cloudwatch-observability",
                tags=tags,
                parent=self,
                depends_on=[*groups, *attached],
                pod_identity=(account, role.role_arn),
            ),
        }

    def _workloads(
        self,
        name: str,
        args: ContainerMlopsArgs,
        cluster_name: str,
        groups: list[aws.eks.NodeGroup],
    ) -> EksWorkloads:
        s = args.settings
        serving = s.serving if s.serving.enabled else None
        pool = s.serving.gpu_pool
        repo = self.repositories.repositories[s.serving.repository]
        return EksWorkloads(
            child(name, "workloads"),
            EksWorkloadsArgs(
                cluster_name=cluster_name,
                cluster=self.cluster.cluster_name,
                endpoint=self.cluster.endpoint,
                certificate_authority=self.cluster.certificate_authority,
                region=args.region,
                name_prefix=args.name_prefix,
                serving=serving,
                serving_image=repo.repository_url.apply(lambda u: f"{u}:{s.serving.image_tag}"),
                model_bucket_name=self.model_bucket.bucket_name,
                model_bucket_arn=self.model_bucket.bucket_arn,
                kms_key_arn=self.key.key_arn,
                serving_pool=pool or "system",
                serving_gpus=s.serving.gpus if pool else 0,
                device_plugin=any(p.ami is NodeAmi.AL2023 for p in s.gpu_pools.values()),
                tags=args.tags,
                depends_on=[*groups, *self.addons.values()],
                identity_depends_on=[self.cluster.addons["eks-pod-identity-agent"]],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )


def declare_capacity(
    deployment: Deployment, s: ContainerMlopsSettings, pools: list[NodePool]
) -> None:
    """Every node group at its ceiling, and the processing task's Fargate size."""
    for pool in pools:
        deployment.declare_capacity(
            Capacity(
                Cloud.AWS,
                deployment.region,
                "vm",
                pool.instance_types[0],
                pool.max_size,
                pool.spot,
                source=pool.source,
            )
        )
    p = s.processing
    if p.enabled:
        deployment.declare_capacity(
            Capacity(
                Cloud.AWS,
                deployment.region,
                "fargate",
                f"fargate-{p.cpu}cpu-{p.memory_mib}mib",
                p.max_concurrent_tasks,
                p.capacity is CapacityStrategy.SPOT_FIRST,
                source=f"{SETTINGS}.processing",
            )
        )


def deploy(deployment: Deployment, settings: ContainerMlopsSettings) -> Outputs:
    """The registry's entry point: one ``ContainerMlops`` named ``containers``."""
    arch = ContainerMlops(
        "containers",
        ContainerMlopsArgs(
            settings=settings,
            region=deployment.region,
            name_prefix=deployment.name_prefix,
            tags=merge_tags(deployment.tags, component="container-mlops"),
            retention=deployment.retention,
        ),
        opts=deployment.opts,
    )
    declare_capacity(deployment, settings, arch.pools)
    return {
        "containers_cluster_name": arch.cluster_name,
        "containers_data_bucket": arch.data_bucket_name,
        "containers_model_bucket": arch.model_bucket_name,
        "containers_processing_cluster": arch.processing_cluster_name,
        "containers_kms_key_arn": arch.kms_key_arn,
        **{f"containers_repository_{k}": v for k, v in arch.repository_urls.items()},
    }

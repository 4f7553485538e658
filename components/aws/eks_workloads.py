"""What runs inside the serving cluster, through ``pulumi-kubernetes`` with an explicit
provider: the cluster autoscaler and metrics-server (Helm charts pinned in
``data/eks-versions.json``, images through an ECR pull-through cache of
``registry.k8s.io`` so private nodes need no internet), the NVIDIA device plugin where
a GPU pool runs AL2023 (Bottlerocket NVIDIA nodes have it built in), and the model
server: a namespace, a service account bound through EKS Pod Identity to a role that
reads the model bucket, a Deployment, a Service and a HorizontalPodAutoscaler.

Why the cluster autoscaler and not Karpenter: the GPU pools are EKS managed node groups
(AMI updates, graceful draining and the capacity types EKS manages), which the cluster
autoscaler scales as they are, from zero with the node-template tags ``eks_nodes``
writes; Karpenter replaces node groups with its own NodePools and would duplicate what
``AcceleratorPool`` already declares.

The deploying machine must reach the Kubernetes API: with the default private endpoint,
run ``pulumi up`` from inside the VPC (a runner, VPN or Direct Connect).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..naming import child
from ..settings.containers import ServingSettings
from . import eks_versions
from .arns import AccountArns, objects
from .eks_nodes import GPU_RESOURCE, GPU_TAINT, POOL_LABEL
from .iam import ScopedRole, ScopedRoleArgs, Statement, allow
from .names import fixed_name

SYSTEM_NAMESPACE = "kube-system"
AUTOSCALER_ACCOUNT = "cluster-autoscaler"
KUBE_REGISTRY = "registry.k8s.io"
SERVING_ACCOUNT = "model-server"
APP_LABEL = "app.kubernetes.io/name"


def pull_through_prefix(name_prefix: str) -> str:
    """``<prefix>-k8s``: where ``registry.k8s.io`` images are cached (at most 30
    characters, checked)."""
    return fixed_name("ecr-pull-through-prefix", name_prefix, "k8s", owner=f"{name_prefix}-k8s")


def kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig for the cluster whose credentials come from ``aws eks get-token``
    (the deployer's AWS identity, an access-entry admin), serialised with json (YAML
    is a superset), never assembled as text."""
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": [
                "eks",
                "get-token",
                "--cluster-name",
                cluster_name,
                "--region",
                region,
                "--output",
                "json",
            ],
            "interactiveMode": "Never",
        }
    }
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": cluster_name,
                    "cluster": {"server": endpoint, "certificate-authority-data": ca_data},
                }
            ],
            "users": [{"name": cluster_name, "user": user}],
            "contexts": [
                {"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}
            ],
            "current-context": cluster_name,
        },
        sort_keys=True,
    )


def autoscaler_statements(arns: AccountArns, cluster_name: str) -> list[Statement]:
    """The cluster autoscaler's permissions (its AWS cloud provider README): describe
    calls on ``*`` (they have no resource types), resizing only ASGs tagged as this
    cluster's, and ``eks:DescribeNodegroup`` on this cluster's node groups (labels and
    taints of a group at zero)."""
    return [
        allow(
            "Describe",
            [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
            ],
            ["*"],
        ),
        allow(
            "ResizeOwnGroups",
            ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            ["*"],
            {
                "StringEquals": {
                    f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"
                }
            },
        ),
        allow(
            "DescribeNodegroups",
            ["eks:DescribeNodegroup"],
            [arns.regional("eks", f"nodegroup/{cluster_name}/*/*")],
        ),
    ]


def pod_identity_role(
    name: str,
    *,
    cluster_name: str,
    namespace: str,
    service_account: str,
    description: str,
    statements: Sequence[Statement],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> ScopedRole:
    """A role only EKS Pod Identity can assume, and only for ``service_account`` in
    ``namespace`` of ``cluster_name`` (session-tag conditions)."""
    return ScopedRole(
        name,
        ScopedRoleArgs(
            service_principals=["pods.eks.amazonaws.com"],
            description=description,
            tags=tags,
            source_account_condition=False,
            session_tags={
                "eks-cluster-name": cluster_name,
                "kubernetes-namespace": namespace,
                "kubernetes-service-account": service_account,
            },
            policies={"access": list(statements)} if statements else {},
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def serving_container(
    s: ServingSettings, image: pulumi.Input[str], bucket: pulumi.Input[str], gpus: int
) -> k8s.core.v1.ContainerArgsDict:
    """The model server container: non-root, read-only root file system (``/tmp`` is an
    emptyDir), no privilege escalation, every capability dropped, the pool's GPUs as
    limits (GPUs are not overcommitted: request equals limit)."""
    limits = {"memory": s.memory}
    if gpus:
        limits[GPU_RESOURCE] = str(gpus)
    return {
        "name": "server",
        "image": image,
        "ports": [{"name": "http", "container_port": s.port}],
        "env": [
            {"name": "MODEL_BUCKET", "value": bucket},
            {"name": "MODEL_PREFIX", "value": s.model_prefix},
            {"name": "PORT", "value": str(s.port)},
        ],
        "resources": {"requests": {"cpu": s.cpu, "memory": s.memory}, "limits": limits},
        "readiness_probe": {"tcp_socket": {"port": s.port}, "period_seconds": 10},
        "security_context": {
            "run_as_non_root": True,
            "read_only_root_filesystem": True,
            "allow_privilege_escalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
        "volume_mounts": [{"name": "tmp", "mount_path": "/tmp"}],
    }


def serving_pod_spec(
    s: ServingSettings, image: pulumi.Input[str], bucket: pulumi.Input[str], pool: str, gpus: int
) -> k8s.core.v1.PodSpecArgsDict:
    """The pod: on the serving pool (``nodeSelector``), tolerating the GPU taint when
    it asks for GPUs, with the Pod Identity service account, seccomp RuntimeDefault
    and a non-root user."""
    spec: k8s.core.v1.PodSpecArgsDict = {
        "service_account_name": SERVING_ACCOUNT,
        "node_selector": {POOL_LABEL: pool},
        "security_context": {
            "run_as_non_root": True,
            "run_as_user": 1000,
            "seccomp_profile": {"type": "RuntimeDefault"},
        },
        "containers": [serving_container(s, image, bucket, gpus)],
        "volumes": [{"name": "tmp", "empty_dir": {}}],
    }
    if gpus:
        spec["tolerations"] = [
            {"key": GPU_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}
        ]
    return spec


@dataclass
class EksWorkloadsArgs:
    cluster_name: str
    cluster: pulumi.Input[str]
    """The cluster's name as its resource's output: what is created through the EKS
    API on the cluster (Pod Identity associations) depends on the cluster."""
    endpoint: pulumi.Input[str]
    certificate_authority: pulumi.Input[str]
    region: str
    name_prefix: str
    serving: ServingSettings | None
    serving_image: pulumi.Input[str]
    """``<repository url>:<tag>`` of the model server."""
    model_bucket_name: pulumi.Input[str]
    model_bucket_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    serving_pool: str
    """Node pool label value the server runs on (``system`` or a GPU pool)."""
    serving_gpus: int
    """GPUs per replica (0 on the system pool)."""
    device_plugin: bool
    """Install the NVIDIA device plugin (a GPU pool runs AL2023)."""
    tags: Mapping[str, str]
    depends_on: Sequence[pulumi.Resource] = ()
    """What must exist before anything is scheduled (node groups, add-ons)."""
    identity_depends_on: Sequence[pulumi.Resource] = ()
    """What a Pod Identity association needs first (the ``eks-pod-identity-agent``
    add-on, without which the pods get no credentials)."""


def identity_opts(parent: pulumi.Resource, args: EksWorkloadsArgs) -> pulumi.ResourceOptions:
    """A Pod Identity association waits for the agent add-on (and, through its
    cluster name output, for the cluster)."""
    return pulumi.ResourceOptions(parent=parent, depends_on=list(args.identity_depends_on) or None)


class EksWorkloads(pulumi.ComponentResource):
    provider: k8s.Provider
    cache_rule: aws.ecr.PullThroughCacheRule
    autoscaler_role: ScopedRole
    autoscaler_identity: aws.eks.PodIdentityAssociation
    releases: dict[str, k8s.helm.v3.Release]
    namespace: k8s.core.v1.Namespace | None
    service_account: k8s.core.v1.ServiceAccount | None
    serving_role: ScopedRole | None
    serving_identity: aws.eks.PodIdentityAssociation | None
    deployment: k8s.apps.v1.Deployment | None
    service: k8s.core.v1.Service | None
    autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | None
    disruption_budget: k8s.policy.v1.PodDisruptionBudget | None

    def __init__(
        self, name: str, args: EksWorkloadsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:EksWorkloads", name, None, opts)
        arns = AccountArns(self)
        tags = dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)
        self.provider = k8s.Provider(
            child(name, "k8s"),
            kubeconfig=pulumi.Output.all(args.endpoint, args.certificate_authority).apply(
                lambda v: kubeconfig(args.cluster_name, v[0], v[1], args.region)
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on) or None),
        )
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider)
        prefix = pull_through_prefix(args.name_prefix)
        self.cache_rule = aws.ecr.PullThroughCacheRule(
            child(name, "registry-cache"),
            ecr_repository_prefix=prefix,
            upstream_registry_url=KUBE_REGISTRY,
            opts=here,
        )
        cache = pulumi.Output.all(
            arns.account_id, arns.region, self.cache_rule.ecr_repository_prefix
        ).apply(lambda v: f"{v[0]}.dkr.ecr.{v[1]}.amazonaws.com/{v[2]}")
        self.autoscaler_role = pod_identity_role(
            child(name, "autoscaler-role"),
            cluster_name=args.cluster_name,
            namespace=SYSTEM_NAMESPACE,
            service_account=AUTOSCALER_ACCOUNT,
            description="Cluster autoscaler: resize this cluster's node groups.",
            statements=autoscaler_statements(arns, args.cluster_name),
            tags=tags,
            parent=self,
        )
        self.autoscaler_identity = aws.eks.PodIdentityAssociation(
            child(name, "autoscaler-identity"),
            cluster_name=args.cluster,
            namespace=SYSTEM_NAMESPACE,
            service_account=AUTOSCALER_ACCOUNT,
            role_arn=self.autoscaler_role.role_arn,
            tags=tags,
            opts=identity_opts(self, args),
        )
        system = {POOL_LABEL: "system"}
        self.releases = {
            "cluster-autoscaler": self._release(
                child(name, "cluster-autoscaler"),
                "cluster-autoscaler",
                {
                    "autoDiscovery": {"clusterName": args.cluster_name},
                    "awsRegion": args.region,
                    "cloudProvider": "aws",
                    "image": {
                        "repository": cache.apply(lambda c: f"{c}/autoscaling/cluster-autoscaler"),
                        "tag": eks_versions.chart("cluster-autoscaler").image_tag,
                    },
                    "rbac": {"serviceAccount": {"create": True, "name": AUTOSCALER_ACCOUNT}},
                    "extraArgs": {
                        "balance-similar-node-groups": True,
                        "expander": "least-waste",
                        "skip-nodes-with-local-storage": False,
                    },
                    "nodeSelector": system,
                },
                k8s_opts,
                depends_on=[self.autoscaler_identity],
            ),
            "metrics-server": self._release(
                child(name, "metrics-server"),
                "metrics-server",
                {
                    "image": {
                        "repository": cache.apply(lambda c: f"{c}/metrics-server/metrics-server"),
                        "tag": eks_versions.chart("metrics-server").image_tag,
                    },
                    "nodeSelector": system,
                },
                k8s_opts,
            ),
        }
        if args.device_plugin:
            self.releases["nvidia-device-plugin"] = self._release(
                child(name, "nvidia-device-plugin"),
                "nvidia-device-plugin",
                {
                    "tolerations": [
                        {"key": GPU_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}
                    ]
                },
                k8s_opts,
            )
        self._serving(name, args, tags, k8s_opts)
        self.register_outputs({})

    def _release(
        self,
        name: str,
        key: str,
        values: Mapping[str, Any],
        opts: pulumi.ResourceOptions,
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> k8s.helm.v3.Release:
        """Chart ``key`` at its pinned version and repository, as release ``key`` in
        ``kube-system``; Helm waits for its workloads (``skip_await`` off) and rolls
        back a failed upgrade (``atomic``)."""
        pinned = eks_versions.chart(key)
        return k8s.helm.v3.Release(
            name,
            name=key,
            chart=pinned.chart,
            version=pinned.version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=pinned.repository),
            namespace=SYSTEM_NAMESPACE,
            values=dict(values),
            atomic=True,
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(depends_on=list(depends_on) or None)
            ),
        )

    def _serving(
        self,
        name: str,
        args: EksWorkloadsArgs,
        tags: dict[str, str],
        k8s_opts: pulumi.ResourceOptions,
    ) -> None:
        self.namespace = self.service_account = self.serving_role = None
        self.serving_identity = self.deployment = self.service = self.autoscaler = None
        self.disruption_budget = None
        s = args.serving
        if s is None:
            return
        labels = {APP_LABEL: "model-server"}
        self.namespace = k8s.core.v1.Namespace(
            child(name, "serving-namespace"),
            metadata={
                "name": s.namespace,
                "labels": {"pod-security.kubernetes.io/enforce": "restricted"},
            },
            opts=k8s_opts,
        )
        in_namespace = pulumi.ResourceOptions.merge(
            k8s_opts, pulumi.ResourceOptions(depends_on=[self.namespace])
        )
        self.service_account = k8s.core.v1.ServiceAccount(
            child(name, "serving-account"),
            metadata={"name": SERVING_ACCOUNT, "namespace": s.namespace},
            automount_service_account_token=False,
            opts=in_namespace,
        )
        self.serving_role = pod_identity_role(
            child(name, "serving-role"),
            cluster_name=args.cluster_name,
            namespace=s.namespace,
            service_account=SERVING_ACCOUNT,
            description="Model server: read models from the model bucket.",
            statements=[
                allow(
                    "ListModels",
                    ["s3:ListBucket"],
                    [args.model_bucket_arn],
                    {"StringLike": {"s3:prefix": [f"{s.model_prefix}*"]}},
                ),
                allow(
                    "ReadModels", ["s3:GetObject"], [objects(args.model_bucket_arn, s.model_prefix)]
                ),
                allow("DecryptModels", ["kms:Decrypt"], [args.kms_key_arn]),
            ],
            tags=tags,
            parent=self,
        )
        self.serving_identity = aws.eks.PodIdentityAssociation(
            child(name, "serving-identity"),
            cluster_name=args.cluster,
            namespace=s.namespace,
            service_account=SERVING_ACCOUNT,
            role_arn=self.serving_role.role_arn,
            tags=tags,
            opts=identity_opts(self, args),
        )
        gpus = args.serving_gpus
        pod_spec = serving_pod_spec(
            s, args.serving_image, args.model_bucket_name, args.serving_pool, gpus
        )
        self.deployment = k8s.apps.v1.Deployment(
            child(name, "serving"),
            metadata={"name": "model-server", "namespace": s.namespace, "labels": labels},
            # No replicas: the HPA owns the count (starting from one, raised to
            # min_replicas at once); a fixed count would reset it on every update.
            spec={
                "selector": {"match_labels": labels},
                "template": {"metadata": {"labels": labels}, "spec": pod_spec},
            },
            opts=pulumi.ResourceOptions.merge(
                in_namespace,
                pulumi.ResourceOptions(depends_on=[self.service_account, self.serving_identity]),
            ),
        )
        self.service = k8s.core.v1.Service(
            child(name, "serving-service"),
            metadata={"name": "model-server", "namespace": s.namespace, "labels": labels},
            spec={
                "type": "ClusterIP",
                "selector": labels,
                "ports": [{"name": "http", "port": 80, "target_port": "http"}],
            },
            opts=in_namespace,
        )
        if s.min_replicas >= 2:
            # Node group updates and scale-downs drain nodes one replica at a time.
            self.disruption_budget = k8s.policy.v1.PodDisruptionBudget(
                child(name, "serving-pdb"),
                metadata={"name": "model-server", "namespace": s.namespace},
                spec={"max_unavailable": 1, "selector": {"match_labels": labels}},
                opts=in_namespace,
            )
        self.autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
            child(name, "serving-hpa"),
            metadata={"name": "model-server", "namespace": s.namespace},
            spec={
                "scale_target_ref": {
                    "api_version": "apps/v1",
                    "kind": "Deployment",
                    "name": "model-server",
                },
                "min_replicas": s.min_replicas,
                "max_replicas": s.max_replicas,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {
                                "type": "Utilization",
                                "average_utilization": s.target_cpu_percent,
                            },
                        },
                    }
                ],
            },
            opts=pulumi.ResourceOptions.merge(
                in_namespace, pulumi.ResourceOptions(depends_on=[self.deployment])
            ),
        )

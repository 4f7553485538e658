"""ContainerMlops under mocks: the exact resource set, names, wiring and security
settings of ECR, Fargate processing, the EKS cluster, its node groups and workloads."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pytest
from mlops_components.architectures.container_mlops import (
    ContainerMlops,
    ContainerMlopsArgs,
)
from mlops_components.aws import eks_versions
from mlops_components.settings import Retention
from mlops_components.settings.containers import ContainerMlopsSettings
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import Recording, plan_stack, run_program
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[2]
TAGS = {"project": "mlops-iac", "environment": "test", "component": "container-mlops"}
BASE: dict[str, Any] = {
    "processing": {"image_tag": "v1"},
    "serving": {"image_tag": "v1", "gpu_pool": "gpu"},
    "gpu_pools": {"gpu": {"accelerator": "nvidia-l4", "max_nodes": 2}},
}


def settings(**overrides: Any) -> ContainerMlopsSettings:
    return ContainerMlopsSettings.model_validate({**BASE, **overrides})


def plan(retention: Retention = Retention.DESTROYABLE, **overrides: Any) -> Recording:
    parsed = settings(**overrides)

    def program() -> None:
        ContainerMlops(
            "cm",
            ContainerMlopsArgs(
                settings=parsed,
                region="eu-west-1",
                name_prefix="mlops-test",
                tags=TAGS,
                retention=retention,
            ),
        )

    return run_program(program, config={"mlops-iac:region": "eu-west-1"})


@cache
def default() -> Recording:
    return plan()


def by_name(rec: Recording, name: str) -> RecordedResource:
    found = [r for r in rec.resources if r.name == name]
    assert len(found) == 1, name
    return found[0]


EXPECTED = {
    "mlops:aws:ContainerMlops": 1,
    "mlops:aws:KmsKey": 1,
    "aws:kms/key:Key": 1,
    "aws:kms/alias:Alias": 1,
    "mlops:aws:EncryptedBucket": 2,
    "aws:s3/bucket:Bucket": 2,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 2,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 2,
    "aws:s3/bucketPolicy:BucketPolicy": 2,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 2,
    "aws:s3/bucketVersioning:BucketVersioning": 2,
    "aws:s3/bucketNotification:BucketNotification": 1,
    # network: 2 zones, S3 gateway + 9 interface endpoints
    "mlops:aws:PrivateNetwork": 1,
    "aws:ec2/vpc:Vpc": 1,
    "aws:ec2/subnet:Subnet": 2,
    "aws:ec2/routeTable:RouteTable": 1,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
    "aws:ec2/vpcEndpoint:VpcEndpoint": 10,
    "aws:ec2/securityGroup:SecurityGroup": 2,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 3,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 2,
    "aws:ec2/flowLog:FlowLog": 1,
    # images
    "mlops:aws:ImageRepositories": 1,
    "aws:ecr/repository:Repository": 2,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": 2,
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": 1,
    # processing
    "mlops:aws:FargateProcessing": 1,
    "aws:ecs/cluster:Cluster": 1,
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": 1,
    "aws:ecs/taskDefinition:TaskDefinition": 1,
    "aws:cloudwatch/eventRule:EventRule": 2,
    "aws:cloudwatch/eventTarget:EventTarget": 2,
    # log groups: flow logs, processing, control plane
    "aws:cloudwatch/logGroup:LogGroup": 3,
    # cluster, nodes, add-ons
    "mlops:aws:EksCluster": 1,
    "aws:eks/cluster:Cluster": 1,
    "aws:eks/addon:Addon": 5,
    "mlops:aws:NodeGroups": 1,
    "aws:ec2/launchTemplate:LaunchTemplate": 2,
    "aws:eks/nodeGroup:NodeGroup": 2,
    # 1 system label; GPU: 3 labels, 1 taint, 1 resource
    "aws:autoscaling/tag:Tag": 6,
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": 2,
    # roles: flow logs, processing execution/task/events, cluster, nodes,
    # observability, autoscaler, serving
    "mlops:aws:ScopedRole": 9,
    "aws:iam/role:Role": 9,
    "aws:iam/rolePolicy:RolePolicy": 8,
    # cluster policy, 3 node policies, CloudWatch agent policy
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 5,
    # workloads
    "mlops:aws:EksWorkloads": 1,
    "pulumi:providers:kubernetes": 1,
    "kubernetes:helm.sh/v3:Release": 2,
    "kubernetes:core/v1:Namespace": 1,
    "kubernetes:core/v1:ServiceAccount": 1,
    "kubernetes:apps/v1:Deployment": 1,
    "kubernetes:core/v1:Service": 1,
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": 1,
    # monitoring
    "aws:sns/topic:Topic": 1,
    "aws:sns/topicPolicy:TopicPolicy": 1,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 3,
}


def test_exact_resource_set() -> None:
    assert Counter(r.type for r in default().resources) == EXPECTED


def test_fixed_names_are_distinct_from_sagemaker_cicd() -> None:
    rec = default()
    assert rec.one("aws:eks/cluster:Cluster").inputs["name"] == "mlops-test-serving"
    assert sorted(r.inputs["name"] for r in rec.by_type("aws:ecr/repository:Repository")) == [
        "mlops-test/processing",
        "mlops-test/serving",
    ]
    assert rec.one("aws:kms/alias:Alias").inputs["name"] == "alias/mlops-test-containers"
    assert rec.one("aws:ecs/taskDefinition:TaskDefinition").inputs["family"] == (
        "mlops-test-processing"
    )
    assert sorted(
        a.inputs["name"] for a in rec.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    ) == [
        "mlops-test-serving-gpu-utilisation",
        "mlops-test-serving-nodes-not-ready",
        "mlops-test-serving-pod-restarts",
    ]
    rule = rec.one("aws:ecr/pullThroughCacheRule:PullThroughCacheRule").inputs
    assert rule == {
        "ecrRepositoryPrefix": "mlops-test-k8s",
        "upstreamRegistryUrl": "registry.k8s.io",
    }


def test_repositories_are_immutable_scanned_and_encrypted_with_the_stack_key() -> None:
    rec = default()
    key = rec.one("aws:kms/key:Key").outputs["arn"]
    for repo in rec.by_type("aws:ecr/repository:Repository"):
        assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
        assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key}]
        assert repo.inputs["forceDelete"] is True
        assert not repo.protect
    assert rec.by_type("aws:ecr/repositoryPolicy:RepositoryPolicy") == []


def test_consumers_get_pull_only_access_and_protected_repositories() -> None:
    rec = plan(registry={"consumer_account_ids": ["222222222222"]})
    policies = rec.by_type("aws:ecr/repositoryPolicy:RepositoryPolicy")
    assert len(policies) == 2
    (statement,) = json.loads(policies[0].inputs["policy"])["Statement"]
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::222222222222:root"]}
    assert statement["Action"] == [
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
    ]
    for repo in rec.by_type("aws:ecr/repository:Repository"):
        assert repo.protect and repo.retain_on_delete
        assert repo.inputs["forceDelete"] is False


def test_processing_runs_on_fargate_spot_with_container_insights() -> None:
    rec = default()
    cluster = rec.one("aws:ecs/cluster:Cluster").inputs
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    providers = rec.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert providers["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert providers["defaultCapacityProviderStrategies"] == [
        {"base": 0, "capacityProvider": "FARGATE_SPOT", "weight": 1}
    ]
    task = rec.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert (task["cpu"], task["memory"], task["networkMode"]) == ("1024", "2048", "awsvpc")
    assert task["requiresCompatibilities"] == ["FARGATE"]
    for target in rec.by_type("aws:cloudwatch/eventTarget:EventTarget"):
        ecs = target.inputs["ecsTarget"]
        assert ecs["networkConfiguration"]["assignPublicIp"] is False
        assert ecs["capacityProviderStrategies"][0]["capacityProvider"] == "FARGATE_SPOT"


def test_on_demand_processing_uses_fargate() -> None:
    rec = plan(processing={"image_tag": "v1", "capacity": "on_demand"})
    providers = rec.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert providers["defaultCapacityProviderStrategies"][0]["capacityProvider"] == "FARGATE"


def test_cluster_is_private_encrypted_logged_and_uses_access_entries() -> None:
    rec = default()
    cluster = rec.one("aws:eks/cluster:Cluster").inputs
    key = rec.one("aws:kms/key:Key").outputs["arn"]
    assert cluster["version"] == eks_versions.kubernetes_version() == "1.35"
    assert cluster["vpcConfig"]["endpointPrivateAccess"] is True
    assert cluster["vpcConfig"]["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in cluster["vpcConfig"]
    assert cluster["encryptionConfig"] == {"provider": {"keyArn": key}, "resources": ["secrets"]}
    assert cluster["enabledClusterLogTypes"] == ["api", "audit", "authenticator"]
    assert cluster["accessConfig"] == {
        "authenticationMode": "API",
        "bootstrapClusterCreatorAdminPermissions": True,
    }
    assert cluster["bootstrapSelfManagedAddons"] is False
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    logs = [g for g in rec.by_type("aws:cloudwatch/logGroup:LogGroup") if "control-plane" in g.name]
    assert logs[0].inputs["name"] == "/aws/eks/mlops-test-serving/cluster"
    assert logs[0].inputs["kmsKeyId"] == key
    assert rec.by_type("aws:eks/accessEntry:AccessEntry") == []


def test_public_endpoint_only_with_an_allowlist_and_admins_get_access_entries() -> None:
    admin = "arn:aws:iam::111111111111:role/admin"
    rec = plan(
        cluster={
            "endpoint_access": "public_allowlist",
            "public_access_cidrs": ["203.0.113.0/24"],
            "admin_principal_arns": [admin],
        }
    )
    vpc = rec.one("aws:eks/cluster:Cluster").inputs["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True
    assert vpc["publicAccessCidrs"] == ["203.0.113.0/24"]
    entry = rec.one("aws:eks/accessEntry:AccessEntry").inputs
    assert (entry["principalArn"], entry["type"]) == (admin, "STANDARD")
    policy = rec.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs
    assert (
        policy["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    )
    assert policy["accessScope"] == {"type": "cluster"}


def test_addons_are_pinned_and_late_ones_wait_for_nodes() -> None:
    rec = default()
    addons = {a.inputs["addonName"]: a for a in rec.by_type("aws:eks/addon:Addon")}
    assert sorted(addons) == sorted(eks_versions.versions()["addons"])
    for name, addon in addons.items():
        assert addon.inputs["addonVersion"] == eks_versions.addon_version(name)
    groups = {g.urn for g in rec.by_type("aws:eks/nodeGroup:NodeGroup")}
    for late in ("coredns", "amazon-cloudwatch-observability"):
        assert groups <= set(addons[late].dependencies), late
    for early in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent"):
        assert not groups & set(addons[early].dependencies), early
        for group in rec.by_type("aws:eks/nodeGroup:NodeGroup"):
            assert addons[early].urn in group.dependencies
    observability = addons["amazon-cloudwatch-observability"].inputs
    (association,) = observability["podIdentityAssociations"]
    assert association["serviceAccount"] == "cloudwatch-agent"


def test_gpu_pool_is_tainted_labelled_spot_and_scales_from_zero() -> None:
    rec = default()
    gpu = by_name(rec, "cm-nodes-gpu").inputs
    assert gpu["amiType"] == "BOTTLEROCKET_x86_64_NVIDIA"
    assert gpu["capacityType"] == "SPOT"
    assert gpu["instanceTypes"] == ["g6.xlarge"]
    assert gpu["scalingConfig"] == {"desiredSize": 0, "maxSize": 2, "minSize": 0}
    assert gpu["taints"] == [{"effect": "NO_SCHEDULE", "key": "nvidia.com/gpu", "value": "true"}]
    assert gpu["labels"] == {
        "mlops-iac/accelerator": "nvidia-l4",
        "mlops-iac/pool": "gpu",
        "nvidia.com/gpu.present": "true",
    }
    tags = {
        t.inputs["tag"]["key"]: t.inputs["tag"]["value"]
        for t in rec.by_type("aws:autoscaling/tag:Tag")
        if t.name.startswith("cm-nodes-gpu-")
    }
    template = "k8s.io/cluster-autoscaler/node-template"
    assert tags == {
        f"{template}/label/mlops-iac/accelerator": "nvidia-l4",
        f"{template}/label/mlops-iac/pool": "gpu",
        f"{template}/label/nvidia.com/gpu.present": "true",
        f"{template}/taint/nvidia.com/gpu": "true:NoSchedule",
        f"{template}/resources/nvidia.com/gpu": "1",
    }
    for tag in rec.by_type("aws:autoscaling/tag:Tag"):
        assert tag.inputs["autoscalingGroupName"].startswith("eks-cm-nodes-")
        assert tag.inputs["tag"]["propagateAtLaunch"] is False
    system = by_name(rec, "cm-nodes-system").inputs
    assert (system["amiType"], system["capacityType"]) == ("AL2023_x86_64_STANDARD", "ON_DEMAND")
    assert "taints" not in system


def test_launch_templates_require_imdsv2_and_encrypt_volumes() -> None:
    rec = default()
    devices = {}
    for template in rec.by_type("aws:ec2/launchTemplate:LaunchTemplate"):
        inputs = template.inputs
        assert inputs["metadataOptions"] == {
            "httpEndpoint": "enabled",
            "httpPutResponseHopLimit": 2,
            "httpTokens": "required",
        }
        (mapping,) = inputs["blockDeviceMappings"]
        assert mapping["ebs"]["encrypted"] == "true"
        devices[template.name] = mapping["deviceName"]
        assert "instanceMarketOptions" not in inputs
    # Bottlerocket keeps images on its data volume, AL2023 on the root volume.
    assert devices == {
        "cm-nodes-gpu-template": "/dev/xvdb",
        "cm-nodes-system-template": "/dev/xvda",
    }


def test_capacity_block_pool_targets_its_reservation() -> None:
    rec = plan(
        gpu_pools={
            "train": {
                "accelerator": "nvidia-h100-80gb",
                "count": 8,
                "max_nodes": 2,
                "capacity": "reserved",
                "scarce_capacity": "capacity_block",
                "capacity_reservation_id": "cr-0123456789abcdef0",
                "efa": True,
            }
        },
        serving={"image_tag": "v1"},
    )
    group = by_name(rec, "cm-nodes-train").inputs
    assert group["capacityType"] == "CAPACITY_BLOCK"
    assert group["instanceTypes"] == ["p5.48xlarge"]
    assert len(group["subnetIds"]) == 1  # a cluster placement group is one zone
    template = by_name(rec, "cm-nodes-train-template").inputs
    assert template["instanceMarketOptions"] == {"marketType": "capacity-block"}
    assert template["capacityReservationSpecification"] == {
        "capacityReservationTarget": {"capacityReservationId": "cr-0123456789abcdef0"}
    }
    (interface,) = template["networkInterfaces"]
    assert interface["interfaceType"] == "efa"
    placement = rec.one("aws:ec2/placementGroup:PlacementGroup")
    assert placement.inputs["strategy"] == "cluster"
    assert template["placement"]["groupName"] == placement.outputs["name"]


def test_serving_reads_models_through_pod_identity_and_requests_gpus() -> None:
    rec = default()
    association = next(
        a.inputs
        for a in rec.by_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if a.inputs["namespace"] == "serving"
    )
    assert association["serviceAccount"] == "model-server"
    role = next(
        r for r in rec.by_type("aws:iam/role:Role") if r.name == "cm-workloads-serving-role"
    )
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": ["pods.eks.amazonaws.com"]}
    assert trust["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert trust["Condition"] == {
        "StringEquals": {
            "aws:RequestTag/eks-cluster-name": "mlops-test-serving",
            "aws:RequestTag/kubernetes-namespace": "serving",
            "aws:RequestTag/kubernetes-service-account": "model-server",
        }
    }
    policy = by_name(rec, "cm-workloads-serving-role-access").inputs["policy"]
    actions = sorted(a for s in json.loads(policy)["Statement"] for a in s["Action"])
    assert actions == ["kms:Decrypt", "s3:GetObject", "s3:ListBucket"]
    pod = rec.one("kubernetes:apps/v1:Deployment").inputs["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert (
        container["image"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-test/serving:v1"
    )
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["nodeSelector"] == {"mlops-iac/pool": "gpu"}
    assert pod["tolerations"] == [
        {"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}
    ]
    hpa = rec.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (1, 3)
    namespace = rec.one("kubernetes:core/v1:Namespace").inputs["metadata"]
    assert namespace["labels"] == {"pod-security.kubernetes.io/enforce": "restricted"}


def test_cpu_serving_has_no_gpu_request_or_toleration() -> None:
    rec = plan(serving={"image_tag": "v1"})
    pod = rec.one("kubernetes:apps/v1:Deployment").inputs["spec"]["template"]["spec"]
    assert "tolerations" not in pod
    assert "nvidia.com/gpu" not in pod["containers"][0]["resources"]["limits"]
    assert pod["nodeSelector"] == {"mlops-iac/pool": "system"}


def test_charts_are_pinned_and_use_the_explicit_provider() -> None:
    rec = default()
    provider = rec.one("pulumi:providers:kubernetes")
    releases = {r.inputs["name"]: r for r in rec.by_type("kubernetes:helm.sh/v3:Release")}
    assert sorted(releases) == ["cluster-autoscaler", "metrics-server"]
    for name, release in releases.items():
        pinned = eks_versions.chart(name)
        assert release.inputs["version"] == pinned.version
        assert release.inputs["repositoryOpts"] == {"repo": pinned.repository}
        assert release.inputs["namespace"] == "kube-system"
        assert release.provider and release.provider.startswith(provider.urn)
        image = release.inputs["values"]["image"]
        assert image["repository"].startswith(
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-test-k8s/"
        )
        assert image["tag"] == pinned.image_tag
    values = releases["cluster-autoscaler"].inputs["values"]
    assert values["autoDiscovery"] == {"clusterName": "mlops-test-serving"}
    assert values["rbac"]["serviceAccount"]["name"] == "cluster-autoscaler"


def test_al2023_pools_get_the_device_plugin_and_need_an_adopted_network() -> None:
    network = {
        "vpc_id": "vpc-0123456789abcdef0",
        "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        "security_group_ids": ["sg-0123456789abcdef0"],
    }
    pools = {"gpu": {"accelerator": "nvidia-l4", "ami": "al2023"}}
    rec = plan(gpu_pools=pools, network=network)
    assert by_name(rec, "cm-nodes-gpu").inputs["amiType"] == "AL2023_x86_64_NVIDIA"
    plugin = [
        r
        for r in rec.by_type("kubernetes:helm.sh/v3:Release")
        if r.inputs["name"] == "nvidia-device-plugin"
    ]
    assert plugin[0].inputs["version"] == eks_versions.chart("nvidia-device-plugin").version
    with pytest.raises(ValidationError, match=r"gpu_pools.gpu.ami: al2023 nodes pull"):
        settings(gpu_pools=pools)


def test_protected_retention_protects_state() -> None:
    rec = plan(Retention.PROTECTED)
    for token in ("aws:ecr/repository:Repository", "aws:kms/key:Key", "aws:s3/bucket:Bucket"):
        for resource in rec.by_type(token):
            assert resource.protect and resource.retain_on_delete, resource.name


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"serving": {"image_tag": "v1", "gpu_pool": "nope"}}, "serving.gpu_pool: 'nope'"),
        (
            {"processing": {"image_tag": "v1", "memory_mib": 1024}},
            "memory_mib: Fargate tasks of 1024",
        ),
        ({"processing": {"image_tag": "v1", "capacity": "reserved"}}, "capacity: Fargate offers"),
        (
            {"cluster": {"public_access_cidrs": ["203.0.113.0/24"]}},
            "need endpoint_access public_allowlist",
        ),
        ({"cluster": {"endpoint_access": "public_allowlist"}}, "needs at least one CIDR"),
        (
            {
                "cluster": {
                    "endpoint_access": "public_allowlist",
                    "public_access_cidrs": ["0.0.0.0/0"],
                }
            },
            "opens the API to the whole internet",
        ),
        (
            {
                "gpu_pools": {
                    "gpu": {
                        "accelerator": "nvidia-l4",
                        "capacity_reservation_id": "cr-0123456789abcdef0",
                    }
                }
            },
            "capacity_reservation_id needs capacity reserved",
        ),
        ({"gpu_pools": {"gpu": {"accelerator": "tpu-v5e"}}}, "is a TPU"),
        (
            {"system_pool": {"instance_types": ["m6i.lrage"]}},
            "'m6i.lrage' is not an EC2 InstanceType; did you mean m6i.large",
        ),
        ({"serving": {"image_tag": "v1", "repository": "other"}}, "serving.repository: 'other'"),
    ],
)
def test_invalid_settings_name_the_key(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        settings(**overrides)


def test_extra_instance_types_must_match_the_gpu_count() -> None:
    with pytest.raises(
        ValidationError, match=r"gpu_pools.gpu\n.*extra_instance_types: g6.12xlarge has 4"
    ):
        settings(
            gpu_pools={"gpu": {"accelerator": "nvidia-l4", "extra_instance_types": ["g6.12xlarge"]}}
        )


@pytest.mark.parametrize(
    ("extra", "carries"),
    [("g5.xlarge", "nvidia-a10g"), ("g4dn.xlarge", "nvidia-t4"), ("m6i.large", "no known")],
)
def test_extra_instance_types_must_carry_the_pool_accelerator(extra: str, carries: str) -> None:
    """The group's nodes (and the autoscaler's node template) are labelled with the
    pool's accelerator: another GPU under that label would be scheduled wrongly."""
    with pytest.raises(
        ValidationError, match=rf"extra_instance_types: {extra} carries {carries}.*not nvidia-l4"
    ):
        settings(gpu_pools={"gpu": {"accelerator": "nvidia-l4", "extra_instance_types": [extra]}})
    pool = settings(
        gpu_pools={"gpu": {"accelerator": "nvidia-l4", "extra_instance_types": ["g6.2xlarge"]}}
    )
    assert pool.gpu_pools["gpu"].extra_instance_types == ["g6.2xlarge"]


def test_accelerators_aws_lacks_fail_in_the_settings() -> None:
    with pytest.raises(ValidationError, match=r"accelerator\.count: AWS offers nvidia-t4 with"):
        settings(gpu_pools={"gpu": {"accelerator": "nvidia-t4", "count": 2}})


# -- the project's stacks --------------------------------------------------------------


@cache
def stack(name: str) -> Recording:
    return plan_stack(ROOT, name)


def test_dev_gpu_pool_is_spot_from_zero_with_the_nvidia_ami_and_taint() -> None:
    gpu = stack("aws-dev").one("aws:eks/nodeGroup:NodeGroup", "containers-nodes-gpu").inputs
    assert gpu["scalingConfig"]["minSize"] == 0
    assert gpu["capacityType"] == "SPOT"
    assert gpu["amiType"] == "BOTTLEROCKET_x86_64_NVIDIA"
    assert gpu["instanceTypes"] == ["g5.xlarge"]
    assert {"effect": "NO_SCHEDULE", "key": "nvidia.com/gpu", "value": "true"} in gpu["taints"]


def test_prod_follows_its_strategy() -> None:
    rec = stack("aws-prod")
    gpu = rec.one("aws:eks/nodeGroup:NodeGroup", "containers-nodes-gpu").inputs
    assert gpu["capacityType"] == "ON_DEMAND"
    assert gpu["scalingConfig"]["minSize"] == 0
    assert gpu["instanceTypes"] == ["g5.xlarge"]
    system = rec.one("aws:eks/nodeGroup:NodeGroup", "containers-nodes-system").inputs
    assert (system["capacityType"], system["scalingConfig"]["minSize"]) == ("ON_DEMAND", 3)
    assert rec.one("aws:eks/cluster:Cluster").inputs["vpcConfig"]["endpointPublicAccess"] is False
    providers = rec.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert providers["defaultCapacityProviderStrategies"][0]["capacityProvider"] == "FARGATE"
    for repo in rec.by_type("aws:ecr/repository:Repository"):
        assert repo.protect


def test_capacity_is_declared_for_every_pool_and_the_task() -> None:
    from mlops_components.architectures import container_mlops
    from mlops_components.registry import Capacity, Deployment

    declared: list[Capacity] = []
    parsed = settings()

    def program() -> None:
        deployment = Deployment(
            "mlops-test",
            "eu-west-1",
            TAGS,
            Retention.DESTROYABLE,
            pulumi.ResourceOptions(),
            capacity=declared,
        )
        container_mlops.deploy(deployment, parsed)

    run_program(program, config={"mlops-iac:region": "eu-west-1"})
    assert [(c.usage, c.machine_type, c.maximum, c.spot, c.source) for c in declared] == [
        ("vm", "m6i.large", 3, False, "architectures.container_mlops.system_pool"),
        ("vm", "g6.xlarge", 2, True, "architectures.container_mlops.gpu_pools.gpu"),
        ("fargate", "fargate-1024cpu-2048mib", 4, True, "architectures.container_mlops.processing"),
    ]


def test_pinned_versions_move_together() -> None:
    """An upgrade raises the cluster, kube-proxy and the autoscaler by the same minor
    version (EKS: one minor version per update; the autoscaler matches the cluster)."""
    version = eks_versions.kubernetes_version()
    assert eks_versions.addon_version("kube-proxy").startswith(f"v{version}.")
    assert (eks_versions.chart("cluster-autoscaler").image_tag or "").startswith(f"v{version}.")
    data = eks_versions.versions()
    assert data["checked"] and data["version_source"].startswith("https://")


def test_update_hazards() -> None:
    rec = default()
    # Node groups are auto-named: a replacing change creates the new group first.
    for group in rec.by_type("aws:eks/nodeGroup:NodeGroup"):
        assert "nodeGroupName" not in group.inputs
        assert group.inputs["updateConfig"] == {"maxUnavailable": 1}
    # The cluster name is fixed (its log group is named after it) and must stay stable.
    assert rec.one("aws:eks/cluster:Cluster").inputs["name"] == "mlops-test-serving"
    # Launch templates roll their node group through its version, never in place.
    for template in rec.by_type("aws:ec2/launchTemplate:LaunchTemplate"):
        assert template.inputs["updateDefaultVersion"] is True


def test_the_image_cache_prefix_fits_ecr_limit() -> None:
    from mlops_components.aws.eks_workloads import pull_through_prefix

    assert pull_through_prefix("mlops-dev") == "mlops-dev-k8s"
    long = pull_through_prefix("mlops-a-rather-long-team-prefix")  # 31 + 4 characters
    assert len(long) == 30 and long.startswith("mlops-a-rather-long-te")


def test_the_autoscaler_owns_the_replica_count() -> None:
    spec = default().one("kubernetes:apps/v1:Deployment").inputs["spec"]
    assert "replicas" not in spec
    assert default().by_type("kubernetes:policy/v1:PodDisruptionBudget") == []


def test_several_replicas_get_a_disruption_budget() -> None:
    rec = plan(serving={"image_tag": "v1", "min_replicas": 2, "max_replicas": 4})
    budget = rec.one("kubernetes:policy/v1:PodDisruptionBudget").inputs["spec"]
    assert budget == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "model-server"}},
    }


def test_a_given_network_keeps_the_private_cluster_endpoints() -> None:
    """A stack that sets its own CIDR or zones still gets every endpoint a private
    cluster without NAT needs (else nodes never join); its own endpoints stay."""
    from mlops_components.settings.containers import ENDPOINT_SERVICES

    omitted = settings(network={"cidr_block": "10.60.0.0/16", "availability_zones": 3})
    assert omitted.network.interface_endpoints == list(ENDPOINT_SERVICES)
    given = settings(network={"interface_endpoints": ["sqs", "ecr.api"]}).network
    assert given.interface_endpoints == ["sqs", "ecr.api"] + [
        s for s in ENDPOINT_SERVICES if s != "ecr.api"
    ]


def test_prod_network_reaches_every_service_the_nodes_need() -> None:
    from mlops_components.settings.containers import ENDPOINT_SERVICES

    endpoints = stack("aws-prod").by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    services = {
        e.inputs["serviceName"].removeprefix("com.amazonaws.eu-west-1.")
        for e in endpoints
        if e.name.startswith("containers")
    }
    assert services == {*ENDPOINT_SERVICES, "s3"}


def test_pod_identity_associations_wait_for_the_cluster_and_the_agent() -> None:
    rec = default()
    cluster = rec.one("aws:eks/cluster:Cluster").urn
    agent = next(
        a.urn
        for a in rec.by_type("aws:eks/addon:Addon")
        if a.inputs["addonName"] == "eks-pod-identity-agent"
    )
    identities = rec.by_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert sorted(i.name for i in identities) == [
        "cm-workloads-autoscaler-identity",
        "cm-workloads-serving-identity",
    ]
    for identity in identities:
        assert cluster in identity.property_dependencies["clusterName"], identity.name
        assert {cluster, agent} <= set(identity.dependencies), identity.name


def test_events_may_run_only_the_processing_task_family() -> None:
    rec = default()
    policy = next(
        p for p in rec.by_type("aws:iam/rolePolicy:RolePolicy") if p.name.endswith("run-task")
    )
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    family = rec.one("aws:ecs/taskDefinition:TaskDefinition").inputs["family"]
    assert statements["RunTask"]["Resource"] == [
        f"arn:aws:ecs:eu-west-1:123456789012:task-definition/{family}:*"
    ]

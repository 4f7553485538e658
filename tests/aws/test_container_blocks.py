"""The container architecture's pure building-block functions: documents and mappings
that the architecture tests see only through a whole plan."""

from __future__ import annotations

import pytest
from mlops_components.aws.container_alarms import container_alarms
from mlops_components.aws.ecr import consumer_pull_policy, lifecycle_policy
from mlops_components.aws.eks_nodes import gpu_pool, system_pool
from mlops_components.aws.eks_versions import checked, eks_enum
from mlops_components.aws.fargate_processing import capacity_provider, object_created_pattern
from mlops_components.settings.containers import GpuPoolSettings, SystemPoolSettings
from mlops_components.vocabulary import CapacityStrategy


def test_lifecycle_expires_untagged_then_old_builds_never_releases() -> None:
    rules = lifecycle_policy(10, 3, ["build-*", "sha-*"])["rules"]
    assert [r["rulePriority"] for r in rules] == [1, 2, 3]
    assert rules[0]["selection"] == {
        "tagStatus": "untagged",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 3,
    }
    # One rule per pattern: a tagPatternList selects images carrying ALL its patterns.
    assert [r["selection"] for r in rules[1:]] == [
        {
            "tagStatus": "tagged",
            "tagPatternList": [pattern],
            "countType": "imageCountMoreThan",
            "countNumber": 10,
        }
        for pattern in ("build-*", "sha-*")
    ]
    assert all(r["selection"]["tagStatus"] != "any" for r in rules)


def test_consumer_policy_is_pull_only() -> None:
    (statement,) = consumer_pull_policy(["arn:aws:iam::2:root", "arn:aws:iam::1:root"])["Statement"]
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]}
    assert all(
        a.startswith("ecr:B") or a == "ecr:GetDownloadUrlForLayer" for a in statement["Action"]
    )


def test_capacity_providers_follow_the_strategy() -> None:
    assert capacity_provider(CapacityStrategy.SPOT_FIRST) == "FARGATE_SPOT"
    assert capacity_provider(CapacityStrategy.ON_DEMAND) == "FARGATE"
    pattern = object_created_pattern("b", "incoming/")
    assert pattern["detail"] == {
        "bucket": {"name": ["b"]},
        "object": {"key": [{"prefix": "incoming/"}]},
    }


@pytest.mark.parametrize(
    ("settings", "types", "capacity", "ami", "gpus"),
    [
        ({"accelerator": "nvidia-t4"}, ("g4dn.xlarge",), "SPOT", "BOTTLEROCKET_x86_64_NVIDIA", 1),
        (
            {"accelerator": "nvidia-a10g", "count": 4, "capacity": "on_demand", "ami": "al2023"},
            ("g5.12xlarge",),
            "ON_DEMAND",
            "AL2023_x86_64_NVIDIA",
            4,
        ),
        (
            {"accelerator": "nvidia-l4", "extra_instance_types": ["g6.2xlarge"]},
            ("g6.xlarge", "g6.2xlarge"),
            "SPOT",
            "BOTTLEROCKET_x86_64_NVIDIA",
            1,
        ),
    ],
)
def test_gpu_pools_map_to_node_group_arguments(
    settings: dict, types: tuple[str, ...], capacity: str, ami: str, gpus: int
) -> None:
    pool = gpu_pool("p", GpuPoolSettings.model_validate(settings), "gpu_pools.p")
    assert pool.instance_types == types
    assert pool.capacity.eks_capacity_type == capacity
    assert pool.ami_type == ami and pool.ami_type in eks_enum("AMITypes")
    assert pool.gpus == gpus
    assert pool.template_tags()[
        "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"
    ] == str(gpus)


def test_system_pool_has_no_taint_or_gpu_resources() -> None:
    pool = system_pool(SystemPoolSettings(), "system_pool")
    assert pool.taints == () and pool.gpus == 0
    assert pool.template_tags() == {
        "k8s.io/cluster-autoscaler/node-template/label/mlops-iac/pool": "system"
    }


def test_enum_values_come_from_botocore() -> None:
    assert checked("CapacityTypes", "CAPACITY_BLOCK") == "CAPACITY_BLOCK"
    with pytest.raises(ValueError, match="not an EKS AMITypes"):
        checked("AMITypes", "AL2023_x86_64_GPU")


def test_gpu_alarm_only_with_gpu_pools() -> None:
    assert [a.metric for a in container_alarms(5, 90, gpus=False)] == [
        "cluster_failed_node_count",
        "pod_number_of_container_restarts",
    ]
    assert container_alarms(5, 90, gpus=True)[-1].metric == "node_gpu_utilization"

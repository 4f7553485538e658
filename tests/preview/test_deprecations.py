"""Deprecated arguments and resources are warnings in the plan, whichever form the
program uses (keywords or the Args class), read from the SDKs' own texts."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from mlops_preview.deprecations import deprecation_warnings, scan
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import run_program
from pulumi_azure_native import storage
from pulumi_gcp import container

EKS = (
    "aws:eks/cluster:Cluster 'eks': default_addons_to_removes is deprecated: Configure "
    "bootstrap_self_managed_addons instead. This attribute will be removed in the next "
    "major version of the provider"
)
ROLE = (
    "aws:iam/role:Role 'role': managed_policy_arns is deprecated: Use the "
    "iam.RolePolicyAttachment resource instead. If Pulumi should exclusively manage all "
    "managed policy attachments (the current behavior of this argument), use the "
    "iam.RolePolicyAttachmentsExclusive resource as well."
)
CLUSTER = {
    "role_arn": "arn:aws:iam::123456789012:role/eks",
    "vpc_config": {"subnet_ids": ["a", "b"]},
}


def keywords() -> None:
    aws.eks.Cluster("eks", **CLUSTER, default_addons_to_removes=["kube-proxy"])
    aws.iam.Role(
        "role",
        assume_role_policy="{}",
        managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    )


def args_classes() -> None:
    aws.eks.Cluster("eks", aws.eks.ClusterArgs(**CLUSTER, default_addons_to_removes=["kube-proxy"]))
    aws.iam.Role(
        "role",
        aws.iam.RoleArgs(
            assume_role_policy="{}",
            managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        ),
    )


@pytest.mark.parametrize("program", [keywords, args_classes])
def test_argument_deprecations_warn_in_both_forms(program) -> None:  # type: ignore[no-untyped-def]
    # The SDK's own unattributed copy (Args form only) is replaced by the attributed one.
    assert run_program(program).warnings == [EKS, ROLE]


def test_docstring_only_deprecations_warn() -> None:
    def program() -> None:
        container.Registry("gcr")
        storage.BlobServiceProperties(
            "blob",
            account_name="st",
            resource_group_name="rg",
            automatic_snapshot_policy_enabled=True,
        )

    assert run_program(program).warnings == [
        "azure-native:storage:BlobServiceProperties 'blob': automatic_snapshot_policy_enabled "
        "is deprecated: Deprecated in favor of isVersioningEnabled property.",
        "gcp:container/registry:Registry 'gcr' is deprecated: Container Registry is "
        "deprecated. Effective March 18, 2025, Container Registry is shut down and writing "
        "images to Container Registry is unavailable. Resource will be removed in future "
        "major release.",
    ]


def test_current_arguments_do_not_warn() -> None:
    def program() -> None:
        aws.eks.Cluster("eks", **CLUSTER, bootstrap_self_managed_addons=False)
        aws.iam.Role("role", assume_role_policy="{}")
        container.Cluster("gke", location="europe-west4", initial_node_count=1)

    assert run_program(program).warnings == []


def test_nested_argument_deprecations_are_found() -> None:
    from pulumi_gcp.container import ClusterArgs

    # enterprise_config is deprecated on the cluster itself (Args __init__ warning).
    assert "enterpriseConfig" in scan(ClusterArgs)

    resource = RecordedResource(
        urn="urn:pulumi:test::p::gcp:container/cluster:Cluster::gke",
        type="gcp:container/cluster:Cluster",
        name="gke",
        parent=None,
        dependencies=[],
        property_dependencies={},
        provider=None,
        custom=True,
        protect=False,
        retain_on_delete=False,
        inputs={"location": "europe-west4", "enterpriseConfig": {"desiredTier": "STANDARD"}},
    )
    messages, covered = deprecation_warnings([resource])
    # The block itself, and its desiredTier (deprecated in ClusterEnterpriseConfigArgs).
    assert [m.split(" is deprecated: ")[0] for m in messages] == [
        "gcp:container/cluster:Cluster 'gke': desired_tier",
        "gcp:container/cluster:Cluster 'gke': enterprise_config",
    ]
    assert covered == {m.split(": ", 1)[1] for m in messages}

"""The decision and replacement tables name real resource types and real inputs of the
installed provider SDKs (engine names, as a plan JSON holds them), and cover every
stateful type the project's stacks create."""

from __future__ import annotations

import inspect
from functools import cache
from pathlib import Path

import pytest
from mlops_preview.decisions import DECISIONS
from mlops_preview.paths import root
from mlops_preview.replacements import (
    EVERYTHING,
    FIXED_NAME,
    REPLACED_BY,
    STATEFUL,
    known,
    replacing,
)
from mlops_preview.report import build_plan, to_json_dict
from mlops_preview.shapes import resource_class

ROOT = Path(__file__).resolve().parents[2]
TYPES = sorted(
    t
    for t in {*DECISIONS, *REPLACED_BY, *STATEFUL, *FIXED_NAME}
    if not t.startswith("pulumi:providers:")
)


def sdk_class(token: str) -> type:
    cls = resource_class(token)
    if cls is None and token.startswith("aws:lambda/"):  # the module is lambda_
        cls = resource_class(token.replace("aws:lambda/", "aws:lambda_/", 1))
    assert cls is not None, f"{token} is not a resource of the installed SDKs"
    return cls


@cache
def inputs_of(token: str) -> frozenset[str]:
    """The inputs of ``token``'s SDK class, lower-case without underscores, so that an
    engine name (``osDiskSizeGB``) and its Python name (``os_disk_size_gb``) compare equal."""
    parameters = inspect.signature(sdk_class(token)._internal_init).parameters
    return frozenset(p.replace("_", "").lower() for p in parameters)


def folded(name: str) -> str:
    return name.replace("_", "").lower()


@pytest.mark.parametrize("token", TYPES)
def test_every_table_names_real_inputs(token: str) -> None:
    patterns = [p for p, _ in DECISIONS.get(token, ())] + list(REPLACED_BY.get(token, ()))
    if token in FIXED_NAME:
        patterns.append(FIXED_NAME[token])
    unknown = sorted(
        {root(p) for p in patterns if p != EVERYTHING and folded(root(p)) not in inputs_of(token)}
    )
    assert unknown == []


@pytest.mark.parametrize("stack", ["aws-prod", "azure-prod", "gcp-prod"])
def test_the_stateful_types_of_the_stacks_have_their_replacements(stack: str) -> None:
    plan = to_json_dict(build_plan(ROOT, stack))
    stateful = {r["type"] for r in plan["resources"] if r["type"] in STATEFUL}
    assert stateful and stateful <= set(REPLACED_BY)
    protected = {r["type"] for r in plan["resources"] if r["protect"] and r["custom"]}
    assert protected - set(REPLACED_BY) - {t for t in protected if t in DECISIONS} <= _ATTACHED


_ATTACHED = {
    # Settings resources of a protected bucket or account: replaced with it, by its name.
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "azure-native:storage:ManagementPolicy",
}


@pytest.mark.parametrize(
    ("token", "path", "replaces"),
    [
        ("aws:appautoscaling/target:Target", "resourceId", True),
        ("aws:appautoscaling/target:Target", "scalableDimension", True),
        ("aws:appautoscaling/target:Target", "serviceNamespace", True),
        ("aws:appautoscaling/target:Target", "maxCapacity", False),
        ("aws:appautoscaling/policy:Policy", "name", True),
        ("aws:appautoscaling/policy:Policy", "resourceId", True),
        ("aws:appautoscaling/policy:Policy", "scalableDimension", True),
        ("aws:appautoscaling/policy:Policy", "serviceNamespace", True),
        (
            "aws:appautoscaling/policy:Policy",
            "targetTrackingScalingPolicyConfiguration.targetValue",
            False,
        ),
        ("aws:kms/key:Key", "customerMasterKeySpec", True),
        ("aws:kms/key:Key", "enableKeyRotation", False),
        ("aws:ecs/taskDefinition:TaskDefinition", "cpu", True),
        ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions", True),
        ("aws:ecs/taskDefinition:TaskDefinition", "tags.team", False),
        ("aws:eks/addon:Addon", "clusterName", True),
        ("aws:eks/addon:Addon", "addonName", True),
        ("aws:eks/addon:Addon", "addonVersion", False),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role", True),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "policyArn", True),
        ("aws:s3/bucketVersioning:BucketVersioning", "bucket", True),
        ("aws:s3/bucketVersioning:BucketVersioning", "versioningConfiguration.status", False),
        ("aws:s3/bucketPolicy:BucketPolicy", "bucket", True),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket", True),
        ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bucket", True),
        ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucket", True),
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "bucket",
            True,
        ),
    ],
)
def test_replace_on_change_inputs_of_the_types_the_stacks_create(
    token: str, path: str, replaces: bool
) -> None:
    # Issue 12: these types were unknown, so their replacements showed as in-place updates.
    assert known(token)
    assert replacing(token, path) is replaces

"""Stack rules: a compliant stack, then one change per case (a side resource removed or
made non-compliant), asserting the message and the URN it names. ``STACK_CASES`` is
keyed by rule name for the registry meta-test."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from mlops_policies.testing import Res, stack_messages
from test_cost_stack_rules import COST_STACK_CASES

KEY = "arn:aws:kms:eu-north-1:111122223333:key/k"


def bucket_stack(name: str = "data") -> list[Res]:
    """A bucket configured the way the project's encrypted-bucket component does it."""
    bucket = Res(
        "aws:s3/bucket:Bucket", name, {"bucket": f"mlops-dev-{name}", "tags": {"project": "p"}}
    )
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::mlops-dev-{name}", f"arn:aws:s3:::mlops-dev-{name}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    dep = [bucket.urn]
    return [
        bucket,
        Res(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            f"{name}-pab",
            {
                "bucket": "x",
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
            dep,
        ),
        Res(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            f"{name}-sse",
            {
                "bucket": "x",
                "rules": [
                    {
                        "applyServerSideEncryptionByDefault": {
                            "sseAlgorithm": "aws:kms",
                            "kmsMasterKeyId": KEY,
                        },
                        "bucketKeyEnabled": True,
                    }
                ],
            },
            dep,
        ),
        Res(
            "aws:s3/bucketPolicy:BucketPolicy",
            f"{name}-policy",
            {"bucket": "x", "policy": json.dumps({"Statement": [deny]})},
            dep,
        ),
        Res(
            "aws:s3/bucketVersioning:BucketVersioning",
            f"{name}-versioning",
            {"bucket": "x", "versioningConfiguration": {"status": "Enabled"}},
            dep,
        ),
        Res(
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            f"{name}-ownership",
            {"bucket": "x", "rule": {"objectOwnership": "BucketOwnerEnforced"}},
            dep,
        ),
        Res(
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            f"{name}-lifecycle",
            {
                "bucket": "x",
                "rules": [
                    {
                        "id": "abort-mpu",
                        "status": "Enabled",
                        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
                    }
                ],
            },
            dep,
        ),
    ]


def without(resources: list[Res], suffix: str) -> list[Res]:
    return [r for r in resources if not r.name.endswith(suffix)]


def replaced(resources: list[Res], suffix: str, inputs: dict) -> list[Res]:
    return [
        Res(r.type, r.name, {**r.inputs, **inputs}, r.dependencies)
        if r.name.endswith(suffix)
        else r
        for r in resources
    ]


BUCKET_URN = bucket_stack()[0].urn


@dataclass
class StackCase:
    compliant: Callable[[], list[Res]]
    violations: list[tuple[Callable[[list[Res]], list[Res]], str, str | None]]


def rest_api_stack() -> list[Res]:
    stage = Res(
        "aws:apigateway/stage:Stage",
        "api-stage",
        {"restApi": "api", "stageName": "prod", "deployment": "d"},
    )
    settings = Res(
        "aws:apigateway/methodSettings:MethodSettings",
        "api-settings",
        {
            "restApi": "api",
            "stageName": "prod",
            "methodPath": "*/*",
            "settings": {"throttlingBurstLimit": 100, "throttlingRateLimit": 50},
        },
        [stage.urn],
    )
    return [stage, settings]


def ecr_stack() -> list[Res]:
    repo = Res("aws:ecr/repository:Repository", "serve", {"name": "serve"})
    policy = Res(
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "serve-lifecycle",
        {"repository": "serve", "policy": '{"rules": []}'},
        [repo.urn],
    )
    return [repo, policy]


STACK_CASES: dict[str, StackCase] = {
    "aws-s3-bucket-require-public-access-block": StackCase(
        bucket_stack,
        [
            (lambda rs: without(rs, "-pab"), "bucket data has no public access block.", BUCKET_URN),
            (
                lambda rs: replaced(rs, "-pab", {"restrictPublicBuckets": False}),
                "bucket data has an incomplete public access block.",
                BUCKET_URN,
            ),
        ],
    ),
    "aws-s3-bucket-require-sse-kms": StackCase(
        bucket_stack,
        [
            (
                lambda rs: without(rs, "-sse"),
                "bucket data has no SSE-KMS default encryption (aws:kms).",
                BUCKET_URN,
            ),
            (
                lambda rs: replaced(
                    rs,
                    "-sse",
                    {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]},
                ),
                "bucket data has no SSE-KMS default encryption",
                BUCKET_URN,
            ),
        ],
    ),
    "aws-s3-bucket-require-tls-only": StackCase(
        bucket_stack,
        [
            (
                lambda rs: without(rs, "-policy"),
                "bucket data has no policy denying aws:SecureTransport=false.",
                BUCKET_URN,
            ),
            (
                lambda rs: replaced(rs, "-policy", {"policy": json.dumps({"Statement": []})}),
                "bucket data has no policy denying",
                BUCKET_URN,
            ),
        ],
    ),
    "aws-s3-bucket-require-versioning": StackCase(
        bucket_stack,
        [
            (
                lambda rs: without(rs, "-versioning"),
                "bucket data has no versioning configuration with status 'Enabled'.",
                BUCKET_URN,
            ),
            (
                lambda rs: replaced(
                    rs, "-versioning", {"versioningConfiguration": {"status": "Suspended"}}
                ),
                "has no versioning configuration",
                BUCKET_URN,
            ),
        ],
    ),
    "aws-s3-bucket-require-owner-enforced": StackCase(
        bucket_stack,
        [
            (
                lambda rs: without(rs, "-ownership"),
                "bucket data has no BucketOwnerEnforced ownership controls.",
                BUCKET_URN,
            ),
            (
                lambda rs: replaced(
                    rs, "-ownership", {"rule": {"objectOwnership": "ObjectWriter"}}
                ),
                "no BucketOwnerEnforced",
                BUCKET_URN,
            ),
        ],
    ),
    "aws-s3-bucket-require-lifecycle": StackCase(
        bucket_stack,
        [
            (
                lambda rs: without(rs, "-lifecycle"),
                "bucket data has no lifecycle configuration.",
                BUCKET_URN,
            ),
            # A lifecycle for another bucket does not cover this one.
            (
                lambda rs: without(rs, "-lifecycle") + bucket_stack("logs"),
                "bucket data has no lifecycle configuration.",
                BUCKET_URN,
            ),
        ],
    ),
    "aws-apigateway-rest-stage-require-throttling": StackCase(
        rest_api_stack,
        [
            (
                lambda rs: rs[:1],
                "stage api-stage has no MethodSettings with throttling limits.",
                rest_api_stack()[0].urn,
            ),
            (
                lambda rs: replaced(rs, "-settings", {"settings": {"dataTraceEnabled": False}}),
                "has no MethodSettings with throttling",
                rest_api_stack()[0].urn,
            ),
        ],
    ),
    "aws-ecr-repository-require-lifecycle-policy": StackCase(
        ecr_stack,
        [(lambda rs: rs[:1], "repository serve has no lifecycle policy.", ecr_stack()[0].urn)],
    ),
    "aws-stack-require-budget": StackCase(
        lambda: [
            *bucket_stack(),
            Res(
                "aws:budgets/budget:Budget",
                "budget",
                {"budgetType": "COST", "limitAmount": "100", "timeUnit": "MONTHLY"},
            ),
        ],
        [
            (
                lambda rs: rs[:-1],
                "the stack creates 7 AWS resources but no aws:budgets/budget:Budget.",
                None,
            )
        ],
    ),
}

# The stack-level cost rules keep their cases beside their config tests.
STACK_CASES.update(COST_STACK_CASES)  # type: ignore[arg-type]


def quota_stack(cloud: str, quota: int = 8, requested: bool = True) -> list[Res]:
    """A stack's quota component with one line (what ``AcceleratorQuotas`` records)."""
    line = {
        "cloud": cloud,
        "region": "europe-west4",
        "family": "PREEMPTIBLE_NVIDIA_L4_GPUS",
        "unit": "GPUs",
        "reachable": 8,
        "requested": quota if requested else None,
        "declared": None if requested else quota,
        "quota": quota,
        "sources": ["architectures.gke_mlops.cluster.accelerator_pools.l4"],
    }
    return [
        Res(
            "mlops:platform:AcceleratorQuotas", f"quotas-{cloud}", {"cloud": cloud, "lines": [line]}
        )
    ]


def _quota_case(cloud: str) -> StackCase:
    urn = quota_stack(cloud)[0].urn
    return StackCase(
        lambda: quota_stack(cloud),
        [
            (
                lambda rs: quota_stack(cloud, quota=4, requested=False),
                "the stack can reach 8 GPUs but 4 are declared",
                urn,
            ),
            (
                lambda rs: quota_stack(cloud, quota=6),
                "the stack can reach 8 GPUs but 6 are requested",
                urn,
            ),
            # Another cloud's exceeded line is that cloud's rule's finding, not this one's.
            (
                lambda rs: [*quota_stack("other", quota=0), *quota_stack(cloud, quota=0)],
                "the stack can reach 8 GPUs but 0 are requested",
                urn,
            ),
        ],
    )


STACK_CASES.update(
    {f"{cloud}-stack-accelerator-quota": _quota_case(cloud) for cloud in ("aws", "azure", "gcp")}
)


@pytest.mark.parametrize("rule", sorted(STACK_CASES))
def test_compliant_stack_passes(rule: str) -> None:
    assert stack_messages(rule, STACK_CASES[rule].compliant()) == []


@pytest.mark.parametrize("rule", sorted(STACK_CASES))
def test_each_change_is_reported(rule: str) -> None:
    case = STACK_CASES[rule]
    for change, expected, urn in case.violations:
        found = stack_messages(rule, change(case.compliant()))
        assert len(found) == 1, found
        message, reported_urn = found[0]
        assert expected in message
        assert reported_urn == urn


def test_side_resources_match_by_bucket_name_without_dependencies() -> None:
    """When the engine records no dependency, the ``bucket`` value must name the bucket."""
    resources = bucket_stack()
    by_value = [
        Res(r.type, r.name, {**r.inputs, "bucket": "mlops-dev-data"}, [])
        if r is not resources[0]
        else r
        for r in resources
    ]
    assert stack_messages("aws-s3-bucket-require-lifecycle", by_value) == []
    unrelated = [
        Res(r.type, r.name, {**r.inputs, "bucket": "other"}, []) if r is not resources[0] else r
        for r in resources
    ]
    assert stack_messages("aws-s3-bucket-require-lifecycle", unrelated) == [
        ("bucket data has no lifecycle configuration.", BUCKET_URN)
    ]


def test_inline_bucket_settings_count() -> None:
    bucket = Res(
        "aws:s3/bucket:Bucket",
        "legacy",
        {
            "lifecycleRules": [{"enabled": True, "expiration": {"days": 30}}],
            "versioning": {"enabled": True},
            "serverSideEncryptionConfiguration": {
                "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}
            },
        },
    )
    for rule in (
        "aws-s3-bucket-require-lifecycle",
        "aws-s3-bucket-require-versioning",
        "aws-s3-bucket-require-sse-kms",
    ):
        assert stack_messages(rule, [bucket]) == [], rule

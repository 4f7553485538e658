"""Both sides of every cross-account grant across the three AWS stacks.

A stack serving a model package that another stack registered needs an allow on the
producer's side (registry policy, bucket policy, key policy) *and* on its own side (its
model role's IAM policy): AWS KMS guide, "Allowing users in other accounts to use a
KMS key"; S3 user guide, cross-account object access; SageMaker developer guide,
"Deploy a Model Version from a Different Account". The stack files use example
accounts: dev 111111111111, staging 222222222222, prod 333333333333.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from mlops_components.settings.aws import ModelPackageArn
from mlops_preview.runner import Recording, plan_stack

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS = {"aws-dev": "111111111111", "aws-staging": "222222222222", "aws-prod": "333333333333"}
MOCK_ACCOUNT = "123456789012"
"""Every plan runs in the mocks' account: producer documents name their own account so."""


@cache
def planned(stack: str) -> Recording:
    return plan_stack(ROOT, stack)


def settings(stack: str) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return config["mlops-iac:architectures"]["sagemaker_cicd"]


def policy(rec: Recording, type_token: str, key: str, name: str | None = None) -> dict[str, Any]:
    return json.loads(rec.one(type_token, name).inputs[key])


def statement(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    (found,) = [s for s in doc["Statement"] if s.get("Sid") == sid]
    return found


def consumers_of(producer: str) -> list[str]:
    """The stacks whose served package comes from ``producer``'s registry, plus the
    stacks ``producer`` promotes to (they will serve its packages after a promotion)."""
    found = []
    for stack, account in ACCOUNTS.items():
        endpoint = settings(stack)["endpoint"]
        if stack == producer:
            continue
        source = ModelPackageArn.parse(endpoint["model_package_arn"])
        if source.account == ACCOUNTS[producer]:
            found.append(account)
    promotion = settings(producer).get("promotion")
    if promotion and promotion["target_stack"] != producer:
        found.append(ACCOUNTS[promotion["target_stack"]])
    return sorted(set(found))


@pytest.mark.parametrize("producer", sorted(ACCOUNTS))
def test_every_producer_grants_exactly_its_consumers(producer: str) -> None:
    consumers = consumers_of(producer)
    declared = settings(producer).get("registry", {}).get("consumer_account_ids", [])
    assert sorted(declared) == consumers
    rec = planned(producer)
    roots = sorted(f"arn:aws:iam::{a}:root" for a in consumers)
    if not consumers:
        assert not rec.by_type("aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy")
        return
    # Registry: describe and deploy the group's packages; no approval rights.
    registry = policy(
        rec, "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy", "resourcePolicy"
    )
    deploy = statement(registry, "ConsumersDeployPackages")
    assert deploy["Principal"] == {"AWS": roots}
    assert deploy["Action"] == [
        "sagemaker:DescribeModelPackage",
        "sagemaker:ListModelPackages",
        "sagemaker:CreateModel",
    ]
    assert deploy["Resource"].endswith(":model-package/mlops-" + producer[4:] + "-models/*")
    assert statement(registry, "ConsumersDescribeGroup")["Principal"] == {"AWS": roots}
    # Bucket: read models/ only.
    bucket_policy = policy(
        rec, "aws:s3/bucketPolicy:BucketPolicy", "policy", "sagemaker-artifacts-policy"
    )
    read = statement(bucket_policy, "ReadObjects")
    assert read["Principal"] == {"AWS": roots}
    assert read["Resource"].endswith("/models/*")
    # Key: decrypt through S3 only.
    key_policy = policy(rec, "aws:kms/key:Key", "policy", "sagemaker-key")
    decrypt = statement(key_policy, "CrossAccountDecrypt")
    assert decrypt["Principal"] == {"AWS": roots}
    assert decrypt["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert decrypt["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
    }


@pytest.mark.parametrize("consumer", sorted(ACCOUNTS))
def test_every_consumer_holds_its_side_of_the_grant(consumer: str) -> None:
    endpoint = settings(consumer)["endpoint"]
    package = ModelPackageArn.parse(endpoint["model_package_arn"])
    serve = policy(
        planned(consumer), "aws:iam/rolePolicy:RolePolicy", "policy", "sagemaker-model-role-serve"
    )
    sids = {s["Sid"] for s in serve["Statement"]}
    if package.group == f"mlops-{consumer[4:]}-models":
        assert "model_source" not in endpoint
        assert not sids & {"ReadSourceModelArtifacts", "DecryptSourceModelArtifacts"}
        return
    source = endpoint["model_source"]
    producer = next(s for s, a in ACCOUNTS.items() if a == package.account)
    assert ACCOUNTS[consumer] in settings(producer)["registry"]["consumer_account_ids"]
    assert statement(serve, "ReadSourceModelArtifacts") == {
        "Sid": "ReadSourceModelArtifacts",
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": [f"arn:aws:s3:::{source['artifacts_bucket']}/models/*"],
    }
    assert statement(serve, "DecryptSourceModelArtifacts") == {
        "Sid": "DecryptSourceModelArtifacts",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [source["kms_key_arn"]],
    }
    assert source["kms_key_arn"].split(":")[4] == package.account
    # The producer registers the instance types the consumer serves on
    # (InferenceSpecification.SupportedRealtimeInferenceInstanceTypes).
    served_on = endpoint.get("instance_type", "ml.m5.large")
    if endpoint.get("hosting", "instances") == "instances":
        assert served_on in settings(producer)["pipeline"]["inference_instance_types"]

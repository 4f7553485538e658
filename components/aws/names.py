"""AWS name rules: the length and character limits of every fixed or auto-generated
physical name the AWS blocks create, with the API reference each comes from.

``fixed_name`` builds a name from a prefix and parts, checks it against its rule and
claims it for the program (``naming.claim``), so an over-long, malformed or duplicate
name fails while the program runs (in ``mlops-iac plan`` and at the start of
``pulumi preview``) instead of at create time in the cloud. ``check_auto_name`` checks
a logical name that Pulumi will auto-name (``<logical>-<7 characters>``).
"""

from __future__ import annotations

from ..naming import (
    NameRule,
    check_auto_rule,
    check_rule,
    claim,
    physical,
    rule_of,
)
from ..naming import unique_name as _unique_name

__all__ = ["RULES", "NameRule", "check_auto_name", "check_name", "fixed_name", "unique_name"]

_SM = "https://docs.aws.amazon.com/sagemaker/latest/APIReference"
_SAGEMAKER_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9])*"

RULES: dict[str, NameRule] = {
    "sagemaker-endpoint": NameRule(63, _SAGEMAKER_NAME, f"{_SM}/API_CreateEndpoint.html"),
    "sagemaker-model-package-group": NameRule(
        63, _SAGEMAKER_NAME, f"{_SM}/API_CreateModelPackageGroup.html"
    ),
    "sagemaker-pipeline": NameRule(256, _SAGEMAKER_NAME, f"{_SM}/API_CreatePipeline.html"),
    "sagemaker-domain": NameRule(63, _SAGEMAKER_NAME, f"{_SM}/API_CreateDomain.html"),
    "sagemaker-feature-group": NameRule(
        64, r"[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}", f"{_SM}/API_CreateFeatureGroup.html"
    ),
    "sagemaker-mlflow-tracking-server": NameRule(
        256, _SAGEMAKER_NAME, f"{_SM}/API_CreateMlflowTrackingServer.html"
    ),
    "cloudwatch-alarm": NameRule(
        255,
        r"[^\x00-\x1f\x7f]+",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    ),
    "cloudwatch-log-group": NameRule(
        512,
        r"[.\-_/#A-Za-z0-9]+",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    ),
    "kms-alias": NameRule(
        256,
        r"alias/(?!aws/)[a-zA-Z0-9/_-]+",
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
    ),
    "iam-role": NameRule(
        64,
        r"[\w+=,.@-]+",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    ),
    "iam-role-policy": NameRule(
        128,
        r"[\w+=,.@-]+",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html",
    ),
    "eventbridge-rule": NameRule(
        64,
        r"[.\-_A-Za-z0-9]+",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
    ),
    "codebuild-project": NameRule(
        150,
        r"[A-Za-z0-9][A-Za-z0-9\-_]{1,254}",
        "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html",
    ),
    "ssm-parameter": NameRule(
        2048,
        r"/?[a-zA-Z0-9_.\-/]+",
        "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html",
    ),
    "s3-bucket": NameRule(
        63,
        r"(?!xn--|sthree-|amzn-s3-demo-)[a-z0-9][a-z0-9.-]*[a-z0-9](?<!-s3alias)(?<!--ol-s3)",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        min_length=3,
        globally_unique=True,
    ),
    "eks-cluster": NameRule(
        100,
        r"[0-9A-Za-z][A-Za-z0-9\-_]*",
        "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html",
    ),
    "ecr-repository": NameRule(
        256,
        r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
        "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
        min_length=2,
    ),
    "ecr-pull-through-prefix": NameRule(
        30,
        r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
        "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html",
        min_length=2,
    ),
    "ecs-task-family": NameRule(
        255,
        r"[a-zA-Z0-9_-]+",
        "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
    ),
    "sns-topic": NameRule(
        256,
        r"[A-Za-z0-9_-]+",
        "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
    ),
}


def _rule(kind: str) -> NameRule:
    return rule_of(RULES, kind, "AWS")


def check_name(kind: str, name: str) -> str:
    """``name`` if it satisfies the rule of ``kind``; else ``PhysicalNameError`` with the
    rule's source."""
    return check_rule(kind, _rule(kind), name)


def fixed_name(kind: str, *parts: str, owner: str, max_length: int | None = None) -> str:
    """A fixed physical name ``<part>-<part>...`` (lower-case, ``naming.physical``)
    checked against the rule of ``kind`` and claimed by ``owner`` for this program."""
    rule = _rule(kind)
    name = physical(*parts, max_length=min(max_length or rule.max_length, rule.max_length))
    return claim(kind, check_name(kind, name), owner)


def check_auto_name(kind: str, logical_name: str) -> str:
    """``logical_name`` if Pulumi's auto-name for it (``<logical>-<7 characters>``) fits
    the rule of ``kind``; else ``PhysicalNameError`` saying how long the name may be."""
    return check_auto_rule(kind, _rule(kind), logical_name)


def unique_name(kind: str, *parts: str, seed: str, owner: str) -> str:
    """A globally unique name for ``kind`` (``s3-bucket``) derived from ``parts`` and a
    hash of ``seed`` (e.g. account id and stack), see ``naming.unique_name``."""
    return _unique_name(kind, _rule(kind), *parts, seed=seed, owner=owner)

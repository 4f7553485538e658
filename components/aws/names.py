"""AWS name rules: the length and character limits of every fixed or auto-generated
physical name the AWS blocks create, with the API reference each comes from.

``fixed_name`` builds a name from a prefix and parts, checks it against its rule and
claims it for the program (``naming.claim``), so an over-long, malformed or duplicate
name fails while the program runs (in ``mlops-iac plan`` and at the start of
``pulumi preview``) instead of at create time in the cloud. ``check_auto_name`` checks
a logical name that Pulumi will auto-name (``<logical>-<7 characters>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..naming import AUTO_NAME_SUFFIX, PhysicalNameError, claim, physical


@dataclass(frozen=True)
class NameRule:
    """What one AWS API accepts as a name."""

    max_length: int
    pattern: str
    """A full-match regular expression, copied from the API reference."""
    source: str
    """The API reference page the limit and pattern come from."""

    def problems(self, name: str) -> list[str]:
        found = []
        if len(name) > self.max_length:
            found.append(f"is {len(name)} characters long; at most {self.max_length} allowed")
        if not re.fullmatch(self.pattern, name):
            found.append(f"does not match {self.pattern}")
        return found


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
    "sns-topic": NameRule(
        256,
        r"[A-Za-z0-9_-]+",
        "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
    ),
}


def _rule(kind: str) -> NameRule:
    try:
        return RULES[kind]
    except KeyError:
        raise KeyError(
            f"no AWS name rule for {kind!r}; known: {', '.join(sorted(RULES))}"
        ) from None


def check_name(kind: str, name: str) -> str:
    """``name`` if it satisfies the rule of ``kind``; else ``PhysicalNameError`` with the
    rule's source."""
    problems = _rule(kind).problems(name)
    if problems:
        raise PhysicalNameError(
            f"{kind} name {name!r} {'; '.join(problems)} (see {_rule(kind).source})"
        )
    return name


def fixed_name(kind: str, *parts: str, owner: str, max_length: int | None = None) -> str:
    """A fixed physical name ``<part>-<part>...`` (lower-case, ``naming.physical``)
    checked against the rule of ``kind`` and claimed by ``owner`` for this program."""
    rule = _rule(kind)
    name = physical(*parts, max_length=min(max_length or rule.max_length, rule.max_length))
    return claim(kind, check_name(kind, name), owner)


def check_auto_name(kind: str, logical_name: str) -> str:
    """``logical_name`` if Pulumi's auto-name for it (``<logical>-<7 characters>``) fits
    the rule of ``kind``; else ``PhysicalNameError`` saying how long the name may be."""
    rule = _rule(kind)
    longest = rule.max_length - AUTO_NAME_SUFFIX
    if len(logical_name) > longest:
        raise PhysicalNameError(
            f"{kind} {logical_name!r}: Pulumi names it '<logical name>-<7 characters>', "
            f"{len(logical_name) + AUTO_NAME_SUFFIX} characters, but {kind} names have at "
            f"most {rule.max_length} (see {rule.source}); shorten the component name by "
            f"{len(logical_name) - longest} characters"
        )
    return logical_name

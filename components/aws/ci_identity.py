"""The keyless identity GitHub Actions deploys an AWS stack with.

An IAM OIDC identity provider for GitHub's issuer (one per account and URL: created,
or adopted with ``CiSettings.aws_oidc_provider_arn``) and a role whose trust policy
accepts ``sts:AssumeRoleWithWebIdentity`` only with audience ``sts.amazonaws.com`` and
exactly one subject, ``repo:<owner>/<repo>:environment:<env>`` (``StringEquals``, no
wildcard), as AWS's guide "Configuring a role for GitHub OIDC identity provider"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub)
requires. Since 2023 AWS trusts GitHub's issuer through its own certificate store, so
no thumbprint is pinned.

Permissions: what ``pulumi up`` of the stack's architectures creates, updates, reads
and deletes, and nothing else (``ARCHITECTURE_SERVICES`` -> ``SERVICE_ACCESS``): every
action of each service the architectures use, on the ARNs of the stack's account and
region only; the few actions without resource-level permissions (``Describe*``,
``kms:CreateKey``) on ``*`` in the stack's region; IAM role management on the
account's roles and ``iam:PassRole`` only to the services the architectures run. No
``*`` action, no ``<service>:*`` on ``*``, no administrator policy.

The role can create roles with inline policies and pass them to services: a deploy of
a stack that creates roles needs exactly that, and it is what makes this role a
privileged one. The gate is the GitHub environment (required reviewers for prod); a
permissions boundary on the stack's roles would bound it further and is not set yet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .. import github_oidc, naming
from ..settings.ci import CiSettings
from .arns import AccountArns
from .names import check_auto_name


@dataclass(frozen=True)
class ServiceAccess:
    """What a deploy may do with one service."""

    arns: tuple[str, ...]
    """ARN patterns every action of the service is allowed on; ``{p}``, ``{r}``, ``{a}``
    are the partition, region and account."""
    unscoped: tuple[str, ...] = ()
    """Actions the service only authorises on ``*`` (no resource-level permissions,
    Service Authorization Reference), allowed in the stack's region only."""
    in_account: bool = True
    """Also require ``aws:ResourceAccount`` to be the stack's account; off for services
    whose ARNs carry no account (API Gateway: ``arn:aws:apigateway:<region>::/apis/...``)."""


SERVICE_ACCESS: Mapping[str, ServiceAccess] = {
    "sagemaker": ServiceAccess(("arn:{p}:sagemaker:{r}:{a}:*",), ("sagemaker:List*",)),
    "s3": ServiceAccess(("arn:{p}:s3:::*",), ("s3:ListAllMyBuckets",)),
    "kms": ServiceAccess(
        ("arn:{p}:kms:{r}:{a}:key/*", "arn:{p}:kms:{r}:{a}:alias/*"),
        ("kms:CreateKey", "kms:ListAliases", "kms:ListKeys"),
    ),
    "ec2": ServiceAccess(("arn:{p}:ec2:{r}:{a}:*",), ("ec2:Describe*",)),
    "logs": ServiceAccess(("arn:{p}:logs:{r}:{a}:*",), ("logs:DescribeLogGroups",)),
    "cloudwatch": ServiceAccess(
        ("arn:{p}:cloudwatch:{r}:{a}:alarm:*",), ("cloudwatch:DescribeAlarms",)
    ),
    "sns": ServiceAccess(("arn:{p}:sns:{r}:{a}:*",)),
    "events": ServiceAccess(("arn:{p}:events:{r}:{a}:rule/*",)),
    "codebuild": ServiceAccess(("arn:{p}:codebuild:{r}:{a}:project/*",)),
    "ssm": ServiceAccess(("arn:{p}:ssm:{r}:{a}:parameter/*",), ("ssm:DescribeParameters",)),
    "lambda": ServiceAccess(("arn:{p}:lambda:{r}:{a}:function:*",)),
    "states": ServiceAccess(("arn:{p}:states:{r}:{a}:*",)),
    "apigateway": ServiceAccess(("arn:{p}:apigateway:{r}::/*",), in_account=False),
    "sqs": ServiceAccess(("arn:{p}:sqs:{r}:{a}:*",)),
    "scheduler": ServiceAccess(("arn:{p}:scheduler:{r}:{a}:*",)),
    "ecr": ServiceAccess(
        ("arn:{p}:ecr:{r}:{a}:repository/*",),
        ("ecr:GetAuthorizationToken", "ecr:DescribeRegistry"),
    ),
    "ecs": ServiceAccess(
        ("arn:{p}:ecs:{r}:{a}:*",),
        (
            "ecs:CreateCluster",
            "ecs:RegisterTaskDefinition",
            "ecs:DeregisterTaskDefinition",
            "ecs:DescribeTaskDefinition",
            "ecs:ListTaskDefinitions",
        ),
    ),
    "eks": ServiceAccess(("arn:{p}:eks:{r}:{a}:*",), ("eks:DescribeAddonVersions",)),
    "autoscaling": ServiceAccess(
        ("arn:{p}:autoscaling:{r}:{a}:autoScalingGroup:*",), ("autoscaling:Describe*",)
    ),
    "application-autoscaling": ServiceAccess(
        ("arn:{p}:application-autoscaling:{r}:{a}:scalable-target/*",),
        (
            "application-autoscaling:DescribeScalableTargets",
            "application-autoscaling:DescribeScalingPolicies",
            "application-autoscaling:RegisterScalableTarget",
            "application-autoscaling:DeregisterScalableTarget",
            "application-autoscaling:PutScalingPolicy",
            "application-autoscaling:DeleteScalingPolicy",
        ),
    ),
}
"""Per IAM service prefix: where a deploy may act."""

ARCHITECTURE_SERVICES: Mapping[str, tuple[str, ...]] = {
    "sagemaker_cicd": (
        "sagemaker",
        "s3",
        "kms",
        "ec2",
        "logs",
        "cloudwatch",
        "sns",
        "events",
        "codebuild",
        "ssm",
        "application-autoscaling",
    ),
    # The serverless architecture (branch `serverless`): Lambda, Step Functions, an
    # HTTP API, EventBridge and Scheduler triggers, SQS dead-letter queues.
    "serverless_mlops": (
        "sagemaker",
        "s3",
        "kms",
        "ec2",
        "logs",
        "cloudwatch",
        "sns",
        "events",
        "ssm",
        "lambda",
        "states",
        "apigateway",
        "sqs",
        "scheduler",
    ),
    # The container architecture: ECR, ECS/Fargate processing with its triggers, EKS with
    # node groups (their Auto Scaling groups get the autoscaler's tags), alarms.
    "container_mlops": (
        "s3",
        "kms",
        "ec2",
        "logs",
        "cloudwatch",
        "sns",
        "events",
        "scheduler",
        "ecr",
        "ecs",
        "eks",
        "autoscaling",
    ),
}
"""The services each AWS architecture's resources belong to (``components/registry.py``
keys); a new AWS architecture adds its line here, or its stacks fail to plan."""

PASSED_TO: Mapping[str, tuple[str, ...]] = {
    "sagemaker_cicd": (
        "sagemaker.amazonaws.com",
        "codebuild.amazonaws.com",
        "events.amazonaws.com",
        "vpc-flow-logs.amazonaws.com",
    ),
    "serverless_mlops": (
        "lambda.amazonaws.com",
        "states.amazonaws.com",
        "events.amazonaws.com",
        "scheduler.amazonaws.com",
        "sagemaker.amazonaws.com",
        "vpc-flow-logs.amazonaws.com",
    ),
    "container_mlops": (
        "eks.amazonaws.com",
        "ec2.amazonaws.com",
        "pods.eks.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "events.amazonaws.com",
        "scheduler.amazonaws.com",
        "vpc-flow-logs.amazonaws.com",
    ),
}
"""The services each architecture hands its roles to (``iam:PassedToService``)."""

SERVICE_LINKED: Mapping[str, tuple[str, ...]] = {
    "sagemaker_cicd": ("sagemaker.application-autoscaling.amazonaws.com",),
    "container_mlops": (
        "eks.amazonaws.com",
        "eks-nodegroup.amazonaws.com",
        "ecs.amazonaws.com",
        "autoscaling.amazonaws.com",
    ),
}
"""Service-linked roles the services create on first use in an account."""

ROLE_ACTIONS = (
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:GetRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:UpdateAssumeRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:ListRoleTags",
    "iam:PutRolePolicy",
    "iam:GetRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:ListRolePolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
)
"""What ``aws.iam.Role`` and ``aws.iam.RolePolicy`` call (create, read, update, delete)."""

OIDC_PROVIDER_ACTIONS = (
    "iam:GetOpenIDConnectProvider",
    "iam:CreateOpenIDConnectProvider",
    "iam:DeleteOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:RemoveClientIDFromOpenIDConnectProvider",
    "iam:TagOpenIDConnectProvider",
    "iam:UntagOpenIDConnectProvider",
)
"""So that the deploy role keeps its own identity provider up to date."""


class UnknownArchitectureError(ValueError):
    """An architecture whose AWS services this module does not know."""


def services_of(architectures: Sequence[str]) -> list[str]:
    """The IAM service prefixes a deploy of ``architectures`` needs, sorted."""
    unknown = sorted(a for a in architectures if a not in ARCHITECTURE_SERVICES)
    if unknown:
        raise UnknownArchitectureError(
            f"ci: the AWS services of architecture(s) {', '.join(unknown)} are unknown; add "
            "them to ARCHITECTURE_SERVICES in components/aws/ci_identity.py"
        )
    return sorted({s for a in architectures for s in ARCHITECTURE_SERVICES[a]})


def trust_policy(provider_arn: str, subject: str) -> dict[str, Any]:
    """Web-identity trust of one GitHub subject, for the STS audience only."""
    host = github_oidc.ISSUER_HOST
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "GitHubActions",
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{host}:aud": github_oidc.AWS_AUDIENCE,
                        f"{host}:sub": subject,
                    }
                },
            }
        ],
    }


def deploy_policy(
    architectures: Sequence[str], partition: str, region: str, account: str
) -> dict[str, Any]:
    """The deploy role's permissions for ``architectures`` in one account and region."""
    fill = {"p": partition, "r": region, "a": account}
    services = services_of(architectures)
    in_account = {"StringEquals": {"aws:ResourceAccount": account}}
    statements: list[dict[str, Any]] = []
    for service in services:
        access = SERVICE_ACCESS[service]
        statements.append(
            {
                "Sid": "Deploy" + "".join(w.capitalize() for w in service.split("-")),
                "Effect": "Allow",
                "Action": [f"{service}:*"],
                "Resource": [arn.format(**fill) for arn in access.arns],
                **({"Condition": in_account} if access.in_account else {}),
            }
        )
    unscoped = sorted({a for s in services for a in SERVICE_ACCESS[s].unscoped})
    if unscoped:
        statements.append(
            {
                "Sid": "DeployUnscoped",
                "Effect": "Allow",
                "Action": unscoped,
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": region}},
            }
        )
    roles = f"arn:{partition}:iam::{account}:role/*"
    passed = sorted({p for a in architectures for p in PASSED_TO.get(a, ())})
    linked = sorted({p for a in architectures for p in SERVICE_LINKED.get(a, ())})
    statements.append(
        {
            "Sid": "ManageStackRoles",
            "Effect": "Allow",
            "Action": list(ROLE_ACTIONS),
            "Resource": roles,
        }
    )
    if passed:
        statements.append(
            {
                "Sid": "PassStackRoles",
                "Effect": "Allow",
                "Action": ["iam:PassRole"],
                "Resource": roles,
                "Condition": {"StringEquals": {"iam:PassedToService": passed}},
            }
        )
    if linked:
        statements.append(
            {
                "Sid": "CreateServiceLinkedRoles",
                "Effect": "Allow",
                "Action": ["iam:CreateServiceLinkedRole"],
                "Resource": f"arn:{partition}:iam::{account}:role/aws-service-role/*",
                "Condition": {"StringEquals": {"iam:AWSServiceName": linked}},
            }
        )
    statements.append(
        {
            "Sid": "ManageGitHubProvider",
            "Effect": "Allow",
            "Action": list(OIDC_PROVIDER_ACTIONS),
            "Resource": f"arn:{partition}:iam::{account}:oidc-provider/{github_oidc.ISSUER_HOST}",
        }
    )
    return {"Version": "2012-10-17", "Statement": statements}


class AwsCiIdentity(pulumi.ComponentResource):
    """GitHub's OIDC provider (unless adopted) and the stack's deploy role."""

    provider: aws.iam.OpenIdConnectProvider | None
    role: aws.iam.Role
    policy: aws.iam.RolePolicy
    provider_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    subject: str

    def __init__(
        self,
        name: str,
        settings: CiSettings,
        architectures: Sequence[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("mlops:aws:CiIdentity", name, None, opts)
        services_of(architectures)  # fail before anything is registered
        child = pulumi.ResourceOptions(parent=self)
        self.subject = settings.subject
        if settings.aws_oidc_provider_arn is None:
            self.provider = aws.iam.OpenIdConnectProvider(
                naming.child(name, "github"),
                url=github_oidc.ISSUER,
                client_id_lists=[github_oidc.AWS_AUDIENCE],
                tags=dict(tags),
                opts=child,
            )
            self.provider_arn = self.provider.arn
        else:
            self.provider = None
            self.provider_arn = pulumi.Output.from_input(settings.aws_oidc_provider_arn)
        subject = self.subject
        self.role = aws.iam.Role(
            check_auto_name("iam-role", naming.child(name)),
            assume_role_policy=self.provider_arn.apply(
                lambda arn: json.dumps(trust_policy(arn, subject))
            ),
            description=f"pulumi up of this stack by GitHub Actions ({subject})",
            max_session_duration=3600,
            tags=dict(tags),
            opts=child,
        )
        arns = AccountArns(self)
        names = sorted(architectures)
        self.policy = aws.iam.RolePolicy(
            check_auto_name("iam-role-policy", naming.child(name, "deploy")),
            role=self.role.id,
            policy=pulumi.Output.all(arns.partition, arns.region, arns.account_id).apply(
                lambda v: json.dumps(deploy_policy(names, v[0], v[1], v[2]))
            ),
            opts=child,
        )
        self.role_arn = self.role.arn
        self.register_outputs({"role_arn": self.role_arn, "provider_arn": self.provider_arn})

"""The keyless identity GitHub Actions deploys an AWS stack with.

An IAM OIDC identity provider for GitHub's issuer (one per account and URL: created,
or adopted with ``CiSettings.aws_oidc_provider_arn``) and a role whose trust policy
accepts ``sts:AssumeRoleWithWebIdentity`` only with audience ``sts.amazonaws.com`` and
exactly one subject, ``repo:<owner>/<repo>:environment:<env>`` (``StringEquals``, no
wildcard), as AWS's guide "Configuring a role for GitHub OIDC identity provider"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub)
requires. Since 2023 AWS trusts GitHub's issuer through its own certificate store, so
no thumbprint is pinned.

Permissions: what ``pulumi up`` of the stack's architectures (and of its budget, the
``BUDGET`` entry) creates, updates, reads and deletes, and nothing else
(``ARCHITECTURE_SERVICES`` -> ``SERVICE_ACCESS``): every action of each service the
architectures use, on the ARNs of the stack's account and region only; the few actions
without resource-level permissions (``Describe*``, ``kms:CreateKey``,
``ce:CreateAnomalyMonitor``) on ``*`` in the stack's region (the global Cost Explorer:
its endpoint's region); IAM role management and ``iam:PassRole`` only on the roles
the architectures create (``ROLE_NAMES``: their roles are auto-named
``<component>-...-<7 characters>``), ``iam:PassRole`` only to the services the
architectures run, AWS managed policies attached only from ``MANAGED_POLICIES``. No
``*`` action, no ``<service>:*`` on ``*``, no administrator policy.

The role can create roles with inline policies and pass them to services: a deploy of
a stack that creates roles needs exactly that, and it is what makes this role a
privileged one. It cannot change itself: an explicit ``Deny`` covers every write to
its own role (changing the deploy role's policy needs an administrator's
``pulumi up``). Role name patterns are per component, not per stack: two stacks of the
same architecture in one account could change each other's roles, so give each
environment its own account (docs/ci.md). The gate is the GitHub environment (required
reviewers for prod); a permissions boundary on the stack's roles would bound it
further and is not set yet.

The trust cannot pin GitHub's immutable ``repository_id``: IAM evaluates only the
``aud``, ``sub`` and ``amr`` claims of an OIDC token ("Support for custom claims for
OIDC is unavailable in AWS", GitHub's AWS OIDC guide); docs/ci.md shows how to put the
ids into ``sub`` with GitHub's subject customisation instead.
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
from .budget import BUDGET_NAME
from .names import check_auto_name


@dataclass(frozen=True)
class ServiceAccess:
    """What a deploy may do with one service."""

    arns: tuple[str, ...]
    """ARN patterns every action of the service is allowed on; ``{p}``, ``{r}``, ``{a}``
    and ``{n}`` are the partition, region, account and the stack's name prefix."""
    unscoped: tuple[str, ...] = ()
    """Actions the service only authorises on ``*`` (no resource-level permissions,
    Service Authorization Reference), allowed in the stack's region only."""
    in_account: bool = True
    """Also require ``aws:ResourceAccount`` to be the stack's account; off for services
    whose ARNs carry no account (API Gateway: ``arn:aws:apigateway:<region>::/apis/...``)."""
    endpoint_region: str | None = None
    """For global services: the region their endpoint signs requests for
    (``aws:RequestedRegion`` of the unscoped actions), instead of the stack's."""


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
    # Service Authorization Reference: ModifyBudget, ViewBudget and the tag actions
    # take the budget ARN; only the stack's budget (components/aws/budget.py).
    # Their ARNs name the account; the billing services are left out of the
    # aws:ResourceAccount condition, whose support they do not document.
    "budgets": ServiceAccess(
        ("arn:{p}:budgets::{a}:budget/" + BUDGET_NAME.format(prefix="{n}"),), in_account=False
    ),
    # Cost Explorer: Create* of anomaly monitors and subscriptions has no resource
    # type; the rest takes the monitor's or subscription's ARN (generated ids).
    "ce": ServiceAccess(
        (
            "arn:{p}:ce::{a}:anomalymonitor/*",
            "arn:{p}:ce::{a}:anomalysubscription/*",
        ),
        ("ce:CreateAnomalyMonitor", "ce:CreateAnomalySubscription", "ce:TagResource"),
        in_account=False,
        endpoint_region="us-east-1",
    ),
}
"""Per IAM service prefix: where a deploy may act."""

BUDGET = "budget"
"""The ``ARCHITECTURE_SERVICES`` entry of a stack with a ``mlops-iac:budget`` section:
its budget and Cost Anomaly Detection monitor (``components/platform.py: _budget``)."""

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
    BUDGET: ("budgets", "ce"),
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

ROLE_NAMES: Mapping[str, str] = {
    "sagemaker_cicd": "sagemaker",
    "serverless_mlops": "serverless",
    "container_mlops": "containers",
}
"""The component name each architecture's ``deploy`` gives its tree: its roles are
auto-named from their logical names, ``<component>-<role>-<7 characters>``, so
``role/<component>-*`` matches them and no other stack component's, nor ``ci-*``."""

MANAGED_POLICIES: Mapping[str, tuple[str, ...]] = {
    "container_mlops": (
        "AmazonEKSClusterPolicy",
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEKS_CNI_Policy",
        "CloudWatchAgentServerPolicy",
    ),
}
"""AWS managed policies each architecture attaches to its roles (``iam:PolicyARN``)."""

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

ATTACH_ACTIONS = ("iam:AttachRolePolicy", "iam:DetachRolePolicy")
"""What ``aws.iam.RolePolicyAttachment`` calls (and reads with ListAttachedRolePolicies)."""

OWN_ROLE_READS = (
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListRolePolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListRoleTags",
)
"""What a refresh of the deploy role reads; every other role write on it is denied."""

OWN_ROLE_WRITES = (
    *(a for a in ROLE_ACTIONS if not a.startswith(("iam:Get", "iam:List"))),
    *ATTACH_ACTIONS,
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PassRole",
)
"""Denied on the deploy role itself, whatever else allows them."""

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


def role_arns(architectures: Sequence[str], partition: str, account: str) -> list[str]:
    """The ARN patterns of the roles ``architectures`` create (``ROLE_NAMES``)."""
    names = sorted({ROLE_NAMES[a] for a in architectures if a in ROLE_NAMES})
    return [f"arn:{partition}:iam::{account}:role/{n}-*" for n in names]


def _unscoped(services: Sequence[str], region: str) -> list[dict[str, Any]]:
    """The actions without resource-level permissions, on ``*``, per signing region."""
    by_region: dict[str, set[str]] = {}
    for service in services:
        access = SERVICE_ACCESS[service]
        by_region.setdefault(access.endpoint_region or region, set()).update(access.unscoped)
    return [
        {
            "Sid": "DeployUnscoped" if where == region else "DeployUnscopedGlobal",
            "Effect": "Allow",
            "Action": sorted(actions),
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": where}},
        }
        for where, actions in sorted(by_region.items(), key=lambda kv: kv[0] != region)
        if actions
    ]


def _role_statements(
    architectures: Sequence[str], partition: str, account: str, own_role_arn: str
) -> list[dict[str, Any]]:
    """Manage and pass the architectures' roles, attach the listed managed policies,
    read but never change the deploy role itself."""
    roles = role_arns(architectures, partition, account)
    passed = sorted({p for a in architectures for p in PASSED_TO.get(a, ())})
    managed = sorted(
        f"arn:{partition}:iam::aws:policy/{m}"
        for a in architectures
        for m in MANAGED_POLICIES.get(a, ())
    )
    statements: list[dict[str, Any]] = []
    if roles:
        statements.append(
            {
                "Sid": "ManageStackRoles",
                "Effect": "Allow",
                "Action": list(ROLE_ACTIONS),
                "Resource": roles,
            }
        )
    if roles and managed:
        statements.append(
            {
                "Sid": "AttachManagedPolicies",
                "Effect": "Allow",
                "Action": list(ATTACH_ACTIONS),
                "Resource": roles,
                "Condition": {"ArnEquals": {"iam:PolicyARN": managed}},
            }
        )
    if roles and passed:
        statements.append(
            {
                "Sid": "PassStackRoles",
                "Effect": "Allow",
                "Action": ["iam:PassRole"],
                "Resource": roles,
                "Condition": {"StringEquals": {"iam:PassedToService": passed}},
            }
        )
    statements += [
        {
            "Sid": "ReadDeployRole",
            "Effect": "Allow",
            "Action": list(OWN_ROLE_READS),
            "Resource": own_role_arn,
        },
        {
            "Sid": "DenyDeployRoleChanges",
            "Effect": "Deny",
            "Action": list(OWN_ROLE_WRITES),
            "Resource": own_role_arn,
        },
    ]
    return statements


def deploy_policy(
    architectures: Sequence[str],
    partition: str,
    region: str,
    account: str,
    name_prefix: str,
    own_role_arn: str,
) -> dict[str, Any]:
    """The deploy role's permissions for ``architectures`` (and ``BUDGET``) in one
    account and region; ``own_role_arn`` is the deploy role's, denied every write."""
    fill = {"p": partition, "r": region, "a": account, "n": name_prefix}
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
    statements += _unscoped(services, region)
    statements += _role_statements(architectures, partition, account, own_role_arn)
    linked = sorted({p for a in architectures for p in SERVICE_LINKED.get(a, ())})
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
        name_prefix: str,
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
            policy=pulumi.Output.all(
                arns.partition, arns.region, arns.account_id, self.role.arn
            ).apply(
                lambda v: json.dumps(deploy_policy(names, v[0], v[1], v[2], name_prefix, v[3]))
            ),
            opts=child,
        )
        self.role_arn = self.role.arn
        self.register_outputs({"role_arn": self.role_arn, "provider_arn": self.provider_arn})

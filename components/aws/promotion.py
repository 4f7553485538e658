"""Promotion of an approved model package as a reviewed configuration change.

When a model package in the group is approved, an EventBridge rule starts a CodeBuild
build. The build checks out the infrastructure repository, writes the package ARN into
``endpoint.model_package_arn`` of the target stack's file, runs the offline plan and
opens a pull request whose body is the plan report. Merging the pull request deploys
the model with the team's normal ``pulumi up``: nothing reaches an endpoint without
review, and the stack file always names what is served.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..naming import child
from ..settings import PromotionSettings
from .iam import ScopedRole, ScopedRoleArgs, allow
from .logs import encrypted_log_group

BUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0"

BUILDSPEC = """\
version: 0.2
env:
  shell: bash
  secrets-manager:
    GITHUB_TOKEN: ${TOKEN_SECRET_ARN}
phases:
  install:
    commands:
      - python3 -m venv .venv && .venv/bin/pip install --quiet .
  build:
    commands:
      - test -n "$MODEL_PACKAGE_ARN"
      - STACK_FILE="stacks/Pulumi.${TARGET_STACK}.yaml"
      - BRANCH="promote/${TARGET_STACK}/${MODEL_PACKAGE_ARN##*/model-package/}"
      - git checkout -b "$BRANCH"
      - sed -i -E "s|^( *model_package_arn:).*$|\\\\1 ${MODEL_PACKAGE_ARN}|" "$STACK_FILE"
      - grep -q "model_package_arn: ${MODEL_PACKAGE_ARN}$" "$STACK_FILE"
      - .venv/bin/mlops-iac plan "$TARGET_STACK" --out plan.md
      - git -c user.name=mlops-iac-promotion -c user.email=promotion@invalid commit -am "Promote ${MODEL_PACKAGE_ARN} to ${TARGET_STACK}"
      - git push "https://x-access-token:${GITHUB_TOKEN}@github.com/${REPOSITORY}.git" "$BRANCH"
      - >-
        python3 -c 'import json,os,sys; print(json.dumps({"title": "Promote model to "
        + os.environ["TARGET_STACK"], "head": os.environ["BRANCH"], "base": os.environ["BASE_BRANCH"],
        "body": open("plan.md").read()[:60000]}))' > pr.json
      - >-
        curl --fail --silent --show-error -X POST -H "Authorization: Bearer ${GITHUB_TOKEN}"
        -H "Accept: application/vnd.github+json" --data @pr.json
        "https://api.github.com/repos/${REPOSITORY}/pulls"
"""


@dataclass
class ModelPromotionArgs:
    settings: PromotionSettings
    model_package_group_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    tags: Mapping[str, str]
    log_retention_days: int = 30


class ModelPromotion(pulumi.ComponentResource):
    """EventBridge rule on model-package approval -> CodeBuild pull-request build."""

    rule: aws.cloudwatch.EventRule
    target: aws.cloudwatch.EventTarget
    project: aws.codebuild.Project
    build_role: ScopedRole
    events_role: ScopedRole
    log_group: aws.cloudwatch.LogGroup
    project_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ModelPromotionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:ModelPromotion", name, None, opts)
        s = args.settings
        tags = dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=invoke)
        region = aws.get_region_output(opts=invoke)
        partition = aws.get_partition_output(opts=invoke)

        self.log_group = encrypted_log_group(
            child(name, "logs"),
            log_group_name=None,
            retention_days=args.log_retention_days,
            kms_key_arn=args.kms_key_arn,
            tags=tags,
            opts=here,
        )
        package_arns = pulumi.Output.all(
            partition.partition, region.region, identity.account_id, args.model_package_group_name
        ).apply(lambda a: f"arn:{a[0]}:sagemaker:{a[1]}:{a[2]}:model-package/{a[3]}/*")
        self.build_role = ScopedRole(
            child(name, "build-role"),
            ScopedRoleArgs(
                service_principals=["codebuild.amazonaws.com"],
                description="Opens pull requests that promote approved model packages.",
                tags=tags,
                policies={
                    "promote": [
                        allow(
                            "Logs",
                            ["logs:CreateLogStream", "logs:PutLogEvents"],
                            [self.log_group.arn.apply(lambda a: f"{a}:*")],
                        ),
                        allow(
                            "CheckoutWithConnection",
                            [
                                f"{service}:{action}"
                                for service in ("codeconnections", "codestar-connections")
                                for action in ("UseConnection", "GetConnectionToken")
                            ],
                            [s.connection_arn],
                        ),
                        allow(
                            "GitHubToken", ["secretsmanager:GetSecretValue"], [s.token_secret_arn]
                        ),
                        allow(
                            "ReadApprovedPackages",
                            ["sagemaker:DescribeModelPackage"],
                            [package_arns],
                        ),
                        allow(
                            "EncryptedLogsAndArtifacts",
                            ["kms:Decrypt", "kms:GenerateDataKey"],
                            [args.kms_key_arn],
                        ),
                    ]
                },
            ),
            opts=here,
        )
        self.project = aws.codebuild.Project(
            name,
            description=f"Opens a pull request promoting approved models to {s.target_stack}",
            service_role=self.build_role.role_arn,
            encryption_key=args.kms_key_arn,
            build_timeout=30,
            queued_timeout=60,
            concurrent_build_limit=1,
            source={
                "type": "GITHUB",
                "location": f"https://github.com/{s.repository}.git",
                "git_clone_depth": 1,
                "buildspec": BUILDSPEC,
                "auth": {"type": "CODECONNECTIONS", "resource": s.connection_arn},
            },
            source_version=s.branch,
            artifacts={"type": "NO_ARTIFACTS"},
            environment={
                "compute_type": "BUILD_GENERAL1_SMALL",
                "image": BUILD_IMAGE,
                "type": "LINUX_CONTAINER",
                "image_pull_credentials_type": "CODEBUILD",
                "environment_variables": [
                    {"name": "TARGET_STACK", "value": s.target_stack},
                    {"name": "REPOSITORY", "value": s.repository},
                    {"name": "BASE_BRANCH", "value": s.branch},
                    {"name": "TOKEN_SECRET_ARN", "value": s.token_secret_arn},
                    {"name": "MODEL_PACKAGE_ARN", "value": ""},
                ],
            },
            logs_config={
                "cloudwatch_logs": {"status": "ENABLED", "group_name": self.log_group.name},
                "s3_logs": {"status": "DISABLED"},
            },
            tags=tags,
            opts=here,
        )
        self.events_role = ScopedRole(
            child(name, "events-role"),
            ScopedRoleArgs(
                service_principals=["events.amazonaws.com"],
                description="Lets EventBridge start the promotion build.",
                tags=tags,
                policies={
                    "start-build": [
                        allow("StartPromotionBuild", ["codebuild:StartBuild"], [self.project.arn])
                    ]
                },
            ),
            opts=here,
        )
        self.rule = aws.cloudwatch.EventRule(
            child(name, "approved"),
            description="A model package in the group was approved",
            event_pattern=pulumi.Output.from_input(args.model_package_group_name).apply(
                lambda group: json.dumps(
                    {
                        "source": ["aws.sagemaker"],
                        "detail-type": ["SageMaker Model Package State Change"],
                        "detail": {
                            "ModelPackageGroupName": [group],
                            "ModelApprovalStatus": ["Approved"],
                        },
                    }
                )
            ),
            tags=tags,
            opts=here,
        )
        self.target = aws.cloudwatch.EventTarget(
            child(name, "build"),
            rule=self.rule.name,
            arn=self.project.arn,
            role_arn=self.events_role.role_arn,
            # The event becomes the StartBuild request: the approved ARN overrides the
            # project's empty MODEL_PACKAGE_ARN variable.
            input_transformer={
                "input_paths": {"arn": "$.detail.ModelPackageArn"},
                "input_template": json.dumps(
                    {
                        "environmentVariablesOverride": [
                            {"name": "MODEL_PACKAGE_ARN", "value": "<arn>", "type": "PLAINTEXT"}
                        ]
                    }
                ),
            },
            opts=here,
        )
        self.project_name = self.project.name
        self.register_outputs({"project_name": self.project_name})

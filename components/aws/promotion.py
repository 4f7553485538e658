"""Promotion of an approved model package as a reviewed configuration change.

When a model package in the group is approved, an EventBridge rule starts a CodeBuild
build. The build checks out the infrastructure repository, installs this project and
runs ``mlops-iac promote``, which writes the package ARN into
``endpoint.model_package_arn`` of the target stack's file and names the branch
(``promote/<stack>/<group>-v<version>``); it then runs the offline plan, pushes the
branch and opens a pull request with ``gh`` whose body is the plan report. Merging the
pull request deploys the model with the team's normal ``pulumi up``: nothing reaches an
endpoint without review, and the stack file always names what is served.

The buildspec is data (``promotion_buildspec``) written out by a YAML serializer; its
shell commands only call tools, and the logic (ARN checks, the YAML edit, the body cut
to GitHub's size limit) lives in ``mlops_preview.promote`` where it is tested.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import yaml

from ..naming import child
from ..settings import PromotionSettings
from .iam import ScopedRole, ScopedRoleArgs, allow
from .logs import encrypted_log_group

BUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0"

GIT_IDENTITY = ("mlops-iac promotion", "mlops-iac-promotion@users.noreply.github.com")
"""Author and committer of the promotion commits."""

INSTALL_COMMANDS = [
    # The image ships pyenv's Pythons (runtime-versions picks 3.12) and the GitHub CLI.
    'python3 -m venv "$HOME/.venvs/mlops-iac"',
    '"$HOME/.venvs/mlops-iac/bin/pip" install --quiet --disable-pip-version-check .',
    'export PATH="$HOME/.venvs/mlops-iac/bin:$PATH"',
    "gh --version",
]
"""Install the project (and so ``mlops-iac``) from the checked-out branch."""

BUILD_COMMANDS = [
    'WORK_DIR="$(mktemp -d)"',
    "export WORK_DIR",
    # A failing command substitution fails the assignment, so a refused ARN stops here.
    # The producing stack's bucket and key go into endpoint.model_source when the target
    # stack serves from another registry (and model_source is removed when it does not).
    'BRANCH="$(mlops-iac promote "$TARGET_STACK" --model-package-arn "$MODEL_PACKAGE_ARN"'
    ' --source-artifacts-bucket "$SOURCE_ARTIFACTS_BUCKET"'
    ' --source-kms-key-arn "$SOURCE_KMS_KEY_ARN")"',
    "export BRANCH",
    "git --no-pager diff",
    'git checkout -b "$BRANCH"',
    # Exit 1 (mandatory policy violations) still opens the pull request, with the
    # violations at its top; exit 2 (bad config, failing program) fails the build.
    'PLAN_EXIT=0; mlops-iac plan "$TARGET_STACK" --out "$WORK_DIR/plan.md" || PLAN_EXIT=$?',
    "export PLAN_EXIT",
    'if [ "$PLAN_EXIT" -gt 1 ]; then echo "mlops-iac plan failed (exit $PLAN_EXIT)" >&2; false; fi',
    'mlops-iac promote "$TARGET_STACK" --model-package-arn "$MODEL_PACKAGE_ARN"'
    ' --pr-body "$WORK_DIR/plan.md" --plan-exit-code "$PLAN_EXIT" > "$WORK_DIR/body.md"',
    'git commit --all --message "Promote ${BRANCH##*/} to $TARGET_STACK"'
    ' --message "Model package: $MODEL_PACKAGE_ARN"',
    'git push "https://x-access-token:${GH_TOKEN}@github.com/${REPOSITORY}.git"'
    ' "HEAD:refs/heads/$BRANCH"',
    'gh pr create --repo "$REPOSITORY" --base "$BASE_BRANCH" --head "$BRANCH"'
    ' --title "Promote ${BRANCH##*/} to $TARGET_STACK" --body-file "$WORK_DIR/body.md"',
]
"""Edit the stack file, plan, commit, push and open the pull request.

Variables: ``TARGET_STACK``, ``REPOSITORY`` and ``BASE_BRANCH`` from the project,
``MODEL_PACKAGE_ARN`` from the approval event, ``GH_TOKEN`` from Secrets Manager (``gh``
reads it; ``git push`` sends it as the password of GitHub's token user)."""


def promotion_buildspec(token_secret_arn: str) -> dict[str, Any]:
    """The build specification as data (``render_buildspec`` writes it as YAML).

    CodeBuild runs every command of a version 0.2 buildspec in one bash session, so
    exported variables and ``PATH`` carry over; a command that exits non-zero fails its
    phase and skips the rest of the build."""
    return {
        "version": 0.2,
        "env": {
            "shell": "bash",
            "variables": {
                "GIT_AUTHOR_NAME": GIT_IDENTITY[0],
                "GIT_AUTHOR_EMAIL": GIT_IDENTITY[1],
                "GIT_COMMITTER_NAME": GIT_IDENTITY[0],
                "GIT_COMMITTER_EMAIL": GIT_IDENTITY[1],
            },
            # The whole secret string is the token; CodeBuild masks it in the logs.
            "secrets-manager": {"GH_TOKEN": token_secret_arn},
            # Shown with the build (BatchGetBuilds exportedEnvironmentVariables).
            "exported-variables": ["BRANCH"],
        },
        "phases": {
            "install": {
                # A string: YAML would read 3.10 as the number 3.1.
                "runtime-versions": {"python": "3.12"},
                "commands": list(INSTALL_COMMANDS),
            },
            "build": {"commands": list(BUILD_COMMANDS)},
        },
    }


def render_buildspec(spec: Mapping[str, Any]) -> str:
    """YAML for CodeBuild, written by a serializer: it quotes whatever needs quoting."""
    return yaml.safe_dump(dict(spec), sort_keys=False, width=4096, default_flow_style=False)


CONNECTION_ACTIONS = ("GetConnection", "GetConnectionToken", "UseConnection")
"""What CodeBuild needs to check out a source through a CodeConnections connection."""


def connection_actions(connection_arn: str) -> list[str]:
    """The connection actions under the service prefix of the connection's own ARN
    (``codeconnections`` or, for connections made before mid-2024,
    ``codestar-connections``): IAM matches a prefix's actions only against ARNs with the
    same prefix (docs.aws.amazon.com/dtconsole/latest/userguide/
    service-linked-role-connections.html)."""
    service = connection_arn.split(":")[2]
    return [f"{service}:{action}" for action in CONNECTION_ACTIONS]


@dataclass
class ModelPromotionArgs:
    settings: PromotionSettings
    model_package_group_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    """The stack key: encrypts the build's logs and artifacts, and is the key a
    consuming stack decrypts this registry's model artifacts with."""
    artifacts_bucket_name: pulumi.Input[str]
    """The bucket holding this registry's model artifacts (``models/``), written into the
    target stack's ``endpoint.model_source`` when it serves from another registry."""
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
                            connection_actions(s.connection_arn),
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
                "buildspec": render_buildspec(promotion_buildspec(s.token_secret_arn)),
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
                    {"name": "MODEL_PACKAGE_ARN", "value": ""},
                    {"name": "SOURCE_ARTIFACTS_BUCKET", "value": args.artifacts_bucket_name},
                    {"name": "SOURCE_KMS_KEY_ARN", "value": args.kms_key_arn},
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
                        # Completed only: deleting an approved package (e.g. the cleanup
                        # before a destroy) emits a state change that must not promote.
                        "detail": {
                            "ModelPackageGroupName": [group],
                            "ModelApprovalStatus": ["Approved"],
                            "ModelPackageStatus": ["Completed"],
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

"""Data processing on ECS/Fargate: a cluster with Container Insights and the FARGATE /
FARGATE_SPOT capacity providers, a hardened task definition, and EventBridge rules
that run it on a schedule and when objects arrive in the data bucket."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ..naming import child
from ..settings.containers import ProcessingSettings
from ..vocabulary import CapacityStrategy
from .arns import AccountArns, objects
from .iam import ScopedRole, ScopedRoleArgs, allow
from .logs import encrypted_log_group
from .names import fixed_name

CONTAINER = "processing"
SCRATCH = "/tmp"
NON_ROOT_USER = "1000:1000"


def capacity_provider(capacity: CapacityStrategy) -> str:
    """``spot_first`` -> ``FARGATE_SPOT``, ``on_demand`` -> ``FARGATE``."""
    return "FARGATE_SPOT" if capacity is CapacityStrategy.SPOT_FIRST else "FARGATE"


def container_definitions(
    *, image: str, command: Sequence[str], log_group: str, region: str, env: Mapping[str, str]
) -> list[dict[str, Any]]:
    """One essential container: non-root, read-only root file system with a scratch
    volume at ``/tmp``, not privileged, every Linux capability dropped, an init process
    reaping children, and awslogs to the task's log group."""
    container: dict[str, Any] = {
        "name": CONTAINER,
        "image": image,
        "essential": True,
        "user": NON_ROOT_USER,
        "readonlyRootFilesystem": True,
        "privileged": False,
        "linuxParameters": {"initProcessEnabled": True, "capabilities": {"drop": ["ALL"]}},
        "mountPoints": [{"sourceVolume": "scratch", "containerPath": SCRATCH, "readOnly": False}],
        "environment": [{"name": k, "value": v} for k, v in sorted(env.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": region,
                "awslogs-stream-prefix": CONTAINER,
            },
        },
    }
    if command:
        container["command"] = list(command)
    return [container]


def object_created_pattern(bucket: str, prefix: str) -> dict[str, Any]:
    """S3 ``Object Created`` events of ``bucket`` under ``prefix`` (EventBridge
    notifications of S3: https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html)."""
    return {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket]}, "object": {"key": [{"prefix": prefix}]}},
    }


def key_override_template() -> str:
    """The ECS target input: the created object's key as ``INPUT_KEY`` of the container
    (``<key>`` is EventBridge's placeholder, filled from ``$.detail.object.key``)."""
    overrides = {
        "containerOverrides": [
            {"name": CONTAINER, "environment": [{"name": "INPUT_KEY", "value": "<key>"}]}
        ]
    }
    return json.dumps(overrides)


@dataclass
class FargateProcessingArgs:
    settings: ProcessingSettings
    name_prefix: str
    region: str
    image_uri: pulumi.Input[str]
    """``<repository url>:<tag>``."""
    repository_arn: pulumi.Input[str]
    data_bucket_name: pulumi.Input[str]
    data_bucket_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_ids: pulumi.Input[Sequence[str]]
    tags: Mapping[str, str]
    log_retention_days: int = 30
    input_prefix: str = "incoming/"
    output_prefix: str = "processed/"


class FargateProcessing(pulumi.ComponentResource):
    """The processing cluster, task and triggers. The task reads the data bucket and
    writes ``processed/``; nothing else."""

    cluster: aws.ecs.Cluster
    capacity_providers: aws.ecs.ClusterCapacityProviders
    log_group: aws.cloudwatch.LogGroup
    execution_role: ScopedRole
    task_role: ScopedRole
    events_role: ScopedRole | None
    task_definition: aws.ecs.TaskDefinition
    rules: dict[str, aws.cloudwatch.EventRule]
    targets: dict[str, aws.cloudwatch.EventTarget]
    bucket_notification: aws.s3.BucketNotification | None
    cluster_name: pulumi.Output[str]
    task_definition_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: FargateProcessingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:FargateProcessing", name, None, opts)
        s = args.settings
        here = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        self.cluster = aws.ecs.Cluster(
            name,
            settings=[{"name": "containerInsights", "value": "enabled"}],
            tags=tags,
            opts=here,
        )
        provider = capacity_provider(s.capacity)
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            child(name, "capacity"),
            cluster_name=self.cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=[
                {"capacity_provider": provider, "weight": 1, "base": 0}
            ],
            opts=here,
        )
        self.log_group = encrypted_log_group(
            child(name, "logs"),
            log_group_name=None,
            retention_days=args.log_retention_days,
            kms_key_arn=args.kms_key_arn,
            tags=tags,
            opts=here,
        )
        self._roles(name, args)
        family = fixed_name("ecs-task-family", args.name_prefix, "processing", owner=name)
        definitions = pulumi.Output.all(args.image_uri, self.log_group.name, args.data_bucket_name)
        self.task_definition = aws.ecs.TaskDefinition(
            name,
            family=family,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(s.cpu),
            memory=str(s.memory_mib),
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
            ephemeral_storage={"size_in_gib": s.ephemeral_storage_gib},
            execution_role_arn=self.execution_role.role_arn,
            task_role_arn=self.task_role.role_arn,
            volumes=[{"name": "scratch"}],
            container_definitions=definitions.apply(
                lambda v: json.dumps(
                    container_definitions(
                        image=v[0],
                        command=s.command,
                        log_group=v[1],
                        region=args.region,
                        env={
                            "DATA_BUCKET": v[2],
                            "INPUT_PREFIX": args.input_prefix,
                            "OUTPUT_PREFIX": args.output_prefix,
                        },
                    )
                )
            ),
            tags=tags,
            opts=here,
        )
        self.cluster_name = self.cluster.name
        self.task_definition_arn = self.task_definition.arn
        self._triggers(name, args, tags)
        self.register_outputs(
            {"cluster_name": self.cluster_name, "task_definition_arn": self.task_definition_arn}
        )

    def _roles(self, name: str, args: FargateProcessingArgs) -> None:
        tasks = ["ecs-tasks.amazonaws.com"]
        log_streams = self.log_group.arn.apply(lambda arn: f"{arn}:log-stream:*")
        self.execution_role = ScopedRole(
            child(name, "execution-role"),
            ScopedRoleArgs(
                service_principals=tasks,
                description="ECS agent: pull the processing image, write its logs.",
                tags=args.tags,
                policies={
                    "pull-and-log": [
                        # GetAuthorizationToken has no resource type (account-level).
                        allow("EcrToken", ["ecr:GetAuthorizationToken"], ["*"]),
                        allow(
                            "PullImage",
                            ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                            [args.repository_arn],
                        ),
                        allow("Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], [log_streams]),
                    ]
                },
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.task_role = ScopedRole(
            child(name, "task-role"),
            ScopedRoleArgs(
                service_principals=tasks,
                description="Processing task: read input data, write processed data.",
                tags=args.tags,
                policies={
                    "data": [
                        allow("ListData", ["s3:ListBucket"], [args.data_bucket_arn]),
                        allow("ReadInput", ["s3:GetObject"], [objects(args.data_bucket_arn)]),
                        allow(
                            "WriteOutput",
                            ["s3:PutObject"],
                            [objects(args.data_bucket_arn, args.output_prefix)],
                        ),
                        allow(
                            "UseKey",
                            ["kms:Decrypt", "kms:GenerateDataKey"],
                            [args.kms_key_arn],
                        ),
                    ]
                },
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _triggers(self, name: str, args: FargateProcessingArgs, tags: dict[str, str]) -> None:
        s = args.settings
        self.rules, self.targets = {}, {}
        self.events_role = None
        self.bucket_notification = None
        if s.schedule_expression is None and s.trigger_prefix is None:
            return
        here = pulumi.ResourceOptions(parent=self)
        arns = AccountArns(self)
        # Every revision of this task family (RunTask names a revision), nothing else.
        task_family = arns.regional(
            "ecs", self.task_definition.family.apply(lambda f: f"task-definition/{f}:*")
        )
        tasks = arns.regional("ecs", self.cluster.name.apply(lambda cluster: f"task/{cluster}/*"))
        self.events_role = ScopedRole(
            child(name, "events-role"),
            ScopedRoleArgs(
                service_principals=["events.amazonaws.com"],
                description="EventBridge: run the processing task in its cluster.",
                tags=args.tags,
                policies={
                    "run-task": [
                        allow(
                            "RunTask",
                            ["ecs:RunTask"],
                            [task_family],
                            {"ArnEquals": {"ecs:cluster": self.cluster.arn}},
                        ),
                        # Tags propagated from the task definition are set on RunTask,
                        # which ECS authorises as ecs:TagResource on the new task.
                        allow(
                            "TagNewTasks",
                            ["ecs:TagResource"],
                            [tasks],
                            {"StringEquals": {"ecs:CreateAction": "RunTask"}},
                        ),
                        allow(
                            "PassTaskRoles",
                            ["iam:PassRole"],
                            [self.execution_role.role_arn, self.task_role.role_arn],
                            {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
                        ),
                    ]
                },
            ),
            opts=here,
        )
        ecs_target: aws.cloudwatch.EventTargetEcsTargetArgsDict = {
            "task_definition_arn": self.task_definition.arn,
            "task_count": 1,
            "platform_version": "LATEST",
            "capacity_provider_strategies": [
                {"capacity_provider": capacity_provider(s.capacity), "weight": 1, "base": 0}
            ],
            "network_configuration": {
                "subnets": args.subnet_ids,
                "security_groups": args.security_group_ids,
                "assign_public_ip": False,
            },
            "propagate_tags": "TASK_DEFINITION",
        }
        if s.schedule_expression is not None:
            self.rules["schedule"] = aws.cloudwatch.EventRule(
                child(name, "schedule"),
                description="Scheduled data processing run",
                schedule_expression=s.schedule_expression,
                tags=tags,
                opts=here,
            )
        if s.trigger_prefix is not None:
            prefix = s.trigger_prefix
            self.bucket_notification = aws.s3.BucketNotification(
                child(name, "bucket-events"),
                bucket=args.data_bucket_name,
                eventbridge=True,
                opts=here,
            )
            self.rules["object-created"] = aws.cloudwatch.EventRule(
                child(name, "object-created"),
                description=f"Process objects created under {prefix}",
                event_pattern=pulumi.Output.from_input(args.data_bucket_name).apply(
                    lambda b: json.dumps(object_created_pattern(b, prefix))
                ),
                tags=tags,
                opts=here,
            )
        for key, rule in self.rules.items():
            transformer: aws.cloudwatch.EventTargetInputTransformerArgsDict | None = None
            if key == "object-created":
                transformer = {
                    "input_paths": {"key": "$.detail.object.key"},
                    "input_template": key_override_template(),
                }
            self.targets[key] = aws.cloudwatch.EventTarget(
                child(name, f"{key}-target"),
                rule=rule.name,
                arn=self.cluster.arn,
                role_arn=self.events_role.role_arn,
                ecs_target=ecs_target,
                input_transformer=transformer,
                opts=here,
            )

"""The Step Functions training workflow, what starts it (an EventBridge rule on new
objects, optionally an EventBridge Scheduler schedule) and its execution logs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ..naming import child, claim
from ..settings.serverless import ServerlessMlopsSettings
from .arns import AccountArns
from .iam import ScopedRole, ScopedRoleArgs, Statement, allow
from .logs import encrypted_log_group
from .names import check_name
from .workflow_definition import WorkflowRefs, state_machine_definition, state_machine_statements

LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
)
"""What a state machine's role needs to log to CloudWatch Logs; these actions take no
resource ARNs (Step Functions developer guide, "IAM policies for logging to CloudWatch
Logs")."""
XRAY_ACTIONS = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)
"""What X-Ray tracing of a state machine needs (same guide, "X-Ray tracing")."""
RETRY_SECONDS, RETRY_ATTEMPTS = 3600, 10
"""EventBridge and Scheduler keep retrying a failed start for an hour, 10 times at most."""
EVENT_RETRY: aws.cloudwatch.EventTargetRetryPolicyArgsDict = {
    "maximum_event_age_in_seconds": RETRY_SECONDS,
    "maximum_retry_attempts": RETRY_ATTEMPTS,
}
SCHEDULE_RETRY: aws.scheduler.ScheduleTargetRetryPolicyArgsDict = {
    "maximum_event_age_in_seconds": RETRY_SECONDS,
    "maximum_retry_attempts": RETRY_ATTEMPTS,
}


@dataclass
class TrainingWorkflowArgs:
    settings: ServerlessMlopsSettings
    name_prefix: str
    arns: AccountArns
    processing_function_arn: pulumi.Input[str]
    validation_function_arn: pulumi.Input[str]
    training_role_arn: pulumi.Input[str]
    data_bucket_name: pulumi.Input[str]
    artifacts_bucket_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    model_package_group_name: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_ids: pulumi.Input[Sequence[str]]
    tags: Mapping[str, str]


class TrainingWorkflow(pulumi.ComponentResource):
    """``<name>``: the state machine, ``<name>-role``, ``<name>-logs``; ``<name>-trigger``
    (rule), ``<name>-start`` (target) and ``<name>-events-role``; with a schedule,
    ``<name>-schedule`` and ``<name>-scheduler-role``."""

    state_machine: aws.sfn.StateMachine
    role: ScopedRole
    log_group: aws.cloudwatch.LogGroup
    rule: aws.cloudwatch.EventRule
    target: aws.cloudwatch.EventTarget
    events_role: ScopedRole
    schedule: aws.scheduler.Schedule | None
    scheduler_role: ScopedRole | None
    state_machine_arn: pulumi.Output[str]
    definition: pulumi.Output[dict[str, Any]]

    def __init__(
        self, name: str, args: TrainingWorkflowArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:TrainingWorkflow", name, None, opts)
        s = args.settings
        tags = dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)
        # Step Functions' guide recommends the /aws/vendedlogs/ prefix: log groups
        # under it do not grow the account's CloudWatch Logs resource policy.
        group_name = f"/aws/vendedlogs/states/{args.name_prefix}-serverless-workflow"
        self.log_group = encrypted_log_group(
            child(name, "logs"),
            log_group_name=claim(
                "cloudwatch-log-group",
                check_name("cloudwatch-log-group", group_name),
                child(name, "logs"),
            ),
            retention_days=s.monitoring.log_retention_days,
            kms_key_arn=args.kms_key_arn,
            tags=tags,
            opts=here,
        )
        refs = pulumi.Output.all(
            args.arns.partition,
            args.arns.region,
            args.arns.account_id,
            args.processing_function_arn,
            args.validation_function_arn,
            args.training_role_arn,
            args.artifacts_bucket_name,
            args.kms_key_arn,
            args.model_package_group_name,
            args.subnet_ids,
            args.security_group_ids,
        ).apply(
            lambda v: WorkflowRefs(
                *v[:9],
                job_name_prefix=job_name_prefix(args.name_prefix),
                subnet_ids=tuple(v[9]),
                security_group_ids=tuple(v[10]),
                tags=tuple(sorted(tags.items())),
            )
        )
        self.definition = refs.apply(lambda r: state_machine_definition(s, r))
        statements = pulumi.Output.all(self.definition, refs).apply(
            lambda v: state_machine_statements(v[0], v[1])
        )
        self.role = ScopedRole(
            child(name, "role"),
            ScopedRoleArgs(
                service_principals=["states.amazonaws.com"],
                description="Runs the serverless training workflow.",
                tags=tags,
                policies={
                    "states": statements,
                    "observability": [
                        allow("LogDelivery", list(LOG_DELIVERY_ACTIONS), ["*"]),
                        allow("Tracing", list(XRAY_ACTIONS), ["*"]),
                    ],
                },
            ),
            opts=here,
        )
        self.state_machine = aws.sfn.StateMachine(
            name,
            type="STANDARD",  # .sync integrations need a Standard workflow
            role_arn=self.role.role_arn,
            definition=self.definition.apply(lambda d: json.dumps(d, sort_keys=True)),
            logging_configuration={
                "level": "ALL",
                "include_execution_data": s.workflow.log_execution_data,
                "log_destination": self.log_group.arn.apply(lambda a: f"{a}:*"),
            },
            tracing_configuration={"enabled": True},
            tags=tags,
            opts=here,
        )
        self.state_machine_arn = self.state_machine.arn
        self.events_role, self.rule, self.target = self._trigger(name, args, tags)
        self.scheduler_role, self.schedule = self._schedule(name, args, tags)
        self.register_outputs({"state_machine_arn": self.state_machine_arn})

    def _start_role(
        self, name: str, principal: str, tags: dict[str, str], *extra: Statement
    ) -> ScopedRole:
        statements: list[Statement] = [
            allow("StartWorkflow", ["states:StartExecution"], [self.state_machine.arn]),
            *extra,
        ]
        return ScopedRole(
            name,
            ScopedRoleArgs(
                service_principals=[principal],
                description="Starts the serverless training workflow.",
                tags=tags,
                policies={"start": statements},
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _trigger(
        self, name: str, args: TrainingWorkflowArgs, tags: dict[str, str]
    ) -> tuple[ScopedRole, aws.cloudwatch.EventRule, aws.cloudwatch.EventTarget]:
        """A new object under the input prefix starts a run on that object."""
        here = pulumi.ResourceOptions(parent=self)
        role = self._start_role(child(name, "events-role"), "events.amazonaws.com", tags)
        prefix = args.settings.workflow.input_prefix
        suffix = args.settings.workflow.trigger_suffix
        ending = f" ending with {suffix}" if suffix else ""
        rule = aws.cloudwatch.EventRule(
            child(name, "trigger"),
            description=f"New data under {prefix}{ending} starts the training workflow",
            event_pattern=pulumi.Output.from_input(args.data_bucket_name).apply(
                lambda bucket: json.dumps(object_created_pattern(bucket, prefix, suffix))
            ),
            tags=tags,
            opts=here,
        )
        target = aws.cloudwatch.EventTarget(
            child(name, "start"),
            rule=rule.name,
            arn=self.state_machine.arn,
            role_arn=role.role_arn,
            input_transformer={
                "input_paths": {"bucket": "$.detail.bucket.name", "key": "$.detail.object.key"},
                "input_template": json.dumps({"bucket": "<bucket>", "key": "<key>"}),
            },
            retry_policy=EVENT_RETRY,
            opts=here,
        )
        return role, rule, target

    def _schedule(
        self, name: str, args: TrainingWorkflowArgs, tags: dict[str, str]
    ) -> tuple[ScopedRole | None, aws.scheduler.Schedule | None]:
        """With ``workflow.schedule``: a run over the whole input prefix on schedule."""
        w = args.settings.workflow
        if w.schedule is None:
            return None, None
        # Scheduler decrypts the encrypted target input with the execution role.
        role = self._start_role(
            child(name, "scheduler-role"),
            "scheduler.amazonaws.com",
            tags,
            allow("ScheduleKey", ["kms:Decrypt"], [args.kms_key_arn]),
        )
        schedule = aws.scheduler.Schedule(
            child(name, "schedule"),
            description="Scheduled run of the training workflow over the input prefix",
            schedule_expression=w.schedule,
            schedule_expression_timezone=w.schedule_timezone,
            flexible_time_window={"mode": "OFF"},
            kms_key_arn=args.kms_key_arn,
            target={
                "arn": self.state_machine.arn,
                "role_arn": role.role_arn,
                "input": pulumi.Output.from_input(args.data_bucket_name).apply(
                    lambda bucket: json.dumps({"bucket": bucket, "key": w.input_prefix})
                ),
                "retry_policy": SCHEDULE_RETRY,
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role, schedule


def job_name_prefix(name_prefix: str) -> str:
    """Training jobs are named ``<prefix>-sls-<timestamp>-<token>`` by the
    preprocessing function; the workflow may create only jobs with this prefix."""
    return f"{name_prefix}-sls"


def object_created_pattern(bucket: str, prefix: str, suffix: str | None = None) -> dict[str, Any]:
    """S3's EventBridge event for a new object under ``prefix`` of ``bucket``; with
    ``suffix``, only keys ending with it. Filters in one array match if ANY does, so a
    prefix and a suffix are combined in one ``wildcard`` filter (``*`` in the prefix
    escaped). EventBridge content filtering:
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html."""
    key: dict[str, str] = {"prefix": prefix}
    if suffix is not None:
        key = {"wildcard": prefix.replace("*", "\\*") + "*" + suffix}
    return {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket]}, "object": {"key": [key]}},
    }

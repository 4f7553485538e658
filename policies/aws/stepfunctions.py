"""Step Functions rules (architecture 2): execution logging and tracing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, is_set, resource_rule, string_list_schema, truthy

STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"


@resource_rule(
    name="aws-stepfunctions-state-machine-require-logging",
    description="Step Functions state machines must log executions (ALL, ERROR or FATAL) to CloudWatch Logs.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set logging_configuration={'level': 'ERROR', 'log_destination': f'{log_group.arn}:*', "
        "'include_execution_data': False}."
    ),
    references=["FSBP StepFunctions.1", "CKV_AWS_285"],
    resource_types=[STATE_MACHINE],
    config_schema={
        "allowedLevels": string_list_schema("Accepted logging levels.", ["ALL", "ERROR", "FATAL"]),
    },
)
def state_machine_logging(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without execution logs a failed training or validation step leaves no record of
    which input caused it. Level OFF (the default) logs nothing."""
    logging = args.props.get("loggingConfiguration")
    level = dig(logging, "level") if isinstance(logging, Mapping) else None
    if level not in config["allowedLevels"]:
        yield f"loggingConfiguration.level is {level or 'unset (OFF)'}; use one of {', '.join(config['allowedLevels'])}."
    elif not isinstance(logging, Mapping) or not is_set(logging, "logDestination"):
        yield "loggingConfiguration.logDestination is not set."


@resource_rule(
    name="aws-stepfunctions-state-machine-require-tracing",
    description="Step Functions state machines must have X-Ray tracing enabled.",
    category=Category.SECURITY,
    severity=Severity.LOW,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Set tracing_configuration={'enabled': True}.",
    references=["CKV_AWS_284"],
    resource_types=[STATE_MACHINE],
)
def state_machine_tracing(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Traces connect a workflow run to the Lambda and SageMaker calls it made. Advisory
    in dev and staging, mandatory in prod where incidents are investigated."""
    if not truthy(dig(args.props, "tracingConfiguration", "enabled")):
        yield "tracingConfiguration.enabled is not true."


@resource_rule(
    name="aws-stepfunctions-state-machine-disallow-execution-data",
    description="Step Functions state machines must not log execution input and output.",
    category=Category.SECURITY,
    severity=Severity.LOW,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Set logging_configuration.include_execution_data=False (keep level ALL).",
    references=["none (project rule: no public control checks execution data in logs)"],
    resource_types=[STATE_MACHINE],
)
def state_machine_execution_data(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Execution data is every state's input and output: data locations, metrics,
    parameters, whatever a function returns, kept as long as the log group. Useful while
    developing; mandatory to leave out in prod."""
    if truthy(dig(args.props, "loggingConfiguration", "includeExecutionData")):
        yield "loggingConfiguration.includeExecutionData is true."

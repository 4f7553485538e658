"""CloudWatch Logs rules: retention set (a floor for audit needs, a ceiling for cost)
and KMS encryption."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, fmt_number, is_set, number, resource_rule

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


@resource_rule(
    name="aws-cloudwatch-log-group-require-retention",
    description="CloudWatch log groups must set a retention of at least the configured minimum.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set retention_in_days to an allowed value at or above minimumDays (e.g. 365 in prod).",
    references=["Security Hub CloudWatch.16", "CKV_AWS_66"],
    resource_types=[LOG_GROUP],
    config_schema={
        "minimumDays": {
            "type": "number",
            "minimum": 1,
            "default": 1,
            "description": "Shortest retention accepted, in days (prod keeps a year for audits).",
        }
    },
)
def log_retention_floor(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Unset retention (0) keeps logs forever, which is both a cost leak and an
    unreviewed data-retention decision; too short a retention loses audit evidence."""
    days = number(args.props.get("retentionInDays"))
    minimum = float(config["minimumDays"])
    if days is None or days == 0:
        yield "retentionInDays is not set; logs are kept forever."
    elif days < minimum:
        yield f"retentionInDays is {fmt_number(days)}; at least {fmt_number(minimum)} required."


@resource_rule(
    name="aws-cloudwatch-log-group-retention-within-budget",
    description="CloudWatch log group retention must not exceed the environment's maximum.",
    category=Category.COST,
    severity=Severity.LOW,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Lower retention_in_days to at most maximumDays; archive to S3 if logs must be kept longer.",
    references=["none (project rule: public controls set a minimum log retention, none a maximum)"],
    resource_types=[LOG_GROUP],
    config_schema={
        "maximumDays": {
            "type": "number",
            "minimum": 1,
            "default": 3653,
            "description": "Longest retention accepted, in days (dev keeps 30).",
        }
    },
)
def log_retention_ceiling(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Dev and staging logs lose their value within weeks, but CloudWatch bills their
    storage every month they are kept. Advisory in prod, where retention is an audit
    decision bounded from below by aws-cloudwatch-log-group-require-retention."""
    days = number(args.props.get("retentionInDays"))
    maximum = float(config["maximumDays"])
    if days is None or days == 0:
        yield f"retentionInDays is not set (kept forever); at most {fmt_number(maximum)} allowed."
    elif days > maximum:
        yield f"retentionInDays is {fmt_number(days)}; at most {fmt_number(maximum)} allowed."


@resource_rule(
    name="aws-cloudwatch-log-group-require-kms",
    description="CloudWatch log groups must be encrypted with a customer-managed KMS key.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set kms_key_id to a key whose policy allows logs.<region>.amazonaws.com.",
    references=["CKV_AWS_158"],
    resource_types=[LOG_GROUP],
)
def log_group_kms(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Pipeline and endpoint logs can contain payload fragments and stack traces with
    data; a CMK makes reading them a separately granted permission."""
    if not is_set(args.props, "kmsKeyId"):
        yield "kmsKeyId is not set."


METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@resource_rule(
    name="aws-cloudwatch-metric-alarm-require-action",
    description="CloudWatch metric alarms must notify someone (or something) when they fire.",
    category=Category.SECURITY,
    severity=Severity.LOW,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set alarm_actions=[alarm_topic.arn] (and ok_actions), and leave actions_enabled on.",
    references=["AWS Config cloudwatch-alarm-action-check"],
    resource_types=[METRIC_ALARM],
)
def alarm_action(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An alarm without an action changes colour in a console nobody watches: failed
    training runs, throttled functions and API errors go unnoticed."""
    if args.props.get("actionsEnabled") is False:
        yield "actionsEnabled is false."
    elif not is_set(args.props, "alarmActions"):
        yield "alarmActions is empty."

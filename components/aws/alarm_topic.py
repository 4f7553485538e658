"""The encrypted SNS topic that a stack's CloudWatch alarms publish to."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..naming import child, physical
from .arns import AccountArns


@dataclass
class AlarmTopic:
    topic: aws.sns.Topic
    policy: aws.sns.TopicPolicy
    subscriptions: list[aws.sns.TopicSubscription]


def alarm_topic(
    name: str,
    *,
    kms_key_arn: pulumi.Input[str],
    emails: Sequence[str],
    arns: AccountArns,
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> AlarmTopic:
    """``<name>-alarms``: an SNS topic encrypted with the stack key (whose policy must
    let ``cloudwatch.amazonaws.com`` use it), which only CloudWatch alarms of this
    account may publish to (``aws:SourceAccount``), with one e-mail subscription per
    address (``<name>-alarms-<address>``; each must be confirmed from AWS's mail)."""
    here = pulumi.ResourceOptions(parent=parent)
    topic = aws.sns.Topic(
        child(name, "alarms"), kms_master_key_id=kms_key_arn, tags=dict(tags), opts=here
    )
    policy = aws.sns.TopicPolicy(
        child(name, "alarms-policy"),
        arn=topic.arn,
        policy=pulumi.Output.all(topic.arn, arns.account_id).apply(
            lambda v: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "CloudWatchAlarms",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudwatch.amazonaws.com"},
                            "Action": "sns:Publish",
                            "Resource": v[0],
                            "Condition": {"StringEquals": {"aws:SourceAccount": v[1]}},
                        }
                    ],
                }
            )
        ),
        opts=here,
    )
    subscriptions = [
        aws.sns.TopicSubscription(
            child(name, f"alarms-{physical(email)}"),
            topic=topic.arn,
            protocol="email",
            endpoint=email,
            opts=here,
        )
        for email in emails
    ]
    return AlarmTopic(topic, policy, subscriptions)

"""A customer-managed KMS key with rotation, an explicit key policy and an alias."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .. import naming
from ..retention import stateful_options
from ..settings import Retention
from .facts import is_region
from .names import check_name

SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$")
"""An AWS service principal such as ``sagemaker.amazonaws.com``; never ``*``."""

KEY_USE_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
)
"""What a service needs to encrypt and decrypt with the key; no administration, no grants."""

ROTATION_PERIOD_DAYS = 365
DELETION_WINDOW_DAYS = {Retention.DESTROYABLE: 7, Retention.PROTECTED: 30}


@dataclass
class KmsKeyArgs:
    description: str
    """Shown in the KMS console; say what the key protects."""
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on the key."""
    retention: Retention = Retention.DESTROYABLE
    """``destroyable``: 7-day deletion window. ``protected``: 30-day window, and the key
    and its alias get ``protect`` and ``retain_on_delete``."""
    service_principals: Sequence[str] = ()
    """Services that use the key on behalf of this account's resources (e.g.
    ``cloudwatch.amazonaws.com`` publishing alarms to an encrypted SNS topic). Each may
    encrypt, decrypt and generate data keys only when ``aws:SourceAccount`` is this
    account. Not for EventBridge: its KMS requests carry no ``aws:SourceAccount``, so
    such a grant would never match (AWS documents this for encrypted SNS targets)."""
    reader_account_ids: Sequence[str] = ()
    """Other accounts (e.g. staging and prod) whose IAM policies may decrypt with the
    key: needed to deploy model artifacts encrypted with it across accounts. They get
    ``kms:Decrypt`` and ``kms:DescribeKey`` only."""
    alias_name: str | None = None
    """The alias without ``alias/``, e.g. ``mlops-dev-sagemaker``; must be unique in the
    account and region, so derive it from the stack's name prefix. ``None``: the
    component name (``alias/<name>``), which collides when two stacks in one account
    use the same component name."""
    log_group_region: pulumi.Input[str] | None = None
    """When set, CloudWatch Logs in that region may use the key for this account's log
    groups (``kms:EncryptionContext:aws:logs:arn`` condition); needed by
    ``encrypted_log_group``. ``None`` leaves CloudWatch Logs out of the policy."""


def key_policy(
    *,
    account_id: str,
    partition: str,
    dns_suffix: str,
    service_principals: Sequence[str],
    log_group_region: str | None,
    reader_account_ids: Sequence[str] = (),
    region: str | None = None,
) -> dict[str, Any]:
    """The key policy document.

    The account root statement is the one AWS writes by default: it delegates access
    to IAM policies in this account (so roles such as a SageMaker execution role get
    the key through their ``ScopedRole`` policy) and keeps the key manageable. Every
    other statement names a service principal and a condition that ties it to this
    account, against the confused-deputy problem. No statement has a ``*`` principal.
    """
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministration",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if service_principals:
        statements.append(
            {
                "Sid": "ServiceUseForThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": sorted(service_principals)},
                "Action": list(KEY_USE_ACTIONS),
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    if reader_account_ids:
        # Consumers read model artifacts through S3 (SageMaker downloads them with the
        # model's execution role); the key decrypts for them only on that path.
        statement: dict[str, Any] = {
            "Sid": "CrossAccountDecrypt",
            "Effect": "Allow",
            "Principal": {
                "AWS": [f"arn:{partition}:iam::{a}:root" for a in sorted(reader_account_ids)]
            },
            "Action": ["kms:Decrypt", "kms:DescribeKey"],
            "Resource": "*",
        }
        if region is not None:
            statement["Condition"] = {
                "StringEquals": {"kms:ViaService": f"s3.{region}.{dns_suffix}"}
            }
        statements.append(statement)
    if log_group_region is not None:
        # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
        statements.append(
            {
                "Sid": "CloudWatchLogsForThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{log_group_region}.{dns_suffix}"},
                "Action": list(KEY_USE_ACTIONS),
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{partition}:logs:{log_group_region}:{account_id}:log-group:*"
                        )
                    }
                },
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


class KmsKey(pulumi.ComponentResource):
    """A symmetric customer-managed key, rotated yearly, with an explicit key policy
    and the alias ``alias/<name>``. One key per data domain keeps blast radius and
    CloudTrail audit per domain; the alias gives humans a stable name."""

    key: aws.kms.Key
    alias: aws.kms.Alias
    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: KmsKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:KmsKey", name, None, opts)
        _validate(args)

        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=invoke_opts)
        partition = aws.get_partition_output(opts=invoke_opts)
        key_region = aws.get_region_output(opts=invoke_opts).region
        principals = list(args.service_principals)
        readers = list(args.reader_account_ids)

        def _policy(values: list[Any]) -> str:
            account_id, partition_name, dns_suffix, region, own_region = values
            if region is not None and not is_region(region):
                raise pulumi.InputPropertyError(
                    "log_group_region", f"{region!r} is not an AWS region name"
                )
            return json.dumps(
                key_policy(
                    account_id=account_id,
                    partition=partition_name,
                    dns_suffix=dns_suffix,
                    service_principals=principals,
                    log_group_region=region,
                    reader_account_ids=readers,
                    region=own_region,
                )
            )

        policy = pulumi.Output.all(
            identity.account_id,
            partition.partition,
            partition.dns_suffix,
            pulumi.Output.from_input(args.log_group_region),
            key_region,
        ).apply(_policy)

        self.key = aws.kms.Key(
            naming.child(name),
            description=args.description,
            enable_key_rotation=True,
            rotation_period_in_days=ROTATION_PERIOD_DAYS,
            deletion_window_in_days=DELETION_WINDOW_DAYS[args.retention],
            policy=policy,
            tags=dict(args.tags),
            opts=stateful_options(args.retention, self),
        )
        # A retained key keeps its alias, so people can still find it.
        alias = f"alias/{naming.physical(args.alias_name or name, max_length=250)}"
        self.alias = aws.kms.Alias(
            naming.child(name, "alias"),
            name=naming.claim(
                "kms-alias", check_name("kms-alias", alias), naming.child(name, "alias")
            ),
            target_key_id=self.key.key_id,
            opts=stateful_options(args.retention, self),
        )
        self.key_arn = self.key.arn
        self.key_id = self.key.key_id
        self.register_outputs(
            {"key_arn": self.key_arn, "key_id": self.key_id, "alias_name": self.alias.name}
        )


def _validate(args: KmsKeyArgs) -> None:
    problems: list[str] = []
    if not args.description.strip():
        problems.append("description: must say what the key protects")
    for i, principal in enumerate(args.service_principals):
        if not SERVICE_PRINCIPAL.match(principal):
            problems.append(
                f"service_principals[{i}]: {principal!r} is not an AWS service principal "
                "(e.g. 'sagemaker.amazonaws.com')"
            )
    for i, account in enumerate(args.reader_account_ids):
        if not re.fullmatch(r"\d{12}", account):
            problems.append(f"reader_account_ids[{i}]: {account!r} is not a 12-digit account id")
    if len(set(args.service_principals)) != len(args.service_principals):
        problems.append("service_principals: duplicates")
    if isinstance(args.log_group_region, str) and not is_region(args.log_group_region):
        problems.append(f"log_group_region: {args.log_group_region!r} is not an AWS region name")
    if problems:
        raise ValueError("invalid KmsKeyArgs:\n  - " + "\n  - ".join(problems))

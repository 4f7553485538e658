"""CloudWatch log groups, configured in one place.

Every block that writes logs (VPC flow logs, SageMaker endpoints, CodeBuild) creates its
group through ``encrypted_log_group`` so retention and encryption cannot drift between
them: a log group without a retention keeps (and bills) its data forever.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from ..settings.aws import LOG_RETENTION_DAYS


def encrypted_log_group(
    name: str,
    *,
    log_group_name: pulumi.Input[str] | None,
    retention_days: int,
    kms_key_arn: pulumi.Input[str] | None,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions | None = None,
) -> aws.cloudwatch.LogGroup:
    """A log group that expires its events after ``retention_days``.

    - ``name``: the logical name (caller's ``naming.child`` name).
    - ``log_group_name``: the physical name when a service writes to a fixed name
      (``/aws/sagemaker/Endpoints/<endpoint>``); ``None`` lets Pulumi auto-name it.
    - ``retention_days``: one of the values CloudWatch accepts
      (``settings.aws.LOG_RETENTION_DAYS``); anything else is a ``ValueError`` here
      rather than an API error at deploy time.
    - ``kms_key_arn``: customer-managed key for the events; the key policy must allow
      ``logs.<region>.amazonaws.com`` (``KmsKeyArgs.log_group_region``). ``None`` keeps
      CloudWatch's service-owned encryption.
    """
    if retention_days not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"retention_days must be one of {', '.join(map(str, LOG_RETENTION_DAYS))}; "
            f"got {retention_days}"
        )
    return aws.cloudwatch.LogGroup(
        name,
        name=log_group_name,
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        tags=dict(tags),
        opts=opts,
    )

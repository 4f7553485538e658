"""ARNs of the account, partition and region a component deploys into.

One helper for the concept, so no block formats ``arn:<partition>:...`` itself: the
partition (``aws``, ``aws-cn``, ``aws-us-gov``), account and region come from the
provider's own lookups (``getPartition``, ``getCallerIdentity``, ``getRegion``), never
from a hard-coded ``arn:aws``.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


class AccountArns:
    """Builds ARNs in the account and region of ``parent``'s provider."""

    def __init__(self, parent: pulumi.Resource) -> None:
        invoke = pulumi.InvokeOutputOptions(parent=parent)
        self.partition: pulumi.Output[str] = aws.get_partition_output(opts=invoke).partition
        self.account_id: pulumi.Output[str] = aws.get_caller_identity_output(opts=invoke).account_id
        self.region: pulumi.Output[str] = aws.get_region_output(opts=invoke).region

    def regional(self, service: str, resource: pulumi.Input[str]) -> pulumi.Output[str]:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        return pulumi.Output.all(self.partition, self.region, self.account_id, resource).apply(
            lambda v: f"arn:{v[0]}:{service}:{v[1]}:{v[2]}:{v[3]}"
        )

    def in_account(self, service: str, account_id: str, resource: str) -> pulumi.Output[str]:
        """``arn:<partition>:<service>:<region>:<account_id>:<resource>``: a resource of
        another account (e.g. a registry) in this region."""
        return pulumi.Output.all(self.partition, self.region).apply(
            lambda v: f"arn:{v[0]}:{service}:{v[1]}:{account_id}:{resource}"
        )

    def account_root(self, account_id: str) -> pulumi.Output[str]:
        """``arn:<partition>:iam::<account>:root``: a whole account as a principal."""
        return self.partition.apply(lambda p: f"arn:{p}:iam::{account_id}:root")

    def s3_objects(self, bucket: str, prefix: str = "") -> pulumi.Output[str]:
        """The objects under ``prefix`` of a bucket known by name (e.g. another stack's)."""
        return self.partition.apply(lambda p: f"arn:{p}:s3:::{bucket}/{prefix}*")


def objects(bucket_arn: pulumi.Input[str], prefix: str = "") -> pulumi.Output[str]:
    """The ARN of the objects under ``prefix`` of a bucket given by ARN."""
    return pulumi.Output.from_input(bucket_arn).apply(lambda arn: f"{arn}/{prefix}*")

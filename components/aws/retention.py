"""``Retention`` on AWS: the service-level deletion safeguards, as data.

Pulumi's own ``protect`` and ``retain_on_delete`` come from ``retention.py``
(``stateful_options``); these are the switches of the services themselves, each with
the API's name and the source. ``tests/aws/test_retention.py`` checks that the blocks
use the same values (e.g. ``kms.DELETION_WINDOW_DAYS``).
"""

from __future__ import annotations

from ..retention import RetentionSwitch

__all__ = ["SWITCHES"]

SWITCHES: tuple[RetentionSwitch, ...] = (
    RetentionSwitch(
        "aws:s3/bucket:Bucket",
        "force_destroy",
        "(provider) force_destroy: delete all objects and versions before the bucket",
        True,
        False,
        "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucket/#force_destroy_python",
    ),
    RetentionSwitch(
        "aws:kms/key:Key",
        "deletion_window_in_days",
        "ScheduleKeyDeletion PendingWindowInDays (7-30)",
        7,
        30,
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html",
    ),
    RetentionSwitch(
        "aws:ecr/repository:Repository",
        "force_delete",
        "DeleteRepository force: delete a repository that still holds images",
        True,
        False,
        "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DeleteRepository.html",
    ),
    RetentionSwitch(
        "aws:eks/cluster:Cluster",
        "deletion_protection",
        "CreateCluster deletionProtection",
        False,
        True,
        "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html",
    ),
    RetentionSwitch(
        "aws:sagemaker/domain:Domain",
        "retention_policy.home_efs_file_system",
        "RetentionPolicy HomeEfsFileSystem (Retain | Delete)",
        "Delete",
        "Retain",
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RetentionPolicy.html",
    ),
)

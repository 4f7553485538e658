"""``Retention`` on Google Cloud: the service-level deletion safeguards, as data.

Pulumi's own ``protect`` and ``retain_on_delete`` come from ``retention.py``; these are
the switches of the services, with the API names and sources.

- GKE clusters and Cloud SQL instances: ``deletion_protection`` is set explicitly both
  ways, because the provider defaults it to ``true`` and a ``destroyable`` stack could
  otherwise not be destroyed (pulumi/pulumi-gcp#1394).
- Cloud Storage: ``force_destroy`` empties a ``destroyable`` bucket; soft delete is off
  for ``destroyable`` (0 disables it; soft-deleted bytes are billed) and 30 days for
  ``protected`` (7-90 days allowed).
- Cloud KMS: key rings and keys cannot be deleted at all; destroying a key version
  waits ``destroy_scheduled_duration``: 1 day (the minimum) for ``destroyable``, 30 days
  (Google's default) for ``protected``.
- BigQuery: ``delete_contents_on_destroy`` on datasets, ``deletion_protection`` on tables.
"""

from __future__ import annotations

from ..retention import RetentionSwitch

__all__ = ["SWITCHES"]

SWITCHES: tuple[RetentionSwitch, ...] = (
    RetentionSwitch(
        "gcp:container/cluster:Cluster",
        "deletion_protection",
        "(provider) deletion_protection",
        False,
        True,
        "https://www.pulumi.com/registry/packages/gcp/api-docs/container/cluster/#deletion_protection_python",
    ),
    RetentionSwitch(
        "gcp:sql/databaseInstance:DatabaseInstance",
        "deletion_protection",
        "(provider) deletion_protection",
        False,
        True,
        "https://www.pulumi.com/registry/packages/gcp/api-docs/sql/databaseinstance/#deletion_protection_python",
    ),
    RetentionSwitch(
        "gcp:storage/bucket:Bucket",
        "force_destroy",
        "(provider) force_destroy: delete all objects before the bucket",
        True,
        False,
        "https://www.pulumi.com/registry/packages/gcp/api-docs/storage/bucket/#force_destroy_python",
    ),
    RetentionSwitch(
        "gcp:storage/bucket:Bucket",
        "soft_delete_policy.retention_duration_seconds",
        "softDeletePolicy.retentionDurationSeconds (0 or 604800-7776000)",
        0,
        30 * 86400,
        "https://cloud.google.com/storage/docs/soft-delete",
    ),
    RetentionSwitch(
        "gcp:kms/cryptoKey:CryptoKey",
        "destroy_scheduled_duration",
        "destroyScheduledDuration",
        "86400s",
        "2592000s",
        "https://cloud.google.com/kms/docs/destroy-restore",
    ),
    RetentionSwitch(
        "gcp:bigquery/dataset:Dataset",
        "delete_contents_on_destroy",
        "(provider) delete_contents_on_destroy; API deleteContents",
        True,
        False,
        "https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets/delete",
    ),
    RetentionSwitch(
        "gcp:bigquery/table:Table",
        "deletion_protection",
        "(provider) deletion_protection",
        False,
        True,
        "https://www.pulumi.com/registry/packages/gcp/api-docs/bigquery/table/#deletion_protection_python",
    ),
)

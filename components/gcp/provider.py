"""The stack's explicit Google Cloud provider."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_gcp as gcp

from ..settings.clouds import GcpCloudSettings


def provider(settings: GcpCloudSettings, labels: Mapping[str, str]) -> pulumi.ProviderResource:
    """``gcp`` for the stack's project and region whose ``default_labels`` carry the
    platform tags as labels (the tag vocabulary is label-safe: lower-case keys and
    values of at most 63 characters); blocks also pass them explicitly.

    ``user_project_override`` with ``billing_project`` (the stack's project): Cloud Quotas
    and Billing Budgets refuse user credentials (``gcloud auth application-default
    login``) without a quota project; with these set the provider sends the project as
    ``X-Goog-User-Project`` (hashicorp/terraform-provider-google#18337). The caller needs
    ``serviceusage.services.use`` on it (``roles/serviceusage.serviceUsageConsumer``,
    part of Owner and Editor)."""
    return gcp.Provider(
        "gcp",
        project=settings.project,
        region=settings.region,
        default_labels=dict(labels),
        user_project_override=True,
        billing_project=settings.project,
    )

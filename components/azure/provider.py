"""The stack's explicit Azure Native provider."""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure_native

from ..settings.clouds import AzureCloudSettings


def provider(settings: AzureCloudSettings) -> pulumi.ProviderResource:
    """``azure-native`` for the stack's location (and subscription, when given). Azure
    Native has no default tags: every block passes the merged tags explicitly."""
    return azure_native.Provider(
        "azure-native", location=settings.location, subscription_id=settings.subscription_id
    )

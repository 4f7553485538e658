"""Composition of a whole stack from its settings: one explicit provider per cloud the
stack uses, the platform tags, and every enabled architecture of the registry
(``registry.REGISTRY``). ``stacks/__main__.py`` calls ``deploy``; other programs can
call it too, or compose the architecture components themselves."""

from __future__ import annotations

from typing import Any

import pulumi

from .quotas import AcceleratorQuotas, quota_lines
from .registry import REGISTRY, Capacity, Deployment
from .settings import Cloud, StackSettings
from .tags import platform_tags

_PACKAGES = {Cloud.AWS: "aws", Cloud.AZURE: "azure-native", Cloud.GCP: "gcp"}
"""The Pulumi package each cloud's resources belong to (the providers map's key)."""


def _provider(cloud: Cloud, settings: StackSettings) -> pulumi.ProviderResource:
    """The cloud's explicit provider, importing only that cloud's SDK."""
    found = settings.cloud_settings(cloud)
    if cloud is Cloud.AWS:
        from .aws.provider import provider as aws_provider

        return aws_provider(settings.region_of(cloud), platform_tags(settings))
    if cloud is Cloud.AZURE:
        from .azure.provider import provider as azure_provider
        from .settings.clouds import AzureCloudSettings

        assert isinstance(found, AzureCloudSettings)  # StackSettings checked it
        return azure_provider(found)
    from .gcp.provider import provider as gcp_provider
    from .settings.clouds import GcpCloudSettings

    assert isinstance(found, GcpCloudSettings)  # StackSettings checked it
    return gcp_provider(found, platform_tags(settings))


def _ci_identity(
    cloud: Cloud,
    settings: StackSettings,
    architectures: list[str],
    shared: dict[str, pulumi.ComponentResource],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[Any] | None]:
    """The cloud's CI identity for the stack's ``architectures`` (``docs/ci.md``)."""
    ci = settings.ci
    assert ci is not None
    tags = platform_tags(settings)
    # AWS and Azure: the stack's budget and anomaly alert are deployed with it too.
    deployed = [*architectures, *(["budget"] if settings.budget is not None else [])]
    if cloud is Cloud.AWS:
        from .aws.ci_identity import AwsCiIdentity

        aws_identity = AwsCiIdentity("ci", ci, deployed, settings.prefix, tags, opts)
        return {"ci_aws_role_arn": aws_identity.role_arn}
    if cloud is Cloud.AZURE:
        from .azure.ci_identity import AzureCiIdentity

        azure_identity = AzureCiIdentity("ci", ci, deployed, shared, settings.prefix, tags, opts)
        return {
            "ci_azure_client_id": azure_identity.client_id,
            "ci_azure_tenant_id": azure_identity.tenant_id,
        }
    from .gcp.ci_identity import GcpCiIdentity

    gcp_identity = GcpCiIdentity(
        "ci", ci, architectures, settings.prefix, tags, opts, retention=settings.retention
    )
    return {
        "ci_gcp_workload_identity_provider": gcp_identity.provider_name,
        "ci_gcp_service_account": gcp_identity.service_account_email,
    }


def deploy(settings: StackSettings) -> dict[str, pulumi.Output[Any] | None]:
    """Create every enabled architecture and export its flat outputs (``None`` outputs,
    parts a stack does not have, are not exported)."""
    providers: dict[Cloud, pulumi.ProviderResource] = {}
    outputs: dict[str, pulumi.Output[Any] | None] = {}
    shared: dict[str, pulumi.ComponentResource] = {}
    capacity: list[Capacity] = []
    used: dict[Cloud, list[str]] = {}
    for spec in REGISTRY:
        arch = getattr(settings.architectures, spec.key)
        if arch is None or not arch.enabled:
            continue
        if spec.cloud not in providers:
            providers[spec.cloud] = _provider(spec.cloud, settings)
        used.setdefault(spec.cloud, []).append(spec.key)
        deployment = Deployment(
            name_prefix=settings.prefix,
            region=settings.region_of(spec.cloud),
            tags=platform_tags(settings),
            retention=settings.retention,
            opts=pulumi.ResourceOptions(providers={_PACKAGES[spec.cloud]: providers[spec.cloud]}),
            shared=shared,
            capacity=capacity,
        )
        outputs.update(spec.load()(deployment, arch))
    _quotas(settings, capacity, providers)
    if settings.budget is not None:
        for cloud, cloud_provider in providers.items():
            _budget(cloud, settings, shared, cloud_provider)
    if settings.ci is not None and settings.ci.enabled:
        for cloud, keys in used.items():
            opts = pulumi.ResourceOptions(providers={_PACKAGES[cloud]: providers[cloud]})
            outputs.update(_ci_identity(cloud, settings, keys, shared, opts))
    for key, value in outputs.items():
        if value is not None:
            pulumi.export(key, value)
    return outputs


def _quotas(
    settings: StackSettings,
    capacity: list[Capacity],
    providers: dict[Cloud, pulumi.ProviderResource],
) -> None:
    """After the last architecture: one ``AcceleratorQuotas`` per cloud whose
    architectures declared accelerated capacity (``quotas-<cloud>``), which records the
    quota lines and requests them where the stack asks to."""
    lines = quota_lines(capacity, settings.quotas)
    for cloud in Cloud:
        mine = [line for line in lines if line.cloud == cloud.value]
        if not mine:
            continue
        found = settings.cloud_settings(cloud)
        AcceleratorQuotas(
            f"quotas-{cloud.value}",
            cloud,
            mine,
            settings.quotas,
            scope=getattr(found, "project", None),
            opts=pulumi.ResourceOptions(providers={_PACKAGES[cloud]: providers[cloud]}),
        )


def _budget(
    cloud: Cloud,
    settings: StackSettings,
    shared: dict[str, pulumi.ComponentResource],
    cloud_provider: pulumi.ProviderResource,
) -> pulumi.ComponentResource:
    """The stack's budget and anomaly alert on ``cloud`` (``<cloud>-budget``), created
    after the architectures: Azure's is scoped to the foundation's resource group."""
    budget = settings.budget
    assert budget is not None  # deploy checked it
    opts = pulumi.ResourceOptions(providers={_PACKAGES[cloud]: cloud_provider})
    name = f"{cloud.value}-budget"
    if cloud is Cloud.AWS:
        from .aws.budget import StackBudget as AwsBudget
        from .aws.budget import StackBudgetArgs as AwsBudgetArgs

        return AwsBudget(
            name, AwsBudgetArgs(budget, settings.prefix, platform_tags(settings)), opts
        )
    if cloud is Cloud.AZURE:
        from .architectures.azure_foundation import AzureFoundation
        from .azure.budget import StackBudget as AzureBudget
        from .azure.budget import StackBudgetArgs as AzureBudgetArgs

        foundation = shared.get("azure_foundation")
        if not isinstance(foundation, AzureFoundation):
            raise ValueError("an Azure budget is scoped to azure_foundation's resource group")
        return AzureBudget(
            name,
            AzureBudgetArgs(
                budget,
                settings.prefix,
                foundation.resource_group_id,
                [foundation.action_group_id] if foundation.action_group_id is not None else [],
            ),
            opts,
        )
    from .gcp.budget import StackBudget as GcpBudget
    from .gcp.budget import StackBudgetArgs as GcpBudgetArgs
    from .settings.clouds import GcpCloudSettings

    found = settings.cloud_settings(cloud)
    assert isinstance(found, GcpCloudSettings)  # StackSettings checked it
    return GcpBudget(
        name, GcpBudgetArgs(budget, settings.prefix, found.project, platform_tags(settings)), opts
    )

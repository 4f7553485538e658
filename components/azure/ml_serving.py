"""Azure ML serving pieces the Kubernetes architectures share: model containers in the
shared Azure ML registry, and an online endpoint on Kubernetes compute or managed by
Azure.

- ``RegistryModelContainer``: one per model name in the registry; training runs add
  versions (``az ml model create --registry-name``), so every workspace and cluster
  that the registry serves sees the same model versions.
- ``OnlineEndpoint``: Entra ID tokens only (``AADToken``, no keys), auto-named so that
  a replacement creates the new endpoint first (names are unique per region). On a
  Kubernetes compute (``compute`` set) it is served by the AzureML extension's router
  on that cluster; without ``compute`` it is a managed endpoint. Both are sent
  ``publicNetworkAccess: Disabled``. Deployments (model versions, traffic) belong to
  the release pipeline, not to this program.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from .. import naming
from .names import check_auto_name

ENDPOINT_AUTH = "AADToken"


def model_containers(
    name: str,
    models: Sequence[str],
    *,
    registry_name: pulumi.Input[str],
    resource_group_name: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> dict[str, ml.RegistryModelContainer]:
    """One model container per name in the registry (children ``<name>-model-<model>``)."""
    return {
        model: ml.RegistryModelContainer(
            naming.child(name, f"model-{model}"),
            registry_name=registry_name,
            resource_group_name=resource_group_name,
            model_name=model,
            properties=ml.ModelContainerPropertiesArgs(
                description=f"{model}: trained on site, served on site or in Azure",
                tags=dict(tags),
            ),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for model in models
    }


def online_endpoint(
    name: str,
    *,
    workspace_name: pulumi.Input[str],
    resource_group_name: pulumi.Input[str],
    location: str,
    tags: Mapping[str, str],
    compute_id: pulumi.Input[str] | None,
    parent: pulumi.Resource,
) -> ml.OnlineEndpoint:
    """An online endpoint on ``compute_id`` (Kubernetes) or, with ``None``, managed."""
    properties = ml.OnlineEndpointPropertiesArgs(
        auth_mode=ENDPOINT_AUTH,
        compute=compute_id,
        description="Kubernetes online endpoint" if compute_id else "Managed online endpoint",
        # Governs managed endpoints; a Kubernetes endpoint is reached through the
        # extension's router, and is sent Disabled too so no endpoint of the stack is
        # ever marked public.
        public_network_access="Disabled",
    )
    return ml.OnlineEndpoint(
        check_auto_name("ml-online-endpoint", naming.child(name)),
        workspace_name=workspace_name,
        resource_group_name=resource_group_name,
        location=location,
        kind="Kubernetes" if compute_id else "Managed",
        identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
        properties=properties,
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent),
    )

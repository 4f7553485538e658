"""What the Kubernetes architectures (AKS, Arc) use of the Azure ML workspace and
registry that architecture 4 (``azure_ml_devops``) offers: names and ids, read from
the offered component by attribute (``workspace_id``, ``workspace_name``,
``registry_name``, ``registry_id``, ``compute_identity_id``), so these architectures depend on that interface only."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi

from ..registry import Deployment

KEY = "azure_ml_devops"
_GROUP = re.compile(r"/resourceGroups/([^/]+)/", re.IGNORECASE)


def resource_group_of(resource_id: str, argument: str = "workspace_id") -> str:
    """The resource group named in an ARM resource id."""
    found = _GROUP.search(resource_id or "")
    if not found:
        raise pulumi.InputPropertyError(argument, f"{resource_id!r} is not an ARM id")
    return found.group(1)


@dataclass(frozen=True)
class WorkspaceLink:
    workspace_id: pulumi.Output[str]
    workspace_name: pulumi.Output[str]
    resource_group_name: pulumi.Output[str]
    """The workspace's resource group (from its id)."""
    registry_name: pulumi.Output[str]
    """The shared Azure ML registry's name."""
    registry_resource_group_name: pulumi.Output[str]
    """The registry's resource group (from its id: an adopted registry may live in
    another group than the workspace)."""
    compute_identity_id: pulumi.Output[str]
    """The workspace's user-assigned compute identity (``azureml-compute``: Storage Blob
    Data Contributor on the lake, AcrPull): Kubernetes computes run as it, since the
    lake allows no shared key."""


def _output(component: pulumi.ComponentResource, attribute: str) -> pulumi.Output[str]:
    value = getattr(component, attribute, None)
    if value is None:
        raise LookupError(f"architectures.{KEY} offers no {attribute}")
    return pulumi.Output.from_input(value)


def take_workspace(deployment: Deployment) -> WorkspaceLink:
    """The workspace and registry offered under ``azure_ml_devops``."""
    component = deployment.take(KEY, pulumi.ComponentResource)
    workspace_id = _output(component, "workspace_id")
    return WorkspaceLink(
        workspace_id=workspace_id,
        workspace_name=_output(component, "workspace_name"),
        resource_group_name=workspace_id.apply(resource_group_of),
        registry_name=_output(component, "registry_name"),
        registry_resource_group_name=_output(component, "registry_id").apply(
            lambda rid: resource_group_of(rid, "registry_id")
        ),
        compute_identity_id=_output(component, "compute_identity_id"),
    )

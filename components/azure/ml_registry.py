"""The Azure ML registry the environments share: models (and environments) are
registered once and promoted dev -> staging -> prod by copying versions within it
(``az ml model create --registry-name``); every workspace deploys from
``azureml://registries/<name>/models/<model>/versions/<v>``.

One stack creates the registry; the others adopt it by id (``existing_id``). Azure
creates the registry's storage account and container registry itself in a managed
resource group, in the primary location and each replica location. The name is part of
every asset id and of the managed group: it never changes, and a replacement (new name,
new primary location) loses every registered model, so protected stacks set ``protect``
and ``retain_on_delete``. With public network access off, workspaces reach it through
an outbound private-endpoint rule of their managed network (sub-resource
``amlregistry``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from ..retention import stateful_options
from ..settings import Retention
from .names import check_name


@dataclass
class MlRegistryArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    """Primary location (the registry's metadata lives here)."""
    tags: Mapping[str, str]
    registry_name: str
    replica_locations: Sequence[str] = ()
    public_network_access: bool = False
    storage_sku: str = "Standard_LRS"
    retention: Retention = Retention.DESTROYABLE


def region_details(location: str, storage_sku: str) -> ml.RegistryRegionArmDetailsArgsDict:
    """One region of the registry: a system-created storage account (no public blob
    access, no HNS) and a Premium container registry (Premium: private endpoints)."""
    return {
        "location": location,
        "storage_account_details": [
            {
                "system_created_storage_account": {
                    "storage_account_type": storage_sku,
                    "storage_account_hns_enabled": False,
                    "allow_blob_public_access": False,
                }
            }
        ],
        "acr_details": [{"system_created_acr_account": {"acr_account_sku": "Premium"}}],
    }


def create_registry(
    logical_name: str, args: MlRegistryArgs, *, parent: pulumi.Resource
) -> ml.Registry:
    """The registry with its primary location first in ``region_details``."""
    locations = [args.location, *(loc for loc in args.replica_locations if loc != args.location)]
    return ml.Registry(
        logical_name,
        registry_name=check_name("ml-registry", args.registry_name),
        resource_group_name=args.resource_group_name,
        location=args.location,
        tags=dict(args.tags),
        identity={"type": ml.ManagedServiceIdentityType.SYSTEM_ASSIGNED},
        public_network_access="Enabled" if args.public_network_access else "Disabled",
        region_details=[region_details(loc, args.storage_sku) for loc in locations],
        opts=stateful_options(args.retention, parent),
    )

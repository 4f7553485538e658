"""A private Premium container registry without the admin user or anonymous pull.

API version: ``pulumi-azure-native`` 3.x creates ``containerregistry.Registry`` with the
module's default, **2023-01-01-preview** (class docstring). The SDK ships no versioned
modules (``sdk-survey.md`` G7); stable versions (2023-07-01, 2025-04-01, 2025-11-01) are
reachable only through a locally generated package (``pulumi package add azure-native
containerregistry 2025-11-01``), which needs the Pulumi CLI. Nothing set here is
preview-only (``sku``, ``adminUserEnabled``, ``anonymousPullEnabled``,
``publicNetworkAccess``, ``networkRuleBypassOptions``, ``policies``, ``encryption``,
``identity``, ``zoneRedundancy``); check them against the stable spec when switching.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import containerregistry as acr
from pulumi_azure_native.containerregistry import (
    EncryptionPropertyArgsDict,
    IdentityPropertiesArgsDict,
)

from .. import naming
from ..retention import stateful_options
from ..settings import Retention
from .keyvault import check_ip_ranges
from .unique_names import unique_name

UNTAGGED_RETENTION_DAYS = 7
"""Default days an untagged manifest (an image overwritten by a newer push of its tag)
is kept before the registry deletes it (Premium; Azure allows 0-365)."""


@dataclass
class ContainerRegistryArgs:
    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on the registry."""
    name_prefix: str
    """Start of the registry's globally unique name, ``<prefix><6 hex>``: 1-44 letters
    and digits (others are dropped), e.g. ``mlopsdev``."""
    retention: Retention = Retention.DESTROYABLE
    """``protected``: Pulumi ``protect`` and ``retain_on_delete`` on the registry."""
    untagged_retention_days: int = UNTAGGED_RETENTION_DAYS
    """Days untagged manifests are kept (0-365)."""
    allowed_ip_ranges: Sequence[str] = ()
    """Empty (default): public network access disabled and artifact export off (pulls
    through a private endpoint). Otherwise only these public IPv4 addresses or ranges, and
    export stays possible (Azure allows disabling export only for private registries)."""
    key_uri: pulumi.Input[str] | None = None
    """Versionless key URI (``KeyVaultKey.key_uri``) for customer-managed encryption;
    ``None``: Microsoft-managed keys. Azure sets encryption at creation only: adding or
    removing it later replaces the registry."""
    identity_id: pulumi.Input[str] | None = None
    """User-assigned identity (``ManagedIdentity.identity_id``) that reads the key;
    required with ``key_uri``."""
    identity_client_id: pulumi.Input[str] | None = None
    """That identity's client id (``ManagedIdentity.client_id``); required with ``key_uri``."""
    key_access: Sequence[pulumi.Resource] = ()
    """Role assignments giving the identity the key; the registry waits for them."""


class ContainerRegistry(pulumi.ComponentResource):
    """An Azure Container Registry, Premium SKU (private endpoints, customer-managed keys
    and retention policies need it), reachable only through private endpoints, with
    Entra ID tokens only: no admin user, no anonymous pull, no ARM-audience tokens."""

    registry: acr.Registry
    registry_id: pulumi.Output[str]
    registry_name: pulumi.Output[str]
    login_server: pulumi.Output[str]

    def __init__(
        self, name: str, args: ContainerRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:azure:ContainerRegistry", name, None, opts)
        _validate(args)
        registry_name = unique_name("container-registry", args.name_prefix, name)
        public = bool(args.allowed_ip_ranges)
        status_on, status_off = acr.PolicyStatus.ENABLED, acr.PolicyStatus.DISABLED

        identity: pulumi.Output[IdentityPropertiesArgsDict] | None = None
        encryption: EncryptionPropertyArgsDict | None = None
        if args.key_uri is not None:
            # IdentityPropertiesArgs.user_assigned_identities is a map keyed by the
            # identity id in this API version (sdk-survey G6): keys cannot be Outputs,
            # so the map is built once the id is known.
            identity = pulumi.Output.from_input(args.identity_id).apply(_user_assigned)
            encryption = {
                "status": acr.EncryptionStatus.ENABLED,
                "key_vault_properties": {
                    "key_identifier": args.key_uri,
                    "identity": args.identity_client_id,
                },
            }

        self.registry = acr.Registry(
            naming.child(name),
            registry_name=registry_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
            sku={"name": acr.SkuName.PREMIUM},
            admin_user_enabled=False,
            anonymous_pull_enabled=False,
            public_network_access=(
                acr.PublicNetworkAccess.ENABLED if public else acr.PublicNetworkAccess.DISABLED
            ),
            network_rule_set=(
                {
                    "default_action": acr.DefaultAction.DENY,
                    "ip_rules": [
                        {"i_p_address_or_range": r, "action": acr.Action.ALLOW}
                        for r in args.allowed_ip_ranges
                    ],
                }
                if public
                else None
            ),
            # Trusted Azure services (e.g. Azure ML, ACR Tasks) keep access.
            network_rule_bypass_options=acr.NetworkRuleBypassOptions.AZURE_SERVICES,
            zone_redundancy=acr.ZoneRedundancy.DISABLED,
            policies={
                "retention_policy": {"days": args.untagged_retention_days, "status": status_on},
                "export_policy": {
                    "status": acr.ExportPolicyStatus.ENABLED
                    if public
                    else acr.ExportPolicyStatus.DISABLED
                },
                "azure_ad_authentication_as_arm_policy": {
                    "status": acr.AzureADAuthenticationAsArmPolicyStatus.DISABLED
                },
                "quarantine_policy": {"status": status_off},
            },
            identity=identity,
            encryption=encryption,
            opts=stateful_options(args.retention, self, depends_on=args.key_access),
        )
        self.registry_id = self.registry.id
        self.registry_name = self.registry.name
        self.login_server = self.registry.login_server
        self.register_outputs(
            {
                "registry_id": self.registry_id,
                "registry_name": self.registry_name,
                "login_server": self.login_server,
            }
        )


def _user_assigned(identity_id: str | None) -> IdentityPropertiesArgsDict:
    return {
        "type": acr.ResourceIdentityType.USER_ASSIGNED,
        "user_assigned_identities": {str(identity_id): {}},
    }


def _validate(args: ContainerRegistryArgs) -> None:
    problems: list[str] = []
    if not 0 <= args.untagged_retention_days <= 365:
        problems.append(
            f"untagged_retention_days: {args.untagged_retention_days} is not within 0-365"
        )
    if args.key_uri is not None and (args.identity_id is None or args.identity_client_id is None):
        problems.append("key_uri: needs identity_id and identity_client_id of the identity")
    if args.key_uri is None and (args.identity_id is not None or args.key_access):
        problems.append("identity_id/key_access: only used with key_uri")
    problems.extend(check_ip_ranges("allowed_ip_ranges", args.allowed_ip_ranges))
    if problems:
        raise ValueError("invalid ContainerRegistryArgs:\n  - " + "\n  - ".join(problems))

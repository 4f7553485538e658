"""A customer-managed key: a Key Vault with purge protection and an RSA key that rotates."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, keyvault

from .. import naming
from ..retention import stateful_options, switch_value
from ..settings import Retention
from .identity import role_assignment
from .retention import SWITCHES
from .unique_names import unique_name


def _soft_delete_days(retention: Retention) -> int:
    days = switch_value(
        SWITCHES,
        "azure-native:keyvault:Vault",
        "properties.soft_delete_retention_in_days",
        retention,
    )
    assert isinstance(days, int)
    return days


SOFT_DELETE_RETENTION_DAYS = {retention: _soft_delete_days(retention) for retention in Retention}
"""Days a deleted vault (and its keys) stays recoverable (``azure.retention.SWITCHES``);
purge protection makes the period binding: nobody can purge earlier."""

KEY_SIZES = (3072, 4096)
"""RSA sizes offered; 2048 is left out (NIST SP 800-57 keeps it only until 2030)."""

KEY_OPERATIONS = ("wrapKey", "unwrapKey", "encrypt", "decrypt")
"""Envelope encryption (storage, registry, ML workspace wrap their data keys) and direct
encrypt/decrypt (AKS KMS etcd encryption). No sign, verify, import or release."""

KEY_EXPIRY = "P1Y"
"""Each key version expires a year after it is created (rotation policy ``expiryTime``)."""
ROTATE_AFTER_CREATE = "P335D"
"""Key Vault creates a new version 335 days after the current one was created, a month
before it expires. ``timeAfterCreate`` rather than ``timeBeforeExpiry``: the first
version, created through ARM, has no expiry date for a before-expiry trigger to count
from."""
NOTIFY_BEFORE_EXPIRY = "P30D"
"""An Event Grid ``KeyNearExpiry`` event 30 days before a version expires."""

ROLE = "Key Vault Crypto Service Encryption User"
"""What a service needs to use the key for encryption at rest: read the key, wrap and
unwrap (https://learn.microsoft.com/azure/key-vault/general/rbac-guide)."""

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")
_KEY_NAME = re.compile(r"^[a-zA-Z0-9-]{1,127}$")


@dataclass
class KeyVaultKeyArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the vault."""
    location: pulumi.Input[str]
    """Azure region of the vault; the services using the key should be in the same one."""
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on the vault and the key."""
    name_prefix: str
    """Start of the vault's globally unique name, ``<prefix>-<6 hex>`` (at most 17
    characters, starting with a letter), e.g. ``mlops-dev``."""
    retention: Retention = Retention.DESTROYABLE
    """Soft-delete period 7 days (``destroyable``) or 90 (``protected``, plus Pulumi
    ``protect`` and ``retain_on_delete`` on the vault and the key)."""
    key_name: str = "cmk"
    """Name of the key in the vault (letters, digits, hyphens)."""
    key_size: int = 3072
    """RSA key size, 3072 or 4096."""
    encryption_users: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Principal (object) ids of managed identities that encrypt data at rest with the
    key, by label (``{"storage": identity.principal_id}``); each gets
    ``Key Vault Crypto Service Encryption User`` on the key only."""
    allowed_ip_ranges: Sequence[str] = ()
    """Empty (default): public network access disabled; reach the vault's data plane
    through a private endpoint. Otherwise public access only from these IPv4 addresses or
    CIDR ranges. Either way trusted Azure services (storage, registry encryption) pass."""


class KeyVaultKey(pulumi.ComponentResource):
    """A Key Vault holding one customer-managed RSA key, and the grants to use it.

    The vault uses Azure RBAC (no access policies), has purge protection and soft delete,
    denies public network access and lets trusted Azure services through the firewall
    (they reach the key over Microsoft's network to encrypt storage and registries). The
    key rotates yearly by a rotation policy; services referencing it without a version
    follow the new version automatically.
    """

    vault: keyvault.Vault
    key: keyvault.Key
    role_assignments: dict[str, authorization.RoleAssignment]
    vault_id: pulumi.Output[str]
    vault_name: pulumi.Output[str]
    vault_uri: pulumi.Output[str]
    key_id: pulumi.Output[str]
    key_name: pulumi.Output[str]
    key_uri: pulumi.Output[str]
    """Versionless key URI (``https://<vault>.vault.azure.net/keys/<name>``): consumers
    that take it follow rotation."""

    def __init__(
        self, name: str, args: KeyVaultKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:azure:KeyVaultKey", name, None, opts)
        _validate(args)
        vault_name = unique_name("key-vault", args.name_prefix, name)
        tenant = authorization.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).tenant_id
        public = bool(args.allowed_ip_ranges)
        purge_protection: bool = (
            switch_value(
                SWITCHES,
                "azure-native:keyvault:Vault",
                "properties.enable_purge_protection",
                args.retention,
            )
            is True
        )

        self.vault = keyvault.Vault(
            naming.child(name),
            vault_name=vault_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
            properties={
                "tenant_id": tenant,
                "sku": {"family": keyvault.SkuFamily.A, "name": keyvault.SkuName.STANDARD},
                "enable_rbac_authorization": True,
                "enable_soft_delete": True,
                "soft_delete_retention_in_days": SOFT_DELETE_RETENTION_DAYS[args.retention],
                # Once on, purge protection cannot be turned off; a deleted vault keeps
                # its name for the soft-delete period (recover it, or wait).
                "enable_purge_protection": purge_protection,
                "enabled_for_deployment": False,
                "enabled_for_disk_encryption": False,
                "enabled_for_template_deployment": False,
                "public_network_access": "Enabled" if public else "Disabled",
                "network_acls": {
                    "default_action": keyvault.NetworkRuleAction.DENY,
                    "bypass": keyvault.NetworkRuleBypassOptions.AZURE_SERVICES,
                    "ip_rules": [{"value": r} for r in args.allowed_ip_ranges],
                },
            },
            opts=stateful_options(args.retention, self),
        )
        # The key is created through ARM (Microsoft.KeyVault/vaults/keys), which works
        # with the vault's public endpoint closed.
        self.key = keyvault.Key(
            naming.child(name, "key"),
            resource_group_name=args.resource_group_name,
            vault_name=self.vault.name,
            key_name=args.key_name,
            tags=dict(args.tags),
            properties={
                "kty": keyvault.JsonWebKeyType.RSA,
                "key_size": args.key_size,
                "key_ops": [keyvault.JsonWebKeyOperation(op) for op in KEY_OPERATIONS],
                "attributes": {"enabled": True},
                "rotation_policy": {
                    "attributes": {"expiry_time": KEY_EXPIRY},
                    "lifetime_actions": [
                        {
                            "action": {"type": keyvault.KeyRotationPolicyActionType.ROTATE},
                            "trigger": {"time_after_create": ROTATE_AFTER_CREATE},
                        },
                        {
                            "action": {"type": keyvault.KeyRotationPolicyActionType.NOTIFY},
                            "trigger": {"time_before_expiry": NOTIFY_BEFORE_EXPIRY},
                        },
                    ],
                },
            },
            opts=stateful_options(args.retention, self),
        )
        self.role_assignments = {
            label: role_assignment(
                naming.child(name, f"encrypt-{label}"),
                scope=self.key.id,
                role=ROLE,
                principal_id=principal,
                parent=self,
                argument=f"encryption_users[{label!r}]",
            )
            for label, principal in sorted(args.encryption_users.items())
        }
        self.vault_id = self.vault.id
        self.vault_name = self.vault.name
        self.vault_uri = self.vault.properties.apply(lambda p: p.vault_uri)
        self.key_id = self.key.id
        self.key_name = self.key.name
        self.key_uri = self.key.key_uri
        self.register_outputs(
            {
                "vault_id": self.vault_id,
                "vault_name": self.vault_name,
                "vault_uri": self.vault_uri,
                "key_id": self.key_id,
                "key_name": self.key_name,
                "key_uri": self.key_uri,
            }
        )


_NOT_PUBLIC = tuple(
    ipaddress.IPv4Network(block)
    for block in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
    )
)
"""Private (RFC 1918), shared (RFC 6598), loopback and link-local ranges: service
firewalls match public client addresses only."""


def check_ip_ranges(argument: str, ranges: Sequence[str]) -> list[str]:
    """Problems with an allowlist of public IPv4 addresses or CIDR ranges."""
    problems = []
    for i, value in enumerate(ranges):
        try:
            network = ipaddress.ip_network(value, strict=True)
        except ValueError:
            problems.append(f"{argument}[{i}]: {value!r} is not an IPv4 address or CIDR range")
            continue
        if not isinstance(network, ipaddress.IPv4Network) or any(
            network.overlaps(block) for block in _NOT_PUBLIC
        ):
            problems.append(f"{argument}[{i}]: {value!r} is not a public IPv4 range")
        elif network.prefixlen == 0:
            problems.append(f"{argument}[{i}]: {value!r} allows the whole internet")
    return problems


def _validate(args: KeyVaultKeyArgs) -> None:
    problems: list[str] = []
    if args.key_size not in KEY_SIZES:
        problems.append(f"key_size: {args.key_size} is not one of {', '.join(map(str, KEY_SIZES))}")
    if not _KEY_NAME.match(args.key_name):
        problems.append(f"key_name: {args.key_name!r} must be 1-127 letters, digits and hyphens")
    for label in args.encryption_users:
        if not _LABEL.match(label):
            problems.append(
                f"encryption_users[{label!r}]: labels are 1-40 lower-case letters, digits, hyphens"
            )
    problems.extend(check_ip_ranges("allowed_ip_ranges", args.allowed_ip_ranges))
    if problems:
        raise ValueError("invalid KeyVaultKeyArgs:\n  - " + "\n  - ".join(problems))

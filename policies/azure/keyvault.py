"""Key Vault rules: vaults that hold customer-managed keys keep them recoverable and
authorize with Azure RBAC."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, resource_rule, truthy

VAULT = "azure-native:keyvault:Vault"


@resource_rule(
    name="azure-keyvault-require-purge-protection",
    description="Key vaults must have purge protection enabled.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set properties.enable_purge_protection=True (it cannot be turned off).",
    references=["Azure Policy 0b60c0b2-2dc2-4e1c-b5c9-abbed971de53"],
    resource_types=[VAULT],
)
def purge_protection(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A purged key makes every storage account, registry and workspace encrypted with
    it unreadable; Azure services refuse customer-managed keys in vaults without it."""
    if not truthy(dig(args.props, "properties", "enablePurgeProtection")):
        yield "properties.enablePurgeProtection is not true; set it to true."


@resource_rule(
    name="azure-keyvault-require-rbac",
    description="Key vaults must use the Azure RBAC permission model.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set properties.enable_rbac_authorization=True and grant Key Vault roles "
    "instead of access policies.",
    references=["Azure Policy 12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5"],
    resource_types=[VAULT],
)
def rbac(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Access policies live outside Azure RBAC: no conditions, no PIM, no central review."""
    if not truthy(dig(args.props, "properties", "enableRbacAuthorization")):
        yield "properties.enableRbacAuthorization is not true; set it to true."

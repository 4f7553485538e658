"""Azure DevOps rules: service connections into Azure sign in without secrets."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, resource_rule

SERVICE_CONNECTION = "azuredevops:index/serviceEndpointAzureRM:ServiceEndpointAzureRM"


@resource_rule(
    name="azure-devops-service-connection-require-workload-identity",
    description="Azure Resource Manager service connections must use workload identity "
    "federation (no client secret or certificate).",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set service_endpoint_authentication_scheme='WorkloadIdentityFederation' "
    "and trust the connection with a federated credential on the identity.",
    references=["none (project rule: no built-in control covers Azure DevOps connections)"],
    resource_types=[SERVICE_CONNECTION],
)
def workload_identity(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A service principal secret in a service connection is a long-lived credential
    that can be exfiltrated by any pipeline allowed to use the connection."""
    scheme = args.props.get("serviceEndpointAuthenticationScheme")
    if scheme != "WorkloadIdentityFederation":
        yield (
            f"serviceEndpointAuthenticationScheme is {scheme or 'unset (ServicePrincipal)'}; "
            "set 'WorkloadIdentityFederation'."
        )
    for secret in ("serviceprincipalkey", "serviceprincipalcertificate"):
        if dig(args.props, "credentials", secret):
            yield f"credentials.{secret} is set; remove it."

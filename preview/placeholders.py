"""Hand-written placeholder values, only where a policy or a reviewer reads the value's
form: identity ids, OIDC issuer URLs, Google service-agent addresses. Everything else a
mock returns is shaped by the SDK's types (``shapes.py``).

Every value is derived from a seed (the resource's URN and the value's path) by hashing,
so two plans of the same program are byte-identical.
"""

from __future__ import annotations

import base64
import hashlib
import uuid

AZURE_TENANT_ID = "00000000-0000-0000-0000-000000000001"

# Google's service agents: https://cloud.google.com/iam/docs/service-agents (the
# "Service agent email" column). The common form is
# service-PROJECT_NUMBER@gcp-sa-SERVICE.iam.gserviceaccount.com; these services use
# another domain or prefix.
_GCP_AGENT_DOMAINS = {
    "bigquery.googleapis.com": ("bq-{number}", "bigquery-encryption"),
    "compute.googleapis.com": ("service-{number}", "compute-system"),
    "container.googleapis.com": ("service-{number}", "container-engine-robot"),
    "containerregistry.googleapis.com": ("service-{number}", "containerregistry"),
    "dataflow.googleapis.com": ("service-{number}", "dataflow-service-producer-prod"),
    "dataproc.googleapis.com": ("service-{number}", "dataproc-accounts"),
    "composer.googleapis.com": ("service-{number}", "cloudcomposer-accounts"),
    "run.googleapis.com": ("service-{number}", "serverless-robot-prod"),
    "cloudfunctions.googleapis.com": ("service-{number}", "gcf-admin-robot"),
    "storage.googleapis.com": ("service-{number}", "gs-project-accounts"),
    "sqladmin.googleapis.com": ("service-{number}", "gcp-sa-cloud-sql"),
    "monitoring.googleapis.com": ("service-{number}", "gcp-sa-monitoring-notification"),
}


def digest(text: str) -> str:
    """Hex SHA-256 of ``text``."""
    return hashlib.sha256(text.encode()).hexdigest()


def guid(seed: str) -> str:
    """A version-4 GUID derived from ``seed``."""
    return str(uuid.UUID(digest(seed)[:32], version=4))


def gcp_service_agent(service: str, project_number: str) -> str:
    """E-mail address of the Google-managed service agent of ``service`` (an API name
    such as ``aiplatform.googleapis.com``) in the project numbered ``project_number``."""
    prefix, domain = _GCP_AGENT_DOMAINS.get(
        service, ("service-{number}", "gcp-sa-" + service.split(".")[0])
    )
    return f"{prefix.format(number=project_number)}@{domain}.iam.gserviceaccount.com"


def eks_oidc_issuer(region: str, seed: str) -> str:
    """An EKS cluster's OIDC issuer: ``https://oidc.eks.<region>.amazonaws.com/id/`` and
    32 upper-case hex digits."""
    return f"https://oidc.eks.{region}.amazonaws.com/id/{digest(seed)[:32].upper()}"


def eks_endpoint(region: str, seed: str) -> str:
    """An EKS cluster's API server endpoint."""
    return f"https://{digest(seed)[:32].upper()}.gr7.{region}.eks.amazonaws.com"


def gke_dns_endpoint(region: str, seed: str) -> str:
    """A GKE cluster's DNS-based control-plane endpoint
    (``gke-<hash>.<region>.gke.goog``)."""
    return f"gke-{digest(seed)[:32]}.{region}.gke.goog"


def certificate_data(seed: str) -> str:
    """Base64 of a PEM block, as ``certificateAuthority.data`` is (not a real certificate)."""
    body = base64.b64encode(digest(seed).encode()).decode()
    pem = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
    return base64.b64encode(pem.encode()).decode()


def aks_oidc_issuer(location: str, seed: str) -> str:
    """An AKS cluster's OIDC issuer URL (``https://<location>.oic.prod-aks.azure.com/
    <tenant>/<guid>/``)."""
    return f"https://{location}.oic.prod-aks.azure.com/{AZURE_TENANT_ID}/{guid(seed)}/"

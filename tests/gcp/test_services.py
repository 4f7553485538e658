"""ProjectServices: one Service per API, never disabled on destroy; each block lists
the APIs it needs."""

from __future__ import annotations

import pytest
from gcp_plan import plan
from mlops_components.gcp import (
    ProjectServices,
    identity,
    kms,
    log_sinks,
    network,
    registry,
    storage,
)

SERVICE = "gcp:projects/service:Service"


def test_one_service_per_api_left_on_at_destroy() -> None:
    needed = [*kms.SERVICES, *storage.SERVICES, *registry.SERVICES, *storage.SERVICES]

    def program() -> None:
        ProjectServices("apis", needed)

    rec = plan(program)
    services = {r.name: r for r in rec.by_type(SERVICE)}
    assert sorted(services) == ["apis-artifactregistry", "apis-cloudkms", "apis-storage"]
    for service in services.values():
        assert service.inputs["disableOnDestroy"] is False
        assert service.inputs["disableDependentServices"] is False
    assert services["apis-cloudkms"].inputs["service"] == "cloudkms.googleapis.com"


def test_every_block_names_its_apis() -> None:
    assert kms.SERVICES == ("cloudkms.googleapis.com",)
    assert storage.SERVICES == ("storage.googleapis.com",)
    assert registry.SERVICES == ("artifactregistry.googleapis.com",)
    assert network.SERVICES == ("compute.googleapis.com",)
    assert network.PSA_SERVICES == ("servicenetworking.googleapis.com",)
    assert identity.SERVICES == ("iam.googleapis.com", "cloudresourcemanager.googleapis.com")
    assert log_sinks.SERVICES == ("logging.googleapis.com", "monitoring.googleapis.com")


def test_bad_api_name_is_named() -> None:
    def program() -> None:
        ProjectServices("apis", ["storage"])

    with pytest.raises(ValueError, match=r"services\[0\]"):
        plan(program)

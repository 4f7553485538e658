"""The SDK-light pieces of the AKS and Arc blocks: API server profiles, the DNS service
address, GPU sizes and counts, cluster kinds, instance-type checks, workload identity
subjects and the Kubernetes manifests (read back with a YAML parser)."""

from __future__ import annotations

import pytest
import yaml
from mlops_components.azure import accelerators
from mlops_components.azure.aks import api_server_profile, dns_service_ip
from mlops_components.azure.kubernetes_compute import (
    ClusterKind,
    InstanceType,
    check_instance_types,
)
from mlops_components.azure.manifests import NfsVolume, document, nfs_volume, service_account
from mlops_components.azure.names import check_name
from mlops_components.azure.workload_identity import subject
from mlops_components.naming import PhysicalNameError
from mlops_components.vocabulary import NetworkAccess


def test_api_server_private_or_allowlisted() -> None:
    assert api_server_profile(NetworkAccess()) == {
        "enable_private_cluster": True,
        "disable_run_command": True,
    }
    public = NetworkAccess(mode="public", allowed_cidrs=["203.0.113.0/24"])
    assert api_server_profile(public) == {
        "enable_private_cluster": False,
        "authorized_ip_ranges": ["203.0.113.0/24"],
        "disable_run_command": True,
    }


def test_dns_service_ip_is_the_tenth_address() -> None:
    assert dns_service_ip("10.0.0.0/16") == "10.0.0.10"
    assert dns_service_ip("172.16.8.0/24") == "172.16.8.10"


@pytest.mark.parametrize(
    ("size", "gpus"),
    [
        ("Standard_NC4as_T4_v3", 1),
        ("Standard_NC64as_T4_v3", 4),
        ("Standard_ND96isr_H100_v5", 8),
        ("Standard_D4ds_v5", 0),
        ("Standard_NV36ads_A10_v5", None),
    ],
)
def test_gpus_per_vm_come_from_the_data_file(size: str, gpus: int | None) -> None:
    assert accelerators.gpus_per_vm(size) == gpus
    assert accelerators.is_gpu_size(size) == (gpus != 0)


def test_cluster_kinds_name_the_extension_api_pairs() -> None:
    assert ClusterKind.AKS.provider == ("Microsoft.ContainerService", "managedClusters")
    assert ClusterKind.ARC.provider == ("Microsoft.Kubernetes", "connectedClusters")


def test_instance_type_checks() -> None:
    types = {"cpu": InstanceType({}, "2", "8Gi")}
    check_instance_types(types, "cpu")
    with pytest.raises(ValueError, match="default_instance_type: 'gpu' is not one of cpu"):
        check_instance_types(types, "gpu")
    with pytest.raises(ValueError, match="'GPU' is not a lower-case Kubernetes name"):
        check_instance_types({"GPU": InstanceType({}, "2", "8Gi")}, "GPU")


def test_pool_and_endpoint_names_follow_azure_rules() -> None:
    assert check_name("aks-agent-pool", "gpu") == "gpu"
    with pytest.raises(PhysicalNameError):
        check_name("aks-agent-pool", "gpu-pool")
    with pytest.raises(PhysicalNameError):
        check_name("ml-online-endpoint", "1endpoint")


def test_workload_identity_subject() -> None:
    assert subject("ns", "sa") == "system:serviceaccount:ns:sa"


def test_manifest_round_trips_through_yaml() -> None:
    volume = NfsVolume("data", "10.0.0.5", "/export/ml", "/mnt/data", "10Gi", read_only=False)
    objects = [service_account("sa", "ns", "client-id"), *nfs_volume(volume, "ns")]
    parsed = list(yaml.safe_load_all(document(objects)))
    assert parsed == objects
    assert parsed[1]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert parsed[1]["spec"]["nfs"]["readOnly"] is False

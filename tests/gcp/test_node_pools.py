"""GKE node pool arguments per accelerator and capacity mode (a table per mapping):
Spot, on-demand, flex-start, queued provisioning and reservations; GPU drivers and
taints; TPU slices; and the system pool."""

from __future__ import annotations

import pytest
from gcp_plan import plan as run
from mlops_components.gcp.capacity import RESERVATION_KEY
from mlops_components.gcp.gke_cluster import GkeCluster, GkeClusterArgs
from mlops_components.gcp.node_pools import GPU_TAINT, TPU_TAINT, accelerator_pool, system_pool
from mlops_components.settings.gcp import GkeAcceleratorPoolSettings, GkeClusterSettings
from mlops_components.vocabulary import AcceleratorNotOffered

LABELS = {"project": "mlops-iac"}


def plan(driver: str = "DEFAULT", **pool: object):
    return accelerator_pool(
        "p",
        GkeAcceleratorPoolSettings.model_validate(pool),
        location="europe-west4",
        service_account="nodes@p.iam.gserviceaccount.com",
        labels=LABELS,
        driver_version=driver,
        setting="cluster.accelerator_pools.p",
    )


@pytest.mark.parametrize(
    ("pool", "node", "extra", "policy"),
    [
        ({"capacity": "spot_first"}, {"spot": True}, {}, "ANY"),
        ({"capacity": "on_demand"}, {}, {}, "BALANCED"),
        (
            {"capacity": "on_demand", "scarce_capacity": "flex_start"},
            {
                "flex_start": True,
                "reservation_affinity": {"consume_reservation_type": "NO_RESERVATION"},
            },
            {},
            "ANY",
        ),
        (
            {"capacity": "on_demand", "scarce_capacity": "queued"},
            {
                "flex_start": True,
                "reservation_affinity": {"consume_reservation_type": "NO_RESERVATION"},
            },
            {"queued_provisioning": {"enabled": True}},
            "ANY",
        ),
        (
            {"capacity": "reserved", "scarce_capacity": "reservation", "reservations": ["r1"]},
            {
                "reservation_affinity": {
                    "consume_reservation_type": "SPECIFIC_RESERVATION",
                    "key": RESERVATION_KEY,
                    "values": ["r1"],
                }
            },
            {},
            "BALANCED",
        ),
    ],
)
def test_capacity_modes(pool: dict, node: dict, extra: dict, policy: str) -> None:
    found = plan(accelerator="nvidia-l4", max_nodes=3, **pool).args
    config = found["node_config"]
    for key in ("spot", "flex_start", "reservation_affinity"):
        assert config.get(key) == node.get(key), key
    assert found.get("queued_provisioning") == extra.get("queued_provisioning")
    assert found["autoscaling"] == {
        "total_min_node_count": 0,
        "total_max_node_count": 3,
        "location_policy": policy,
    }
    assert found["initial_node_count"] == 0


@pytest.mark.parametrize(
    ("accelerator", "count", "machine", "gpu_type"),
    [
        ("nvidia-t4", 1, "n1-standard-4", "nvidia-tesla-t4"),
        ("nvidia-l4", 1, "g2-standard-4", "nvidia-l4"),
        ("nvidia-a100-40gb", 8, "a2-highgpu-8g", "nvidia-tesla-a100"),
        ("nvidia-h100-80gb", 8, "a3-highgpu-8g", "nvidia-h100-80gb"),
    ],
)
def test_gpu_pools_name_the_driver_and_taint(accelerator, count, machine, gpu_type) -> None:
    found = plan("LATEST", accelerator=accelerator, count=count).args["node_config"]
    assert found["machine_type"] == machine
    assert found["guest_accelerators"] == [
        {
            "type": gpu_type,
            "count": count,
            "gpu_driver_installation_config": {"gpu_driver_version": "LATEST"},
        }
    ]
    assert found["taints"] == [GPU_TAINT]


@pytest.mark.parametrize(
    ("accelerator", "count", "topology", "machine", "placement"),
    [
        ("tpu-v5e", 4, None, "ct5lp-hightpu-4t", None),
        ("tpu-v5e", 4, "2x4", "ct5lp-hightpu-4t", {"type": "COMPACT", "tpu_topology": "2x4"}),
        ("tpu-v5p", 4, "2x2x2", "ct5p-hightpu-4t", {"type": "COMPACT", "tpu_topology": "2x2x2"}),
        ("tpu-v6e", 8, None, "ct6e-standard-8t", None),
    ],
)
def test_tpu_pools(accelerator, count, topology, machine, placement) -> None:
    pool: dict = {"accelerator": accelerator, "count": count}
    if topology:
        pool.update(tpu_topology=topology, max_nodes=2, zones=["europe-west4-b"])
    found = plan(**pool).args
    assert found["node_config"]["machine_type"] == machine
    assert found["node_config"]["taints"] == [TPU_TAINT]
    assert "guest_accelerators" not in found["node_config"]
    assert found.get("placement_policy") == placement


def test_spot_or_flex_only_machine_refuses_plain_on_demand() -> None:
    with pytest.raises(
        AcceleratorNotOffered, match=r"cluster\.accelerator_pools\.p: GCP sells a3-highgpu-1g only"
    ):
        plan(accelerator="nvidia-h100-80gb", count=1, capacity="on_demand")


def test_system_pool_is_on_demand_cpu_without_taints() -> None:
    found = system_pool(
        location="europe-west4",
        machine_type="e2-standard-4",
        service_account="nodes@p.iam.gserviceaccount.com",
        labels=LABELS,
        min_nodes=1,
        max_nodes=3,
    )
    assert found["node_config"]["taints"] == []
    assert "spot" not in found["node_config"]
    assert found["autoscaling"]["total_min_node_count"] == 1
    assert found["management"] == {"auto_repair": True, "auto_upgrade": True}


def test_zones_outside_the_clusters_region_are_refused() -> None:
    settings = GkeClusterSettings.model_validate(
        {
            "zones": ["europe-west1-b"],
            "accelerator_pools": {"l4": {"accelerator": "nvidia-l4", "zones": ["us-central1-a"]}},
        }
    )

    def program() -> None:
        GkeCluster(
            "gke",
            GkeClusterArgs(
                settings=settings,
                region="europe-west4",
                cluster_name="c",
                node_account_id="gke-nodes",
                network_id="n",
                kms_key_id="k",
                registry_id="r",
                labels=LABELS,
            ),
        )

    with pytest.raises(ValueError) as error:
        run(program)
    assert (
        "cluster.zones: europe-west1-b is not a zone of the cluster's region europe-west4"
        in str(error.value)
    )
    assert "cluster.accelerator_pools.l4.zones: us-central1-a" in str(error.value)

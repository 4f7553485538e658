"""ArcHybridMlops (architecture 6) under mocks: the connected cluster adopted by id (no
resource for it), the AzureML extension on it, the Kubernetes compute with training and
inference instance types, model containers in the shared registry, the endpoint on
site or in Azure, the optional custom location, the on-site data manifest (read back
as YAML), outputs and settings validation.

The workspace and registry come from ``ml_workspace_standin`` (architecture 4's
interface), until both architectures are on one branch."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pulumi
import pytest
import yaml
from ml_workspace_standin import (
    COMPUTE_IDENTITY_ID,
    REGISTRY_NAME,
    WORKSPACE_GROUP,
    WORKSPACE_NAME,
    WorkspaceStandIn,
)
from mlops_components.architectures import arc_hybrid_mlops, azure_foundation
from mlops_components.registry import Deployment, spec
from mlops_components.settings import Cloud, Retention
from mlops_components.settings.azure import ArcHybridMlopsSettings, AzureFoundationSettings
from mlops_preview.runner import Recording, run_program
from pydantic import ValidationError
from support import subtree

LOCATION = "westeurope"
CLUSTER_ID = (
    "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/onprem-rg/providers/"
    "Microsoft.Kubernetes/connectedClusters/factory-k8s"
)
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
COMPUTE = "azure-native:machinelearningservices:Compute"
ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
MODEL = "azure-native:machinelearningservices:RegistryModelContainer"
LOCATION_TYPE = "azure-native:extendedlocation:CustomLocation"
ON_SITE = {
    "connected_cluster_id": CLUSTER_ID,
    "extension": {
        "enable_inference": True,
        "inference_router_service_type": "NodePort",
        "ssl_secret": "inference-tls",
        "ssl_cname": "inference.factory.example.com",
        "compute_name": "onprem",
    },
    "serving": "on_prem",
    "models": ["churn", "forecast"],
    "data_volume": {"server": "nfs.factory.example.com", "path": "/export/ml"},
}


def run(settings: dict[str, Any]) -> tuple[Recording, dict[str, Any]]:
    found: dict[str, Any] = {}

    def program() -> None:
        deployment = Deployment(
            name_prefix="mlops-test",
            region=LOCATION,
            tags={"project": "mlops-iac", "environment": "test"},
            retention=Retention.DESTROYABLE,
            opts=pulumi.ResourceOptions(),
        )
        azure_foundation.deploy(deployment, AzureFoundationSettings())
        deployment.offer("azure_ml_devops", WorkspaceStandIn("ml"))
        outputs = arc_hybrid_mlops.deploy(deployment, ArcHybridMlopsSettings(**settings))
        for key, value in outputs.items():
            found[key] = None
            if value is not None:
                value.apply(lambda v, key=key: found.__setitem__(key, v))

    rec = run_program(program, config={"azure-native:location": LOCATION})
    assert rec.warnings == []
    return rec, found


@pytest.fixture(scope="module")
def on_site() -> tuple[Recording, dict[str, Any]]:
    return run(ON_SITE)


def architecture(rec: Recording) -> list[Any]:
    return [r for r in subtree(rec, rec.one(arc_hybrid_mlops.TOKEN, "arc")) if r.custom]


def test_exact_resources_and_no_cluster_resource(on_site) -> None:
    rec, _ = on_site
    assert Counter(r.type for r in architecture(rec)) == {
        EXTENSION: 1,
        COMPUTE: 1,
        ENDPOINT: 1,
        MODEL: 2,
    }
    assert rec.by_type("azure-native:kubernetes:ConnectedCluster") == []


def test_extension_targets_the_connected_cluster(on_site) -> None:
    rec, _ = on_site
    extension = rec.one(EXTENSION).inputs
    assert extension["resourceGroupName"] == "onprem-rg"
    assert extension["clusterRp"] == "Microsoft.Kubernetes"
    assert extension["clusterResourceName"] == "connectedClusters"
    assert extension["clusterName"] == "factory-k8s"
    settings = extension["configurationSettings"]
    assert settings["clusterId"] == CLUSTER_ID
    assert settings["inferenceRouterServiceType"] == "NodePort"
    assert "internalLoadBalancerProvider" not in settings  # no Azure load balancer on site
    assert settings["sslSecret"] == "inference-tls"
    assert settings["allowInsecureConnections"] == "False"
    assert settings["installNvidiaDevicePlugin"] == "False"


def test_compute_has_training_and_inference_instance_types(on_site) -> None:
    rec, _ = on_site
    compute = rec.one(COMPUTE).inputs
    assert compute["workspaceName"] == WORKSPACE_NAME
    # The lake allows no shared key: jobs run as the workspace's compute identity.
    assert compute["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": [COMPUTE_IDENTITY_ID],
    }
    assert compute["resourceGroupName"] == WORKSPACE_GROUP
    properties = compute["properties"]
    assert properties["resourceId"] == CLUSTER_ID
    assert properties["properties"]["defaultInstanceType"] == "training"
    assert properties["properties"]["instanceTypes"] == {
        "inference": {
            "nodeSelector": {},
            "resources": {
                "requests": {"cpu": "1", "memory": "4Gi"},
                "limits": {"cpu": "1", "memory": "4Gi"},
            },
        },
        "training": {
            "nodeSelector": {},
            "resources": {
                "requests": {"cpu": "4", "memory": "16Gi"},
                "limits": {"cpu": "4", "memory": "16Gi"},
            },
        },
    }


def test_models_go_to_the_shared_registry(on_site) -> None:
    rec, _ = on_site
    models = sorted(rec.by_type(MODEL), key=lambda r: r.name)
    assert [(m.name, m.inputs["modelName"]) for m in models] == [
        ("arc-model-churn", "churn"),
        ("arc-model-forecast", "forecast"),
    ]
    for model in models:
        assert model.inputs["registryName"] == REGISTRY_NAME
        assert model.inputs["resourceGroupName"] == WORKSPACE_GROUP


def test_on_site_endpoint_runs_on_the_kubernetes_compute(on_site) -> None:
    rec, found = on_site
    endpoint = rec.one(ENDPOINT).inputs
    assert endpoint["properties"]["compute"] == rec.one(COMPUTE).id
    assert endpoint["properties"]["authMode"] == "AADToken"
    assert endpoint["properties"]["publicNetworkAccess"] == "Disabled"
    assert endpoint["kind"] == "Kubernetes"
    assert "endpointName" not in endpoint  # auto-named: unique per region, created first
    assert found["arc_hybrid_mlops_endpoint_id"] == rec.one(ENDPOINT).id


def test_cloud_serving_is_a_private_managed_endpoint() -> None:
    rec, _ = run({"connected_cluster_id": CLUSTER_ID})
    endpoint = rec.one(ENDPOINT).inputs
    assert "compute" not in endpoint["properties"]
    assert endpoint["properties"]["publicNetworkAccess"] == "Disabled"
    assert endpoint["kind"] == "Managed"
    assert rec.one(EXTENSION).inputs["configurationSettings"]["enableInference"] == "False"


def test_data_stays_on_site(on_site) -> None:
    _, found = on_site
    objects = list(yaml.safe_load_all(found["arc_hybrid_mlops_kubernetes_manifest"]))
    assert [o["kind"] for o in objects] == [
        "Namespace",
        "PersistentVolume",
        "PersistentVolumeClaim",
    ]
    volume, claim = objects[1], objects[2]
    assert volume["spec"]["nfs"] == {
        "server": "nfs.factory.example.com",
        "path": "/export/ml",
        "readOnly": True,
    }
    assert volume["spec"]["accessModes"] == ["ReadOnlyMany"]
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert claim["metadata"] == {
        "name": "onprem-data",
        "namespace": "azureml-workloads",
        "labels": {"ml.azure.com/pvc": "true"},
        "annotations": {"ml.azure.com/mountpath": "/mnt/data"},
    }
    assert claim["spec"]["volumeName"] == volume["metadata"]["name"]


def test_custom_location_only_when_asked(on_site) -> None:
    rec, found = on_site
    assert rec.by_type(LOCATION_TYPE) == []
    assert found["arc_hybrid_mlops_custom_location_id"] is None
    rec, found = run({**ON_SITE, "custom_location": {"name": "factory"}})
    location = rec.one(LOCATION_TYPE).inputs
    assert location["hostResourceId"] == CLUSTER_ID
    assert location["hostType"] == "Kubernetes"
    assert location["resourceName"] == "factory"
    assert location["namespace"] == "mlops"
    assert location["clusterExtensionIds"] == [rec.one(EXTENSION).id]
    assert found["arc_hybrid_mlops_custom_location_id"] == rec.one(LOCATION_TYPE).id


def test_registry_entry() -> None:
    entry = spec("arc_hybrid_mlops")
    assert entry.cloud is Cloud.AZURE
    assert entry.requires == ("azure_foundation", "azure_ml_devops")
    assert entry.load() is arc_hybrid_mlops.deploy


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "connected_cluster_id"),
        ({"connected_cluster_id": "/subscriptions/x/resourceGroups/g"}, "connected_cluster_id"),
        ({**ON_SITE, "default_instance_type": "gpu"}, "default_instance_type: 'gpu' is not one of"),
        ({**ON_SITE, "instance_types": {"Big": {}}}, "not a lower-case Kubernetes name"),
        ({**ON_SITE, "extension": {"compute_name": "onprem"}}, "serving: on_prem needs extension.enable_inference"),
        ({**ON_SITE, "models": ["a", "a"]}, "models: a model is listed twice"),
        ({**ON_SITE, "data_volume": {"server": "nfs", "path": "relative"}}, "path"),
    ],
)  # fmt: skip
def test_invalid_settings_name_the_key(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ArcHybridMlopsSettings(**settings)


def _stack(subscription_id: str | None) -> dict[str, Any]:
    azure: dict[str, Any] = {"location": LOCATION}
    if subscription_id is not None:
        azure["subscription_id"] = subscription_id
    return {
        "environment": "prod",
        "cloud": "azure",
        "region": LOCATION,
        "tags": {"owner": "ml", "cost_centre": "cc-1"},
        "azure": azure,
        "architectures": {
            "azure_foundation": {},
            "azure_ml_devops": {},
            "arc_hybrid_mlops": ON_SITE,
        },
    }


def test_cluster_in_another_subscription_than_the_provider_is_refused() -> None:
    """The extension is created through the stack's provider: a cluster in another
    subscription is not found there (checked when the subscription is configured)."""
    from mlops_components.settings import StackSettings

    with pytest.raises(ValidationError) as error:
        StackSettings.model_validate(_stack("22222222-2222-2222-2222-222222222222"))
    message = str(error.value)
    assert "architectures.arc_hybrid_mlops.connected_cluster_id" in message
    assert "11111111-1111-1111-1111-111111111111" in message
    assert "mlops-iac:azure.subscription_id" in message
    StackSettings.model_validate(_stack("11111111-1111-1111-1111-111111111111"))
    StackSettings.model_validate(_stack(None))

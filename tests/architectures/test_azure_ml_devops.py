"""AzureMlDevOps under mocks: the exact resources, names, wiring and security settings;
the blue/green switch as an endpoint-only update; the Azure DevOps objects; capacity;
settings validation; the release pipeline document."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from mlops_components.architectures import azure_foundation, azure_ml_devops
from mlops_components.architectures.azure_ml_devops import (
    TOKEN,
    AzureMlDevOps,
    endpoint_name,
    instance_name,
    release_target,
)
from mlops_components.azure.release_pipeline import deploy_script, register_script, render
from mlops_components.registry import Capacity, Deployment, spec
from mlops_components.settings import Cloud, Retention, StackSettings
from mlops_components.settings.azure import AzureFoundationSettings
from mlops_components.settings.azure_ml import AzureMlDevOpsSettings
from mlops_preview.runner import Recording, plan_stack, run_program
from pydantic import ValidationError
from support import subtree

ROOT = Path(__file__).resolve().parents[2]
LOCATION = "westeurope"
PREFIX = "mlops-test"
TAGS = {"project": "mlops-iac", "environment": "prod", "owner": "ml", "cost-centre": "cc-1"}
ML = "azure-native:machinelearningservices"
WORKSPACE = f"{ML}:Workspace"
COMPUTE = f"{ML}:Compute"
ENDPOINT = f"{ML}:OnlineEndpoint"
DEPLOYMENT = f"{ML}:OnlineDeployment"
REGISTRY = f"{ML}:Registry"
CONNECTION = "azuredevops:index/serviceEndpointAzureRM:ServiceEndpointAzureRM"
FEDERATION = "azure-native:managedidentity:FederatedIdentityCredential"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
MODEL = "azureml://registries/mlops-models/models/churn/versions/{}"
ADOPTED = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mlops-prod-rg/"
    "providers/Microsoft.MachineLearningServices/registries/mlops-models"
)


DEVOPS = {
    "organization_url": "https://dev.azure.com/example-org",
    "project": "ml-platform",
    "repository": "mlops-iac",
    "agent_pool": "vnet-pool",
}


USER = "22222222-2222-2222-2222-222222222222"
TENANT = "33333333-3333-3333-3333-333333333333"


def slot(version: int, **scaling: Any) -> dict[str, Any]:
    return {
        "model": MODEL.format(version),
        "instance_type": "Standard_DS3_v2",
        "scaling": {"min_instances": 2, "max_instances": 4, **scaling},
    }


def settings(**changes: Any) -> AzureMlDevOpsSettings:
    base: dict[str, Any] = {
        "customer_managed_key": True,
        "gpu_cluster": {"accelerator": "nvidia-t4", "max_nodes": 2},
        "registry": {"name": "mlops-models"},
        "endpoint": {
            "blue": slot(3),
            "green": slot(4),
            "traffic": {"blue": 100, "green": 0},
        },
        "devops": DEVOPS,
    }
    base.update(changes)
    return AzureMlDevOpsSettings.model_validate(base)


def plan(
    ml: AzureMlDevOpsSettings,
    retention: Retention = Retention.PROTECTED,
    found: dict[str, Any] | None = None,
) -> Recording:
    def program() -> None:
        deployment = Deployment(
            name_prefix=PREFIX,
            region=LOCATION,
            tags=TAGS,
            retention=retention,
            opts=pulumi.ResourceOptions(),
        )
        azure_foundation.deploy(
            deployment, AzureFoundationSettings(alert_emails=["ml@example.com"])
        )
        outputs = azure_ml_devops.deploy(deployment, ml)
        if found is not None:
            found["outputs"] = outputs
            found["capacity"] = list(deployment.capacity)
            found["component"] = deployment.take("azure_ml_devops", AzureMlDevOps)

    rec = run_program(program, config={"azure-native:location": LOCATION})
    assert rec.warnings == []
    return rec


@pytest.fixture(scope="module")
def rec() -> Recording:
    return plan(settings())


def test_registry_entry_builds_on_the_foundation() -> None:
    entry = spec("azure_ml_devops")
    assert entry.cloud is Cloud.AZURE
    assert entry.requires == ("azure_foundation",)
    assert entry.load() is azure_ml_devops.deploy


def test_exact_resource_set(rec: Recording) -> None:
    component = rec.one(TOKEN, "azureml")
    counts = Counter(r.type for r in subtree(rec, component) if r.custom)
    assert counts == {
        WORKSPACE: 1,
        REGISTRY: 1,
        COMPUTE: 2,
        f"{ML}:Datastore": 1,
        f"{ML}:EnvironmentVersion": 1,
        ENDPOINT: 1,
        DEPLOYMENT: 2,
        "azure-native:monitor:AutoscaleSetting": 2,
        "azure-native:monitor:MetricAlert": 5,
        "azure-native:storage:StorageAccount": 1,
        "azure-native:storage:BlobServiceProperties": 1,
        "azure-native:storage:ManagementPolicy": 1,
        "azure-native:storage:BlobContainer": 1,
        "azure-native:managedidentity:UserAssignedIdentity": 2,
        ASSIGNMENT: 11,
        FEDERATION: 1,
        CONNECTION: 1,
        "azuredevops:index/buildDefinition:BuildDefinition": 1,
        "azuredevops:index/pipelineAuthorization:PipelineAuthorization": 1,
        "pulumi:providers:azuredevops": 1,
        "azure-native:network:PrivateEndpoint": 1,
        "azure-native:network:PrivateDnsZoneGroup": 1,
        "azure-native:privatedns:PrivateZone": 2,
        "azure-native:privatedns:VirtualNetworkLink": 2,
    }


def test_workspace_is_isolated_identity_based_and_protected(rec: Recording) -> None:
    ws = rec.one(WORKSPACE)
    assert ws.inputs["workspaceName"] == "mlops-test-mlw"
    assert ws.inputs["publicNetworkAccess"] == "Disabled"
    assert ws.inputs["managedNetwork"]["isolationMode"] == "AllowOnlyApprovedOutbound"
    rules = ws.inputs["managedNetwork"]["outboundRules"]
    assert {k: v["destination"]["subresourceTarget"] for k, v in rules.items()} == {
        "lake-dfs": "dfs",
        "registry": "amlregistry",
    }
    assert ws.inputs["systemDatastoresAuthMode"] == "Identity"
    assert ws.inputs["encryption"]["status"] == "Enabled"
    # Azure ML takes a versioned key identifier (the storage account a versionless one).
    key = rec.one("azure-native:keyvault:Key")
    assert (
        ws.inputs["encryption"]["keyVaultProperties"]["keyIdentifier"]
        == (key.outputs["keyUriWithVersion"])
    )
    assert ws.inputs["identity"]["type"] == "SystemAssigned,UserAssigned"
    assert ws.inputs["imageBuildCompute"] == "cpu"
    assert (ws.protect, ws.retain_on_delete) == (True, True)
    # The workspace's own storage is flat: Azure ML refuses HNS default storage.
    account = rec.one("azure-native:storage:StorageAccount", "azureml-workspace-storage")
    assert account.inputs["isHnsEnabled"] is False
    assert account.inputs["allowSharedKeyAccess"] is False
    assert ws.inputs["storageAccount"] == account.id
    store = rec.one(f"{ML}:Datastore")
    assert store.inputs["properties"]["credentials"] == {"credentialsType": "None"}
    assert store.inputs["properties"]["datastoreType"] == "AzureDataLakeGen2"


def test_private_workspace_gets_a_private_endpoint_in_the_foundation_network(
    rec: Recording,
) -> None:
    endpoint = rec.one("azure-native:network:PrivateEndpoint", "azureml-workspace-pe")
    connection = endpoint.inputs["privateLinkServiceConnections"][0]
    assert connection["groupIds"] == ["amlworkspace"]
    assert connection["privateLinkServiceId"] == rec.one(WORKSPACE).id
    assert endpoint.inputs["subnet"]["id"].endswith("/subnets/endpoints")
    zones = sorted(
        r.inputs["privateZoneName"]
        for r in rec.by_type("azure-native:privatedns:PrivateZone")
        if r.name.startswith("azureml-")
    )
    assert zones == ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]
    group = rec.one("azure-native:network:PrivateDnsZoneGroup", "azureml-workspace-pe-dns")
    assert [c["name"] for c in group.inputs["privateDnsZoneConfigs"]] == ["api", "notebooks"]


def test_managed_network_is_always_sent_and_cmk_is_optional() -> None:
    rec = plan(
        settings(
            customer_managed_key=False,
            outbound="allow_internet_outbound",
            public_network_access="enabled",
        )
    )
    assert rec.by_type("azure-native:network:PrivateEndpoint")[-1].name != "azureml-workspace-pe"
    ws = rec.one(WORKSPACE)
    assert ws.inputs["managedNetwork"]["isolationMode"] == "AllowInternetOutbound"
    assert "encryption" not in ws.inputs
    assert ws.inputs["identity"] == {"type": "SystemAssigned"}


def test_workspace_approves_its_managed_private_endpoints(rec: Recording) -> None:
    from mlops_components.azure.identity import ROLES

    ws = rec.one(WORKSPACE)
    approver = ROLES["Azure AI Enterprise Network Connection Approver"]
    grants = [
        r for r in rec.by_type(ASSIGNMENT) if r.name.startswith("azureml-workspace-approver-")
    ]
    assert sorted(r.name.removeprefix("azureml-workspace-approver-") for r in grants) == [
        "acr",
        "lake",
        "registry",
        "storage",
        "vault",
    ]
    for grant in grants:
        assert grant.inputs["roleDefinitionId"].endswith(approver)
        assert grant.inputs["principalId"] == ws.outputs["identity"]["principalId"]
    for cluster in rec.by_type(COMPUTE):
        assert {g.urn for g in grants} <= set(cluster.dependencies)


def test_clusters_scale_to_zero_and_instance_stops_when_idle(rec: Recording) -> None:
    cpu = rec.one(COMPUTE, "azureml-cpu-cluster").inputs
    gpu = rec.one(COMPUTE, "azureml-gpu-cluster").inputs
    for compute, size in ((cpu, "Standard_DS3_v2"), (gpu, "Standard_NC4as_T4_v3")):
        props = compute["properties"]
        assert props["disableLocalAuth"] is True
        inner = props["properties"]
        assert inner["vmSize"] == size
        assert inner["vmPriority"] == "LowPriority"
        assert inner["enableNodePublicIp"] is False
        assert inner["scaleSettings"]["minNodeCount"] == 0
        assert inner["scaleSettings"]["nodeIdleTimeBeforeScaleDown"] == "PT120S"
    assert [r.name for r in rec.by_type(COMPUTE)] == ["azureml-cpu-cluster", "azureml-gpu-cluster"]
    rec2 = plan(
        settings(
            compute_instance={
                "enabled": True,
                "idle_minutes_before_shutdown": 30,
                "assigned_user": {"object_id": USER, "tenant_id": TENANT},
            },
            cpu_cluster={"capacity": "on_demand"},
        )
    )
    instance = rec2.one(COMPUTE, "azureml-instance").inputs
    assert re.fullmatch(r"mlops-test-dev-[0-9a-f]{6}", instance["computeName"])
    assert instance["computeName"] == instance_name(PREFIX, rec2.stack)
    inst = instance["properties"]
    assert inst["properties"]["personalComputeInstanceSettings"] == {
        "assignedUser": {"objectId": USER, "tenantId": TENANT}
    }
    assert inst["properties"]["applicationSharingPolicy"] == "Personal"
    assert inst["computeType"] == "ComputeInstance"
    assert inst["properties"]["idleTimeBeforeShutdown"] == "PT30M"
    assert inst["disableLocalAuth"] is True
    cpu2 = rec2.one(COMPUTE, "azureml-cpu-cluster").inputs["properties"]["properties"]
    assert cpu2["vmPriority"] == "Dedicated"


def test_registry_is_created_protected_or_adopted(rec: Recording) -> None:
    registry = rec.one(REGISTRY)
    assert registry.inputs["registryName"] == "mlops-models"
    assert registry.inputs["publicNetworkAccess"] == "Disabled"
    assert (registry.protect, registry.retain_on_delete) == (True, True)
    adopted = plan(settings(registry={"existing_id": ADOPTED}), Retention.DESTROYABLE)
    assert adopted.by_type(REGISTRY) == []
    ws = adopted.one(WORKSPACE)
    assert (
        ws.inputs["managedNetwork"]["outboundRules"]["registry"]["destination"]["serviceResourceId"]
        == ADOPTED
    )
    assert (ws.protect, ws.retain_on_delete) == (False, False)


def test_component_offers_workspace_and_registry_to_later_architectures() -> None:
    found: dict[str, Any] = {}
    plan(settings(), found=found)
    component = found["component"]
    assert component.registry_name == "mlops-models"
    assert isinstance(component.workspace, pulumi.CustomResource)
    assert sorted(found["outputs"]) == [
        "azure_ml_endpoint_name",
        "azure_ml_registry_id",
        "azure_ml_registry_name",
        "azure_ml_scoring_uri",
        "azure_ml_service_connection_id",
        "azure_ml_workspace_id",
        "azure_ml_workspace_name",
    ]
    assert found["capacity"] == [
        Capacity(Cloud.AZURE, LOCATION, "aml-compute", "Standard_DS3_v2", 4, True,
                 source="architectures.azure_ml_devops.cpu_cluster"),
        Capacity(Cloud.AZURE, LOCATION, "aml-compute", "Standard_NC4as_T4_v3", 2, True,
                 source="architectures.azure_ml_devops.gpu_cluster"),
        Capacity(Cloud.AZURE, LOCATION, "aml-compute", "Standard_DS3_v2", 4, False,
                 source="architectures.azure_ml_devops.endpoint.blue"),
        Capacity(Cloud.AZURE, LOCATION, "aml-compute", "Standard_DS3_v2", 4, False,
                 source="architectures.azure_ml_devops.endpoint.green"),
    ]  # fmt: skip


def test_endpoint_and_two_deployments_wired_for_blue_green(rec: Recording) -> None:
    endpoint = rec.one(ENDPOINT)
    # Unique per region: a stable hash of the stack follows the prefix.
    assert re.fullmatch(r"mlops-test-online-[0-9a-f]{6}", endpoint.inputs["endpointName"])
    assert endpoint.inputs["endpointName"] == endpoint_name(PREFIX, rec.stack)
    assert endpoint_name(PREFIX, "other-stack") != endpoint_name(PREFIX, rec.stack)
    props = endpoint.inputs["properties"]
    assert props == {
        "authMode": "AADToken",
        "publicNetworkAccess": "Disabled",
        "traffic": {"blue": 100, "green": 0},
    }
    deployments = {r.inputs["deploymentName"]: r for r in rec.by_type(DEPLOYMENT)}
    assert sorted(deployments) == ["blue", "green"]
    for name, deployment in deployments.items():
        # Deployments need the endpoint; the endpoint never waits for a deployment.
        assert endpoint.urn in deployment.dependencies
        assert deployment.urn not in endpoint.dependencies
        assert deployment.inputs["endpointName"] == endpoint.inputs["endpointName"]
        assert deployment.inputs["sku"] == {"name": "Default", "capacity": 2}
        inner = deployment.inputs["properties"]
        assert inner["endpointComputeType"] == "Managed"
        assert inner["model"] == MODEL.format(3 if name == "blue" else 4)
        assert inner["egressPublicNetworkAccess"] == "Disabled"
        assert inner["appInsightsEnabled"] is True
    autoscale = rec.one("azure-native:monitor:AutoscaleSetting", "azureml-endpoint-blue-autoscale")
    profile = autoscale.inputs["profiles"][0]
    assert profile["capacity"] == {"minimum": "2", "maximum": "4", "default": "2"}
    trigger = profile["rules"][0]["metricTrigger"]
    assert trigger["metricName"] == "RequestsPerMinute"
    assert trigger["dividePerInstance"] is True
    assert trigger["dimensions"] == [
        {"dimensionName": "deployment", "operator": "Equals", "values": ["blue"]}
    ]
    assert autoscale.inputs["targetResourceUri"] == deployments["blue"].id


def _inputs_by_name(rec: Recording) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in rec.resources if r.custom}


def test_traffic_switch_is_an_update_of_the_endpoint_only(rec: Recording) -> None:
    before = _inputs_by_name(rec)
    switched = settings(
        endpoint={"blue": slot(3), "green": slot(4), "traffic": {"blue": 0, "green": 100}}
    )
    after = _inputs_by_name(plan(switched))
    changed = sorted(name for name in before if before[name] != after.get(name))
    assert changed == ["azureml-endpoint"]
    assert after["azureml-endpoint"]["properties"]["traffic"] == {"blue": 0, "green": 100}


def test_new_model_on_the_idle_slot_changes_only_that_deployment(rec: Recording) -> None:
    before = _inputs_by_name(rec)
    staged = settings(
        endpoint={"blue": slot(3), "green": slot(5), "traffic": {"blue": 100, "green": 0}}
    )
    after = _inputs_by_name(plan(staged))
    changed = sorted(name for name in before if before[name] != after.get(name))
    assert changed == ["azureml-endpoint-green"]


def test_deployment_count_belongs_to_autoscale_and_instance_type_replaces() -> None:
    """The count is the autoscaler's; a new instance type cannot be applied in place, so
    it replaces the deployment, deleting the fixed-name slot first (move traffic off
    the slot before: Azure refuses to delete a deployment that carries traffic)."""
    from mlops_components.azure import ml_endpoint

    parent = pulumi.ComponentResource.__new__(pulumi.ComponentResource)
    options = ml_endpoint.deployment_options(parent)
    assert options.ignore_changes == ["sku.capacity"]
    assert options.replace_on_changes == ["properties.instanceType"]
    assert options.delete_before_replace is True
    source = Path(ml_endpoint.__file__).read_text(encoding="utf-8")
    assert "opts=deployment_options(self)" in source


def test_alerts_go_to_the_action_group(rec: Recording) -> None:
    alerts = {r.name: r.inputs for r in rec.by_type("azure-native:monitor:MetricAlert")}
    metrics = {
        name: inputs["criteria"]["allOf"][0]["metricName"] for name, inputs in alerts.items()
    }
    assert metrics == {
        "azureml-endpoint-latency-alert": "RequestLatency",
        "azureml-endpoint-errors-alert": "RequestsPerMinute",
        "azureml-endpoint-failed-jobs-alert": "Failed Runs",
        "azureml-endpoint-blue-health-alert": "DeploymentCapacity",
        "azureml-endpoint-green-health-alert": "DeploymentCapacity",
    }
    for inputs in alerts.values():
        # The action group is auto-named (actionGroupName unset): its logical name plus
        # Pulumi's random suffix, not its 12-character short name.
        group = inputs["actions"][0]["actionGroupId"].rsplit("/actionGroups/", 1)[1]
        assert group.startswith("azure-monitoring-alerts-")
        assert inputs["criteria"]["odataType"].endswith("SingleResourceMultipleMetricCriteria")
    errors = alerts["azureml-endpoint-errors-alert"]["criteria"]["allOf"][0]
    assert errors["dimensions"] == [
        {"name": "statusCodeClass", "operator": "Include", "values": ["5xx"]}
    ]


def test_service_connection_uses_workload_identity_federation(rec: Recording) -> None:
    connection = rec.one(CONNECTION)
    assert connection.inputs["serviceEndpointAuthenticationScheme"] == (
        "WorkloadIdentityFederation"
    )
    assert "serviceprincipalkey" not in connection.inputs["credentials"]
    identity = rec.one(
        "azure-native:managedidentity:UserAssignedIdentity", "azureml-devops-identity"
    )
    assert connection.inputs["credentials"]["serviceprincipalid"] == identity.outputs["clientId"]
    federation = rec.one(FEDERATION)
    # Issuer and subject come from the connection, never built from strings.
    assert federation.inputs["issuer"] == connection.outputs["workloadIdentityFederationIssuer"]
    assert federation.inputs["subject"] == connection.outputs["workloadIdentityFederationSubject"]
    assert federation.inputs["audiences"] == ["api://AzureADTokenExchange"]
    assert connection.provider and "azuredevops" in connection.provider


def test_release_identity_has_only_the_release_roles(rec: Recording) -> None:
    from mlops_components.azure.identity import ROLES

    identity = rec.one(
        "azure-native:managedidentity:UserAssignedIdentity", "azureml-devops-identity"
    )
    principal = identity.outputs["principalId"]
    roles = sorted(
        r.inputs["roleDefinitionId"].rsplit("/", 1)[-1]
        for r in rec.by_type(ASSIGNMENT)
        if r.inputs["principalId"] == principal
    )
    assert roles == sorted([ROLES["AzureML Data Scientist"], ROLES["AzureML Registry User"]])
    for assignment in rec.by_type(ASSIGNMENT):
        assert assignment.inputs["principalType"] == "ServicePrincipal"


def test_github_alternative_is_a_second_federated_credential() -> None:
    github = {"repository": "acme/ml", "environment": "prod"}
    rec = plan(settings(devops={**DEVOPS, "github": github}))
    credentials = {r.name: r for r in rec.by_type(FEDERATION)}
    assert sorted(credentials) == ["azureml-devops-federation", "azureml-devops-github"]
    github_fic = credentials["azureml-devops-github"]
    assert github_fic.inputs["issuer"] == "https://token.actions.githubusercontent.com"
    assert github_fic.inputs["subject"] == "repo:acme/ml:environment:prod"
    assert credentials["azureml-devops-federation"].urn in github_fic.dependencies


def test_without_devops_there_is_no_azure_devops_object() -> None:
    rec = plan(settings(devops=None))
    assert [r for r in rec.resources if r.type.startswith("azuredevops")] == []


# -- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"endpoint": {"blue": slot(1), "traffic": {"blue": 50}}}, "add up to 50, not 100"),
        ({"endpoint": {"blue": slot(1), "traffic": {"green": 100}}}, "slot green is not"),
        (
            {"endpoint": {"blue": {**slot(1), "model": "churn:1"}}},
            "is not a registry model version",
        ),
        (
            {"endpoint": {"blue": slot(1, min_instances=0, hosting="scale_to_zero")}},
            "dedicated instances",
        ),
        ({"cpu_cluster": {"capacity": "reserved"}}, "spot_first or on_demand"),
        ({"gpu_cluster": {"accelerator": "nvidia-t4", "min_nodes": 1}}, "min_nodes"),
        ({"gpu_cluster": {"accelerator": "tpu-v5e"}}, "gpu_cluster.accelerator"),
        ({"registry": {"existing_id": ADOPTED, "name": "x-models"}}, "create-time settings"),
        ({"registry": {"existing_id": "/subscriptions/x"}}, "is not the ARM id"),
        ({"compute_instance": {"enabled": True, "idle_minutes_before_shutdown": 5}}, "15"),
        ({"compute_instance": {"enabled": True}}, "compute_instance.assigned_user"),
        (
            {"compute_instance": {"assigned_user": {"object_id": "me", "tenant_id": TENANT}}},
            "object_id",
        ),
        ({"outbound": "disabled"}, "allow_internet_outbound"),
        (
            {
                "devops": {
                    "organization_url": "https://dev.azure.com/acme",
                    "project": "p",
                    "repository": "r",
                }
            },
            "devops.agent_pool",
        ),
    ],
)
def test_invalid_settings_fail_naming_the_key(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as error:
        settings(**change)
    assert message in str(error.value)


def test_stack_settings_require_the_foundation() -> None:
    with pytest.raises(ValidationError) as error:
        StackSettings.model_validate(
            {
                "environment": "dev",
                "cloud": "azure",
                "region": LOCATION,
                "tags": {"owner": "ml", "cost_centre": "cc-1"},
                "architectures": {"azure_ml_devops": {}},
            }
        )
    assert "builds on architectures.azure_foundation" in str(error.value)


# -- release pipeline -----------------------------------------------------------------


ENVIRONMENTS = ("dev", "staging", "prod")


@pytest.fixture(scope="module")
def stacks() -> dict[str, Recording]:
    return {env: plan_stack(ROOT, f"azure-{env}") for env in ENVIRONMENTS}


def _stack_settings(rec: Recording) -> StackSettings:
    from mlops_components.settings import load_settings

    return load_settings(rec.config)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_committed_release_pipelines_are_current(
    stacks: dict[str, Recording], environment: str
) -> None:
    stack = _stack_settings(stacks[environment])
    ml = stack.architectures.azure_ml_devops
    assert ml is not None
    target = release_target(
        ml, stack.prefix, environment, f"stacks/Pulumi.azure-{environment}.yaml"
    )
    assert target is not None
    committed = ROOT / target.yaml_path
    assert committed.read_text(encoding="utf-8") == render(target), (
        f"regenerate {target.yaml_path} (README: Azure ML with Azure DevOps)"
    )
    # The names the pipeline uses are the ones the stack plans.
    rec = stacks[environment]
    assert rec.one(WORKSPACE).inputs["workspaceName"] == target.workspace
    assert rec.one(ENDPOINT).inputs["endpointName"] == target.endpoint
    assert rec.one("azure-native:resources:ResourceGroup").inputs["resourceGroupName"] == (
        target.resource_group
    )
    connection = rec.one(CONNECTION)
    assert connection.inputs["serviceEndpointName"] == target.service_connection
    assert (
        rec.one("azuredevops:index/buildDefinition:BuildDefinition").inputs["repository"]["ymlPath"]
        == target.yaml_path
    )
    document = yaml.safe_load(committed.read_text(encoding="utf-8"))
    assert [s["stage"] for s in document["stages"]] == ["register", "deploy"]
    deploy_job = document["stages"][1]["jobs"][0]
    assert deploy_job["environment"] == f"azure-ml-{environment}"
    steps = deploy_job["strategy"]["runOnce"]["deploy"]["steps"]
    assert steps[-1]["inputs"]["azureSubscription"] == target.service_connection
    pool = document["pool"]
    assert pool == ({"vmImage": "ubuntu-24.04"} if environment == "dev" else {"name": pool["name"]})


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_release_scripts_are_valid_bash(stacks: dict[str, Recording], environment: str) -> None:
    stack = _stack_settings(stacks[environment])
    ml = stack.architectures.azure_ml_devops
    assert ml is not None
    target = release_target(ml, stack.prefix, environment, "stacks/x.yaml")
    assert target is not None
    for script in (register_script(target), deploy_script(target)):
        subprocess.run(["bash", "-n"], input=script, text=True, check=True)
    deploy = deploy_script(target)
    # The shipped stacks are first deploys: no traffic, so the pipeline sets none.
    assert "--traffic" not in deploy
    assert "online-endpoint invoke" in deploy


def test_release_script_smoke_tests_every_slot_before_it_moves_traffic() -> None:
    target = release_target(settings(), PREFIX, "prod", "stacks/x.yaml")
    assert target is not None
    deploy = deploy_script(target)
    split = " ".join(f"{k}={v}" for k, v in sorted(target.traffic.items()))
    assert split and deploy.rstrip().endswith(f"--traffic '{split}'")
    assert deploy.index("online-endpoint invoke") < deploy.index("--traffic")


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_shipped_stacks_create_the_endpoint_without_traffic(
    stacks: dict[str, Recording], environment: str
) -> None:
    """The endpoint is created before its deployments and Azure refuses traffic naming a
    deployment that does not exist: a stack that ships traffic fails its first
    `pulumi up`. Traffic is the reviewed second change."""
    endpoint = stacks[environment].one(ENDPOINT)
    assert endpoint.inputs["properties"].get("traffic", {}) == {}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_project_stacks_show_the_whole_architecture(
    stacks: dict[str, Recording], environment: str
) -> None:
    rec = stacks[environment]
    assert rec.warnings == []
    assert len(rec.by_type(WORKSPACE)) == 1
    assert len(rec.by_type(ENDPOINT)) == 1
    assert sorted(r.inputs["deploymentName"] for r in rec.by_type(DEPLOYMENT)) == [
        "blue",
        "green",
    ]
    connection = rec.one(CONNECTION)
    assert connection.inputs["serviceEndpointAuthenticationScheme"] == (
        "WorkloadIdentityFederation"
    )
    # prod owns the shared registry; dev and staging adopt it by id
    registries = rec.by_type(REGISTRY)
    assert rec.outputs["azure_ml_registry_name"] == "mlops-models"
    if environment == "prod":
        assert [r.inputs["registryName"] for r in registries] == ["mlops-models"]
        assert (registries[0].protect, registries[0].retain_on_delete) == (True, True)
    else:
        assert registries == []
        assert rec.outputs["azure_ml_registry_id"].endswith("/registries/mlops-models")


def test_release_target_only_with_azure_devops_and_each_model_registered_once() -> None:
    assert release_target(settings(devops=None), PREFIX, "prod", "stacks/x.yaml") is None
    same = settings(
        endpoint={"blue": slot(3), "green": slot(3), "traffic": {"blue": 50, "green": 50}}
    )
    target = release_target(same, PREFIX, "prod", "stacks/x.yaml")
    assert target is not None
    script = register_script(target)
    assert script.count("az ml model create") == 1
    assert target.workspace == "mlops-test-mlw"
    assert target.endpoint == endpoint_name(PREFIX, "x")
    assert target.service_connection == "mlops-test-azure-ml"
    document = yaml.safe_load(render(target))
    assert document["pool"] == {"name": "vnet-pool"}
    assert document["trigger"]["paths"]["include"] == ["stacks/x.yaml"]
    assert "&id" not in render(target)

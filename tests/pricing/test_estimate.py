"""The estimate from recorded resources: each pricer with synthetic resources whose
inputs follow the SDKs' (camelCase) input names, exact monthly figures, usage shown with
its unit price, missing prices as unpriced, totals per architecture and stack."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mlops_components.pricing import FREE, PRICERS, estimate
from mlops_components.pricing.catalogue import catalogue_from

H = 730.0
STACK = "urn:pulumi:test::p::pulumi:pulumi:Stack::p-test"
PROVIDERS = [
    {
        "urn": "urn:aws-provider",
        "type": "pulumi:providers:aws",
        "name": "aws",
        "inputs": {"region": "eu-west-1"},
    },
    {
        "urn": "urn:azure-provider",
        "type": "pulumi:providers:azure-native",
        "name": "az",
        "inputs": {"location": "westeurope"},
    },
    {
        "urn": "urn:gcp-provider",
        "type": "pulumi:providers:gcp",
        "name": "gcp",
        "inputs": {"region": "europe-west4"},
    },
]


def res(
    type_: str, name: str, inputs: dict[str, Any], parent: str | None = None, custom: bool = True
) -> dict[str, Any]:
    return {
        "urn": f"urn:{type_}::{name}",
        "type": type_,
        "name": name,
        "parent": parent,
        "inputs": inputs,
        "custom": custom,
    }


def one(resource: dict[str, Any], *others: dict[str, Any]) -> dict[str, Any]:
    cost = estimate([*PROVIDERS, resource, *others])
    return next(e for e in cost["resources"] if e["urn"] == resource["urn"])


# -- the types every architecture creates (main and the branches adding architectures) --

COVERED = [
    # AWS: SageMaker, serverless, containers, network, keys, storage, logs
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    "aws:sagemaker/notebookInstance:NotebookInstance",
    "aws:sagemaker/pipeline:Pipeline",
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer",
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:ecs/service:Service",
    "aws:ec2/instance:Instance",
    "aws:lambda/function:Function",
    "aws:sfn/stateMachine:StateMachine",
    "aws:apigatewayv2/api:Api",
    "aws:apigateway/restApi:RestApi",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:kms/key:Key",
    "aws:ecr/repository:Repository",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:s3/bucket:Bucket",
    "aws:budgets/budget:Budget",
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
    # Azure: AML, AKS, Arc, network, keys, registry, logs, storage
    "azure-native:containerservice:ManagedCluster",
    "azure-native:containerservice:AgentPool",
    "azure-native:machinelearningservices:Compute",
    "azure-native:machinelearningservices:OnlineDeployment",
    "azure-native:machinelearningservices:Workspace",
    "azure-native:kubernetes:ConnectedCluster",
    "azure-native:compute:VirtualMachine",
    "azure-native:network:NatGateway",
    "azure-native:network:PrivateEndpoint",
    "azure-native:keyvault:Key",
    "azure-native:containerregistry:Registry",
    "azure-native:operationalinsights:Workspace",
    "azure-native:storage:StorageAccount",
    "azure-native:consumption:Budget",
    "azure-native:costmanagement:ScheduledActionByScope",
    # Google Cloud: Vertex, GKE, TPU, network, keys, registry, logs, storage
    "gcp:container/cluster:Cluster",
    "gcp:container/nodePool:NodePool",
    "gcp:compute/instance:Instance",
    "gcp:workbench/instance:Instance",
    "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool",
    "gcp:vertex/aiEndpoint:AiEndpoint",
    "gcp:tpu/v2Vm:V2Vm",
    "gcp:compute/routerNat:RouterNat",
    "gcp:kms/cryptoKey:CryptoKey",
    "gcp:artifactregistry/repository:Repository",
    "gcp:logging/projectBucketConfig:ProjectBucketConfig",
    "gcp:storage/bucket:Bucket",
    "gcp:billing/budget:Budget",
]


@pytest.mark.parametrize("type_token", COVERED)
def test_every_billable_kind_has_a_pricer_or_is_listed_free(type_token: str) -> None:
    assert type_token in PRICERS or type_token in FREE


def test_contract_fields_and_units() -> None:
    cost = estimate([*PROVIDERS, res("aws:kms/key:Key", "key", {})])
    assert cost["currency"] == "USD"
    assert cost["hours_per_month"] == H
    assert set(cost["catalogue"]["clouds"]) == {"aws", "azure", "gcp"}
    entry = cost["resources"][0]
    assert set(entry) >= {
        "urn",
        "type",
        "name",
        "architecture",
        "status",
        "baseline_monthly",
        "maximum_monthly",
        "usage",
        "prices",
        "note",
    }
    assert entry["prices"][0] == {
        "key": "aws/kms/customer-managed-key/eu-west-1",
        "unit": "month",
        "price": 1.0,
        "source": "https://aws.amazon.com/kms/pricing/",
        "date": "2026-11-30",
    }
    assert [p["key"] for p in entry["prices"]][1:] == ["aws/kms/requests/eu-west-1"]
    assert entry["usage"] == [
        {
            "description": "API requests",
            "unit": "10K requests",
            "unit_price": 0.03,
            "key": "aws/kms/requests/eu-west-1",
        }
    ]
    assert set(cost["total"]) >= {"baseline_monthly", "maximum_monthly", "unpriced"}


# -- AWS --------------------------------------------------------------------------------


def test_interface_endpoint_bills_per_az_and_gateway_endpoint_is_free() -> None:
    interface = one(
        res(
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            "ecr",
            {"vpcEndpointType": "Interface", "subnetIds": ["a", "b", "c"]},
        )
    )
    assert interface["status"] == "priced"
    assert interface["baseline_monthly"] == round(3 * 0.011 * H, 2) == interface["maximum_monthly"]
    assert interface["usage"][0]["unit_price"] == 0.01
    gateway = one(res("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"vpcEndpointType": "Gateway"}))
    assert gateway["status"] == "free"
    assert gateway["baseline_monthly"] == 0


def test_eks_cluster_and_node_group_min_and_max() -> None:
    cluster = one(res("aws:eks/cluster:Cluster", "c", {}))
    assert cluster["baseline_monthly"] == 73.0
    group = one(
        res(
            "aws:eks/nodeGroup:NodeGroup",
            "gpu",
            {
                "instanceTypes": ["g4dn.xlarge"],
                "capacityType": "SPOT",
                "scalingConfig": {"minSize": 0.0, "maxSize": 2.0, "desiredSize": 0.0},
            },
        )
    )
    assert group["baseline_monthly"] == 0
    assert group["maximum_monthly"] == round(2 * 0.587 * H, 2)
    assert "Spot" in group["note"]
    default = one(
        res(
            "aws:eks/nodeGroup:NodeGroup",
            "cpu",
            {"scalingConfig": {"minSize": 1.0, "maxSize": 3.0}},
        )
    )
    assert default["baseline_monthly"] == round(0.0456 * H, 2)
    assert default["maximum_monthly"] == round(3 * 0.0456 * H, 2)


def test_gpu_node_group_at_minimum_counts_as_always_on_accelerator() -> None:
    cost = estimate(
        [
            *PROVIDERS,
            res(
                "aws:eks/nodeGroup:NodeGroup",
                "gpu",
                {
                    "instanceTypes": ["g4dn.xlarge"],
                    "scalingConfig": {"minSize": 1.0, "maxSize": 1.0},
                },
            ),
        ]
    )
    assert cost["total"]["accelerator_baseline_monthly"] == round(0.587 * H, 2)
    assert cost["total"]["accelerator_baseline_share"] == 1.0
    assert cost["resources"][0]["accelerators_at_baseline"] == 1


def test_endpoint_scales_between_the_autoscaling_target_limits() -> None:
    parent = "urn:component"
    config = res(
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "config",
        {
            "productionVariants": [
                {
                    "variantName": "primary",
                    "instanceType": "ml.m5.xlarge",
                    "initialInstanceCount": 6.0,
                }
            ],
        },
        parent,
    )
    endpoint = res(
        "aws:sagemaker/endpoint:Endpoint",
        "endpoint",
        {"name": "ep-1", "endpointConfigName": "config-123"},
        parent,
    )
    target = res(
        "aws:appautoscaling/target:Target",
        "scaling",
        {
            "resourceId": "endpoint/ep-1/variant/primary",
            "minCapacity": 2.0,
            "maxCapacity": 6.0,
        },
        parent,
    )
    catalogue = catalogue_from(
        {
            "aws": {
                "updated": "2026-11-30",
                "regions": ["eu-west-1"],
                "prices": [
                    {
                        "service": "sagemaker-hosting",
                        "sku": "ml.m5.xlarge",
                        "region": "eu-west-1",
                        "unit": "hour",
                        "price": 0.25,
                        "source": "s",
                        "date": "2026-11-30",
                    },
                ],
            }
        }
    )
    cost = estimate([*PROVIDERS, config, endpoint, target], catalogue)
    entry = next(e for e in cost["resources"] if e["name"] == "config")
    assert (entry["baseline_monthly"], entry["maximum_monthly"]) == (2 * 0.25 * H, 6 * 0.25 * H)
    assert "cannot scale below 2" in entry["note"]


def test_missing_price_makes_the_resource_unpriced_never_zero() -> None:
    entry = one(
        res(
            "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "config",
            {
                "productionVariants": [
                    {
                        "variantName": "v",
                        "instanceType": "ml.m5.2xlarge",
                        "initialInstanceCount": 1.0,
                    }
                ],
            },
        )
    )
    assert entry["status"] == "unpriced"
    assert entry["baseline_monthly"] is None and entry["maximum_monthly"] is None
    assert entry["missing"] == ["aws/sagemaker-hosting/ml.m5.2xlarge/eu-west-1"]
    assert "missing prices" in entry["note"]


def test_serverless_endpoint_is_usage_and_pipeline_steps_are_usage() -> None:
    catalogue = catalogue_from(
        {
            "aws": {
                "updated": "2026-11-30",
                "regions": ["eu-west-1"],
                "prices": [
                    {
                        "service": "sagemaker-serverless",
                        "sku": "serverless-2048mb",
                        "region": "eu-west-1",
                        "unit": "second",
                        "price": 0.00004,
                        "source": "s",
                        "date": "2026-11-30",
                    },
                    {
                        "service": "sagemaker-training",
                        "sku": "ml.m5.large",
                        "region": "eu-west-1",
                        "unit": "hour",
                        "price": 0.13,
                        "source": "s",
                        "date": "2026-11-30",
                    },
                ],
            }
        }
    )
    serverless = res(
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "sls",
        {
            "productionVariants": [
                {
                    "variantName": "v",
                    "serverlessConfig": {"memorySizeInMb": 2048.0, "maxConcurrency": 5.0},
                }
            ],
        },
    )
    pipeline = res(
        "aws:sagemaker/pipeline:Pipeline",
        "pipe",
        {
            "pipelineDefinition": json.dumps(
                {
                    "Parameters": [{"Name": "TrainType", "DefaultValue": "ml.m5.large"}],
                    "Steps": [
                        {
                            "Name": "train",
                            "Type": "Training",
                            "Arguments": {
                                "ResourceConfig": {"InstanceType": {"Get": "Parameters.TrainType"}}
                            },
                        }
                    ],
                }
            )
        },
    )
    cost = estimate([*PROVIDERS, serverless, pipeline], catalogue)
    by_name = {e["name"]: e for e in cost["resources"]}
    assert by_name["sls"]["status"] == "usage-only"
    assert by_name["sls"]["baseline_monthly"] == 0
    assert by_name["sls"]["usage"][0]["unit"] == "second"
    assert by_name["pipe"]["usage"] == [
        {
            "description": "step train per instance-hour",
            "unit": "hour",
            "unit_price": 0.13,
            "key": "aws/sagemaker-training/ml.m5.large/eu-west-1",
        }
    ]


def test_fargate_service_from_its_task_definition_and_scaling_target() -> None:
    task = res(
        "aws:ecs/taskDefinition:TaskDefinition",
        "task",
        {"family": "proc", "cpu": "1024", "memory": "2048"},
        "urn:c",
    )
    service = res(
        "aws:ecs/service:Service",
        "svc",
        {
            "name": "svc",
            "cluster": "arn:aws:ecs:eu-west-1:1:cluster/main",
            "desiredCount": 0.0,
            "launchType": "FARGATE",
            "taskDefinition": "arn:aws:ecs:eu-west-1:1:task-definition/proc:1",
        },
        "urn:c",
    )
    target = res(
        "aws:appautoscaling/target:Target",
        "t",
        {"resourceId": "service/main/svc", "minCapacity": 0.0, "maxCapacity": 4.0},
    )
    entry = one(service, task, target)
    assert entry["baseline_monthly"] == 0
    assert entry["maximum_monthly"] == round(4 * (0.04048 + 2 * 0.004445) * H, 2)


def test_a_task_definition_run_by_a_service_is_billed_through_it() -> None:
    task = res(
        "aws:ecs/taskDefinition:TaskDefinition",
        "task",
        {"family": "proc", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"]},
        "urn:c",
    )
    service = res(
        "aws:ecs/service:Service",
        "svc",
        {"name": "svc", "launchType": "FARGATE", "taskDefinition": "proc"},
        "urn:c",
    )
    entry = one(task, service)
    assert entry["status"] == "free" and entry["usage"] == []
    assert "billed through the ECS service" in entry["note"]


def test_a_scheduled_fargate_task_is_plus_usage_per_run_hour() -> None:
    """Issue 11: containers-processing's task definition, run by a Scheduler target, was
    "billed through the resources that use it" although no service uses it."""
    task = res(
        "aws:ecs/taskDefinition:TaskDefinition",
        "processing",
        {
            "family": "proc",
            "cpu": "2048",
            "memory": "4096",
            "requiresCompatibilities": ["FARGATE"],
        },
    )
    schedule = res("aws:scheduler/schedule:Schedule", "nightly", {"target": {"arn": "cluster"}})
    entry = one(task, schedule)
    assert entry["status"] == "usage-only"
    assert entry["baseline_monthly"] == 0 and entry["maximum_monthly"] == 0
    assert [(u["description"], u["unit_price"]) for u in entry["usage"]] == [
        ("2 vCPU per task run-hour", 0.04048),
        ("4 GB of memory per task run-hour", 0.004445),
    ]


def test_flow_logs_are_never_free() -> None:
    """Log delivery of VPC flow logs is billed (vended logs); the catalogue has no
    vended-logs price, so they are unpriced rather than free."""
    flow = res(
        "aws:ec2/flowLog:FlowLog",
        "flow",
        {"logDestinationType": "cloud-watch-logs", "trafficType": "ALL"},
    )
    entry = one(flow)
    assert entry["status"] == "unpriced"
    assert entry["missing"] == ["aws/cloudwatch/vended-logs-ingestion/eu-west-1"]
    assert "aws:ec2/flowLog:FlowLog" not in FREE


def test_a_type_without_pricer_is_unpriced_and_counted() -> None:
    cost = estimate([*PROVIDERS, res("aws:memorydb/cluster:Cluster", "cache", {})])
    assert cost["resources"][0]["status"] == "unpriced"
    assert cost["total"]["unpriced"] == 1


def test_a_region_without_prices_is_noted_and_unpriced() -> None:
    entry = one(res("aws:kms/key:Key", "key", {"region": "us-east-1"}))
    assert entry["status"] == "unpriced"
    assert "no aws prices for region us-east-1" in entry["note"]


# -- Azure ------------------------------------------------------------------------------


def test_aks_tier_and_registry_per_day() -> None:
    cluster = one(
        res(
            "azure-native:containerservice:ManagedCluster",
            "aks",
            {
                "location": "westeurope",
                "sku": {"name": "Base", "tier": "Free"},
                "agentPoolProfiles": [],
            },
        )
    )
    assert cluster["status"] == "free"
    standard = one(
        res(
            "azure-native:containerservice:ManagedCluster",
            "aks2",
            {
                "location": "westeurope",
                "sku": {"tier": "Standard"},
            },
        )
    )
    assert standard["baseline_monthly"] == 73.0
    registry = one(
        res(
            "azure-native:containerregistry:Registry",
            "acr",
            {"location": "westeurope", "sku": {"name": "Basic"}},
        )
    )
    assert registry["baseline_monthly"] == round(0.167 * H / 24, 2)


def test_aks_gpu_pool_is_unpriced_and_counts_its_gpus_at_minimum() -> None:
    pool = one(
        res(
            "azure-native:containerservice:AgentPool",
            "gpu",
            {
                "vmSize": "Standard_NC4as_T4_v3",
                "enableAutoScaling": True,
                "minCount": 1.0,
                "maxCount": 2.0,
                "count": 1.0,
            },
        )
    )
    assert pool["status"] == "unpriced"
    assert pool["missing"] == ["azure/vm/Standard_NC4as_T4_v3/westeurope"]
    assert pool["accelerators_at_baseline"] == 1


def test_aml_cluster_scales_from_min_nodes() -> None:
    catalogue = catalogue_from(
        {
            "azure": {
                "updated": "2026-11-30",
                "regions": ["westeurope"],
                "prices": [
                    {
                        "service": "vm",
                        "sku": "Standard_DS3_v2",
                        "region": "westeurope",
                        "unit": "hour",
                        "price": 0.3,
                        "source": "s",
                        "date": "2026-11-30",
                    },
                ],
            }
        }
    )
    compute = res(
        "azure-native:machinelearningservices:Compute",
        "cpu",
        {
            "location": "westeurope",
            "properties": {
                "computeType": "AmlCompute",
                "properties": {
                    "vmSize": "Standard_DS3_v2",
                    "scaleSettings": {"minNodeCount": 0.0, "maxNodeCount": 4.0},
                },
            },
        },
    )
    entry = estimate([*PROVIDERS, compute], catalogue)["resources"][0]
    assert (entry["baseline_monthly"], entry["maximum_monthly"]) == (0, round(4 * 0.3 * H, 2))


def test_private_endpoint_and_private_zone() -> None:
    endpoint = one(res("azure-native:network:PrivateEndpoint", "pe", {"location": "westeurope"}))
    assert endpoint["baseline_monthly"] == 7.3
    zone = one(res("azure-native:privatedns:PrivateZone", "zone", {"location": "global"}))
    assert zone["baseline_monthly"] == 0.5


# -- Google Cloud -----------------------------------------------------------------------


def test_gke_cluster_fee_and_regional_pool_counts_three_zones() -> None:
    cluster = one(
        res(
            "gcp:container/cluster:Cluster",
            "gke",
            {"location": "europe-west4", "removeDefaultNodePool": True},
        )
    )
    assert cluster["baseline_monthly"] == 73.0
    catalogue = catalogue_from(
        {
            "gcp": {
                "updated": "2026-11-30",
                "regions": ["europe-west4"],
                "prices": [
                    {
                        "service": "gce",
                        "sku": "n1-standard-4",
                        "region": "europe-west4",
                        "unit": "hour",
                        "price": 0.2,
                        "source": "s",
                        "date": "2026-11-30",
                    },
                    {
                        "service": "gpu",
                        "sku": "nvidia-tesla-t4",
                        "region": "europe-west4",
                        "unit": "hour",
                        "price": 0.35,
                        "source": "s",
                        "date": "2026-11-30",
                        "accelerator": True,
                    },
                ],
            }
        }
    )
    pool = res(
        "gcp:container/nodePool:NodePool",
        "gpu",
        {
            "location": "europe-west4",
            "autoscaling": {"minNodeCount": 0.0, "maxNodeCount": 2.0},
            "nodeConfig": {
                "machineType": "n1-standard-4",
                "spot": True,
                "guestAccelerators": [{"type": "nvidia-tesla-t4", "count": 1.0}],
            },
        },
    )
    entry = estimate([*PROVIDERS, pool], catalogue)["resources"][0]
    assert entry["baseline_monthly"] == 0
    assert entry["maximum_monthly"] == round(6 * (0.2 + 0.35) * H, 2)
    total = res(
        "gcp:container/nodePool:NodePool",
        "cpu",
        {
            "location": "europe-west4-a",
            "autoscaling": {"totalMinNodeCount": 1.0, "totalMaxNodeCount": 3.0},
            "nodeConfig": {"machineType": "n1-standard-4"},
        },
    )
    entry = estimate([*PROVIDERS, total], catalogue)["resources"][0]
    assert (entry["baseline_monthly"], entry["maximum_monthly"]) == (
        round(0.2 * H, 2),
        round(3 * 0.2 * H, 2),
    )
    assert entry["region"] == "europe-west4"


def test_vertex_prediction_keeps_one_node() -> None:
    pool = one(
        res(
            "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool",
            "pool",
            {
                "region": "europe-west4",
                "dedicatedResources": {
                    "machineSpec": {
                        "machineType": "n1-standard-4",
                        "acceleratorType": "NVIDIA_TESLA_T4",
                        "acceleratorCount": 1.0,
                    },
                    "minReplicaCount": 0.0,
                    "maxReplicaCount": 2.0,
                },
            },
        )
    )
    assert pool["status"] == "unpriced"
    assert pool["missing"] == [
        "gcp/vertex-prediction/n1-standard-4/europe-west4",
        "gcp/vertex-prediction-gpu/nvidia-tesla-t4/europe-west4",
    ]
    assert pool["accelerators_at_baseline"] == 1


def test_kms_key_storage_and_logs() -> None:
    key = one(res("gcp:kms/cryptoKey:CryptoKey", "key", {"rotationPeriod": "7776000s"}))
    assert key["baseline_monthly"] == 0.06
    bucket = one(
        res(
            "gcp:storage/bucket:Bucket",
            "b",
            {"location": "EUROPE-WEST4", "storageClass": "NEARLINE"},
        )
    )
    assert bucket["status"] == "usage-only"
    assert bucket["usage"][0]["unit_price"] == 0.01


# -- grouping ---------------------------------------------------------------------------


def test_architecture_and_component_totals() -> None:
    stack = {
        "urn": STACK,
        "type": "pulumi:pulumi:Stack",
        "name": "p-test",
        "parent": None,
        "inputs": {},
        "custom": False,
    }
    arch = res("mlops:aws:Arch", "arch", {}, STACK, custom=False)
    net = res("mlops:aws:Net", "net", {}, arch["urn"], custom=False)
    endpoint = res(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "ep",
        {"vpcEndpointType": "Interface", "subnetIds": ["a"]},
        net["urn"],
    )
    key = res("aws:kms/key:Key", "key", {}, arch["urn"])
    loose = res("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", {}, STACK)
    cost = estimate([stack, *PROVIDERS, arch, net, endpoint, key, loose])
    assert [a["name"] for a in cost["architectures"]] == ["arch"]
    assert cost["architectures"][0]["baseline_monthly"] == round(0.011 * H + 1.0, 2)
    components = {c["name"]: c for c in cost["components"]}
    assert components["net"]["baseline_monthly"] == round(0.011 * H, 2)
    by_name = {e["name"]: e for e in cost["resources"]}
    assert by_name["ep"]["architecture"] == arch["urn"]
    assert by_name["alarm"]["architecture"] is None
    assert cost["total"]["baseline_monthly"] == round(0.011 * H + 1.0 + 0.1, 2)
    assert [d["name"] for d in cost["baseline_drivers"]] == ["ep", "key", "alarm"]


STATUS_CASES = [
    (res("aws:ec2/natGateway:NatGateway", "nat", {}), "priced", round(0.048 * H, 2)),
    (
        res("aws:ec2/instance:Instance", "vm", {"instanceType": "m5.large"}),
        "priced",
        round(0.107 * H, 2),
    ),
    (res("aws:lambda/function:Function", "fn", {"memorySize": 512.0}), "usage-only", 0),
    (res("aws:sfn/stateMachine:StateMachine", "sm", {"type": "STANDARD"}), "usage-only", 0),
    (res("aws:apigatewayv2/api:Api", "api", {"protocolType": "HTTP"}), "usage-only", 0),
    (res("aws:apigateway/restApi:RestApi", "rest", {}), "unpriced", None),
    (
        res(
            "aws:sagemaker/notebookInstance:NotebookInstance",
            "nb",
            {"instanceType": "ml.t3.medium"},
        ),
        "unpriced",
        None,
    ),
    (
        res(
            "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer",
            "mlflow",
            {"trackingServerSize": "Small"},
        ),
        "unpriced",
        None,
    ),
    (res("aws:ecr/repository:Repository", "ecr", {}), "usage-only", 0),
    (res("aws:budgets/budget:Budget", "b", {"limitAmount": "10"}), "free", 0),
    (
        res("azure-native:network:NatGateway", "nat", {"location": "westeurope"}),
        "priced",
        round(0.045 * H, 2),
    ),
    (
        res(
            "azure-native:compute:VirtualMachine",
            "vm",
            {"location": "westeurope", "hardwareProfile": {"vmSize": "Standard_D4s_v5"}},
        ),
        "unpriced",
        None,
    ),
    (res("azure-native:keyvault:Key", "hsm", {"properties": {"kty": "RSA-HSM"}}), "priced", 1.0),
    (res("azure-native:keyvault:Key", "soft", {"properties": {"kty": "RSA"}}), "usage-only", 0),
    (
        res(
            "azure-native:machinelearningservices:OnlineDeployment",
            "k8s",
            {"properties": {"endpointComputeType": "Kubernetes"}},
        ),
        "free",
        0,
    ),
    (
        res("azure-native:machinelearningservices:Workspace", "ws", {"location": "westeurope"}),
        "free",
        0,
    ),
    (res("azure-native:kubernetes:ConnectedCluster", "arc", {"location": "westeurope"}), "free", 0),
    (
        res(
            "azure-native:storage:StorageAccount",
            "lake",
            {"location": "westeurope", "sku": {"name": "Standard_LRS"}},
        ),
        "unpriced",
        None,
    ),
    (
        res(
            "gcp:compute/instance:Instance",
            "vm",
            {"zone": "europe-west4-a", "machineType": "n2-standard-4"},
        ),
        "unpriced",
        None,
    ),
    (
        res(
            "gcp:workbench/instance:Instance",
            "wb",
            {"location": "europe-west4-a", "gceSetup": {"machineType": "e2-standard-4"}},
        ),
        "unpriced",
        None,
    ),
    (
        res(
            "gcp:tpu/v2Vm:V2Vm", "tpu", {"zone": "europe-west4-a", "acceleratorType": "v5litepod-8"}
        ),
        "unpriced",
        None,
    ),
    (res("gcp:compute/routerNat:RouterNat", "nat", {"region": "europe-west4"}), "usage-only", 0),
    (
        res("gcp:artifactregistry/repository:Repository", "ar", {"location": "europe-west4"}),
        "usage-only",
        0,
    ),
    (
        res(
            "gcp:logging/projectBucketConfig:ProjectBucketConfig",
            "logs",
            {"location": "europe-west4", "retentionDays": 30.0},
        ),
        "usage-only",
        0,
    ),
    (res("gcp:vertex/aiEndpoint:AiEndpoint", "ep", {"location": "europe-west4"}), "free", 0),
    (res("gcp:billing/budget:Budget", "b", {"billingAccount": "x"}), "free", 0),
]


@pytest.mark.parametrize(
    ("resource", "status", "baseline"),
    STATUS_CASES,
    ids=lambda v: v["name"] if isinstance(v, dict) else str(v),
)
def test_status_and_baseline_of_each_kind(
    resource: dict[str, Any], status: str, baseline: float | None
) -> None:
    entry = one(resource)
    assert (entry["status"], entry["baseline_monthly"]) == (status, baseline), entry["note"]


def test_tpu_chips_are_counted_from_the_type() -> None:
    entry = one(res("gcp:tpu/v2Vm:V2Vm", "tpu", {"acceleratorType": "v5litepod-8"}))
    assert entry["missing"] == ["gcp/tpu/v5litepod/europe-west4"]
    assert entry["accelerators_at_baseline"] == 8  # counted even while unpriced
    unknown = one(res("gcp:tpu/v2Vm:V2Vm", "tpu2", {"acceleratorType": "v4-8"}))
    assert unknown["missing"] == ["chip count of TPU type v4-8"]

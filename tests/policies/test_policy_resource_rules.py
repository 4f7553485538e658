"""Every resource rule: one compliant resource, then one changed field per case with the
expected violation message. ``CASES`` is keyed by rule name; ``test_policy_registry.py`` checks
that every registered rule has cases here or in ``test_policy_stack_rules.py``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from mlops_policies.testing import DELETE, patched, resource_messages

KEY = "arn:aws:kms:eu-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = "arn:aws:iam::111122223333:role/mlops-dev-sagemaker"
TAGS = {"project": "mlops-iac", "environment": "dev", "owner": "platform", "cost-centre": "ml-123"}
AKIA = "AKIA" + "IOSFODNN7EXAMPLE"
AZURE_STORAGE = "azure-native:storage:StorageAccount"
GCS_BUCKET = "gcp:storage/bucket:Bucket"
GKE_CLUSTER = "gcp:container/cluster:Cluster"


@dataclass
class Case:
    """A compliant resource, fields that stay compliant, and one-field violations."""

    resource_type: str
    compliant: dict[str, Any]
    violations: list[tuple[dict[str, Any], str]]
    also_compliant: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] | None = None


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
NOTEBOOK_OK = {
    "instanceType": "ml.t3.medium",
    "roleArn": ROLE,
    "directInternetAccess": "Disabled",
    "rootAccess": "Disabled",
    "subnetId": "subnet-1",
    "securityGroups": ["sg-1"],
    "kmsKeyId": KEY,
    "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
    "lifecycleConfigName": "auto-stop-idle",
    "tags": TAGS,
}
DOMAIN = "aws:sagemaker/domain:Domain"
DOMAIN_OK = {
    "domainName": "studio",
    "authMode": "IAM",
    "vpcId": "vpc-1",
    "subnetIds": ["subnet-1"],
    "appNetworkAccessType": "VpcOnly",
    "kmsKeyId": KEY,
    "defaultUserSettings": {
        "executionRole": ROLE,
        "jupyterLabAppSettings": {
            "appLifecycleManagement": {
                "idleSettings": {"lifecycleManagement": "ENABLED", "idleTimeoutInMinutes": 60}
            }
        },
    },
    "tags": TAGS,
}
MODEL = "aws:sagemaker/model:Model"
MODEL_OK = {
    "executionRoleArn": ROLE,
    "enableNetworkIsolation": True,
    "primaryContainer": {
        "image": "111122223333.dkr.ecr.eu-north-1.amazonaws.com/serve:1",
        "modelDataUrl": "s3://m/model.tar.gz",
    },
    "vpcConfig": {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
    "tags": TAGS,
}
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT_OK = {
    "kmsKeyArn": KEY,
    "productionVariants": [
        {
            "variantName": "primary",
            "modelName": "m",
            "instanceType": "ml.m5.large",
            "initialInstanceCount": 2,
        }
    ],
    "dataCaptureConfig": {
        "enableCapture": True,
        "initialSamplingPercentage": 20,
        "destinationS3Uri": "s3://capture/",
        "kmsKeyId": KEY,
        "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}],
    },
    "tags": TAGS,
}
SERVERLESS_OK = {
    "productionVariants": [
        {
            "variantName": "primary",
            "modelName": "m",
            "serverlessConfig": {"memorySizeInMb": 2048, "maxConcurrency": 5},
        }
    ],
    "tags": TAGS,
}
GPU_ENDPOINT_OK = {
    "productionVariants": [
        {
            "variantName": "primary",
            "modelName": "m",
            "instanceType": "ml.g5.xlarge",
            "initialInstanceCount": 1,
        }
    ],
}
DQ_JOB = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
DQ_OK = {
    "roleArn": ROLE,
    "dataQualityAppSpecification": {"imageUri": "monitor:latest"},
    "dataQualityJobInput": {
        "endpointInput": {"endpointName": "e", "localPath": "/opt/ml/processing/input"}
    },
    "dataQualityJobOutputConfig": {
        "kmsKeyId": KEY,
        "monitoringOutputs": {"s3Output": {"s3Uri": "s3://m/out", "localPath": "/out"}},
    },
    "jobResources": {
        "clusterConfig": {
            "instanceCount": 1,
            "instanceType": "ml.m5.large",
            "volumeSizeInGb": 20,
            "volumeKmsKeyId": KEY,
        }
    },
    "networkConfig": {
        "enableNetworkIsolation": True,
        "enableInterContainerTrafficEncryption": True,
    },
    "tags": TAGS,
}
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
SCHEDULE_OK = {
    "monitoringScheduleConfig": {
        "monitoringType": "DataQuality",
        "monitoringJobDefinition": {
            "roleArn": ROLE,
            "monitoringAppSpecification": {"imageUri": "monitor:latest"},
            "monitoringInputs": {"endpointInput": {"endpointName": "e"}},
            "monitoringOutputConfig": {
                "kmsKeyId": KEY,
                "monitoringOutputs": {"s3Output": {"s3Uri": "s3://m/out"}},
            },
            "monitoringResources": {
                "clusterConfig": {
                    "instanceCount": 1,
                    "instanceType": "ml.m5.large",
                    "volumeSizeInGb": 20,
                    "volumeKmsKeyId": KEY,
                }
            },
            "networkConfig": {
                "enableNetworkIsolation": True,
                "enableInterContainerTrafficEncryption": True,
            },
        },
    },
    "tags": TAGS,
}
SCHEDULE_BY_NAME = {
    "monitoringScheduleConfig": {
        "monitoringJobDefinitionName": "dq",
        "monitoringType": "DataQuality",
    }
}
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
FEATURE_GROUP_OK = {
    "featureGroupName": "customers",
    "recordIdentifierFeatureName": "id",
    "eventTimeFeatureName": "ts",
    "roleArn": ROLE,
    "featureDefinitions": [
        {"featureName": "id", "featureType": "String"},
        {"featureName": "ts", "featureType": "String"},
    ],
    "onlineStoreConfig": {"enableOnlineStore": True, "securityConfig": {"kmsKeyId": KEY}},
    "offlineStoreConfig": {"s3StorageConfig": {"s3Uri": "s3://features/", "kmsKeyId": KEY}},
    "tags": TAGS,
}
PIPELINE = "aws:sagemaker/pipeline:Pipeline"


def pipeline_definition(training_type: Any = "ml.m5.xlarge", default: str = "ml.m5.large") -> str:
    return json.dumps(
        {
            "Version": "2020-12-01",
            "Parameters": [
                {"Name": "TrainingInstanceType", "Type": "String", "DefaultValue": default}
            ],
            "Steps": [
                {
                    "Name": "Preprocess",
                    "Type": "Processing",
                    "Arguments": {
                        "ProcessingResources": {
                            "ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}
                        }
                    },
                },
                {
                    "Name": "Evaluate",
                    "Type": "Condition",
                    "Arguments": {
                        "IfSteps": [
                            {
                                "Name": "Train",
                                "Type": "Training",
                                "Arguments": {
                                    "ResourceConfig": {
                                        "InstanceType": training_type,
                                        "InstanceCount": 1,
                                    }
                                },
                            }
                        ]
                    },
                },
            ],
        }
    )


PIPELINE_OK = {
    "pipelineName": "p",
    "pipelineDisplayName": "p",
    "roleArn": ROLE,
    "pipelineDefinition": pipeline_definition(),
    "tags": TAGS,
}

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
PAB_OK = {
    "bucket": "data",
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
SSE_OK = {
    "bucket": "data",
    "rules": [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": KEY,
            },
            "bucketKeyEnabled": True,
        }
    ],
}
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
ROLE_READ = {
    "Sid": "Pipeline",
    "Effect": "Allow",
    "Principal": {"AWS": ROLE},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::data/*",
}
PUBLIC_READ = {
    "Sid": "Public",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::data/*",
}
ORG_READ = {
    **PUBLIC_READ,
    "Sid": "Org",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}},
}
BUCKET_POLICY_OK = {"bucket": "data", "policy": doc(TLS_DENY, ROLE_READ)}
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"

KMS_KEY = "aws:kms/key:Key"
ROOT_ADMIN = {
    "Sid": "Admin",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "kms:*",
    "Resource": "*",
}
KEY_OK = {
    "description": "data",
    "enableKeyRotation": True,
    "deletionWindowInDays": 30,
    "policy": doc(ROOT_ADMIN),
    "tags": TAGS,
}

IAM_POLICY = "aws:iam/policy:Policy"
IAM_ROLE = "aws:iam/role:Role"
READ_DATA = {
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
}
PASS_EXEC_ROLE = {
    "Effect": "Allow",
    "Action": "iam:PassRole",
    "Resource": ROLE,
    "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
}
IAM_POLICY_OK = {"policy": doc(READ_DATA, PASS_EXEC_ROLE), "tags": TAGS}
TRUST_SAGEMAKER = {
    "Effect": "Allow",
    "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Action": "sts:AssumeRole",
}
ROLE_OK = {
    "assumeRolePolicy": doc(TRUST_SAGEMAKER),
    "inlinePolicies": [{"name": "data", "policy": doc(READ_DATA)}],
    "tags": TAGS,
}

PERMISSION = "aws:lambda/permission:Permission"
PERMISSION_OK = {
    "action": "lambda:InvokeFunction",
    "function": "ingest",
    "principal": "s3.amazonaws.com",
    "sourceArn": "arn:aws:s3:::data",
    "sourceAccount": "111122223333",
}
FUNCTION = "aws:lambda/function:Function"
FUNCTION_OK = {
    "runtime": "python3.12",
    "handler": "app.handler",
    "role": ROLE,
    "tracingConfig": {"mode": "Active"},
    "deadLetterConfig": {"targetArn": "arn:aws:sqs:eu-north-1:111122223333:ingest-dlq"},
    "reservedConcurrentExecutions": 5,
    "kmsKeyArn": KEY,
    "environment": {
        "variables": {
            "LOG_LEVEL": "INFO",
            "TABLE_NAME": "runs",
            "DB_PASSWORD_SECRET_ARN": "arn:aws:secretsmanager:eu-north-1:111122223333:secret:db-AbCdEf",
            "API_TOKEN": "/mlops/dev/api-token",
            "KMS_KEY_ID": KEY,
        }
    },
    "tags": TAGS,
}
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"

STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
STATE_MACHINE_OK = {
    "roleArn": ROLE,
    "definition": "{}",
    "loggingConfiguration": {
        "level": "ERROR",
        "logDestination": "arn:aws:logs:eu-north-1:111122223333:log-group:/sfn:*",
        "includeExecutionData": False,
    },
    "tracingConfiguration": {"enabled": True},
    "tags": TAGS,
}

METHOD = "aws:apigateway/method:Method"
METHOD_OK = {"restApi": "api", "resourceId": "r", "httpMethod": "POST", "authorization": "AWS_IAM"}
ROUTE = "aws:apigatewayv2/route:Route"
ROUTE_OK = {
    "apiId": "a",
    "routeKey": "POST /predict",
    "authorizationType": "JWT",
    "authorizerId": "jwt",
}
REST_STAGE = "aws:apigateway/stage:Stage"
ACCESS_LOGS = {
    "destinationArn": "arn:aws:logs:eu-north-1:111122223333:log-group:/api",
    "format": '{"requestId":"$context.requestId"}',
}
REST_STAGE_OK = {
    "restApi": "api",
    "deployment": "d",
    "stageName": "prod",
    "accessLogSettings": ACCESS_LOGS,
    "tags": TAGS,
}
V2_STAGE = "aws:apigatewayv2/stage:Stage"
V2_STAGE_OK = {
    "apiId": "a",
    "name": "$default",
    "accessLogSettings": ACCESS_LOGS,
    "defaultRouteSettings": {
        "throttlingBurstLimit": 100,
        "throttlingRateLimit": 50,
        "dataTraceEnabled": False,
    },
    "tags": TAGS,
}
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
METHOD_SETTINGS_OK = {
    "restApi": "api",
    "stageName": "prod",
    "methodPath": "*/*",
    "settings": {
        "throttlingBurstLimit": 100,
        "throttlingRateLimit": 50,
        "dataTraceEnabled": False,
        "loggingLevel": "ERROR",
    },
}

REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_OK = {
    "name": "serve",
    "imageTagMutability": "IMMUTABLE",
    "imageScanningConfiguration": {"scanOnPush": True},
    "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}],
    "tags": TAGS,
}
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
ACCOUNT_PULL = {
    "Sid": "Pull",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": ["ecr:BatchGetImage"],
}

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"


def containers(**overrides: Any) -> str:
    container = {
        "name": "proc",
        "image": "proc:1",
        "readonlyRootFilesystem": True,
        "user": "1000",
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/proc"}},
    }
    container.update(overrides)
    return json.dumps([container])


TASK_OK = {
    "family": "proc",
    "containerDefinitions": containers(),
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "tags": TAGS,
}
SERVICE = "aws:ecs/service:Service"
SERVICE_OK = {
    "cluster": "c",
    "taskDefinition": "proc:1",
    "desiredCount": 1,
    "launchType": "FARGATE",
    "networkConfiguration": {
        "subnets": ["subnet-1"],
        "securityGroups": ["sg-1"],
        "assignPublicIp": False,
    },
    "tags": TAGS,
}

CLUSTER = "aws:eks/cluster:Cluster"
CLUSTER_OK = {
    "roleArn": ROLE,
    "vpcConfig": {
        "subnetIds": ["subnet-1", "subnet-2"],
        "endpointPrivateAccess": True,
        "endpointPublicAccess": False,
    },
    "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY}},
    "enabledClusterLogTypes": ["api", "audit", "authenticator"],
    "tags": TAGS,
}
CLUSTER_CIDRS_OK = patched(
    CLUSTER_OK,
    {"vpcConfig.endpointPublicAccess": True, "vpcConfig.publicAccessCidrs": ["203.0.113.0/24"]},
)
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
GPU_NODES_OK = {
    "clusterName": "serving",
    "nodeRoleArn": ROLE,
    "subnetIds": ["subnet-1"],
    "instanceTypes": ["g5.xlarge"],
    "amiType": "AL2023_x86_64_NVIDIA",
    "capacityType": "SPOT",
    "scalingConfig": {"minSize": 0, "maxSize": 2, "desiredSize": 0},
    "remoteAccess": {"ec2SshKey": "ops", "sourceSecurityGroupIds": ["sg-bastion"]},
    "tags": TAGS,
}
CPU_NODES_OK = patched(
    GPU_NODES_OK,
    {
        "instanceTypes": ["m6i.large"],
        "amiType": "AL2023_x86_64_STANDARD",
        "capacityType": "ON_DEMAND",
    },
)
EC2_INSTANCE = "aws:ec2/instance:Instance"

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LOG_GROUP_OK = {"name": "/mlops/dev/pipeline", "retentionInDays": 30, "kmsKeyId": KEY, "tags": TAGS}


CASES: dict[str, list[Case]] = {
    # --- SageMaker ----------------------------------------------------------------------
    "aws-sagemaker-notebook-disallow-direct-internet": [
        Case(
            NOTEBOOK,
            NOTEBOOK_OK,
            [
                (
                    {"directInternetAccess": "Enabled"},
                    "directInternetAccess is Enabled; set it to 'Disabled'.",
                ),
                (
                    {"directInternetAccess": DELETE},
                    "directInternetAccess is unset (AWS default: Enabled)",
                ),
            ],
        )
    ],
    "aws-sagemaker-notebook-disallow-root-access": [
        Case(
            NOTEBOOK,
            NOTEBOOK_OK,
            [({"rootAccess": "Enabled"}, "rootAccess is Enabled; set it to 'Disabled'.")],
        )
    ],
    "aws-sagemaker-notebook-require-vpc": [
        Case(
            NOTEBOOK,
            NOTEBOOK_OK,
            [
                (
                    {"subnetId": DELETE},
                    "subnetId is not set; the notebook is not attached to a VPC.",
                ),
                (
                    {"securityGroups": []},
                    "securityGroups is empty; attach at least one security group.",
                ),
            ],
        )
    ],
    "aws-sagemaker-notebook-require-kms": [
        Case(
            NOTEBOOK,
            NOTEBOOK_OK,
            [({"kmsKeyId": DELETE}, "kmsKeyId is not set; the volume uses an AWS-owned key.")],
        )
    ],
    "aws-sagemaker-notebook-require-imdsv2": [
        Case(
            NOTEBOOK,
            NOTEBOOK_OK,
            [
                (
                    {
                        "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion": "1"
                    },
                    "minimumInstanceMetadataServiceVersion is 1; set it to '2'.",
                ),
                (
                    {"instanceMetadataServiceConfiguration": DELETE},
                    "is unset (AWS default: 1); set it to '2'.",
                ),
            ],
        )
    ],
    "aws-sagemaker-notebook-require-lifecycle-config": [
        Case(
            NOTEBOOK,
            NOTEBOOK_OK,
            [({"lifecycleConfigName": DELETE}, "lifecycleConfigName is not set")],
        )
    ],
    "aws-sagemaker-domain-require-vpc-only": [
        Case(
            DOMAIN,
            DOMAIN_OK,
            [
                (
                    {"appNetworkAccessType": "PublicInternetOnly"},
                    "appNetworkAccessType is PublicInternetOnly; set it to 'VpcOnly'.",
                )
            ],
        )
    ],
    "aws-sagemaker-domain-require-kms": [
        Case(
            DOMAIN,
            DOMAIN_OK,
            [
                (
                    {"kmsKeyId": DELETE},
                    "kmsKeyId is not set; the domain's EFS volume uses an AWS-owned key.",
                )
            ],
        )
    ],
    "aws-sagemaker-domain-require-idle-shutdown": [
        Case(
            DOMAIN,
            DOMAIN_OK,
            [
                (
                    {
                        "defaultUserSettings.jupyterLabAppSettings.appLifecycleManagement.idleSettings.lifecycleManagement": "DISABLED"
                    },
                    "lifecycleManagement is not 'ENABLED'; idle apps keep running.",
                ),
                (
                    {
                        "defaultUserSettings.jupyterLabAppSettings.appLifecycleManagement.idleSettings.idleTimeoutInMinutes": 600
                    },
                    "idleTimeoutInMinutes is 600; set at most 240 minutes.",
                ),
            ],
        )
    ],
    "aws-sagemaker-model-require-network-isolation": [
        Case(
            MODEL,
            MODEL_OK,
            [({"enableNetworkIsolation": False}, "enableNetworkIsolation is not true.")],
        )
    ],
    "aws-sagemaker-model-require-vpc": [
        Case(
            MODEL,
            MODEL_OK,
            [
                ({"vpcConfig": DELETE}, "vpcConfig with subnets and securityGroupIds is not set."),
                (
                    {"vpcConfig.securityGroupIds": []},
                    "vpcConfig with subnets and securityGroupIds is not set.",
                ),
            ],
        )
    ],
    "aws-sagemaker-endpoint-config-require-kms": [
        Case(
            ENDPOINT_CONFIG,
            ENDPOINT_OK,
            [
                (
                    {"kmsKeyArn": DELETE},
                    "kmsKeyArn is not set; variants primary have EBS-backed storage.",
                )
            ],
            also_compliant=[
                {"kmsKeyArn": DELETE, "productionVariants.0.instanceType": "ml.g5.xlarge"},
                {"kmsKeyArn": DELETE, "productionVariants": SERVERLESS_OK["productionVariants"]},
            ],
        )
    ],
    "aws-sagemaker-endpoint-config-require-data-capture-kms": [
        Case(
            ENDPOINT_CONFIG,
            ENDPOINT_OK,
            [
                (
                    {"dataCaptureConfig.kmsKeyId": DELETE},
                    "dataCaptureConfig is enabled but dataCaptureConfig.kmsKeyId is not set.",
                )
            ],
            also_compliant=[
                {"dataCaptureConfig.kmsKeyId": DELETE, "dataCaptureConfig.enableCapture": False},
                {"dataCaptureConfig": DELETE},
            ],
        )
    ],
    "aws-sagemaker-endpoint-config-require-multi-instance": [
        Case(
            ENDPOINT_CONFIG,
            ENDPOINT_OK,
            [
                (
                    {"productionVariants.0.initialInstanceCount": 1},
                    "variant primary runs 1 instance(s); at least 2 required.",
                )
            ],
            also_compliant=[{"productionVariants": SERVERLESS_OK["productionVariants"]}],
        )
    ],
    "aws-sagemaker-monitoring-require-network-isolation": [
        Case(
            DQ_JOB,
            DQ_OK,
            [
                (
                    {"networkConfig.enableNetworkIsolation": False},
                    "networkConfig.enableNetworkIsolation is not true.",
                )
            ],
        ),
        Case(
            SCHEDULE,
            SCHEDULE_OK,
            [
                (
                    {"monitoringScheduleConfig.monitoringJobDefinition.networkConfig": DELETE},
                    "monitoringScheduleConfig.monitoringJobDefinition.networkConfig.enableNetworkIsolation is not true.",
                )
            ],
            also_compliant=[SCHEDULE_BY_NAME],
        ),
    ],
    "aws-sagemaker-monitoring-require-inter-container-encryption": [
        Case(
            DQ_JOB,
            DQ_OK,
            [
                (
                    {"networkConfig.enableInterContainerTrafficEncryption": False},
                    "networkConfig.enableInterContainerTrafficEncryption is not true.",
                )
            ],
        )
    ],
    "aws-sagemaker-monitoring-require-kms": [
        Case(
            DQ_JOB,
            DQ_OK,
            [
                (
                    {"jobResources.clusterConfig.volumeKmsKeyId": DELETE},
                    "the monitoring cluster config has no volumeKmsKeyId.",
                ),
                (
                    {"dataQualityJobOutputConfig.kmsKeyId": DELETE},
                    "the monitoring output config has no kmsKeyId.",
                ),
            ],
        ),
        Case(
            SCHEDULE,
            SCHEDULE_OK,
            [
                (
                    {
                        "monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig.volumeKmsKeyId": DELETE
                    },
                    "the monitoring cluster config has no volumeKmsKeyId.",
                )
            ],
        ),
    ],
    "aws-sagemaker-feature-group-require-kms": [
        Case(
            FEATURE_GROUP,
            FEATURE_GROUP_OK,
            [
                (
                    {"onlineStoreConfig.securityConfig": DELETE},
                    "onlineStoreConfig.securityConfig.kmsKeyId is not set.",
                ),
                (
                    {"offlineStoreConfig.s3StorageConfig.kmsKeyId": DELETE},
                    "offlineStoreConfig.s3StorageConfig.kmsKeyId is not set.",
                ),
            ],
            also_compliant=[
                {
                    "onlineStoreConfig.securityConfig": DELETE,
                    "onlineStoreConfig.enableOnlineStore": False,
                }
            ],
        )
    ],
    "aws-sagemaker-pipeline-require-role": [
        Case(PIPELINE, PIPELINE_OK, [({"roleArn": DELETE}, "roleArn is not set.")])
    ],
    # --- SageMaker cost ------------------------------------------------------------------
    "aws-sagemaker-require-allowed-instance-type": [
        Case(
            NOTEBOOK,
            NOTEBOOK_OK,
            [
                (
                    {"instanceType": "ml.p3.2xlarge"},
                    "notebook: accelerated instance type ml.p3.2xlarge is not allowed in this environment.",
                ),
                (
                    {"instanceType": "ml.x1.32xlarge"},
                    "notebook: instance type ml.x1.32xlarge is not in the allowlist.",
                ),
            ],
        ),
        Case(
            ENDPOINT_CONFIG,
            ENDPOINT_OK,
            [
                (
                    {"productionVariants.0.instanceType": "ml.g5.12xlarge"},
                    "variant primary: accelerated instance type ml.g5.12xlarge",
                )
            ],
            also_compliant=[{"productionVariants": SERVERLESS_OK["productionVariants"]}],
        ),
        Case(
            PIPELINE,
            PIPELINE_OK,
            [
                (
                    {"pipelineDefinition": pipeline_definition("ml.p4d.24xlarge")},
                    "step Train: accelerated instance type ml.p4d.24xlarge is not allowed",
                ),
                (
                    {
                        "pipelineDefinition": pipeline_definition(
                            {"Get": "Parameters.TrainingInstanceType"}, "ml.g5.2xlarge"
                        )
                    },
                    "step Train: accelerated instance type ml.g5.2xlarge is not allowed",
                ),
            ],
            also_compliant=[
                {
                    "pipelineDefinition": pipeline_definition(
                        {"Get": "Parameters.TrainingInstanceType"}
                    )
                }
            ],
        ),
        Case(
            ENDPOINT_CONFIG,
            GPU_ENDPOINT_OK,
            [
                (
                    {"productionVariants.0.instanceType": "ml.p5.48xlarge"},
                    "accelerated instance type ml.p5.48xlarge",
                )
            ],
            config={"allowedAcceleratedInstanceTypes": ["ml.g5.*"]},
        ),
    ],
    "aws-sagemaker-endpoint-config-cap-accelerators": [
        Case(
            ENDPOINT_CONFIG,
            GPU_ENDPOINT_OK,
            [
                (
                    {"productionVariants.0.initialInstanceCount": 9},
                    "9 x ml.g5.xlarge (1) = 9 accelerators; the cap is 2.",
                ),
                (
                    {"productionVariants.0.instanceType": "ml.g9.xlarge"},
                    "accelerator count of ml.g9.xlarge is unknown; add it to acceleratorCounts.",
                ),
                (
                    {
                        "productionVariants.0.managedInstanceScaling": {
                            "status": "ENABLED",
                            "minInstanceCount": 0,
                            "maxInstanceCount": 3,
                        }
                    },
                    "3 x ml.g5.xlarge (1) = 3 accelerators; the cap is 2.",
                ),
            ],
            config={"maxAccelerators": 2},
        )
    ],
    "aws-sagemaker-endpoint-config-require-scale-to-zero": [
        Case(
            ENDPOINT_CONFIG,
            SERVERLESS_OK,
            [
                (
                    {
                        "productionVariants": patched(
                            ENDPOINT_OK, {"productionVariants.0.initialInstanceCount": 1}
                        )["productionVariants"]
                    },
                    "variant primary is neither serverless nor scales to zero (managedInstanceScaling.minInstanceCount 0).",
                )
            ],
        ),
        Case(
            ENDPOINT_CONFIG,
            patched(
                GPU_ENDPOINT_OK,
                {
                    "productionVariants.0.managedInstanceScaling": {
                        "status": "ENABLED",
                        "minInstanceCount": 0,
                        "maxInstanceCount": 2,
                    }
                },
            ),
            [
                (
                    {"productionVariants.0.initialInstanceCount": 2},
                    "variant primary starts 2 instances; at most 1 allowed.",
                )
            ],
        ),
    ],
    # --- S3 ------------------------------------------------------------------------------
    "aws-s3-bucket-disallow-public-acl": [
        Case(
            BUCKET,
            {"bucket": "data", "tags": TAGS},
            [({"acl": "public-read"}, "acl is 'public-read'.")],
        ),
        Case(
            BUCKET_ACL,
            {"bucket": "data", "acl": "private"},
            [
                (
                    {
                        "acl": DELETE,
                        "accessControlPolicy": {
                            "owner": {"id": "o"},
                            "grants": [
                                {
                                    "grantee": {"type": "Group", "uri": ALL_USERS},
                                    "permission": "READ",
                                }
                            ],
                        },
                    },
                    f"a grant gives READ to {ALL_USERS}.",
                )
            ],
        ),
    ],
    "aws-s3-public-access-block-require-all": [
        Case(
            PAB,
            PAB_OK,
            [
                ({"ignorePublicAcls": False}, "ignorePublicAcls not true."),
                ({"blockPublicPolicy": DELETE}, "blockPublicPolicy not true."),
            ],
        )
    ],
    "aws-s3-bucket-require-bucket-key": [
        Case(
            SSE,
            SSE_OK,
            [
                (
                    {"rules.0.bucketKeyEnabled": False},
                    "an aws:kms rule has bucketKeyEnabled unset or false.",
                )
            ],
            also_compliant=[
                {
                    "rules.0.applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"},
                    "rules.0.bucketKeyEnabled": False,
                }
            ],
        )
    ],
    "aws-s3-bucket-policy-disallow-public-principal": [
        Case(
            BUCKET_POLICY,
            BUCKET_POLICY_OK,
            [
                (
                    {"policy": doc(TLS_DENY, ROLE_READ, PUBLIC_READ)},
                    "policy statement Public allows principal '*' without a scoping condition.",
                ),
                ({"policy": "{not json"}, "policy is not valid JSON, so it cannot be checked."),
            ],
            also_compliant=[{"policy": doc(TLS_DENY, ORG_READ)}],
        )
    ],
    # --- KMS -----------------------------------------------------------------------------
    "aws-kms-key-require-rotation": [
        Case(
            KMS_KEY,
            KEY_OK,
            [({"enableKeyRotation": False}, "enableKeyRotation is not true.")],
            also_compliant=[{"enableKeyRotation": False, "customerMasterKeySpec": "RSA_2048"}],
        )
    ],
    "aws-kms-key-require-explicit-policy": [
        Case(
            KMS_KEY,
            KEY_OK,
            [
                (
                    {"policy": DELETE},
                    "policy is not set; the default key policy delegates all access to IAM.",
                )
            ],
        )
    ],
    "aws-kms-key-disallow-wildcard-principal": [
        Case(
            KMS_KEY,
            KEY_OK,
            [
                (
                    {
                        "policy": doc(
                            ROOT_ADMIN,
                            {
                                "Sid": "Anyone",
                                "Effect": "Allow",
                                "Principal": {"AWS": "*"},
                                "Action": "kms:Decrypt",
                                "Resource": "*",
                            },
                        )
                    },
                    "policy statement Anyone allows principal '*' without a scoping condition.",
                )
            ],
            also_compliant=[
                {
                    "policy": doc(
                        ROOT_ADMIN,
                        {
                            "Sid": "Account",
                            "Effect": "Allow",
                            "Principal": {"AWS": "*"},
                            "Action": "kms:Decrypt",
                            "Resource": "*",
                            "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}},
                        },
                    )
                }
            ],
        )
    ],
    "aws-kms-key-disallow-bypass-lockout-check": [
        Case(
            KMS_KEY,
            KEY_OK,
            [({"bypassPolicyLockoutSafetyCheck": True}, "bypassPolicyLockoutSafetyCheck is true.")],
        )
    ],
    "aws-kms-key-require-deletion-window": [
        Case(
            KMS_KEY,
            KEY_OK,
            [({"deletionWindowInDays": 7}, "deletionWindowInDays is 7; at least 30 required.")],
            also_compliant=[{"deletionWindowInDays": DELETE}],
        ),
        Case(
            KMS_KEY,
            patched(KEY_OK, {"deletionWindowInDays": 7}),
            [({"deletionWindowInDays": 5}, "at least 7 required.")],
            config={"minimumDays": 7},
        ),
    ],
    # --- IAM -----------------------------------------------------------------------------
    "aws-iam-policy-disallow-full-admin": [
        Case(
            IAM_POLICY,
            IAM_POLICY_OK,
            [
                (
                    {
                        "policy": doc(
                            READ_DATA,
                            {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"},
                        )
                    },
                    "policy statement Admin allows '*' on '*'.",
                )
            ],
        ),
        Case(
            IAM_ROLE,
            ROLE_OK,
            [
                (
                    {
                        "inlinePolicies.0.policy": doc(
                            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
                        )
                    },
                    "inlinePolicies[data] statement 0 allows '*' on '*'.",
                )
            ],
        ),
    ],
    "aws-iam-policy-disallow-service-wildcard": [
        Case(
            IAM_POLICY,
            IAM_POLICY_OK,
            [
                (
                    {
                        "policy": doc(
                            {
                                "Sid": "Sm",
                                "Effect": "Allow",
                                "Action": "sagemaker:*",
                                "Resource": "*",
                            }
                        )
                    },
                    "policy statement Sm allows 'sagemaker:*' on '*'.",
                )
            ],
            also_compliant=[
                {
                    "policy": doc(
                        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::data/*"}
                    )
                }
            ],
        ),
        Case(
            IAM_POLICY,
            IAM_POLICY_OK,
            [
                (
                    {
                        "policy": doc(
                            {"Sid": "Sm", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
                        )
                    },
                    "allows 's3:*' on '*'.",
                )
            ],
            also_compliant=[
                {"policy": doc({"Effect": "Allow", "Action": "cloudwatch:*", "Resource": "*"})}
            ],
            config={"allowedServices": ["cloudwatch"]},
        ),
    ],
    "aws-iam-policy-disallow-privilege-escalation": [
        Case(
            IAM_POLICY,
            IAM_POLICY_OK,
            [
                (
                    {
                        "policy": doc(
                            {
                                "Sid": "Pass",
                                "Effect": "Allow",
                                "Action": "iam:PassRole",
                                "Resource": "*",
                            }
                        )
                    },
                    "policy statement Pass allows iam:passrole on '*'.",
                ),
                (
                    {
                        "policy": doc(
                            {"Sid": "Put", "Effect": "Allow", "Action": "iam:Put*", "Resource": "*"}
                        )
                    },
                    "policy statement Put allows iam:put* on '*'.",
                ),
            ],
        )
    ],
    "aws-iam-role-trust-disallow-wildcard-principal": [
        Case(
            IAM_ROLE,
            ROLE_OK,
            [
                (
                    {
                        "assumeRolePolicy": doc(
                            {
                                "Sid": "Any",
                                "Effect": "Allow",
                                "Principal": {"AWS": "*"},
                                "Action": "sts:AssumeRole",
                            }
                        )
                    },
                    "assumeRolePolicy statement Any allows principal '*' without a scoping condition.",
                )
            ],
        )
    ],
    "aws-iam-user-disallow-direct-policy": [
        Case(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            {"role": "r", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
            [
                (
                    {"__type__": "aws:iam/userPolicyAttachment:UserPolicyAttachment"},
                    "UserPolicyAttachment attaches a policy directly to a user.",
                )
            ],
        )
    ],
    # --- Lambda --------------------------------------------------------------------------
    "aws-lambda-permission-disallow-public-principal": [
        Case(PERMISSION, PERMISSION_OK, [({"principal": "*"}, "principal is '*'.")])
    ],
    "aws-lambda-permission-require-source-arn": [
        Case(
            PERMISSION,
            PERMISSION_OK,
            [({"sourceArn": DELETE}, "principal s3.amazonaws.com is not scoped with sourceArn.")],
            also_compliant=[{"sourceArn": DELETE, "principal": "111122223333"}],
        )
    ],
    "aws-lambda-function-url-require-auth": [
        Case(
            FUNCTION_URL,
            {"functionName": "f", "authorizationType": "AWS_IAM"},
            [({"authorizationType": "NONE"}, "authorizationType is 'NONE'.")],
        )
    ],
    "aws-lambda-function-require-supported-runtime": [
        Case(
            FUNCTION,
            FUNCTION_OK,
            [
                ({"runtime": "python3.8"}, "runtime python3.8 is deprecated."),
                ({"runtime": "nodejs16.x"}, "runtime nodejs16.x is deprecated."),
            ],
            also_compliant=[{"runtime": DELETE, "packageType": "Image", "imageUri": "img:1"}],
        )
    ],
    "aws-lambda-function-disallow-plaintext-secrets": [
        Case(
            FUNCTION,
            FUNCTION_OK,
            [
                (
                    {"environment.variables.DB_PASSWORD": "hunter2"},
                    "environment variable DB_PASSWORD looks like a secret stored in plain text.",
                ),
                (
                    {"environment.variables.NOTES": AKIA},
                    "environment variable NOTES holds a value that looks like a credential.",
                ),
                (
                    {"environment.variables.HF_TOKEN": "[secret]"},
                    "environment variable HF_TOKEN looks like a secret stored in plain text.",
                ),
            ],
        )
    ],
    "aws-lambda-function-require-tracing": [
        Case(
            FUNCTION,
            FUNCTION_OK,
            [
                (
                    {"tracingConfig": DELETE},
                    "tracingConfig.mode is unset (PassThrough); set 'Active'.",
                )
            ],
        )
    ],
    "aws-lambda-function-require-dead-letter": [
        Case(
            FUNCTION,
            FUNCTION_OK,
            [({"deadLetterConfig": DELETE}, "deadLetterConfig.targetArn is not set.")],
        )
    ],
    "aws-lambda-function-require-concurrency-limit": [
        Case(
            FUNCTION,
            FUNCTION_OK,
            [
                (
                    {"reservedConcurrentExecutions": DELETE},
                    "reservedConcurrentExecutions is not set to 1 or more.",
                ),
                (
                    {"reservedConcurrentExecutions": -1},
                    "reservedConcurrentExecutions is not set to 1 or more.",
                ),
            ],
            also_compliant=[{"reservedConcurrentExecutions": 1}],
        )
    ],
    "aws-lambda-function-require-kms-for-environment": [
        Case(
            FUNCTION,
            FUNCTION_OK,
            [({"kmsKeyArn": DELETE}, "environment variables are set but kmsKeyArn is not.")],
            also_compliant=[{"kmsKeyArn": DELETE, "environment": DELETE}],
        )
    ],
    # --- CloudWatch alarms ----------------------------------------------------------------
    "aws-cloudwatch-metric-alarm-require-action": [
        Case(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            {
                "name": "mlops-dev-serverless-workflow-failed",
                "namespace": "AWS/States",
                "metricName": "ExecutionsFailed",
                "comparisonOperator": "GreaterThanOrEqualToThreshold",
                "evaluationPeriods": 1,
                "threshold": 1,
                "alarmActions": ["arn:aws:sns:eu-north-1:111122223333:alarms"],
                "tags": TAGS,
            },
            [
                ({"alarmActions": DELETE}, "alarmActions is empty."),
                ({"alarmActions": []}, "alarmActions is empty."),
                ({"actionsEnabled": False}, "actionsEnabled is false."),
            ],
            also_compliant=[{"actionsEnabled": True}],
        )
    ],
    # --- SQS -----------------------------------------------------------------------------
    "aws-sqs-queue-require-kms": [
        Case(
            "aws:sqs/queue:Queue",
            {"kmsMasterKeyId": KEY, "messageRetentionSeconds": 1209600, "tags": TAGS},
            [
                ({"kmsMasterKeyId": DELETE}, "kmsMasterKeyId is not set."),
                (
                    {"kmsMasterKeyId": DELETE, "sqsManagedSseEnabled": True},
                    "kmsMasterKeyId is not set.",
                ),
            ],
        )
    ],
    # --- EventBridge Scheduler -----------------------------------------------------------
    "aws-scheduler-schedule-require-kms": [
        Case(
            "aws:scheduler/schedule:Schedule",
            {
                "scheduleExpression": "rate(7 days)",
                "flexibleTimeWindow": {"mode": "OFF"},
                "kmsKeyArn": KEY,
                "target": {
                    "arn": "arn:aws:states:eu-north-1:111122223333:stateMachine:wf",
                    "roleArn": ROLE,
                },
            },
            [({"kmsKeyArn": DELETE}, "kmsKeyArn is not set.")],
        )
    ],
    # --- Step Functions ------------------------------------------------------------------
    "aws-stepfunctions-state-machine-disallow-execution-data": [
        Case(
            STATE_MACHINE,
            STATE_MACHINE_OK,
            [
                (
                    {"loggingConfiguration.includeExecutionData": True},
                    "loggingConfiguration.includeExecutionData is true.",
                )
            ],
            also_compliant=[{"loggingConfiguration.level": "ALL"}],
        )
    ],
    "aws-stepfunctions-state-machine-require-logging": [
        Case(
            STATE_MACHINE,
            STATE_MACHINE_OK,
            [
                (
                    {"loggingConfiguration.level": "OFF"},
                    "loggingConfiguration.level is OFF; use one of ALL, ERROR, FATAL.",
                ),
                (
                    {"loggingConfiguration.logDestination": DELETE},
                    "loggingConfiguration.logDestination is not set.",
                ),
                ({"loggingConfiguration": DELETE}, "loggingConfiguration.level is unset (OFF)"),
            ],
        )
    ],
    "aws-stepfunctions-state-machine-require-tracing": [
        Case(
            STATE_MACHINE,
            STATE_MACHINE_OK,
            [
                (
                    {"tracingConfiguration.enabled": False},
                    "tracingConfiguration.enabled is not true.",
                )
            ],
        )
    ],
    # --- API Gateway ---------------------------------------------------------------------
    "aws-apigateway-method-require-authorization": [
        Case(
            METHOD,
            METHOD_OK,
            [({"authorization": "NONE"}, "authorization is 'NONE'.")],
            also_compliant=[{"authorization": "NONE", "httpMethod": "OPTIONS"}],
        ),
        Case(
            METHOD,
            patched(METHOD_OK, {"authorization": "NONE", "apiKeyRequired": True}),
            [({"apiKeyRequired": False}, "authorization is 'NONE'.")],
            config={"allowApiKeyOnly": True},
        ),
        Case(
            ROUTE,
            ROUTE_OK,
            [({"authorizationType": "NONE"}, "route POST /predict has authorizationType NONE.")],
            also_compliant=[{"authorizationType": "NONE", "routeKey": "$disconnect"}],
        ),
    ],
    "aws-apigateway-stage-require-access-logging": [
        Case(
            REST_STAGE,
            REST_STAGE_OK,
            [({"accessLogSettings": DELETE}, "accessLogSettings.destinationArn is not set.")],
        ),
        Case(
            V2_STAGE,
            V2_STAGE_OK,
            [
                (
                    {"accessLogSettings.destinationArn": ""},
                    "accessLogSettings.destinationArn is not set.",
                )
            ],
        ),
    ],
    "aws-apigateway-domain-require-tls12": [
        Case(
            "aws:apigatewayv2/domainName:DomainName",
            {
                "domainName": "inference.example.com",
                "domainNameConfiguration": {
                    "certificateArn": "arn:aws:acm:eu-north-1:111122223333:certificate/abc",
                    "endpointType": "REGIONAL",
                    "securityPolicy": "TLS_1_2",
                },
                "tags": TAGS,
            },
            [
                (
                    {"domainNameConfiguration.securityPolicy": "TLS_1_0"},
                    "securityPolicy is TLS_1_0; use TLS_1_2.",
                )
            ],
        ),
        Case(
            "aws:apigateway/domainName:DomainName",
            {
                "domainName": "inference.example.com",
                "regionalCertificateArn": "arn:aws:acm:eu-north-1:111122223333:certificate/abc",
                "securityPolicy": "TLS_1_2",
                "tags": TAGS,
            },
            [({"securityPolicy": DELETE}, "securityPolicy is unset (TLS_1_0); use TLS_1_2.")],
        ),
    ],
    "aws-apigateway-v2-stage-require-throttling": [
        Case(
            V2_STAGE,
            V2_STAGE_OK,
            [
                (
                    {"defaultRouteSettings.throttlingRateLimit": DELETE},
                    "defaultRouteSettings.throttlingBurstLimit/throttlingRateLimit are not both set (>= 0).",
                )
            ],
        )
    ],
    "aws-apigateway-disallow-data-trace": [
        Case(
            METHOD_SETTINGS,
            METHOD_SETTINGS_OK,
            [({"settings.dataTraceEnabled": True}, "settings.dataTraceEnabled is true.")],
        ),
        Case(
            V2_STAGE,
            V2_STAGE_OK,
            [
                (
                    {"defaultRouteSettings.dataTraceEnabled": True},
                    "defaultRouteSettings.dataTraceEnabled is true.",
                )
            ],
        ),
    ],
    # --- ECR -----------------------------------------------------------------------------
    "aws-ecr-repository-require-scan-on-push": [
        Case(
            REPOSITORY,
            REPOSITORY_OK,
            [
                (
                    {"imageScanningConfiguration.scanOnPush": False},
                    "imageScanningConfiguration.scanOnPush is not true.",
                )
            ],
        )
    ],
    "aws-ecr-repository-require-immutable-tags": [
        Case(
            REPOSITORY,
            REPOSITORY_OK,
            [({"imageTagMutability": "MUTABLE"}, "imageTagMutability is MUTABLE.")],
        )
    ],
    "aws-ecr-repository-require-kms": [
        Case(
            REPOSITORY,
            REPOSITORY_OK,
            [
                (
                    {"encryptionConfigurations.0.encryptionType": "AES256"},
                    "encryptionConfigurations[].encryptionType is AES256; use 'KMS'.",
                ),
                (
                    {"encryptionConfigurations": DELETE},
                    "encryptionType is unset (AES256); use 'KMS'.",
                ),
            ],
        )
    ],
    "aws-ecr-repository-policy-disallow-public": [
        Case(
            REPOSITORY_POLICY,
            {"repository": "serve", "policy": doc(ACCOUNT_PULL)},
            [
                (
                    {
                        "policy": doc(
                            ACCOUNT_PULL,
                            {
                                "Sid": "World",
                                "Effect": "Allow",
                                "Principal": "*",
                                "Action": "ecr:BatchGetImage",
                            },
                        )
                    },
                    "policy statement World allows principal '*' without a scoping condition.",
                )
            ],
        )
    ],
    # --- ECS -----------------------------------------------------------------------------
    "aws-ecs-task-definition-disallow-privileged": [
        Case(
            TASK_DEFINITION,
            TASK_OK,
            [
                (
                    {"containerDefinitions": containers(privileged=True)},
                    "container proc is privileged.",
                )
            ],
        )
    ],
    "aws-ecs-task-definition-require-readonly-or-nonroot": [
        Case(
            TASK_DEFINITION,
            TASK_OK,
            [
                (
                    {"containerDefinitions": containers(readonlyRootFilesystem=False, user="root")},
                    "container proc has a writable root filesystem and runs as root.",
                )
            ],
            also_compliant=[
                {"containerDefinitions": containers(readonlyRootFilesystem=False)},
                {"containerDefinitions": containers(user="0")},
            ],
        )
    ],
    "aws-ecs-task-definition-require-logging": [
        Case(
            TASK_DEFINITION,
            TASK_OK,
            [
                (
                    {
                        "containerDefinitions": containers(
                            logConfiguration={"logDriver": "json-file"}
                        )
                    },
                    "container proc has log driver json-file.",
                )
            ],
        )
    ],
    "aws-ecs-service-disallow-public-ip": [
        Case(
            SERVICE,
            SERVICE_OK,
            [
                (
                    {"networkConfiguration.assignPublicIp": True},
                    "networkConfiguration.assignPublicIp is true.",
                )
            ],
        )
    ],
    # --- EKS -----------------------------------------------------------------------------
    "aws-eks-cluster-disallow-public-endpoint": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"vpcConfig.endpointPublicAccess": True},
                    "the API endpoint is public and publicAccessCidrs is unset (AWS default: 0.0.0.0/0).",
                )
            ],
        ),
        Case(
            CLUSTER,
            CLUSTER_CIDRS_OK,
            [
                (
                    {"vpcConfig.publicAccessCidrs": ["0.0.0.0/0"]},
                    "the API endpoint is public to 0.0.0.0/0.",
                )
            ],
        ),
    ],
    "aws-eks-cluster-require-secrets-encryption": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"encryptionConfig.resources": []},
                    "encryptionConfig.resources does not include 'secrets'.",
                ),
                (
                    {"encryptionConfig.provider.keyArn": DELETE},
                    "encryptionConfig.provider.keyArn is not set.",
                ),
            ],
        )
    ],
    "aws-eks-cluster-require-audit-logs": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"enabledClusterLogTypes": ["api"]},
                    "enabledClusterLogTypes is missing audit, authenticator.",
                )
            ],
        )
    ],
    "aws-eks-node-group-disallow-open-remote-access": [
        Case(
            NODE_GROUP,
            GPU_NODES_OK,
            [
                (
                    {"remoteAccess.sourceSecurityGroupIds": []},
                    "remoteAccess has an ec2SshKey but no sourceSecurityGroupIds: SSH is open to 0.0.0.0/0.",
                )
            ],
            also_compliant=[{"remoteAccess": DELETE}],
        )
    ],
    "aws-eks-node-group-gpu-require-scale-to-zero": [
        Case(
            NODE_GROUP,
            GPU_NODES_OK,
            [({"scalingConfig.minSize": 1}, "scalingConfig.minSize is 1; set 0.")],
            also_compliant=[
                {
                    "instanceTypes": ["m6i.large"],
                    "amiType": "AL2023_x86_64_STANDARD",
                    "scalingConfig.minSize": 2,
                }
            ],
        )
    ],
    "aws-eks-node-group-gpu-require-spot": [
        Case(
            NODE_GROUP,
            GPU_NODES_OK,
            [({"capacityType": "ON_DEMAND"}, "capacityType is ON_DEMAND; set 'SPOT'.")],
            also_compliant=[CPU_NODES_OK],
        )
    ],
    "aws-eks-node-group-cap-accelerators": [
        Case(
            NODE_GROUP,
            GPU_NODES_OK,
            [
                ({"scalingConfig.maxSize": 9}, "maxSize 9 x 1 accelerators = 9; the cap is 8."),
                (
                    {"instanceTypes": ["g7x.xlarge"]},
                    "accelerator count of g7x.xlarge is unknown; add it to acceleratorCounts.",
                ),
            ],
        ),
        Case(
            NODE_GROUP,
            patched(GPU_NODES_OK, {"instanceTypes": ["g7x.xlarge"]}),
            [({"scalingConfig.maxSize": 3}, "maxSize 3 x 2 accelerators = 6; the cap is 4.")],
            config={"maxAccelerators": 4, "acceleratorCounts": {"g7x.xlarge": 2}},
        ),
    ],
    "aws-ec2-require-allowed-instance-type": [
        Case(
            NODE_GROUP,
            CPU_NODES_OK,
            [
                (
                    {"instanceTypes": ["g5.xlarge"]},
                    "accelerated instance type g5.xlarge is not allowed in this environment.",
                ),
                (
                    {"instanceTypes": ["x1e.32xlarge"]},
                    "instance type x1e.32xlarge is not in the allowlist.",
                ),
            ],
        ),
        Case(
            EC2_INSTANCE,
            {"ami": "ami-1", "instanceType": "t3.micro", "tags": TAGS},
            [({"instanceType": "p3.2xlarge"}, "accelerated instance type p3.2xlarge")],
        ),
        Case(
            NODE_GROUP,
            GPU_NODES_OK,
            [({"instanceTypes": ["p5.48xlarge"]}, "p5.48xlarge is not allowed")],
            config={"allowedAcceleratedInstanceTypes": ["g5.*"]},
        ),
    ],
    # --- CloudWatch ----------------------------------------------------------------------
    "aws-cloudwatch-log-group-require-retention": [
        Case(
            LOG_GROUP,
            LOG_GROUP_OK,
            [({"retentionInDays": DELETE}, "retentionInDays is not set; logs are kept forever.")],
        ),
        Case(
            LOG_GROUP,
            patched(LOG_GROUP_OK, {"retentionInDays": 365}),
            [({"retentionInDays": 30}, "retentionInDays is 30; at least 365 required.")],
            config={"minimumDays": 365},
        ),
    ],
    "aws-cloudwatch-log-group-retention-within-budget": [
        Case(
            LOG_GROUP,
            LOG_GROUP_OK,
            [
                ({"retentionInDays": 90}, "retentionInDays is 90; at most 30 allowed."),
                ({"retentionInDays": 0}, "retentionInDays is not set (kept forever)"),
            ],
            config={"maximumDays": 30},
        )
    ],
    "aws-cloudwatch-log-group-require-kms": [
        Case(LOG_GROUP, LOG_GROUP_OK, [({"kmsKeyId": DELETE}, "kmsKeyId is not set.")])
    ],
    # --- Tags ----------------------------------------------------------------------------
    "aws-resource-require-cost-allocation-tags": [
        Case(
            BUCKET,
            {"bucket": "data", "tags": TAGS},
            [
                ({"tags.owner": DELETE}, "missing or empty tags: owner."),
                ({"tags.cost-centre": " "}, "missing or empty tags: cost-centre."),
                (
                    {"tags": DELETE},
                    "missing or empty tags: project, environment, owner, cost-centre.",
                ),
            ],
            also_compliant=[
                {"tags": DELETE, "tagsAll": TAGS},
                {"__type__": BUCKET_POLICY, "tags": DELETE},
            ],
        ),
        Case(MODEL, MODEL_OK, [({"tags.project": ""}, "missing or empty tags: project.")]),
        Case(
            LOG_GROUP,
            patched(LOG_GROUP_OK, {"tags.team": "ml"}),
            [({"tags.team": DELETE}, "missing or empty tags: team.")],
            config={"requiredTags": ["project", "team"]},
        ),
    ],
    "azure-resource-require-cost-allocation-tags": [
        Case(
            AZURE_STORAGE,
            {"resourceGroupName": "rg", "kind": "StorageV2", "tags": TAGS},
            [
                ({"tags.owner": DELETE}, "missing or empty tags: owner."),
                ({"tags.cost-centre": ""}, "missing or empty tags: cost-centre."),
                (
                    {"tags": DELETE},
                    "missing or empty tags: project, environment, owner, cost-centre.",
                ),
            ],
            also_compliant=[
                {"__type__": "azure-native:authorization:RoleAssignment", "tags": DELETE},
            ],
        ),
    ],
    "gcp-resource-require-cost-allocation-labels": [
        Case(
            GCS_BUCKET,
            {"name": "data", "location": "EU", "labels": TAGS},
            [
                ({"labels.owner": DELETE}, "missing or empty labels: owner."),
                ({"labels.Team": "ml"}, "label key 'Team' must start with a lowercase letter."),
                ({"labels.team_ML": "ml"}, "label key 'team_ML' may contain only lowercase"),
                ({"labels.owner": "Platform Team"}, "label 'owner' has value 'Platform Team'"),
                ({"labels.owner": "x" * 64}, "has a value longer than 63 characters."),
                (
                    {"labels": DELETE},
                    "missing or empty labels: project, environment, owner, cost-centre.",
                ),
            ],
            also_compliant=[
                {"labels": DELETE, "pulumiLabels": TAGS},
                {"labels.owner": "équipe-données_2"},
                {"__type__": "gcp:monitoring/notificationChannel:NotificationChannel"},
            ],
        ),
        Case(
            GKE_CLUSTER,
            {"location": "europe-west4", "resourceLabels": TAGS},
            [({"resourceLabels.project": DELETE}, "missing or empty labels: project.")],
        ),
    ],
}


def _apply(case: Case, change: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    change = dict(change)
    resource_type = change.pop("__type__", case.resource_type)
    return resource_type, patched(case.compliant, change)


PARAMS = [
    pytest.param(rule, case, id=f"{rule}[{index}]")
    for rule, cases in CASES.items()
    for index, case in enumerate(cases)
]


@pytest.mark.parametrize(("rule", "case"), PARAMS)
def test_compliant_resource_passes(rule: str, case: Case) -> None:
    assert resource_messages(rule, case.resource_type, case.compliant, case.config) == []
    for change in case.also_compliant:
        resource_type, props = _apply(case, change)
        assert resource_messages(rule, resource_type, props, case.config) == [], change


@pytest.mark.parametrize(("rule", "case"), PARAMS)
def test_each_changed_field_is_reported(rule: str, case: Case) -> None:
    for change, expected in case.violations:
        resource_type, props = _apply(case, change)
        messages = resource_messages(rule, resource_type, props, case.config)
        assert len(messages) == 1, (change, messages)
        assert expected in messages[0], (change, messages)

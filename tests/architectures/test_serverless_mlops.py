"""ServerlessMlops under mocks: the exact resource set, names, wiring and security
settings; its state machine through asl-validator and its IAM derived from the states."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pulumi
import pytest
from mlops_components.architectures.sagemaker_cicd import SageMakerCiCd, SageMakerCiCdArgs
from mlops_components.architectures.serverless_mlops import (
    ServerlessMlops,
    ServerlessMlopsArgs,
    deploy,
)
from mlops_components.naming import PhysicalNameError
from mlops_components.registry import Capacity, Deployment
from mlops_components.settings import Retention, SageMakerCiCdSettings
from mlops_components.settings.serverless import ServerlessMlopsSettings
from mlops_preview.runner import Recording, run_program
from support import asl_problems, taggable

IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:feature-store-Ab12Cd"
TAGS = {
    "component": "serverless-mlops",
    "environment": "test",
    "managed-by": "pulumi",
    "owner": "ml-platform",
    "project": "mlops-iac",
}
JWT = {
    "jwt_issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example1",
    "jwt_audiences": ["inference"],
}
BASE_SETTINGS: dict[str, Any] = {
    "training": {"image_uri": IMAGE},
    "inference_image_uri": IMAGE,
    "api": JWT,
}


def settings(**overrides: Any) -> ServerlessMlopsSettings:
    return ServerlessMlopsSettings.model_validate({**BASE_SETTINGS, **overrides})


def plan(retention: Retention = Retention.DESTROYABLE, **overrides: Any) -> Recording:
    parsed = settings(**overrides)

    def program() -> None:
        ServerlessMlops(
            "sls",
            ServerlessMlopsArgs(
                settings=parsed,
                region="eu-west-1",
                name_prefix="mlops-test",
                tags=TAGS,
                retention=retention,
            ),
        )

    return run_program(program, config={"mlops-iac:region": "eu-west-1"})


def counts(rec: Recording) -> Counter[str]:
    return Counter(r.type for r in rec.resources)


def outside_network(rec: Recording) -> Counter[str]:
    network = rec.one("mlops:aws:PrivateNetwork")
    below: set[str] = set()
    frontier = [network.urn]
    while frontier:
        urn = frontier.pop()
        for child in rec.children_of(urn):
            below.add(child.urn)
            frontier.append(child.urn)
    return Counter(r.type for r in rec.resources if r.urn not in below)


CORE = {
    "mlops:aws:ServerlessMlops": 1,
    "mlops:aws:KmsKey": 1,
    "aws:kms/key:Key": 1,
    "aws:kms/alias:Alias": 1,
    "mlops:aws:EncryptedBucket": 2,
    "aws:s3/bucket:Bucket": 2,
    "aws:s3/bucketVersioning:BucketVersioning": 2,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 2,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 2,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 2,
    "aws:s3/bucketPolicy:BucketPolicy": 2,
    "aws:s3/bucketNotification:BucketNotification": 1,  # data bucket -> EventBridge
    "mlops:aws:PrivateNetwork": 1,
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": 1,
    # training, 3 functions, state machine, EventBridge target
    "mlops:aws:ScopedRole": 6,
    "aws:iam/role:Role": 6,
    "aws:iam/rolePolicy:RolePolicy": 7,  # the state machine's role has two
    "mlops:aws:LambdaFunction": 3,
    "aws:lambda/function:Function": 3,
    "aws:sqs/queue:Queue": 3,
    "aws:cloudwatch/logGroup:LogGroup": 5,  # 3 functions, workflow, API access logs
    "mlops:aws:TrainingWorkflow": 1,
    "aws:sfn/stateMachine:StateMachine": 1,
    "aws:cloudwatch/eventRule:EventRule": 1,
    "aws:cloudwatch/eventTarget:EventTarget": 1,
    "mlops:aws:InferenceApi": 1,
    "aws:apigatewayv2/api:Api": 1,
    "aws:apigatewayv2/authorizer:Authorizer": 1,
    "aws:apigatewayv2/integration:Integration": 1,
    "aws:apigatewayv2/route:Route": 1,
    "aws:apigatewayv2/stage:Stage": 1,
    "aws:lambda/permission:Permission": 1,
    "aws:sns/topic:Topic": 1,
    "aws:sns/topicPolicy:TopicPolicy": 1,
    # workflow failed + timed out, 3 x (errors, throttles), API 5xx + latency
    "aws:cloudwatch/metricAlarm:MetricAlarm": 10,
}


def test_default_architecture_registers_exactly_the_core() -> None:
    assert dict(outside_network(plan())) == CORE


def test_schedule_domain_and_iam_authorization_add_and_remove_exactly_their_parts() -> None:
    rec = plan(
        workflow={"schedule": "rate(7 days)"},
        api={
            "authorization": "iam",
            "custom_domain": {
                "domain_name": "inference.example.com",
                "certificate_arn": "arn:aws:acm:eu-west-1:111111111111:certificate/0b5c3a52-7d1e-4f0a-9c6e-2a8f4d1b9e37",
            },
        },
    )
    c = outside_network(rec)
    changed = {
        "aws:scheduler/schedule:Schedule": 1,
        "mlops:aws:ScopedRole": 7,
        "aws:iam/role:Role": 7,
        "aws:iam/rolePolicy:RolePolicy": 8,
        "aws:apigatewayv2/domainName:DomainName": 1,
        "aws:apigatewayv2/apiMapping:ApiMapping": 1,
    }
    expected = {**CORE, **changed}
    del expected["aws:apigatewayv2/authorizer:Authorizer"]
    assert dict(c) == expected
    route = rec.one("aws:apigatewayv2/route:Route")
    assert route.inputs["authorizationType"] == "AWS_IAM"
    assert "authorizerId" not in route.inputs
    domain = rec.one("aws:apigatewayv2/domainName:DomainName")
    assert domain.inputs["domainNameConfiguration"]["securityPolicy"] == "TLS_1_2"
    assert domain.inputs["domainNameConfiguration"]["endpointType"] == "REGIONAL"
    # Clients must use the domain (its TLS policy), not the execute-api endpoint.
    assert rec.one("aws:apigatewayv2/api:Api").inputs["disableExecuteApiEndpoint"] is True
    schedule = rec.one("aws:scheduler/schedule:Schedule")
    assert schedule.inputs["scheduleExpression"] == "rate(7 days)"
    assert schedule.inputs["flexibleTimeWindow"] == {"mode": "OFF"}
    assert schedule.inputs["kmsKeyArn"].startswith("arn:aws:kms:")
    assert schedule.inputs["target"]["retryPolicy"]["maximumRetryAttempts"] == 10


def test_children_are_named_after_the_component_and_fixed_names_after_the_prefix() -> None:
    rec = plan()
    for r in rec.resources:
        if r.type != "mlops:aws:ServerlessMlops" and not r.type.startswith("pulumi:"):
            assert r.name.startswith("sls-"), r.name
    group = rec.one("aws:sagemaker/modelPackageGroup:ModelPackageGroup")
    assert group.inputs["modelPackageGroupName"] == "mlops-test-serverless-models"
    assert rec.one("aws:kms/alias:Alias").inputs["name"] == "alias/mlops-test-serverless"
    workflow_logs = rec.one("aws:cloudwatch/logGroup:LogGroup", "sls-workflow-logs")
    assert workflow_logs.inputs["name"] == "/aws/vendedlogs/states/mlops-test-serverless-workflow"
    alarms = {a.inputs["name"] for a in rec.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert alarms == {
        "mlops-test-serverless-workflow-failed",
        "mlops-test-serverless-workflow-timed-out",
        "mlops-test-serverless-processing-errors",
        "mlops-test-serverless-processing-throttles",
        "mlops-test-serverless-validation-errors",
        "mlops-test-serverless-validation-throttles",
        "mlops-test-serverless-inference-errors",
        "mlops-test-serverless-inference-throttles",
        "mlops-test-serverless-api-5xx",
        "mlops-test-serverless-api-latency",
    }


def test_sagemaker_cicd_and_serverless_share_a_prefix_without_collisions() -> None:
    cicd = SageMakerCiCdSettings.model_validate(
        {
            "pipeline": {
                "preprocessing": {"image_uri": IMAGE, "script": "code/p.py"},
                "training": {"image_uri": IMAGE},
                "evaluation": {"image_uri": IMAGE, "script": "code/e.py"},
                "inference_image_uri": IMAGE,
            }
        }
    )
    parsed = settings()

    def program() -> None:
        SageMakerCiCd("sagemaker", SageMakerCiCdArgs(cicd, "eu-west-1", "mlops-test", TAGS))
        ServerlessMlops("serverless", ServerlessMlopsArgs(parsed, "eu-west-1", "mlops-test", TAGS))

    rec = run_program(program, config={"mlops-iac:region": "eu-west-1"})
    groups = [
        g.inputs["modelPackageGroupName"]
        for g in rec.by_type("aws:sagemaker/modelPackageGroup:ModelPackageGroup")
    ]
    assert sorted(groups) == ["mlops-test-models", "mlops-test-serverless-models"]


def test_two_serverless_architectures_with_one_prefix_are_refused() -> None:
    parsed = settings()

    def program() -> None:
        ServerlessMlops("one", ServerlessMlopsArgs(parsed, "eu-west-1", "mlops-test", TAGS))
        ServerlessMlops("two", ServerlessMlopsArgs(parsed, "eu-west-1", "mlops-test", TAGS))

    with pytest.raises(Exception) as raised:
        run_program(program, config={"mlops-iac:region": "eu-west-1"})
    assert "one-" in str(raised.value) and "two-" in str(raised.value)
    assert PhysicalNameError.__name__ in repr(raised.value) or "claimed" in str(raised.value)


def test_functions_are_current_arm64_traced_encrypted_capped_with_dead_letters() -> None:
    rec = plan()
    functions = rec.by_type("aws:lambda/function:Function")
    assert sorted(f.name for f in functions) == [
        "sls-inference",
        "sls-processing",
        "sls-validation",
    ]
    queues = {q.name: q for q in rec.by_type("aws:sqs/queue:Queue")}
    for f in functions:
        i = f.inputs
        assert i["runtime"] == "python3.13"
        assert i["packageType"] == "Zip"
        assert i["handler"] == "handler.handler"
        assert i["architectures"] == ["arm64"]
        assert i["tracingConfig"] == {"mode": "Active"}
        assert i["kmsKeyArn"].startswith("arn:aws:kms:eu-west-1:")
        assert i["reservedConcurrentExecutions"] >= 1
        assert i["loggingConfig"]["logFormat"] == "JSON"
        dlq = queues[f"{f.name}-dlq"]
        assert i["deadLetterConfig"] == {"targetArn": dlq.outputs["arn"]}
        assert dlq.inputs["kmsMasterKeyId"] == i["kmsKeyArn"]
        assert dlq.inputs["messageRetentionSeconds"] == 14 * 24 * 3600
        group = rec.one("aws:cloudwatch/logGroup:LogGroup", f"{f.name}-logs")
        assert i["loggingConfig"]["logGroup"] == group.outputs["name"]
        assert group.inputs["retentionInDays"] == 30
        assert group.inputs["kmsKeyId"] == i["kmsKeyArn"]
    inference = rec.one("aws:lambda/function:Function", "sls-inference")
    assert inference.inputs["timeout"] == 29
    assert inference.inputs["reservedConcurrentExecutions"] == 10
    assert "environment" not in inference.inputs  # no endpoint configured: answers 503
    processing = rec.one("aws:lambda/function:Function", "sls-processing")
    assert processing.inputs["environment"]["variables"]["JOB_NAME_PREFIX"] == "mlops-test-sls"
    validation = rec.one("aws:lambda/function:Function", "sls-validation")
    assert validation.inputs["environment"]["variables"] == {
        "METRIC_NAME": "validation:auc",
        "THRESHOLD": "0.7",
        "COMPARISON": "greater_or_equal",
    }


def test_image_functions_and_secret_references() -> None:
    image = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/inference:1.0"
    rec = plan(
        functions={
            "inference": {
                "image_uri": image,
                "architecture": "x86_64",
                "timeout_seconds": 20,
                "secret_arns": {"FEATURE_STORE_SECRET_ARN": SECRET},
            }
        },
        api={**JWT, "endpoint_name": "mlops-test-serverless-endpoint"},
    )
    inference = rec.one("aws:lambda/function:Function", "sls-inference")
    assert inference.inputs["packageType"] == "Image"
    assert inference.inputs["imageUri"] == image
    assert "runtime" not in inference.inputs and "code" not in inference.inputs
    assert inference.inputs["architectures"] == ["x86_64"]
    assert inference.inputs["environment"]["variables"] == {
        "ENDPOINT_NAME": "mlops-test-serverless-endpoint",
        "FEATURE_STORE_SECRET_ARN": SECRET,
    }
    policy = json.loads(
        rec.one("aws:iam/rolePolicy:RolePolicy", "sls-inference-role-function").inputs["policy"]
    )
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["ReadSecrets"] == {
        "Sid": "ReadSecrets",
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": [SECRET],
    }
    assert by_sid["InvokeModelEndpoint"]["Resource"] == [
        "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/mlops-test-serverless-endpoint"
    ]


def test_plain_secrets_in_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="SECRET_ARN"):
        settings(functions={"processing": {"secret_arns": {"DB_PASSWORD": "hunter2"}}})


def test_state_machine_is_logged_traced_and_valid_asl() -> None:
    rec = plan()
    machine = rec.one("aws:sfn/stateMachine:StateMachine")
    assert machine.inputs["type"] == "STANDARD"
    assert machine.inputs["tracingConfiguration"] == {"enabled": True}
    logs = rec.one("aws:cloudwatch/logGroup:LogGroup", "sls-workflow-logs")
    assert machine.inputs["loggingConfiguration"] == {
        "level": "ALL",
        "includeExecutionData": False,
        "logDestination": f"{logs.outputs['arn']}:*",
    }
    assert asl_problems(machine.inputs["definition"]) == ""
    definition = json.loads(machine.inputs["definition"])
    assert definition["StartAt"] == "Preprocess"
    # processing 300 s, training 2 x 14400 s (spot wait) + 30 min, validation 60 s,
    # registration 300 s; a minute more for each Lambda task.
    assert definition["TimeoutSeconds"] == 360 + (2 * 14400 + 1800) + 120 + 300
    tasks = {n: s for n, s in definition["States"].items() if s["Type"] == "Task"}
    assert set(tasks) == {"Preprocess", "Train", "Validate", "RegisterModel"}
    for task in tasks.values():
        assert task["TimeoutSeconds"] > 0
        assert task["Retry"][0]["BackoffRate"] == 2.0
        assert task["Catch"] == [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "WorkflowFailed"}
        ]
    train = tasks["Train"]["Parameters"]
    assert train["EnableManagedSpotTraining"] is True
    assert train["StoppingCondition"] == {
        "MaxRuntimeInSeconds": 14400,
        "MaxWaitTimeInSeconds": 28800,
    }
    assert train["CheckpointConfig"] == {"S3Uri.$": "$.preprocess.checkpoint_uri"}
    assert train["EnableNetworkIsolation"] is True
    assert set(train["VpcConfig"]) == {"Subnets", "SecurityGroupIds"}
    assert train["OutputDataConfig"]["KmsKeyId"] == train["ResourceConfig"]["VolumeKmsKeyId"]
    register = tasks["RegisterModel"]["Parameters"]
    assert register["ModelApprovalStatus"] == "PendingManualApproval"
    assert register["ModelPackageGroupName"] == "mlops-test-serverless-models"
    assert definition["States"]["CheckMetric"]["Default"] == "MetricBelowThreshold"


def test_on_demand_training_has_no_spot_wait_or_checkpoints() -> None:
    rec = plan(
        training={"image_uri": IMAGE, "capacity": "on_demand", "max_runtime_seconds": 3600},
        workflow={"log_execution_data": True},
    )
    machine = rec.one("aws:sfn/stateMachine:StateMachine")
    assert machine.inputs["loggingConfiguration"]["includeExecutionData"] is True
    train = json.loads(machine.inputs["definition"])["States"]["Train"]
    assert train["Parameters"]["EnableManagedSpotTraining"] is False
    assert train["Parameters"]["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    assert "CheckpointConfig" not in train["Parameters"]
    assert train["TimeoutSeconds"] == 3600 + 1800


def statements(rec: Recording, name: str) -> dict[str, dict[str, Any]]:
    policy = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", name).inputs["policy"])
    return {s["Sid"]: s for s in policy["Statement"]}


def test_state_machine_role_is_derived_from_its_states() -> None:
    rec = plan()
    functions = sorted(
        f.outputs["arn"]
        for f in rec.by_type("aws:lambda/function:Function")
        if f.name != "sls-inference"
    )
    training_role = rec.one("aws:iam/role:Role", "sls-training-role").outputs["arn"]
    key = rec.one("aws:kms/key:Key").outputs["arn"]
    got = statements(rec, "sls-workflow-role-states")
    account = "arn:aws:{}:eu-west-1:123456789012:{}"
    assert got == {
        "InvokeFunctions": {
            "Sid": "InvokeFunctions",
            "Effect": "Allow",
            "Action": ["lambda:InvokeFunction"],
            "Resource": functions,
        },
        "RunTrainingJobs": {
            "Sid": "RunTrainingJobs",
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateTrainingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:StopTrainingJob",
                "sagemaker:AddTags",
            ],
            "Resource": [account.format("sagemaker", "training-job/mlops-test-sls-*")],
        },
        "TrainingJobEvents": {
            "Sid": "TrainingJobEvents",
            "Effect": "Allow",
            "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            "Resource": [
                account.format("events", "rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule")
            ],
        },
        "PassTrainingRole": {
            "Sid": "PassTrainingRole",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": [training_role],
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        },
        "TrainingKey": {
            "Sid": "TrainingKey",
            "Effect": "Allow",
            "Action": ["kms:CreateGrant"],
            "Resource": [key],
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
        "RegisterModels": {
            "Sid": "RegisterModels",
            "Effect": "Allow",
            "Action": ["sagemaker:CreateModelPackage"],
            "Resource": [
                account.format("sagemaker", "model-package-group/mlops-test-serverless-models"),
                account.format("sagemaker", "model-package/mlops-test-serverless-models/*"),
            ],
        },
    }
    role = rec.one("aws:iam/role:Role", "sls-workflow-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": ["states.amazonaws.com"]}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_functions_get_only_what_their_code_does() -> None:
    rec = plan()
    processing = statements(rec, "sls-processing-role-function")
    assert set(processing) == {
        "Logs",
        "Tracing",
        "DeadLetters",
        "StackKey",
        "ListData",
        "ReadData",
        "WriteRuns",
    }
    artifacts = rec.one("aws:s3/bucket:Bucket", "sls-artifacts").outputs["arn"]
    assert processing["WriteRuns"]["Resource"] == [f"{artifacts}/runs/*"]
    validation = statements(rec, "sls-validation-role-function")
    assert validation["ReadTrainingJobs"]["Resource"] == [
        "arn:aws:sagemaker:eu-west-1:123456789012:training-job/mlops-test-sls-*"
    ]
    assert set(statements(rec, "sls-inference-role-function")) == {
        "Logs",
        "Tracing",
        "DeadLetters",
        "StackKey",
    }


def test_new_objects_under_the_prefix_start_the_workflow() -> None:
    rec = plan(workflow={"input_prefix": "landing/"})
    notification = rec.one("aws:s3/bucketNotification:BucketNotification")
    assert notification.inputs["eventbridge"] is True
    assert notification.parent == rec.one("mlops:aws:EncryptedBucket", "sls-data").urn
    rule = rec.one("aws:cloudwatch/eventRule:EventRule")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"] == {"key": [{"prefix": "landing/"}]}
    target = rec.one("aws:cloudwatch/eventTarget:EventTarget")
    machine = rec.one("aws:sfn/stateMachine:StateMachine")
    assert target.inputs["arn"] == machine.outputs["arn"]
    start = statements(rec, "sls-workflow-events-role-start")
    assert start["StartWorkflow"]["Action"] == ["states:StartExecution"]
    assert start["StartWorkflow"]["Resource"] == [machine.outputs["arn"]]


def test_api_requires_jwt_throttles_logs_and_invokes_only_its_route() -> None:
    rec = plan()
    route = rec.one("aws:apigatewayv2/route:Route")
    assert route.inputs["routeKey"] == "POST /predict"
    assert route.inputs["authorizationType"] == "JWT"
    authorizer = rec.one("aws:apigatewayv2/authorizer:Authorizer")
    assert authorizer.inputs["authorizerType"] == "JWT"
    assert authorizer.inputs["jwtConfiguration"] == {
        "issuer": JWT["jwt_issuer"],
        "audiences": ["inference"],
    }
    stage = rec.one("aws:apigatewayv2/stage:Stage")
    assert stage.inputs["defaultRouteSettings"]["throttlingBurstLimit"] == 20
    assert stage.inputs["defaultRouteSettings"]["throttlingRateLimit"] == 10.0
    logs = rec.one("aws:cloudwatch/logGroup:LogGroup", "sls-api-logs")
    assert stage.inputs["accessLogSettings"]["destinationArn"] == logs.outputs["arn"]
    assert logs.inputs["kmsKeyId"].startswith("arn:aws:kms:")
    integration = rec.one("aws:apigatewayv2/integration:Integration")
    assert integration.inputs["payloadFormatVersion"] == "2.0"
    assert integration.inputs["timeoutMilliseconds"] == 30000
    permission = rec.one("aws:lambda/permission:Permission")
    api = rec.one("aws:apigatewayv2/api:Api")
    assert permission.inputs["principal"] == "apigateway.amazonaws.com"
    assert permission.inputs["sourceArn"] == f"{api.outputs['executionArn']}/*/POST/predict"


def test_alarms_watch_each_part_and_notify_the_encrypted_topic() -> None:
    rec = plan()
    topic = rec.one("aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:")
    alarms = {
        a.inputs["name"].removeprefix("mlops-test-serverless-"): a
        for a in rec.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    for alarm in alarms.values():
        assert alarm.inputs["alarmActions"] == [topic.outputs["arn"]]
        assert alarm.inputs["treatMissingData"] == "notBreaching"
    machine = rec.one("aws:sfn/stateMachine:StateMachine")
    assert alarms["workflow-failed"].inputs["dimensions"] == {
        "StateMachineArn": machine.outputs["arn"]
    }
    assert alarms["workflow-timed-out"].inputs["metricName"] == "ExecutionsTimedOut"
    assert alarms["processing-throttles"].inputs["metricName"] == "Throttles"
    latency = alarms["api-latency"].inputs
    assert latency["extendedStatistic"] == "p99"
    assert latency["threshold"] == 3000
    api = rec.one("aws:apigatewayv2/api:Api")
    assert latency["dimensions"] == {"ApiId": api.id, "Stage": "$default"}
    assert alarms["api-5xx"].inputs["metricName"] == "5xx"


@pytest.mark.parametrize(("retention", "protected"), [("destroyable", False), ("protected", True)])
def test_stateful_resources_follow_retention(retention: str, protected: bool) -> None:
    rec = plan(Retention(retention))
    for token in (
        "aws:kms/key:Key",
        "aws:s3/bucket:Bucket",
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    ):
        for r in rec.by_type(token):
            assert r.protect is protected and r.retain_on_delete is protected, r.name


def test_every_taggable_resource_carries_the_tags() -> None:
    rec = plan(workflow={"schedule": "rate(1 day)"})
    checked = [r for r in rec.resources if r.custom and taggable(r.type)]
    assert len(checked) > 30
    for r in checked:
        assert r.inputs.get("tags") == TAGS, r.name


def test_deploy_declares_the_training_capacity() -> None:
    parsed = settings(training={"image_uri": IMAGE, "instance_type": "ml.g5.xlarge"})
    declared: list[Capacity] = []

    def program() -> None:
        deployment = Deployment(
            name_prefix="mlops-test",
            region="eu-west-1",
            tags={"project": "mlops-iac"},
            retention=Retention.DESTROYABLE,
            opts=pulumi.ResourceOptions(),
        )
        outputs = deploy(deployment, parsed)
        assert set(outputs) == {
            "serverless_data_bucket",
            "serverless_artifacts_bucket",
            "serverless_state_machine_arn",
            "serverless_model_package_group",
            "serverless_api_url",
            "serverless_kms_key_arn",
        }
        declared.extend(deployment.capacity)

    run_program(program, config={"mlops-iac:region": "eu-west-1"})
    assert [(c.usage, c.machine_type, c.maximum, c.spot) for c in declared] == [
        ("sagemaker-training", "ml.g5.xlarge", 1, True)
    ]


def test_plans_are_deterministic_so_previews_show_no_spurious_updates() -> None:
    first, second = plan(), plan()
    for token in ("aws:sfn/stateMachine:StateMachine", "aws:lambda/function:Function"):
        for a, b in zip(first.by_type(token), second.by_type(token), strict=True):
            assert a.inputs == b.inputs, a.name


def test_training_role_pulls_only_from_the_configured_registries() -> None:
    own = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mlops/serve:v1"
    rec = plan(inference_image_uri=own)
    pull = statements(rec, "sls-training-role-jobs")["PullImages"]
    assert pull["Resource"] == [
        "arn:aws:ecr:eu-west-1:111111111111:repository/*",
        "arn:aws:ecr:eu-west-1:141502667606:repository/*",
    ]
    assert statements(plan(), "sls-training-role-jobs")["PullImages"]["Resource"] == [
        "arn:aws:ecr:eu-west-1:141502667606:repository/*"
    ]


def test_a_trigger_suffix_starts_one_run_per_batch() -> None:
    rec = plan(workflow={"input_prefix": "landing/", "trigger_suffix": "manifest.json"})
    pattern = json.loads(rec.one("aws:cloudwatch/eventRule:EventRule").inputs["eventPattern"])
    assert pattern["detail"]["object"] == {"key": [{"wildcard": "landing/*manifest.json"}]}
    function = rec.one("aws:lambda/function:Function", "sls-processing")
    assert function.inputs["environment"]["variables"]["TRIGGER_SUFFIX"] == "manifest.json"
    with pytest.raises(ValueError, match="trigger_suffix"):
        settings(workflow={"trigger_suffix": "batch/_SUCCESS"})

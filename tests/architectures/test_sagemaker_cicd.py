"""SageMakerCiCd under mocks: the exact resource set, wiring and security settings."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pulumi
import pytest
import yaml
from mlops_components.architectures.sagemaker_cicd import SageMakerCiCd, SageMakerCiCdArgs
from mlops_components.aws.promotion import promotion_buildspec
from mlops_components.naming import PhysicalNameError
from mlops_components.settings import Retention, SageMakerCiCdSettings
from mlops_preview.runner import Recording, run_program
from support import taggable

IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
PACKAGE = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-test-models/3"
TAGS = {
    "component": "sagemaker-cicd",
    "cost-centre": "cc-1",
    "environment": "test",
    "managed-by": "pulumi",
    "owner": "ml-platform",
    "project": "mlops-iac",
}
PIPELINE = {
    "preprocessing": {"image_uri": IMAGE, "script": "code/preprocess.py"},
    "training": {"image_uri": IMAGE},
    "evaluation": {"image_uri": IMAGE, "script": "code/evaluate.py"},
    "inference_image_uri": IMAGE,
}
ENDPOINT = "mlops-test-endpoint-740aaf"
"""Default instance hosting: ``<prefix>-endpoint-<generation>``."""
PROMOTION = {
    "repository": "example-org/mlops-platform",
    "connection_arn": "arn:aws:codeconnections:eu-west-1:111111111111:connection/7d2a9e4c-0a4b-4c8e-9d51-3b6f0e2c1a77",
    "token_secret_arn": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gh-Ab12Cd",
    "target_stack": "aws-staging",
}


def plan(retention: Retention = Retention.DESTROYABLE, **settings: Any) -> Recording:
    parsed = SageMakerCiCdSettings.model_validate({"pipeline": PIPELINE, **settings})

    def program() -> None:
        SageMakerCiCd(
            "sm",
            SageMakerCiCdArgs(
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


BASE = {
    # storage and encryption
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
    # pipeline, registry, roles, alarms
    "mlops:aws:SageMakerCiCd": 1,
    "mlops:aws:ScopedRole": 3,
    "aws:iam/role:Role": 3,
    "aws:iam/rolePolicy:RolePolicy": 3,
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": 1,
    "aws:sagemaker/pipeline:Pipeline": 1,
    "aws:sns/topic:Topic": 1,
    "aws:sns/topicPolicy:TopicPolicy": 1,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 1,  # pipeline executions that fail
}


def endpoint_alarms(rec: Recording) -> list:
    return [
        a
        for a in rec.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs["namespace"] == "AWS/SageMaker"
    ]


def without_network(c: Counter[str]) -> dict[str, int]:
    return {
        t: n
        for t, n in c.items()
        if not t.startswith(("aws:ec2/", "aws:vpc/"))
        and t != "mlops:aws:PrivateNetwork"
        and t != "aws:cloudwatch/logGroup:LogGroup"
        and t not in ("aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "mlops:aws:ScopedRole")
    }


def test_minimal_architecture_registers_exactly_the_core() -> None:
    rec = plan()
    c = counts(rec)
    # Roles: pipeline, jobs, model, plus the flow-log role of the network.
    assert c["mlops:aws:ScopedRole"] == 4
    assert c["aws:iam/role:Role"] == 4
    expected = {
        k: v
        for k, v in BASE.items()
        if k not in ("aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "mlops:aws:ScopedRole")
    }
    assert without_network(c) == expected
    assert "aws:sagemaker/endpoint:Endpoint" not in c  # no model package named yet


def test_full_instances_architecture_adds_endpoint_promotion_and_options() -> None:
    rec = plan(
        endpoint={"model_package_arn": PACKAGE, "min_instances": 2, "max_instances": 4},
        promotion=PROMOTION,
        registry={"consumer_account_ids": ["222222222222"]},
        studio={"enabled": True},
        feature_store={"enabled": True},
        experiments={"mlflow": True},
    )
    c = counts(rec)
    for token, n in {
        "mlops:aws:RealtimeEndpoint": 1,
        "aws:sagemaker/model:Model": 1,
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration": 1,
        "aws:sagemaker/endpoint:Endpoint": 1,
        "aws:cloudwatch/metricAlarm:MetricAlarm": 4,  # 3 for the endpoint, 1 for the pipeline
        "aws:appautoscaling/target:Target": 1,
        "aws:appautoscaling/policy:Policy": 1,
        "mlops:aws:ModelPromotion": 1,
        "aws:codebuild/project:Project": 1,
        "aws:cloudwatch/eventRule:EventRule": 1,
        "aws:cloudwatch/eventTarget:EventTarget": 1,
        "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": 1,
        "aws:sagemaker/domain:Domain": 1,
        "aws:sagemaker/featureGroup:FeatureGroup": 1,
        "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": 1,
        # pipeline, jobs, model, flow logs, promotion build + events, mlflow
        "mlops:aws:ScopedRole": 7,
    }.items():
        assert c[token] == n, token
    assert "aws:sagemaker/monitoringSchedule:MonitoringSchedule" not in c  # opt-in


def test_children_are_parented_and_named_after_the_component() -> None:
    rec = plan(endpoint={"model_package_arn": PACKAGE})
    top = rec.one("mlops:aws:SageMakerCiCd")
    assert top.name == "sm"
    direct = {r.name: r.type for r in rec.children_of(top.urn)}
    assert direct["sm-key"] == "mlops:aws:KmsKey"
    assert direct["sm-data"] == "mlops:aws:EncryptedBucket"
    assert direct["sm-artifacts"] == "mlops:aws:EncryptedBucket"
    assert direct["sm-network"] == "mlops:aws:PrivateNetwork"
    assert direct["sm-models"] == "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
    assert direct["sm-pipeline"] == "aws:sagemaker/pipeline:Pipeline"
    assert direct["sm-endpoint"] == "mlops:aws:RealtimeEndpoint"
    for r in rec.resources:
        if r.type != "mlops:aws:SageMakerCiCd" and not r.type.startswith("pulumi:"):
            assert r.name.startswith("sm-"), r.name


def test_pipeline_definition_has_all_steps_and_depends_on_its_inputs() -> None:
    rec = plan()
    pipeline = rec.one("aws:sagemaker/pipeline:Pipeline")
    assert pipeline.inputs["pipelineName"] == "mlops-test-pipeline"
    definition = json.loads(pipeline.inputs["pipelineDefinition"])
    types = [s["Type"] for s in definition["Steps"]]
    assert types == ["Processing", "Training", "Processing", "Condition"]
    (cond,) = [s for s in definition["Steps"] if s["Type"] == "Condition"]
    assert cond["Arguments"]["IfSteps"][0]["Type"] == "RegisterModel"
    group = rec.one("aws:sagemaker/modelPackageGroup:ModelPackageGroup")
    assert group.inputs["modelPackageGroupName"] == "mlops-test-models"
    assert group.urn in pipeline.dependencies
    role = rec.one("aws:iam/role:Role", "sm-pipeline-role")
    assert role.urn in pipeline.dependencies
    assert pipeline.inputs["tags"] == TAGS


def test_endpoint_on_instances_is_isolated_encrypted_scaled_and_rolls_back() -> None:
    rec = plan(endpoint={"model_package_arn": PACKAGE, "min_instances": 2, "max_instances": 5})
    model = rec.one("aws:sagemaker/model:Model")
    assert model.inputs["enableNetworkIsolation"] is True
    assert model.inputs["primaryContainer"] == {"modelPackageName": PACKAGE}
    assert set(model.inputs["vpcConfig"]) == {"subnets", "securityGroupIds"}
    config = rec.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    key_arn = rec.one("aws:kms/key:Key").outputs["arn"]
    assert config.inputs["kmsKeyArn"] == key_arn
    (variant,) = config.inputs["productionVariants"]
    # New fleets start at the ceiling (deployment_instance_count defaults to max).
    assert variant["initialInstanceCount"] == 5
    assert variant["instanceType"] == "ml.m5.large"
    capture = config.inputs["dataCaptureConfig"]
    assert capture["kmsKeyId"] == key_arn
    assert capture["initialSamplingPercentage"] == 20
    assert capture["destinationS3Uri"].endswith("/data-capture")
    endpoint = rec.one("aws:sagemaker/endpoint:Endpoint")
    assert endpoint.inputs["name"] == ENDPOINT
    policy = endpoint.inputs["deploymentConfig"]["blueGreenUpdatePolicy"]
    assert policy["trafficRoutingConfiguration"] == {
        "type": "CANARY",
        "canarySize": {"type": "INSTANCE_COUNT", "value": 1},
        "waitIntervalInSeconds": 600,
    }
    assert policy["terminationWaitInSeconds"] == 300
    assert policy["maximumExecutionTimeoutInSeconds"] == 600 + 300 + 900
    rollback = endpoint.inputs["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]
    alarms = {a.inputs["metricName"]: a for a in endpoint_alarms(rec)}
    assert set(alarms) == {"Invocation5XXErrors", "ModelLatency", "InvocationModelErrors"}
    assert sorted(a["alarmName"] for a in rollback) == sorted(
        a.inputs["name"] for a in alarms.values()
    )
    assert alarms["ModelLatency"].inputs["threshold"] == 500_000  # microseconds
    assert all(a.inputs["dimensions"]["EndpointName"] == ENDPOINT for a in alarms.values())
    target = rec.one("aws:appautoscaling/target:Target")
    assert target.inputs["resourceId"] == f"endpoint/{ENDPOINT}/variant/primary"
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (2, 5)
    scaling = rec.one("aws:appautoscaling/policy:Policy")
    tracking = scaling.inputs["targetTrackingScalingPolicyConfiguration"]
    assert tracking["predefinedMetricSpecification"]["predefinedMetricType"] == (
        "SageMakerVariantInvocationsPerInstance"
    )
    assert tracking["targetValue"] == 1000
    assert target.urn in scaling.dependencies


def test_serverless_endpoint_scales_to_zero_without_unsupported_features() -> None:
    rec = plan(endpoint={"model_package_arn": PACKAGE, "hosting": "serverless"})
    (variant,) = rec.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs[
        "productionVariants"
    ]
    assert variant["serverlessConfig"] == {"maxConcurrency": 5, "memorySizeInMb": 2048}
    assert "initialInstanceCount" not in variant
    config = rec.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs
    assert "dataCaptureConfig" not in config
    model = rec.one("aws:sagemaker/model:Model").inputs
    assert model["enableNetworkIsolation"] is False and "vpcConfig" not in model
    assert "deploymentConfig" not in rec.one("aws:sagemaker/endpoint:Endpoint").inputs
    assert not rec.by_type("aws:appautoscaling/target:Target")
    assert len(endpoint_alarms(rec)) == 3


def test_local_nvme_instances_get_no_kms_key_on_the_config() -> None:
    rec = plan(endpoint={"model_package_arn": PACKAGE, "instance_type": "ml.g5.xlarge"})
    config = rec.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs
    assert "kmsKeyArn" not in config
    assert config["dataCaptureConfig"]["kmsKeyId"]


@pytest.mark.parametrize(
    ("retention", "expected"), [(Retention.PROTECTED, True), (Retention.DESTROYABLE, False)]
)
def test_stateful_resources_follow_retention(retention: Retention, expected: bool) -> None:
    rec = plan(retention=retention, feature_store={"enabled": True})
    for token in (
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
        "aws:sagemaker/featureGroup:FeatureGroup",
    ):
        for r in rec.by_type(token):
            assert (r.protect, r.retain_on_delete) == (expected, expected), r.name
    assert rec.one("aws:sagemaker/pipeline:Pipeline").protect is False


def test_promotion_fires_on_approval_and_overrides_the_package_arn() -> None:
    rec = plan(promotion=PROMOTION)
    rule = rec.one("aws:cloudwatch/eventRule:EventRule")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {
            "ModelPackageGroupName": ["mlops-test-models"],
            "ModelApprovalStatus": ["Approved"],
            "ModelPackageStatus": ["Completed"],
        },
    }
    target = rec.one("aws:cloudwatch/eventTarget:EventTarget")
    project = rec.one("aws:codebuild/project:Project")
    assert target.inputs["arn"] == project.outputs["arn"]
    assert target.inputs["inputTransformer"]["inputPaths"] == {"arn": "$.detail.ModelPackageArn"}
    assert "<arn>" in target.inputs["inputTransformer"]["inputTemplate"]
    assert project.inputs["source"]["auth"] == {
        "type": "CODECONNECTIONS",
        "resource": PROMOTION["connection_arn"],
    }
    assert project.inputs["encryptionKey"] == rec.one("aws:kms/key:Key").outputs["arn"]
    env = {v["name"]: v["value"] for v in project.inputs["environment"]["environmentVariables"]}
    assert env["TARGET_STACK"] == "aws-staging"
    assert yaml.safe_load(project.inputs["source"]["buildspec"]) == promotion_buildspec(
        PROMOTION["token_secret_arn"]
    )


def test_roles_trust_only_their_service_and_grant_no_wildcards() -> None:
    rec = plan(endpoint={"model_package_arn": PACKAGE}, promotion=PROMOTION)
    principals = {}
    for role in rec.by_type("aws:iam/role:Role"):
        trust = json.loads(role.inputs["assumeRolePolicy"])
        principals[role.name] = sorted(
            service for s in trust["Statement"] for service in s["Principal"]["Service"]
        )
    assert principals["sm-pipeline-role"] == ["sagemaker.amazonaws.com"]
    assert principals["sm-job-role"] == ["sagemaker.amazonaws.com"]
    assert principals["sm-model-role"] == ["sagemaker.amazonaws.com"]
    assert principals["sm-promotion-build-role"] == ["codebuild.amazonaws.com"]
    assert principals["sm-promotion-events-role"] == ["events.amazonaws.com"]
    for policy in rec.by_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in json.loads(policy.inputs["policy"])["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            assert all(a != "*" and not a.endswith(":*") for a in actions), policy.name
    pipeline_policy = json.loads(
        rec.one("aws:iam/rolePolicy:RolePolicy", "sm-pipeline-role-pipeline").inputs["policy"]
    )
    (pass_role,) = [s for s in pipeline_policy["Statement"] if s["Action"] == ["iam:PassRole"]]
    assert pass_role["Resource"] == [rec.one("aws:iam/role:Role", "sm-job-role").outputs["arn"]]


def test_every_taggable_resource_carries_the_tags() -> None:
    rec = plan(
        endpoint={"model_package_arn": PACKAGE},
        promotion=PROMOTION,
        studio={"enabled": True},
        feature_store={"enabled": True},
        experiments={"mlflow": True},
    )
    checked = 0
    for r in rec.resources:
        if r.custom and r.type.startswith("aws:") and taggable(r.type):
            assert r.inputs.get("tags") == TAGS, r.name
            checked += 1
    assert checked > 40


def test_model_monitor_is_opt_in_isolated_and_encrypted() -> None:
    image = "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer"
    rec = plan(
        endpoint={"model_package_arn": PACKAGE},
        monitoring={"model_monitor": True, "model_monitor_image_uri": image},
    )
    definition = rec.one("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition")
    key_arn = rec.one("aws:kms/key:Key").outputs["arn"]
    assert definition.inputs["dataQualityAppSpecification"] == {"imageUri": image}
    assert definition.inputs["dataQualityJobInput"]["endpointInput"]["endpointName"] == ENDPOINT
    network = definition.inputs["networkConfig"]
    assert network["enableNetworkIsolation"] is True
    assert network["enableInterContainerTrafficEncryption"] is True
    assert definition.inputs["dataQualityJobOutputConfig"]["kmsKeyId"] == key_arn
    assert definition.inputs["jobResources"]["clusterConfig"]["volumeKmsKeyId"] == key_arn
    schedule = rec.one("aws:sagemaker/monitoringSchedule:MonitoringSchedule")
    config = schedule.inputs["monitoringScheduleConfig"]
    assert config["monitoringType"] == "DataQuality"
    assert config["scheduleConfig"] == {"scheduleExpression": "cron(0 * ? * * *)"}
    assert config["monitoringJobDefinitionName"] == definition.outputs["name"]


def test_model_monitor_needs_its_image_and_instance_hosting() -> None:
    with pytest.raises(ValueError, match="model_monitor needs model_monitor_image_uri"):
        SageMakerCiCdSettings.model_validate(
            {"pipeline": PIPELINE, "monitoring": {"model_monitor": True}}
        )
    with pytest.raises(ValueError, match=r"model_monitor needs endpoint\.hosting instances"):
        SageMakerCiCdSettings.model_validate(
            {
                "pipeline": PIPELINE,
                "endpoint": {"hosting": "serverless"},
                "monitoring": {
                    "model_monitor": True,
                    "model_monitor_image_uri": "468650794304.dkr.ecr.eu-west-1.amazonaws.com/m",
                },
            }
        )


def test_optional_studio_feature_store_and_mlflow_settings() -> None:
    rec = plan(
        studio={"enabled": True, "idle_timeout_minutes": 120},
        feature_store={"enabled": True, "online": True},
        experiments={"mlflow": True, "size": "Medium"},
    )
    key_arn = rec.one("aws:kms/key:Key").outputs["arn"]
    domain = rec.one("aws:sagemaker/domain:Domain").inputs
    assert domain["appNetworkAccessType"] == "VpcOnly"
    assert domain["authMode"] == "IAM"
    assert domain["kmsKeyId"] == key_arn
    idle = domain["defaultUserSettings"]["jupyterLabAppSettings"]["appLifecycleManagement"]
    assert idle["idleSettings"]["lifecycleManagement"] == "ENABLED"
    assert idle["idleSettings"]["idleTimeoutInMinutes"] == 120
    assert domain["retentionPolicy"] == {"homeEfsFileSystem": "Delete"}
    features = rec.one("aws:sagemaker/featureGroup:FeatureGroup").inputs
    assert features["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyId"] == key_arn
    assert features["onlineStoreConfig"]["securityConfig"] == {"kmsKeyId": key_arn}
    assert {f["featureName"] for f in features["featureDefinitions"]} == {"record_id", "event_time"}
    mlflow = rec.one("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer").inputs
    assert mlflow["trackingServerSize"] == "Medium"
    assert mlflow["artifactStoreUri"].endswith("/mlflow")
    assert mlflow["roleArn"] == rec.one("aws:iam/role:Role", "sm-mlflow-role").outputs["arn"]


def test_failed_pipeline_executions_raise_an_alarm() -> None:
    rec = plan()
    alarm = rec.one("aws:cloudwatch/metricAlarm:MetricAlarm", "sm-pipeline-failed")
    assert alarm.inputs["namespace"] == "AWS/Sagemaker/ModelBuildingPipeline"
    assert alarm.inputs["metricName"] == "ExecutionFailed"
    assert alarm.inputs["dimensions"] == {"PipelineName": "mlops-test-pipeline"}
    assert alarm.inputs["alarmActions"] == [rec.one("aws:sns/topic:Topic").outputs["arn"]]
    assert rec.one("aws:sagemaker/pipeline:Pipeline").urn in alarm.dependencies


def test_alarm_emails_subscribe_to_the_alarm_topic() -> None:
    rec = plan(monitoring={"alarm_emails": ["ml-oncall@example.com"]})
    subscription = rec.one("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.name == "sm-alarms-ml-oncall-example-com"
    assert subscription.inputs["protocol"] == "email"
    assert subscription.inputs["endpoint"] == "ml-oncall@example.com"
    assert subscription.inputs["topic"] == rec.one("aws:sns/topic:Topic").outputs["arn"]
    with pytest.raises(ValueError, match=r"alarm_emails\.0"):
        SageMakerCiCdSettings.model_validate(
            {"pipeline": PIPELINE, "monitoring": {"alarm_emails": ["not-an-address"]}}
        )


# -- issue 6: names, retention, features, lifecycle -------------------------------------


def _program(*components: tuple[str, str], protect: bool | None = None) -> Recording:
    parsed = SageMakerCiCdSettings.model_validate(
        {"pipeline": PIPELINE, "feature_store": {"enabled": True}}
    )

    def program() -> None:
        for name, prefix in components:
            SageMakerCiCd(
                name,
                SageMakerCiCdArgs(
                    settings=parsed, region="eu-west-1", name_prefix=prefix, tags=TAGS
                ),
                opts=pulumi.ResourceOptions(protect=protect),
            )

    return run_program(program)


def test_two_architectures_with_one_prefix_name_both_owners() -> None:
    with pytest.raises(PhysicalNameError, match=r"'a-key-alias' and 'b-key-alias'"):
        _program(("a", "mlops-test"), ("b", "mlops-test"))
    rec = _program(("a", "mlops-one"), ("b", "mlops-two"))
    assert len(rec.by_type("aws:sagemaker/pipeline:Pipeline")) == 2


def test_kms_alias_derives_from_the_prefix() -> None:
    alias = plan().one("aws:kms/alias:Alias")
    assert alias.inputs["name"] == "alias/mlops-test-sagemaker"


def test_component_names_too_long_for_iam_are_refused() -> None:
    name = "a" * 38
    with pytest.raises(PhysicalNameError, match=r"iam-role .*at most 64"):
        _program((name, "mlops-test"))


def test_caller_protect_is_inherited_by_stateful_children_when_destroyable() -> None:
    rec = _program(("sm", "mlops-test"), protect=True)
    for token in (
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
        "aws:sagemaker/featureGroup:FeatureGroup",
        "aws:kms/key:Key",
        "aws:s3/bucket:Bucket",
    ):
        for r in rec.by_type(token):
            assert r.protect is True, r.name
            assert r.retain_on_delete is False, r.name


def _job_statements(rec: Recording) -> dict[str, Any]:
    doc = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "sm-job-role-jobs").inputs["policy"])
    return {s["Sid"]: s for s in doc["Statement"]}


def test_feature_store_and_mlflow_get_what_aws_documents_for_them() -> None:
    plain = _job_statements(plan())
    assert "UseMlflowTrackingServer" not in plain and "FeatureStoreOfflineObjects" not in plain
    rec = plan(feature_store={"enabled": True}, experiments={"mlflow": True})
    statements = _job_statements(rec)
    artifacts = rec.one("aws:s3/bucket:Bucket", "sm-artifacts").outputs["arn"]
    assert statements["FeatureStoreOfflineObjects"]["Action"] == ["s3:PutObjectAcl"]
    assert statements["FeatureStoreOfflineObjects"]["Resource"] == [f"{artifacts}/feature-store/*"]
    assert statements["FeatureStoreOfflineBucket"]["Action"] == ["s3:GetBucketAcl"]
    assert statements["UseMlflowTrackingServer"] == {
        "Sid": "UseMlflowTrackingServer",
        "Effect": "Allow",
        "Action": ["sagemaker-mlflow:*", "sagemaker:CreatePresignedMlflowTrackingServerUrl"],
        "Resource": [
            "arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/mlops-test-mlflow"
        ],
    }
    server = rec.one("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer")
    assert server.inputs["trackingServerName"] == "mlops-test-mlflow"


def test_model_role_reads_the_rollback_alarms_and_models_only() -> None:
    rec = plan(endpoint={"model_package_arn": PACKAGE})
    doc = json.loads(
        rec.one("aws:iam/rolePolicy:RolePolicy", "sm-model-role-serve").inputs["policy"]
    )
    statements = {s["Sid"]: s for s in doc["Statement"]}
    assert statements["DescribeRollbackAlarms"]["Action"] == ["cloudwatch:DescribeAlarms"]
    assert statements["DescribeRollbackAlarms"]["Resource"] == [
        f"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{ENDPOINT}-{role}"
        for role in ("5xx", "latency", "model-errors")
    ]
    rollback = rec.one("aws:sagemaker/endpoint:Endpoint").inputs["deploymentConfig"]
    assert [a["alarmName"] for a in rollback["autoRollbackConfiguration"]["alarms"]] == [
        f"{ENDPOINT}-{role}" for role in ("5xx", "latency", "model-errors")
    ]
    artifacts = rec.one("aws:s3/bucket:Bucket", "sm-artifacts").outputs["arn"]
    assert statements["ReadModelArtifacts"]["Resource"] == [f"{artifacts}/models/*"]


def test_artifacts_expire_only_scratch_and_reports_are_kept() -> None:
    rec = plan()
    rules = rec.one(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "sm-artifacts-lifecycle"
    ).inputs["rules"]
    assert [(r["id"], r["filter"]["prefix"], r["expiration"]) for r in rules] == [
        ("tiering", "", {"expiredObjectDeleteMarker": True}),
        ("expire-runs", "runs/", {"days": 30}),
    ]
    definition = json.loads(rec.one("aws:sagemaker/pipeline:Pipeline").inputs["pipelineDefinition"])
    evaluate = next(step for step in definition["Steps"] if step["Name"] == "Evaluate")
    (output,) = evaluate["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["S3Uri"]["Std:Join"]["Values"][0].endswith("/reports")
    pipeline_role = json.loads(
        rec.one("aws:iam/rolePolicy:RolePolicy", "sm-pipeline-role-pipeline").inputs["policy"]
    )
    reports = next(s for s in pipeline_role["Statement"] if s["Sid"] == "ReadEvaluationReports")
    assert reports["Resource"][0].endswith("/reports/*")


@pytest.mark.parametrize("prefix", ["models/", "code/", "reports/2024/"])
def test_expiring_kept_artifacts_is_a_settings_error(prefix: str) -> None:
    with pytest.raises(ValueError, match=f"{prefix} would expire artifacts that registered"):
        SageMakerCiCdSettings.model_validate(
            {
                "pipeline": PIPELINE,
                "artifacts_lifecycle": {"expire": [{"prefix": prefix, "after_days": 30}]},
            }
        )


def test_model_source_is_required_exactly_for_other_registries() -> None:
    other = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-dev-models/4"
    source = {
        "artifacts_bucket": "sagemaker-artifacts-4f1c2d9",
        "kms_key_arn": "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    }
    own = SageMakerCiCdSettings.model_validate(
        {"pipeline": PIPELINE, "endpoint": {"model_package_arn": PACKAGE}}
    )
    own.check_model_source("mlops-test")
    with pytest.raises(ValueError, match=r"endpoint\.model_source is required"):
        SageMakerCiCdSettings.model_validate(
            {"pipeline": PIPELINE, "endpoint": {"model_package_arn": other}}
        ).check_model_source("mlops-test")
    with pytest.raises(ValueError, match="remove model_source"):
        SageMakerCiCdSettings.model_validate(
            {
                "pipeline": PIPELINE,
                "endpoint": {"model_package_arn": PACKAGE, "model_source": source},
            }
        ).check_model_source("mlops-test")
    wrong_account = {
        **source,
        "kms_key_arn": source["kms_key_arn"].replace("111111111111", "222222222222"),
    }
    with pytest.raises(ValueError, match="kms_key_arn is in eu-west-1/222222222222"):
        SageMakerCiCdSettings.model_validate(
            {
                "pipeline": PIPELINE,
                "endpoint": {"model_package_arn": other, "model_source": wrong_account},
            }
        ).check_model_source("mlops-test")


def test_what_other_accounts_serve_from_is_protected_even_in_a_destroyable_stack() -> None:
    rec = plan(registry={"consumer_account_ids": ["222222222222"]})
    shared = [
        rec.one("aws:sagemaker/modelPackageGroup:ModelPackageGroup"),
        rec.one("aws:kms/key:Key"),
        rec.one("aws:s3/bucket:Bucket", "sm-artifacts"),
    ]
    assert all((r.protect, r.retain_on_delete) == (True, True) for r in shared)
    data = rec.one("aws:s3/bucket:Bucket", "sm-data")
    assert (data.protect, data.retain_on_delete) == (False, False)
    assert data.inputs["forceDestroy"] is True

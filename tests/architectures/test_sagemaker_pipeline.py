"""The SageMaker pipeline definition generated from typed step settings."""

from __future__ import annotations

import json

from mlops_components.architectures.sagemaker_pipeline import PipelineRefs, pipeline_definition
from mlops_components.settings import CapacityStrategy, PipelineSettings

IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
REFS = PipelineRefs(
    data_bucket="data-bkt",
    artifacts_bucket="art-bkt",
    job_role_arn="arn:aws:iam::123456789012:role/jobs",
    kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/k",
    model_package_group="mlops-dev-models",
    subnet_ids=("subnet-a", "subnet-b"),
    security_group_ids=("sg-1",),
)


def settings(metric_path: str = "metrics.rmse.value", **training: object) -> PipelineSettings:
    return PipelineSettings.model_validate(
        {
            "preprocessing": {"image_uri": IMAGE, "script": "code/preprocess.py"},
            "training": {"image_uri": IMAGE, "instance_type": "ml.g5.xlarge", **training},
            "evaluation": {
                "image_uri": IMAGE,
                "script": "code/evaluate.py",
                "metric_path": metric_path,
                "threshold": 0.9,
            },
            "inference_image_uri": IMAGE,
        }
    )


def steps(definition: dict) -> dict[str, dict]:
    found = {s["Name"]: s for s in definition["Steps"]}
    for step in definition["Steps"]:
        if step["Type"] == "Condition":
            for branch in ("IfSteps", "ElseSteps"):
                found.update({s["Name"]: s for s in step["Arguments"][branch]})
    return found


def test_steps_and_types_in_order() -> None:
    definition = pipeline_definition(settings(), REFS)
    assert definition["Version"] == "2020-12-01"
    assert [(s["Name"], s["Type"]) for s in definition["Steps"]] == [
        ("Preprocess", "Processing"),
        ("Train", "Training"),
        ("Evaluate", "Processing"),
        ("CheckMetric", "Condition"),
    ]
    condition = steps(definition)["CheckMetric"]["Arguments"]
    assert [s["Type"] for s in condition["IfSteps"]] == ["RegisterModel"]
    assert [s["Type"] for s in condition["ElseSteps"]] == ["Fail"]
    json.dumps(definition)  # serialisable


def test_condition_reads_metric_from_property_file() -> None:
    definition = pipeline_definition(settings(), REFS)
    (cond,) = steps(definition)["CheckMetric"]["Arguments"]["Conditions"]
    # RMSE is lower-is-better: registered when rmse <= threshold.
    assert cond["Type"] == "LessThanOrEqualTo"
    assert [s["Name"] for s in steps(definition)["CheckMetric"]["Arguments"]["ElseSteps"]] == [
        "MetricAboveThreshold"
    ]
    assert cond["LeftValue"] == {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"},
            "Path": "metrics.rmse.value",
        }
    }
    assert cond["RightValue"] == {"Get": "Parameters.MetricThreshold"}
    params = {p["Name"]: p for p in definition["Parameters"]}
    assert params["MetricThreshold"] == {
        "Name": "MetricThreshold",
        "Type": "Float",
        "DefaultValue": 0.9,
    }
    assert params["InputDataUri"]["DefaultValue"] == "s3://data-bkt/raw/"
    assert steps(definition)["Evaluate"]["PropertyFiles"] == [
        {
            "PropertyFileName": "EvaluationReport",
            "OutputName": "evaluation",
            "FilePath": "evaluation.json",
        }
    ]


def test_higher_is_better_metrics_register_at_or_above_the_threshold() -> None:
    definition = pipeline_definition(settings("metrics.auc.value"), REFS)
    condition = steps(definition)["CheckMetric"]["Arguments"]
    assert [c["Type"] for c in condition["Conditions"]] == ["GreaterThanOrEqualTo"]
    (fail,) = condition["ElseSteps"]
    assert fail["Name"] == "MetricBelowThreshold"
    assert fail["Arguments"]["ErrorMessage"]["Std:Join"]["Values"][0] == (
        "Evaluation metric metrics.auc.value is below"
    )


def test_register_step_awaits_manual_approval_in_the_group() -> None:
    register = steps(pipeline_definition(settings(), REFS))["RegisterModel"]["Arguments"]
    assert register["ModelPackageGroupName"] == "mlops-dev-models"
    assert register["ModelApprovalStatus"] == "PendingManualApproval"
    (container,) = register["InferenceSpecification"]["Containers"]
    assert container == {
        "Image": IMAGE,
        "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
    }
    assert register["InferenceSpecification"]["SupportedRealtimeInferenceInstanceTypes"] == [
        "ml.m5.large"
    ]


def test_jobs_are_private_encrypted_and_isolated() -> None:
    found = steps(pipeline_definition(settings(), REFS))
    for name in ("Preprocess", "Evaluate"):
        args = found[name]["Arguments"]
        assert args["RoleArn"] == REFS.job_role_arn
        assert args["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == REFS.kms_key_arn
        assert args["ProcessingOutputConfig"]["KmsKeyId"] == REFS.kms_key_arn
        assert args["NetworkConfig"] == {
            "EnableInterContainerTrafficEncryption": True,
            "EnableNetworkIsolation": True,
            "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-a", "subnet-b"]},
        }
    train = found["Train"]["Arguments"]
    assert train["EnableNetworkIsolation"] is True
    assert train["EnableInterContainerTrafficEncryption"] is True
    assert train["VpcConfig"] == {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-a", "subnet-b"]}
    assert train["OutputDataConfig"] == {
        "S3OutputPath": "s3://art-bkt/models",
        "KmsKeyId": REFS.kms_key_arn,
    }
    assert train["ResourceConfig"]["InstanceType"] == "ml.g5.xlarge"


def test_spot_training_waits_and_checkpoints() -> None:
    train = steps(pipeline_definition(settings(max_runtime_seconds=3600), REFS))["Train"][
        "Arguments"
    ]
    assert train["EnableManagedSpotTraining"] is True
    assert train["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    assert "CheckpointConfig" in train


def test_on_demand_training_has_no_spot_settings() -> None:
    train = steps(pipeline_definition(settings(capacity=CapacityStrategy.ON_DEMAND.value), REFS))[
        "Train"
    ]["Arguments"]
    assert train["EnableManagedSpotTraining"] is False
    assert train["StoppingCondition"] == {"MaxRuntimeInSeconds": 14400}
    assert "CheckpointConfig" not in train


def test_training_reads_the_preprocessing_outputs() -> None:
    train = steps(pipeline_definition(settings(), REFS))["Train"]["Arguments"]
    uris = {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in train["InputDataConfig"]
    }
    assert uris == {
        "train": {"Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"},
        "validation": {
            "Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['validation'].S3Output.S3Uri"
        },
    }

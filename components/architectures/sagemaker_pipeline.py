"""The SageMaker Pipeline definition, generated from typed step settings.

The definition follows the SageMaker Pipelines JSON schema (version 2020-12-01): each
step's ``Arguments`` is the request of the matching API call (CreateProcessingJob,
CreateTrainingJob, CreateModelPackage), and ``{"Get": ...}`` / ``Std:JsonGet`` /
``Std:Join`` expressions wire one step's outputs into the next. Kept a pure function of
plain values so it can be tested without Pulumi and diffed in previews.

Steps: Preprocess (processing) -> Train (training) -> Evaluate (processing, writes
the property file ``evaluation.json``) -> CheckMetric (condition on the metric
threshold) -> RegisterModel (status PendingManualApproval) or MetricBelowThreshold
(fail).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from ..aws import facts
from ..aws.facts import cluster_config
from ..settings import CapacityStrategy, PipelineSettings
from ..settings.aws import ProcessingStepSettings
from ..settings.evaluation import MetricComparison

SCHEMA_VERSION = "2020-12-01"
APPROVAL_STATUS = "PendingManualApproval"
PROPERTY_FILE = "EvaluationReport"
CODE_DIR = "/opt/ml/processing/input/code"
SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class PipelineRefs:
    """Resolved names and ARNs of the resources the pipeline uses."""

    data_bucket: str
    artifacts_bucket: str
    job_role_arn: str
    kms_key_arn: str
    model_package_group: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


def pipeline_definition(settings: PipelineSettings, refs: PipelineRefs) -> dict[str, Any]:
    """Build the pipeline definition document (serialise with ``json.dumps``)."""
    register = _register_step(settings, refs)
    # The condition registers the model when the metric is on the good side of the
    # threshold (higher-is-better: >=, lower-is-better: <=); otherwise the run fails.
    higher_is_better = settings.evaluation.metric.comparison is MetricComparison.GREATER_OR_EQUAL
    condition_type, side = (
        ("GreaterThanOrEqualTo", "below") if higher_is_better else ("LessThanOrEqualTo", "above")
    )
    fail = {
        "Name": f"Metric{side.capitalize()}Threshold",
        "Type": "Fail",
        "Arguments": {
            "ErrorMessage": _join(
                " ",
                [
                    f"Evaluation metric {settings.evaluation.metric_path} is {side}",
                    {"Get": "Parameters.MetricThreshold"},
                ],
            )
        },
    }
    condition = {
        "Name": "CheckMetric",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {
                    "Type": condition_type,
                    "LeftValue": {
                        "Std:JsonGet": {
                            "PropertyFile": {
                                "Get": f"Steps.Evaluate.PropertyFiles.{PROPERTY_FILE}"
                            },
                            "Path": settings.evaluation.metric_path,
                        }
                    },
                    "RightValue": {"Get": "Parameters.MetricThreshold"},
                }
            ],
            "IfSteps": [register],
            "ElseSteps": [fail],
        },
    }
    return {
        "Version": SCHEMA_VERSION,
        "Metadata": {},
        "Parameters": [
            {
                "Name": "InputDataUri",
                "Type": "String",
                "DefaultValue": f"s3://{refs.data_bucket}/{settings.input_data_prefix}/",
            },
            {
                "Name": "MetricThreshold",
                "Type": "Float",
                "DefaultValue": settings.evaluation.threshold,
            },
        ],
        "PipelineExperimentConfig": {
            "ExperimentName": {"Get": "Execution.PipelineName"},
            "TrialName": {"Get": "Execution.PipelineExecutionId"},
        },
        "Steps": [
            _preprocess_step(settings, refs),
            _train_step(settings, refs),
            _evaluate_step(settings, refs),
            condition,
        ],
    }


def _join(on: str, values: list[Any]) -> dict[str, Any]:
    return {"Std:Join": {"On": on, "Values": values}}


def _run_prefix(refs: PipelineRefs, *parts: str, root: str = "runs") -> dict[str, Any]:
    """``s3://<artifacts>/<root>/<execution id>/<parts>``: every run writes apart.

    ``runs/`` holds scratch (splits, checkpoints) that the artifacts lifecycle may
    expire; ``reports/`` holds what registered model packages cite and is kept (see
    ``settings.aws.ARTIFACT_PREFIXES``)."""
    return _join(
        "/",
        [f"s3://{refs.artifacts_bucket}/{root}", {"Get": "Execution.PipelineExecutionId"}, *parts],
    )


def _network(refs: PipelineRefs) -> dict[str, Any]:
    return {
        "SecurityGroupIds": list(refs.security_group_ids),
        "Subnets": list(refs.subnet_ids),
    }


def _s3_input(name: str, uri: Any, local_path: str) -> dict[str, Any]:
    return {
        "InputName": name,
        "AppManaged": False,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated",
        },
    }


def _s3_output(name: str, refs: PipelineRefs, step: str, root: str = "runs") -> dict[str, Any]:
    return {
        "OutputName": name,
        "AppManaged": False,
        "S3Output": {
            "S3Uri": _run_prefix(refs, step, name, root=root),
            "LocalPath": f"/opt/ml/processing/output/{name}",
            "S3UploadMode": "EndOfJob",
        },
    }


def _processing_arguments(
    step: ProcessingStepSettings,
    refs: PipelineRefs,
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
) -> dict[str, Any]:
    script = posixpath.basename(step.script)
    return {
        "ProcessingResources": {
            "ClusterConfig": cluster_config(
                step.instance_type, step.instance_count, step.volume_size_gb, refs.kms_key_arn
            )
        },
        "AppSpecification": {
            "ImageUri": step.image_uri,
            "ContainerEntrypoint": ["python3", f"{CODE_DIR}/{script}"],
        },
        "RoleArn": refs.job_role_arn,
        "ProcessingInputs": [
            *inputs,
            _s3_input("code", f"s3://{refs.artifacts_bucket}/{step.script}", CODE_DIR),
        ],
        "ProcessingOutputConfig": {"Outputs": outputs, "KmsKeyId": refs.kms_key_arn},
        "StoppingCondition": {"MaxRuntimeInSeconds": step.max_runtime_seconds},
        "NetworkConfig": {
            "EnableInterContainerTrafficEncryption": True,
            "EnableNetworkIsolation": True,
            "VpcConfig": _network(refs),
        },
    }


def _split_uri(split: str) -> dict[str, str]:
    return {"Get": f"Steps.Preprocess.ProcessingOutputConfig.Outputs['{split}'].S3Output.S3Uri"}


def _preprocess_step(settings: PipelineSettings, refs: PipelineRefs) -> dict[str, Any]:
    return {
        "Name": "Preprocess",
        "Type": "Processing",
        "Arguments": _processing_arguments(
            settings.preprocessing,
            refs,
            [
                _s3_input(
                    "input-data",
                    {"Get": "Parameters.InputDataUri"},
                    "/opt/ml/processing/input/data",
                )
            ],
            [_s3_output(split, refs, "preprocess") for split in SPLITS],
        ),
    }


def _train_step(settings: PipelineSettings, refs: PipelineRefs) -> dict[str, Any]:
    training = settings.training
    spot = training.capacity is CapacityStrategy.SPOT_FIRST
    arguments: dict[str, Any] = {
        "AlgorithmSpecification": {
            "TrainingImage": training.image_uri,
            "TrainingInputMode": "File",
        },
        "RoleArn": refs.job_role_arn,
        "OutputDataConfig": {
            "S3OutputPath": f"s3://{refs.artifacts_bucket}/models",
            "KmsKeyId": refs.kms_key_arn,
        },
        "ResourceConfig": cluster_config(
            training.instance_type,
            training.instance_count,
            training.volume_size_gb,
            refs.kms_key_arn,
        ),
        "StoppingCondition": training.stopping_condition,
        "HyperParameters": dict(sorted(training.hyperparameters.items())),
        "InputDataConfig": [
            {
                "ChannelName": split,
                "ContentType": "text/csv",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": _split_uri(split),
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
            }
            for split in ("train", "validation")
        ],
        "VpcConfig": _network(refs),
        "EnableNetworkIsolation": True,
        "EnableInterContainerTrafficEncryption": True,
        "EnableManagedSpotTraining": spot,
    }
    if spot:
        # Spot capacity can be reclaimed; checkpoints let the job resume, not restart.
        arguments["CheckpointConfig"] = {"S3Uri": _run_prefix(refs, "checkpoints")}
    return {"Name": "Train", "Type": "Training", "Arguments": arguments}


def _evaluate_step(settings: PipelineSettings, refs: PipelineRefs) -> dict[str, Any]:
    return {
        "Name": "Evaluate",
        "Type": "Processing",
        "Arguments": _processing_arguments(
            settings.evaluation,
            refs,
            [
                _s3_input(
                    "model",
                    {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                    "/opt/ml/processing/model",
                ),
                _s3_input("test", _split_uri("test"), "/opt/ml/processing/test"),
            ],
            [_s3_output("evaluation", refs, "evaluate", root="reports")],
        ),
        "PropertyFiles": [
            {
                "PropertyFileName": PROPERTY_FILE,
                "OutputName": "evaluation",
                "FilePath": "evaluation.json",
            }
        ],
    }


def _transform_types(instance_types: list[str]) -> dict[str, list[str]]:
    """``SupportedTransformInstanceTypes``: the serving types that batch transform also
    accepts (TransformInstanceType is a subset of ProductionVariantInstanceType); the
    key is left out when none is (the API wants at least one item)."""
    valid = facts.sagemaker_instance_types(facts.InstanceUse.TRANSFORM)
    usable = [t for t in instance_types if t in valid]
    return {"SupportedTransformInstanceTypes": usable} if usable else {}


def _register_step(settings: PipelineSettings, refs: PipelineRefs) -> dict[str, Any]:
    report_uri = _join(
        "/",
        [
            {"Get": "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"},
            "evaluation.json",
        ],
    )
    return {
        "Name": "RegisterModel",
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": refs.model_package_group,
            "ModelApprovalStatus": APPROVAL_STATUS,
            "InferenceSpecification": {
                "Containers": [
                    {
                        "Image": settings.inference_image_uri,
                        "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                    }
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
                "SupportedRealtimeInferenceInstanceTypes": list(settings.inference_instance_types),
                **_transform_types(settings.inference_instance_types),
            },
            "ModelMetrics": {
                "ModelQuality": {
                    "Statistics": {"ContentType": "application/json", "S3Uri": report_uri}
                }
            },
        },
    }

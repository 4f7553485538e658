"""The Step Functions workflow of the serverless architecture, as Amazon States Language
generated from typed step settings, and the IAM statements derived from its states.

Preprocess (Lambda) -> Train (SageMaker ``createTrainingJob.sync``) -> Validate (Lambda)
-> CheckMetric (Choice) -> RegisterModel (``CreateModelPackage``, status
``PendingManualApproval``) or MetricBelowThreshold (Fail). Every task retries transient
errors with exponential backoff and jitter, has its own timeout and catches every other
error into WorkflowFailed; the whole execution has a timeout too.

Both functions are pure: they take resolved values and return plain data (serialise the
definition with ``json.dumps``), so the document and its permissions are tested without
Pulumi and the permissions cannot drift from the states that need them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..settings.serverless import REGISTER_TIMEOUT_SECONDS, ServerlessMlopsSettings
from .capacity import capacity_for
from .facts import cluster_config
from .iam import Statement, allow

APPROVAL_STATUS = "PendingManualApproval"
SYNC_RULE = "StepFunctionsGetEventsForSageMakerTrainingJobsRule"
"""The EventBridge rule Step Functions manages to learn that a ``.sync`` training job
ended (Step Functions developer guide, "IAM policies for Amazon SageMaker AI")."""
LAMBDA_TRANSIENT = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
"""The errors AWS recommends retrying for Lambda tasks (Step Functions developer guide,
"Handling transient Lambda service exceptions")."""
SAGEMAKER_TRANSIENT = ["SageMaker.AmazonSageMakerException"]
"""Errors of the optimised SageMaker integration when the API call itself fails (e.g.
throttling); a job that ran and failed is ``States.TaskFailed`` and is not retried (the
job name is taken, and a failed run should be looked at, not repeated)."""
SDK_TRANSIENT = ["SageMaker.SageMakerException"]
"""The generic error of an AWS SDK integration call to SageMaker."""
FAILED = "WorkflowFailed"


@dataclass(frozen=True)
class WorkflowRefs:
    """Resolved ARNs and names the workflow uses."""

    partition: str
    region: str
    account_id: str
    processing_function_arn: str
    validation_function_arn: str
    training_role_arn: str
    artifacts_bucket: str
    kms_key_arn: str
    model_package_group: str
    job_name_prefix: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    tags: tuple[tuple[str, str], ...] = ()

    def integration(self, service_action: str) -> str:
        """A Step Functions service integration ARN, ``arn:<partition>:states:::<x>``."""
        return f"arn:{self.partition}:states:::{service_action}"

    def regional(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account_id}:{resource}"


def _retry(errors: list[str], attempts: int) -> list[dict[str, Any]]:
    if attempts == 0:
        return []
    return [
        {
            "ErrorEquals": errors,
            "IntervalSeconds": 2,
            "MaxAttempts": attempts,
            "BackoffRate": 2.0,
            "MaxDelaySeconds": 60,
            "JitterStrategy": "FULL",
        }
    ]


def _task(
    resource: str,
    parameters: dict[str, Any],
    *,
    result: dict[str, str],
    result_path: str,
    timeout: int,
    retry: list[dict[str, Any]],
    next_state: str | None,
) -> dict[str, Any]:
    """A Task state that keeps the execution's input and adds its selected result at
    ``result_path``; any error it does not retry goes to ``WorkflowFailed``."""
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": resource,
        "Parameters": parameters,
        "ResultSelector": result,
        "ResultPath": result_path,
        "TimeoutSeconds": timeout,
        "Retry": retry,
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": FAILED}],
    }
    if next_state is None:
        state["End"] = True
    else:
        state["Next"] = next_state
    return state


def _invoke(
    refs: WorkflowRefs,
    function_arn: str,
    payload: dict[str, str],
    result: dict[str, str],
    result_path: str,
    *,
    timeout: int,
    attempts: int,
    next_state: str,
) -> dict[str, Any]:
    return _task(
        refs.integration("lambda:invoke"),
        {"FunctionName": function_arn, "Payload": payload},
        result={k: f"$.Payload.{v}" for k, v in result.items()},
        result_path=result_path,
        timeout=timeout,
        retry=_retry(LAMBDA_TRANSIENT, attempts),
        next_state=next_state,
    )


def _training_parameters(s: ServerlessMlopsSettings, refs: WorkflowRefs) -> dict[str, Any]:
    """The CreateTrainingJob request; channel URIs and the job name come from the
    preprocessing result."""
    t = s.training
    spot = capacity_for(t.capacity).managed_spot_training
    parameters: dict[str, Any] = {
        "TrainingJobName.$": "$.preprocess.job_name",
        "AlgorithmSpecification": {"TrainingImage": t.image_uri, "TrainingInputMode": "File"},
        "RoleArn": refs.training_role_arn,
        "OutputDataConfig": {
            "S3OutputPath": f"s3://{refs.artifacts_bucket}/models",
            "KmsKeyId": refs.kms_key_arn,
        },
        "ResourceConfig": cluster_config(
            t.instance_type, t.instance_count, t.volume_size_gb, refs.kms_key_arn
        ),
        "StoppingCondition": t.stopping_condition,
        "HyperParameters": dict(sorted(t.hyperparameters.items())),
        "InputDataConfig": [
            {
                "ChannelName": channel,
                "ContentType": "text/csv",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri.$": f"$.preprocess.{channel}_uri",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
            }
            for channel in ("train", "validation")
        ],
        "VpcConfig": {
            "SecurityGroupIds": list(refs.security_group_ids),
            "Subnets": list(refs.subnet_ids),
        },
        "EnableNetworkIsolation": True,
        "EnableInterContainerTrafficEncryption": True,
        "EnableManagedSpotTraining": spot,
    }
    if spot:
        # Spot capacity can be reclaimed; checkpoints let the job resume, not restart.
        parameters["CheckpointConfig"] = {"S3Uri.$": "$.preprocess.checkpoint_uri"}
    if refs.tags:
        parameters["Tags"] = [{"Key": k, "Value": v} for k, v in refs.tags]
    return parameters


def _register_parameters(s: ServerlessMlopsSettings, refs: WorkflowRefs) -> dict[str, Any]:
    return {
        "ModelPackageGroupName": refs.model_package_group,
        "ModelPackageDescription.$": "States.Format('Trained by job {}', $.preprocess.job_name)",
        "ModelApprovalStatus": APPROVAL_STATUS,
        "CustomerMetadataProperties": {
            "training_job.$": "$.preprocess.job_name",
            "metric": s.validation.metric_name,
        },
        "InferenceSpecification": {
            "Containers": [
                {"Image": s.inference_image_uri, "ModelDataUrl.$": "$.training.model_data"}
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    }


def state_machine_definition(s: ServerlessMlopsSettings, refs: WorkflowRefs) -> dict[str, Any]:
    """The ASL document. Input: ``{"bucket": ..., "key": ...}`` (an object or a prefix)."""
    f, attempts = s.functions, s.workflow.retry_attempts
    v = s.validation
    states: dict[str, Any] = {
        "Preprocess": _invoke(
            refs,
            refs.processing_function_arn,
            {"bucket.$": "$.bucket", "key.$": "$.key"},
            {
                "job_name.$": "job_name",
                "train_uri.$": "train_uri",
                "validation_uri.$": "validation_uri",
                "checkpoint_uri.$": "checkpoint_uri",
            },
            "$.preprocess",
            timeout=s.task_timeout(f.processing),
            attempts=attempts,
            next_state="Train",
        ),
        "Train": _task(
            refs.integration("sagemaker:createTrainingJob.sync"),
            _training_parameters(s, refs),
            result={
                "model_data.$": "$.ModelArtifacts.S3ModelArtifacts",
                "job_arn.$": "$.TrainingJobArn",
            },
            result_path="$.training",
            timeout=s.training_state_timeout,
            retry=_retry(SAGEMAKER_TRANSIENT, attempts),
            next_state="Validate",
        ),
        "Validate": _invoke(
            refs,
            refs.validation_function_arn,
            {"job_name.$": "$.preprocess.job_name"},
            {"passed.$": "passed", "value.$": "value"},
            "$.validation",
            timeout=s.task_timeout(f.validation),
            attempts=attempts,
            next_state="CheckMetric",
        ),
        "CheckMetric": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.validation.passed", "BooleanEquals": True, "Next": "RegisterModel"}
            ],
            "Default": "MetricBelowThreshold",
        },
        "RegisterModel": _task(
            refs.integration("aws-sdk:sagemaker:createModelPackage"),
            _register_parameters(s, refs),
            result={"model_package_arn.$": "$.ModelPackageArn"},
            result_path="$.registration",
            timeout=REGISTER_TIMEOUT_SECONDS,
            retry=_retry(SDK_TRANSIENT, attempts),
            next_state=None,
        ),
        "MetricBelowThreshold": {
            "Type": "Fail",
            "Error": "MetricBelowThreshold",
            "Cause": f"{v.metric_name} is not {v.metric.comparison.value} {v.threshold:g}",
        },
        FAILED: {
            "Type": "Fail",
            "Error": FAILED,
            "Cause": "A step failed; the execution history has its error ($.error).",
        },
    }
    return {
        "Comment": "Preprocess, train, validate and register a model",
        "StartAt": "Preprocess",
        "TimeoutSeconds": s.execution_timeout,
        "States": states,
    }


def state_machine_statements(definition: dict[str, Any], refs: WorkflowRefs) -> list[Statement]:
    """The execution role's permissions, derived from the Task states of ``definition``:
    the exact functions it invokes, training jobs under the job name prefix with the
    training role only, the ``.sync`` rule, and registration in the one group."""
    functions: list[str] = []
    statements: list[Statement] = []
    for state in definition["States"].values():
        if state["Type"] != "Task":
            continue
        resource, parameters = state["Resource"], state["Parameters"]
        if resource == refs.integration("lambda:invoke"):
            functions.append(parameters["FunctionName"])
        elif resource == refs.integration("sagemaker:createTrainingJob.sync"):
            statements += _training_statements(parameters, refs)
        elif resource == refs.integration("aws-sdk:sagemaker:createModelPackage"):
            group = parameters["ModelPackageGroupName"]
            statements.append(
                allow(
                    "RegisterModels",
                    ["sagemaker:CreateModelPackage"],
                    [
                        refs.regional("sagemaker", f"model-package-group/{group}"),
                        refs.regional("sagemaker", f"model-package/{group}/*"),
                    ],
                )
            )
        else:
            raise ValueError(f"no permissions known for task resource {resource}")
    if functions:
        statements.insert(0, allow("InvokeFunctions", ["lambda:InvokeFunction"], sorted(functions)))
    return statements


def _training_statements(parameters: dict[str, Any], refs: WorkflowRefs) -> list[Statement]:
    actions = [
        "sagemaker:CreateTrainingJob",
        "sagemaker:DescribeTrainingJob",
        "sagemaker:StopTrainingJob",
    ]
    if "Tags" in parameters:
        actions.append("sagemaker:AddTags")
    return [
        allow(
            "RunTrainingJobs",
            actions,
            [refs.regional("sagemaker", f"training-job/{refs.job_name_prefix}-*")],
        ),
        allow(
            "TrainingJobEvents",
            ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            [refs.regional("events", f"rule/{SYNC_RULE}")],
        ),
        allow(
            "PassTrainingRole",
            ["iam:PassRole"],
            [parameters["RoleArn"]],
            {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        ),
        # SageMaker creates grants for the job's encrypted volume on the caller's behalf.
        allow(
            "TrainingKey",
            ["kms:CreateGrant"],
            [refs.kms_key_arn],
            {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        ),
    ]

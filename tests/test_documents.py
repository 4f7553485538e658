"""Every generated document of the three stacks, read by an independent reader.

The stacks are planned offline as ``mlops-iac plan`` does. Then:

- every IAM document (role inline policies, trust policies, bucket, key and topic
  policies, the model package group's resource policy) is parsed with ``json.loads`` and
  linted by parliament, which knows the AWS actions, their resource ARN formats and
  their condition keys;
- every step of the SageMaker pipeline definition is checked against botocore's service
  model of the API the step calls (``CreateProcessingJob``, ``CreateTrainingJob``,
  ``CreateModelPackage``);
- every Step Functions definition goes through ``asl-validator`` (npm, pinned in
  package.json), and its SageMaker task parameters through botocore's model like the
  pipeline steps; HTTP API access-log formats and schedule inputs are read back too
  (``tests/architectures/test_serverless_mlops.py`` holds those readers);
- the EventBridge rule's pattern and its target's input template run through moto's
  EventBridge, which matches events and applies input transformers the way the service
  does: a documented "SageMaker Model Package State Change" approval must start the
  build with the package ARN, a rejection must not.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.validate import ParamValidator
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import Recording, plan_stack
from moto import mock_aws
from parliament import analyze_policy_string, enhance_finding
from support import asl_problems

ROOT = Path(__file__).resolve().parents[1]
STACKS = ("aws-dev", "aws-staging", "aws-prod")


@cache
def planned(stack: str) -> Recording:
    return plan_stack(ROOT, stack)


def json_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string input that holds a JSON object or array, with its input path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from json_strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_strings(item, f"{path}[{index}]")
    elif isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        yield path, value


IDENTITY_POLICIES = {"aws:iam/rolePolicy:RolePolicy": "policy"}
RESOURCE_POLICIES = {
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:kms/key:Key": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": "resourcePolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
}
OTHER_DOCUMENTS = {
    ("aws:sagemaker/pipeline:Pipeline", "pipelineDefinition"),
    ("aws:cloudwatch/eventRule:EventRule", "eventPattern"),
    ("aws:cloudwatch/eventTarget:EventTarget", "inputTransformer.inputTemplate"),
    ("pulumi:providers:aws", "defaultTags"),  # the provider's own input, read by Pulumi
    ("aws:costexplorer/anomalyMonitor:AnomalyMonitor", "monitorSpecification"),
    ("aws:sfn/stateMachine:StateMachine", "definition"),
    ("aws:apigatewayv2/stage:Stage", "accessLogSettings.format"),
    ("aws:scheduler/schedule:Schedule", "target.input"),
    # Read in tests/test_container_documents.py:
    ("aws:ecr/lifecyclePolicy:LifecyclePolicy", "policy"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions"),
    ("pulumi:providers:kubernetes", "kubeconfig"),
}
KNOWN_DOCUMENTS = (
    {(t, key) for t, key in IDENTITY_POLICIES.items()}
    | {(t, key) for t, key in RESOURCE_POLICIES.items()}
    | OTHER_DOCUMENTS
)


@pytest.mark.parametrize("stack", STACKS)
def test_every_json_input_parses_and_has_a_reader_here(stack: str) -> None:
    found: set[tuple[str, str]] = set()
    for resource in planned(stack).resources:
        for path, text in json_strings(resource.inputs):
            json.loads(text)  # raises on a malformed document
            found.add((resource.type, path))
    # A new kind of generated document needs an independent reader in this module.
    assert found <= KNOWN_DOCUMENTS, found - KNOWN_DOCUMENTS
    assert {(t, k) for t, k in RESOURCE_POLICIES.items()} - found <= {
        # dev alone shares its registries with other accounts
        ("aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy", "resourcePolicy"),
        ("aws:ecr/repositoryPolicy:RepositoryPolicy", "policy"),
    }


# -- IAM documents through parliament ---------------------------------------------------

SEVERITIES = ("MUTE", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL")
ALWAYS_FAIL = {"UNKNOWN_ACTION", "UNKNOWN_PREFIX", "UNKNOWN_PRINCIPAL", "INVALID_ARN"}
"""Wrong action names, services, principals or ARNs: parliament rates some of them LOW,
but each is a defect here."""


@dataclass(frozen=True)
class Allowed:
    issue: str
    resource_type: str
    name: str
    """Regular expression over the resource's logical name."""
    detail: str
    """Substring of parliament's finding detail."""
    reason: str


ALLOWED = (
    Allowed(
        "MISMATCHED_TYPE",
        "aws:kms/key:Key",
        r".*-key$",
        "ArnLike requires a value of type Arn but given String",
        "CloudWatch Logs' own key policy matches kms:EncryptionContext:aws:logs:arn with "
        "ArnLike (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html); "
        "parliament types every encryption-context key as a string.",
    ),
    Allowed(
        "UNKNOWN_CONDITION_FOR_ACTION",
        "aws:kms/key:Key",
        r".*-key$",
        "kms:EncryptionContext:aws:logs:arn for action kms:DescribeKey",
        "The same documented CloudWatch Logs statement grants kms:Describe* under the "
        "encryption-context condition; DescribeKey carries no context, so the condition "
        "only narrows the grant.",
    ),
    Allowed(
        "RESOURCE_MISMATCH",
        "aws:iam/rolePolicy:RolePolicy",
        r".*-job-role-jobs$",
        "'action': 'sagemaker-mlflow:AccessUI', 'required_format': '*'",
        "The SageMaker MLflow guide scopes sagemaker-mlflow actions to the tracking "
        'server ARN ("Set up IAM permissions for MLflow"); parliament\'s action table '
        "predates the mlflow-tracking-server resource type.",
    ),
    Allowed(
        "RESOURCE_MISMATCH",
        "aws:iam/rolePolicy:RolePolicy",
        r".*-nodes-role-pull-through-cache$",
        "'action': 'ecr:BatchImportUpstreamImage', 'required_format': '*'",
        "ECR's pull-through cache guide scopes ecr:BatchImportUpstreamImage to the cached "
        'repositories ("IAM permissions required to sync an upstream registry", '
        "docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html); "
        "parliament's action table predates the repository resource type for it.",
    ),
    Allowed(
        "RESOURCE_MISMATCH",
        "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy",
        r".*-models-policy$",
        "'action': 'sagemaker:CreateModel', 'required_format': 'arn:*:sagemaker:*:*:model/*'",
        "Creating a model from another account's package is authorised against the "
        "package too; AWS's cross-account model registry example grants CreateModel in "
        "the group's resource policy (AWS ML blog, \"Build a cross-account MLOps workflow "
        'using the Amazon SageMaker model registry").',
    ),
)


ALLOWED += (
    Allowed(
        "RESOURCE_MISMATCH",
        "aws:iam/rolePolicy:RolePolicy",
        r"ci-deploy",
        "required_format",
        "The CI deploy role grants each service's actions on the ARNs of the stack's "
        "account and region only (components/aws/ci_identity.py); the actions of the "
        "service that only accept '*' are therefore not granted by that statement, on "
        "purpose. The few a deploy needs are listed in its DeployUnscoped statement.",
    ),
    Allowed(
        "UNKNOWN_FEDERATION_SOURCE",
        "aws:iam/role:Role",
        r"ci",
        "oidc-provider/token.actions.githubusercontent.com",
        "GitHub's OIDC provider, as AWS's guide to GitHub OIDC trust configures it "
        "(IAM user guide, id_roles_create_for-idp_oidc); parliament knows only the "
        "built-in web identity providers.",
    ),
    Allowed(
        "UNKNOWN_CONDITION_FOR_ACTION",
        "aws:iam/role:Role",
        r"ci",
        "token.actions.githubusercontent.com:",
        "The aud and sub condition keys of GitHub's OIDC provider, which AWS's guide "
        "requires in the trust policy; parliament knows only the built-in providers' keys.",
    ),
)


def iam_documents(stack: str) -> Iterator[tuple[RecordedResource, dict[str, Any], bool]]:
    """(resource, parsed document, is a resource policy) for every IAM document."""
    for resource in planned(stack).resources:
        key = IDENTITY_POLICIES.get(resource.type) or RESOURCE_POLICIES.get(resource.type)
        if key is not None and key in resource.inputs:
            yield resource, json.loads(resource.inputs[key]), resource.type in RESOURCE_POLICIES


def parliament_findings(document: dict[str, Any], *, trust: bool) -> list[Any]:
    if trust:
        # Parliament needs a Resource in every statement; trust policies have none
        # (duo-labs/parliament#229). "*" lets it check the actions, principals and
        # conditions; the RESOURCE_STAR notes it adds are LOW.
        document = copy.deepcopy(document)
        for statement in document["Statement"]:
            statement.setdefault("Resource", "*")
    policy = analyze_policy_string(json.dumps(document), include_community_auditors=False)
    return [enhance_finding(f) for f in policy.findings]


def test_iam_documents_pass_parliament() -> None:
    problems: list[str] = []
    used: set[Allowed] = set()
    checked = 0
    for stack in STACKS:
        for resource, document, resource_policy in iam_documents(stack):
            checked += 1
            assert document.get("Version") == "2012-10-17", resource.name
            statements = document["Statement"]
            assert isinstance(statements, list) and statements, resource.name
            if resource_policy:
                # Resource policies name who they grant to; identity policies cannot.
                assert all("Principal" in s for s in statements), resource.name
            else:
                assert all("Principal" not in s for s in statements), resource.name
            # Trust policies and ECR repository policies apply to the resource they sit
            # on and name no Resource.
            trust = resource.type in (
                "aws:iam/role:Role",
                "aws:ecr/repositoryPolicy:RepositoryPolicy",
            )
            for finding in parliament_findings(document, trust=trust):
                severe = SEVERITIES.index(finding.severity) > SEVERITIES.index("LOW")
                if not severe and finding.issue not in ALWAYS_FAIL:
                    continue
                allowed = next(
                    (
                        a
                        for a in ALLOWED
                        if a.issue == finding.issue
                        and a.resource_type == resource.type
                        and re.fullmatch(a.name, resource.name)
                        and a.detail in str(finding.detail)
                    ),
                    None,
                )
                if allowed is None:
                    problems.append(
                        f"{stack} {resource.type} {resource.name}: {finding.severity} "
                        f"{finding.issue} {finding.detail}"
                    )
                else:
                    used.add(allowed)
    assert problems == []
    assert checked > 40
    assert used == set(ALLOWED), f"stale allowlist entries: {set(ALLOWED) - used}"


# -- the SageMaker pipeline definition against botocore's model -------------------------

STEP_OPERATIONS = {
    "Processing": ("CreateProcessingJob", {"ProcessingJobName": "pipelines-step-job"}),
    "Training": ("CreateTrainingJob", {"TrainingJobName": "pipelines-step-job"}),
    "RegisterModel": ("CreateModelPackage", {}),
}
"""The API each step type calls, and the request fields the pipeline service fills in."""
EXPRESSIONS = ("Get", "Std:Join", "Std:JsonGet")


def is_expression(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in EXPRESSIONS


def placeholder(shape: Shape) -> Any:
    """A value of the type ``shape`` wants, standing for a pipeline expression that the
    service resolves at run time."""
    return {
        "string": "resolved-at-run-time",
        "integer": 1,
        "long": 1,
        "float": 1.0,
        "double": 1.0,
        "boolean": True,
        "timestamp": "2024-01-01T00:00:00Z",
    }.get(shape.type_name, "resolved-at-run-time")


def resolve(value: Any, shape: Shape) -> Any:
    """``value`` with every pipeline expression replaced by a placeholder of the type its
    position in ``shape`` takes. Members the shape does not know are kept, so the
    validator reports them."""
    if is_expression(value):
        return placeholder(shape)
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            k: resolve(v, shape.members[k]) if k in shape.members else v for k, v in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [resolve(v, shape.member) for v in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: resolve(v, shape.value) for k, v in value.items()}
    return value


def constraint_errors(value: Any, shape: Shape, path: str) -> Iterator[str]:
    """What ``ParamValidator`` leaves out: enum values, maximum lengths and ranges, and
    the patterns Python's ``re`` can compile (the models' patterns are Java regexes;
    ``\\p{...}`` classes are skipped). Pipeline expressions are resolved at run time
    and skipped."""
    if is_expression(value):
        return
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                yield from constraint_errors(item, shape.members[key], f"{path}.{key}")
        return
    if isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from constraint_errors(item, shape.member, f"{path}[{index}]")
        return
    if isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            yield from constraint_errors(key, shape.key, f"{path} key")
            yield from constraint_errors(item, shape.value, f"{path}.{key}")
        return
    meta = shape.metadata
    if isinstance(value, str):
        if getattr(shape, "enum", None) and value not in shape.enum:  # type: ignore[attr-defined]
            yield f"{path}: {value!r} is not one of the API's values"
        if "max" in meta and len(value) > meta["max"]:
            yield f"{path}: longer than {meta['max']}"
        pattern = meta.get("pattern")
        if pattern and "\\p{" not in pattern:
            try:
                compiled = re.compile(pattern)
            except re.error:
                compiled = None
            if compiled is not None and not compiled.fullmatch(value):
                yield f"{path}: {value!r} does not match {pattern}"
    elif isinstance(value, int | float) and not isinstance(value, bool):
        maximum = meta.get("max")
        if maximum is not None and value > maximum:
            yield f"{path}: above {maximum}"


def all_steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from all_steps(step["Arguments"].get("IfSteps", []))
            yield from all_steps(step["Arguments"].get("ElseSteps", []))


def expressions(value: Any) -> Iterator[tuple[str, Any]]:
    if is_expression(value):
        ((kind, argument),) = value.items()
        yield kind, argument
        if kind != "Get":
            yield from expressions(argument)
    elif isinstance(value, dict):
        for item in value.values():
            yield from expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from expressions(item)


@pytest.mark.parametrize("stack", STACKS)
def test_pipeline_steps_are_valid_api_requests(stack: str) -> None:
    definition = json.loads(
        planned(stack).one("aws:sagemaker/pipeline:Pipeline").inputs["pipelineDefinition"]
    )
    model = botocore.session.get_session().get_service_model("sagemaker")
    steps = list(all_steps(definition["Steps"]))
    names = [s["Name"] for s in steps]
    assert len(names) == len(set(names)), names
    validated: list[str] = []
    for step in steps:
        if step["Type"] not in STEP_OPERATIONS:
            assert step["Type"] in {"Condition", "Fail"}, step["Type"]
            continue
        operation, filled_in = STEP_OPERATIONS[step["Type"]]
        shape = model.operation_model(operation).input_shape
        request = resolve({**filled_in, **step["Arguments"]}, shape)
        report = ParamValidator().validate(request, shape)
        assert not report.has_errors(), f"{step['Name']} ({operation}):\n{report.generate_report()}"
        arguments = {**filled_in, **step["Arguments"]}
        assert list(constraint_errors(arguments, shape, step["Name"])) == []
        validated.append(operation)
    assert sorted(set(validated)) == sorted(op for op, _ in STEP_OPERATIONS.values())

    # Every reference resolves: declared parameters, earlier steps, property files.
    parameters = {p["Name"] for p in definition["Parameters"]}
    property_files = {
        f"Steps.{s['Name']}.PropertyFiles.{f['PropertyFileName']}"
        for s in steps
        for f in s.get("PropertyFiles", [])
    }
    for kind, argument in expressions(definition):
        if kind != "Get":
            continue
        root, _, rest = argument.partition(".")
        if root == "Parameters":
            assert rest in parameters, argument
        elif root == "Steps":
            assert rest.split(".")[0] in names, argument
            if ".PropertyFiles." in argument:
                assert argument in property_files, argument
        else:
            assert root == "Execution", argument


# -- EventBridge pattern and input template ---------------------------------------------

SAMPLE_EVENT = {
    # The shape documented for "SageMaker Model Package State Change"
    # (docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html).
    "source": "aws.sagemaker",
    "detail-type": "SageMaker Model Package State Change",
    "detail": {
        "ModelPackageVersion": 2,
        "CreationTime": "2021-02-24T17:00:14Z",
        "InferenceSpecification": {
            "Containers": [
                {
                    "Image": "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                    "ModelDataUrl": "s3://bucket/models/model.tar.gz",
                }
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []},
        "CertifyForMarketplace": False,
        "LastModifiedTime": "2021-02-24T17:00:14Z",
    },
}


def delivered(rule: RecordedResource, target: RecordedResource, events: list[dict]) -> list[str]:
    """What the rule's target receives for each event, through moto's EventBridge (which
    validates the pattern, matches events and applies the input transformer); an SQS
    queue stands in for the CodeBuild target."""
    transformer = target.inputs["inputTransformer"]
    with mock_aws():
        eventbridge = boto3.client("events", region_name="eu-west-1")
        sqs = boto3.client("sqs", region_name="eu-west-1")
        queue = sqs.create_queue(QueueName="build")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        eventbridge.put_rule(Name="approved", EventPattern=rule.inputs["eventPattern"])
        eventbridge.put_targets(
            Rule="approved",
            Targets=[
                {
                    "Id": "build",
                    "Arn": queue_arn,
                    "InputTransformer": {
                        "InputPathsMap": transformer["inputPaths"],
                        "InputTemplate": transformer["inputTemplate"],
                    },
                }
            ],
        )
        bodies: list[str] = []
        for event in events:
            eventbridge.put_events(
                Entries=[
                    {
                        "Source": event["source"],
                        "DetailType": event["detail-type"],
                        "Detail": json.dumps(event["detail"]),
                        "Resources": [event["detail"].get("ModelPackageArn", "")],
                    }
                ]
            )
            messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
            bodies += [m["Body"] for m in messages.get("Messages", [])]
        return bodies


def event(group: str, status: str, package_status: str = "Completed") -> dict[str, Any]:
    sample = copy.deepcopy(SAMPLE_EVENT)
    arn = f"arn:aws:sagemaker:eu-west-1:111111111111:model-package/{group}/2"
    sample["detail"] |= {
        "ModelPackageGroupName": group,
        "ModelPackageArn": arn,
        "ModelApprovalStatus": status,
        "ModelPackageStatus": package_status,
    }
    return sample


PROMOTING_STACKS = [s for s in STACKS if planned(s).by_type("aws:codebuild/project:Project")]


def test_dev_and_prod_promote_approvals() -> None:
    # staging serves what dev promotes and hands it to prod with `--from-stack`.
    assert PROMOTING_STACKS == ["aws-dev", "aws-prod"]


@pytest.mark.parametrize("stack", PROMOTING_STACKS)
def test_approval_starts_the_build_with_the_package_arn(stack: str) -> None:
    rec = planned(stack)
    rule = rec.one("aws:cloudwatch/eventRule:EventRule", "sagemaker-promotion-approved")
    target = rec.one("aws:cloudwatch/eventTarget:EventTarget", "sagemaker-promotion-build")
    group = rec.one("aws:sagemaker/modelPackageGroup:ModelPackageGroup", "sagemaker-models").inputs[
        "modelPackageGroupName"
    ]
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"]["ModelPackageGroupName"] == [group]
    json.loads(target.inputs["inputTransformer"]["inputTemplate"])

    approved = event(group, "Approved")
    bodies = delivered(
        rule,
        target,
        [
            approved,
            event(group, "Rejected"),
            event(group, "PendingManualApproval"),
            event(f"{group}-other", "Approved"),
            # Deleting an approved package (the pre-destroy cleanup) must not promote it.
            event(group, "Approved", "Deleting"),
        ],
    )
    # Only the approval in this group starts a build; its input is a valid StartBuild
    # request once CodeBuild adds the project name.
    assert len(bodies) == 1
    request = json.loads(bodies[0])
    assert request == {
        "environmentVariablesOverride": [
            {
                "name": "MODEL_PACKAGE_ARN",
                "value": approved["detail"]["ModelPackageArn"],
                "type": "PLAINTEXT",
            }
        ]
    }
    start_build = (
        botocore.session.get_session()
        .get_service_model("codebuild")
        .operation_model("StartBuild")
        .input_shape
    )
    report = ParamValidator().validate({"projectName": "promotion", **request}, start_build)
    assert not report.has_errors(), report.generate_report()


# -- Step Functions definitions, HTTP API access logs, schedules ------------------------

SAGEMAKER_TASKS = {
    "arn:aws:states:::sagemaker:createTrainingJob.sync": "CreateTrainingJob",
    "arn:aws:states:::aws-sdk:sagemaker:createModelPackage": "CreateModelPackage",
}
"""The SageMaker API behind each task resource (Lambda's ``Payload`` is serialised by
Step Functions, so ``lambda:invoke`` parameters are not an Invoke request as written)."""
SERVERLESS_STACKS = [s for s in STACKS if planned(s).by_type("aws:sfn/stateMachine:StateMachine")]


def member_of(shape: Shape | None, key: str) -> Shape | None:
    if isinstance(shape, StructureShape):
        return shape.members.get(key)
    if isinstance(shape, MapShape):
        return shape.value
    return None


def paths_resolved(value: Any, shape: Shape | None) -> Any:
    """``value`` with every ``"<field>.$": <JSONPath or intrinsic>`` replaced by
    ``"<field>": <placeholder of the field's type>``, as Step Functions does at run time."""
    if isinstance(value, dict):
        resolved: dict[str, Any] = {}
        for key, item in value.items():
            if key.endswith(".$"):
                member = member_of(shape, key[:-2])
                resolved[key[:-2]] = placeholder(member) if member else "resolved"
            else:
                resolved[key] = paths_resolved(item, member_of(shape, key))
        return resolved
    if isinstance(value, list) and isinstance(shape, ListShape):
        return [paths_resolved(item, shape.member) for item in value]
    return value


def test_every_aws_stack_runs_the_serverless_workflow() -> None:
    assert list(STACKS) == SERVERLESS_STACKS


@pytest.mark.parametrize("stack", SERVERLESS_STACKS)
def test_state_machines_pass_asl_validator(stack: str) -> None:
    for machine in planned(stack).by_type("aws:sfn/stateMachine:StateMachine"):
        assert asl_problems(machine.inputs["definition"]) == "", machine.name


def test_asl_validator_rejects_a_broken_definition() -> None:
    definition = json.loads(
        planned("aws-dev").one("aws:sfn/stateMachine:StateMachine").inputs["definition"]
    )
    definition["States"]["Train"]["Next"] = "NoSuchState"
    assert "NoSuchState" in asl_problems(json.dumps(definition))


@pytest.mark.parametrize("stack", SERVERLESS_STACKS)
def test_state_machine_sagemaker_tasks_are_valid_api_requests(stack: str) -> None:
    model = botocore.session.get_session().get_service_model("sagemaker")
    definition = json.loads(
        planned(stack).one("aws:sfn/stateMachine:StateMachine").inputs["definition"]
    )
    checked = []
    for name, state in definition["States"].items():
        operation = SAGEMAKER_TASKS.get(state.get("Resource", ""))
        if operation is None:
            continue
        shape = model.operation_model(operation).input_shape
        request = paths_resolved(state["Parameters"], shape)
        report = ParamValidator().validate(request, shape)
        assert not report.has_errors(), f"{name} ({operation}):\n{report.generate_report()}"
        assert list(constraint_errors(state["Parameters"], shape, name)) == []
        checked.append(operation)
    assert sorted(checked) == sorted(SAGEMAKER_TASKS.values())


CONTEXT_VARIABLE = re.compile(r"^\$context\.[A-Za-z]+(\.[A-Za-z]+)*$")


@pytest.mark.parametrize("stack", SERVERLESS_STACKS)
def test_access_log_formats_are_json_of_context_variables(stack: str) -> None:
    # HTTP API access logs substitute $context variables into the format; a JSON format
    # gives one parseable line per request. The request id ties a line to traces.
    for stage in planned(stack).by_type("aws:apigatewayv2/stage:Stage"):
        fields = json.loads(stage.inputs["accessLogSettings"]["format"])
        assert fields["requestId"] == "$context.requestId"
        assert all(CONTEXT_VARIABLE.match(v) for v in fields.values()), fields


@pytest.mark.parametrize("stack", SERVERLESS_STACKS)
def test_schedule_input_is_what_the_workflow_reads(stack: str) -> None:
    rec = planned(stack)
    definition = json.loads(rec.one("aws:sfn/stateMachine:StateMachine").inputs["definition"])
    payload = definition["States"]["Preprocess"]["Parameters"]["Payload"]
    bucket = data_bucket(rec)
    for schedule in rec.by_type("aws:scheduler/schedule:Schedule"):
        given = json.loads(schedule.inputs["target"]["input"])
        assert {f"{k}.$": f"$.{k}" for k in given} == payload
        assert given == {"bucket": bucket, "key": "incoming/"}


def data_bucket(rec: Recording) -> str:
    """The serverless data bucket's name (auto-named: read from the trigger's pattern)."""
    rule = rec.one("aws:cloudwatch/eventRule:EventRule", "serverless-workflow-trigger")
    (name,) = json.loads(rule.inputs["eventPattern"])["detail"]["bucket"]["name"]
    return name


def object_created(bucket: str, key: str) -> dict[str, Any]:
    """S3's "Object Created" event (docs.aws.amazon.com/AmazonS3/latest/userguide/
    ev-events.html), as EventBridge receives it from a bucket with notifications on."""
    return {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {"key": key, "size": 5, "etag": "b1946ac92492d2347c6235b4d2611184"},
            "request-id": "57H08PA84AB1JZW0",
            "requester": "123456789012",
            "reason": "PutObject",
        },
    }


@pytest.mark.parametrize("stack", SERVERLESS_STACKS)
def test_new_data_starts_the_workflow_with_bucket_and_key(stack: str) -> None:
    rec = planned(stack)
    rule = rec.one("aws:cloudwatch/eventRule:EventRule", "serverless-workflow-trigger")
    target = rec.one("aws:cloudwatch/eventTarget:EventTarget", "serverless-workflow-start")
    bucket = data_bucket(rec)
    bodies = delivered(
        rule,
        target,
        [
            object_created(bucket, "incoming/2026/11/data.csv"),
            object_created(bucket, "incoming/2026/11/_SUCCESS"),
            object_created(bucket, "archive/_SUCCESS"),
            object_created(f"{bucket}-other", "incoming/_SUCCESS"),
        ],
    )
    # One run per batch: only the marker (workflow.trigger_suffix) starts one.
    assert [json.loads(b) for b in bodies] == [
        {"bucket": bucket, "key": "incoming/2026/11/_SUCCESS"}
    ]


# -- Cost Explorer anomaly monitor through botocore's service model ----------------------


@pytest.mark.parametrize("stack", STACKS)
def test_anomaly_monitor_specification_is_a_valid_ce_expression(stack: str) -> None:
    """The monitor's specification is sent as ``AnomalyMonitor.MonitorSpecification``
    (an ``Expression``) of ``CreateAnomalyMonitor``: botocore's model checks its shape."""
    model = botocore.session.get_session().get_service_model("ce")
    shape = model.operation_model("CreateAnomalyMonitor").input_shape
    monitors = [
        r
        for r in planned(stack).resources
        if r.type == "aws:costexplorer/anomalyMonitor:AnomalyMonitor"
    ]
    assert len(monitors) == 1
    inputs = monitors[0].inputs
    request = {
        "AnomalyMonitor": {
            "MonitorName": inputs["name"],
            "MonitorType": inputs["monitorType"],
            "MonitorSpecification": json.loads(inputs["monitorSpecification"]),
        }
    }
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()

"""The container architecture's generated documents, read by independent readers:

- ECR lifecycle policies through moto's ECR (its ``PutLifecyclePolicy`` validates rules
  as the service documents them), and that they expire untagged images and keep N;
- ECS container definitions through botocore's ECS service model
  (``RegisterTaskDefinition``), with the hardening the architecture promises;
- the S3 ``Object Created`` rule and its ECS target's input template through moto's
  EventBridge (``test_documents.delivered``, an SQS queue standing in for the cluster): an object under the prefix delivers a valid ECS ``TaskOverride`` whose
  ``INPUT_KEY`` is the object's key; an object elsewhere delivers nothing;
- the kubernetes provider's kubeconfig parsed as YAML (what kubectl and the provider read).

IAM documents (repository policies, Pod Identity trust policies) pass parliament in
``test_documents.py``.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import botocore.session
import pytest
import yaml
from botocore.validate import ParamValidator
from moto import mock_aws
from test_documents import STACKS, constraint_errors, delivered, planned

TASK = "aws:ecs/taskDefinition:TaskDefinition"


@pytest.mark.parametrize("stack", STACKS)
def test_lifecycle_policies_pass_ecr(stack: str) -> None:
    policies = planned(stack).by_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert len(policies) == 2
    with mock_aws():
        ecr = boto3.client("ecr", region_name="eu-west-1")
        ecr.create_repository(repositoryName="check")
        for policy in policies:
            ecr.put_lifecycle_policy(
                repositoryName="check", lifecyclePolicyText=policy.inputs["policy"]
            )
            rules = json.loads(policy.inputs["policy"])["rules"]
            # Release tags (what stacks pin) are never selected: only untagged images
            # and CI build tags.
            assert [r["selection"]["tagStatus"] for r in rules] == ["untagged", *["tagged"] * 2]
            assert [r["selection"]["tagPatternList"] for r in rules[1:]] == [["build-*"], ["sha-*"]]


def _ecs_input() -> Any:
    model = botocore.session.Session().get_service_model("ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape


@pytest.mark.parametrize("stack", STACKS)
def test_task_definition_is_a_valid_hardened_request(stack: str) -> None:
    task = planned(stack).one(TASK)
    inputs = task.inputs
    containers = json.loads(inputs["containerDefinitions"])
    request = {
        "family": inputs["family"],
        "containerDefinitions": containers,
        "cpu": inputs["cpu"],
        "memory": inputs["memory"],
        "networkMode": inputs["networkMode"],
        "requiresCompatibilities": inputs["requiresCompatibilities"],
        "executionRoleArn": inputs["executionRoleArn"],
        "taskRoleArn": inputs["taskRoleArn"],
        "volumes": [{"name": "scratch"}],
    }
    shape = _ecs_input()
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()
    assert list(constraint_errors(request, shape, "RegisterTaskDefinition")) == []
    (container,) = containers
    assert container["user"] == "1000:1000"
    assert container["readonlyRootFilesystem"] is True
    assert container["privileged"] is False
    assert container["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
    assert container["logConfiguration"]["logDriver"] == "awslogs"
    assert container["mountPoints"] == [
        {"sourceVolume": "scratch", "containerPath": "/tmp", "readOnly": False}
    ]


def test_object_created_rule_delivers_the_key_as_an_override() -> None:
    rec = planned("aws-dev")
    (rule,) = [
        r for r in rec.by_type("aws:cloudwatch/eventRule:EventRule") if "object-created" in r.name
    ]
    (target,) = [
        r
        for r in rec.by_type("aws:cloudwatch/eventTarget:EventTarget")
        if "object-created" in r.name
    ]
    bucket = json.loads(rule.inputs["eventPattern"])["detail"]["bucket"]["name"][0]
    events = [
        {
            "source": "aws.s3",
            "detail-type": "Object Created",
            "detail": {"bucket": {"name": bucket}, "object": {"key": key, "size": 1}},
        }
        for key in ("incoming/day-1.csv", "processed/day-1.csv")
    ]
    bodies = delivered(rule, target, events)
    assert len(bodies) == 1
    overrides = json.loads(bodies[0])
    shape = botocore.session.Session().get_service_model("ecs").shape_for("TaskOverride")
    report = ParamValidator().validate(overrides, shape)
    assert not report.has_errors(), report.generate_report()
    (container,) = overrides["containerOverrides"]
    assert container["environment"] == [{"name": "INPUT_KEY", "value": "incoming/day-1.csv"}]


@pytest.mark.parametrize("stack", STACKS)
def test_kubeconfig_reads_as_yaml_with_exec_credentials(stack: str) -> None:
    provider = planned(stack).one("pulumi:providers:kubernetes")
    config = yaml.safe_load(provider.inputs["kubeconfig"])
    (cluster,) = config["clusters"]
    name = cluster["name"]
    assert config["current-context"] == name == f"mlops-{stack.split('-')[1]}-serving"
    assert cluster["cluster"]["server"].startswith("https://")
    assert cluster["cluster"]["certificate-authority-data"]
    (user,) = config["users"]
    exec_ = user["user"]["exec"]
    assert exec_["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert exec_["command"] == "aws"
    assert exec_["args"][:4] == ["eks", "get-token", "--cluster-name", name]

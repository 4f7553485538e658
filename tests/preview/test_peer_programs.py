"""Programs in the style of pulumi/examples, planned as a new user would plan their own
(issue 13): computed outputs are realistic or unknown, never ``None``; callbacks on
unknown values are skipped; lookups the plan cannot answer are unknown and warned about.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlops_preview.runner import Recording, plan_stack

PEERS = Path(__file__).parents[1] / "fixtures" / "programs" / "peers"


@pytest.fixture(scope="module")
def plans() -> dict[str, Recording]:
    return {
        name: plan_stack(PEERS / name, "dev")
        for name in (
            "eks-kubeconfig",
            "api-lambda",
            "vpc-lookup",
            "azure-static-website",
            "gcp-function",
        )
    }


def declared(recording: Recording) -> list[tuple[str, str]]:
    return sorted((r.type, r.name) for r in recording.resources)


@pytest.mark.parametrize(
    "program",
    ["eks-kubeconfig", "api-lambda", "vpc-lookup", "azure-static-website", "gcp-function"],
)
def test_every_input_wired_from_an_output_is_recorded(
    plans: dict[str, Recording], program: str
) -> None:
    """An input the program passed an output to is a value or "[unknown]", never left out
    as ``None``."""
    recording = plans[program]
    for resource in recording.resources:
        for key, sources in resource.property_dependencies.items():
            if sources:
                assert key in resource.inputs, (resource.name, key)
    unknown = {(urn, path) for urn, path in recording.unknowns()}
    for resource in recording.resources:
        for key, value in resource.inputs.items():
            if value == "[unknown]":
                assert (resource.urn, key) in unknown


def test_eks_kubeconfig_is_built_from_the_cluster_outputs(plans: dict[str, Recording]) -> None:
    recording = plans["eks-kubeconfig"]
    assert declared(recording) == [
        ("aws:eks/cluster:Cluster", "cluster"),
        ("aws:iam/role:Role", "cluster-role"),
    ]
    config = json.loads(recording.outputs["kubeconfig"])
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"].endswith(".gr7.us-west-2.eks.amazonaws.com")
    assert cluster["certificate-authority-data"] == recording.outputs["ca_data"]
    assert config["users"][0]["user"]["exec"]["args"][-1] == config["clusters"][0]["name"]
    assert recording.outputs["oidc_issuer"].startswith(
        "https://oidc.eks.us-west-2.amazonaws.com/id/"
    )
    assert recording.unknowns() == [] and recording.warnings == []


def test_api_urls_from_computed_arns_are_unknown_not_a_crash(
    plans: dict[str, Recording],
) -> None:
    """The REST API's ``execution_arn + "/*/*"`` is computed by the cloud: unknown in a
    preview, so its callback does not run on ``None``. The HTTP API's execution ARN and
    endpoint are mocked in their documented formats."""
    recording = plans["api-lambda"]
    assert declared(recording) == [
        ("aws:apigateway/restApi:RestApi", "rest"),
        ("aws:apigatewayv2/api:Api", "http"),
        ("aws:apigatewayv2/integration:Integration", "lambda"),
        ("aws:apigatewayv2/route:Route", "root"),
        ("aws:apigatewayv2/stage:Stage", "live"),
        ("aws:iam/role:Role", "lambda-role"),
        ("aws:lambda/function:Function", "handler"),
        ("aws:lambda/permission:Permission", "http-invoke"),
        ("aws:lambda/permission:Permission", "rest-invoke"),
    ]
    function = recording.one("aws:lambda/function:Function")
    integration = recording.one("aws:apigatewayv2/integration:Integration")
    for permission in recording.by_type("aws:lambda/permission:Permission"):
        # an auto-name is known in a preview (the engine computes it before creating)
        assert permission.inputs["function"] == function.outputs["name"]
    # The HTTP API's execution ARN is mocked; the REST API's is left to the cloud.
    http_api = recording.one("aws:apigatewayv2/api:Api")
    http_invoke = recording.one("aws:lambda/permission:Permission", "http-invoke")
    assert http_invoke.inputs["sourceArn"] == (
        f"arn:aws:execute-api:eu-west-1:123456789012:{http_api.id}/*/*"
    )
    assert (
        recording.one("aws:lambda/permission:Permission", "rest-invoke").inputs["sourceArn"]
        == "[unknown]"
    )
    assert function.outputs["name"].startswith("handler-")
    stage = recording.one("aws:apigatewayv2/stage:Stage")
    assert recording.outputs["url"] == (
        f"https://{http_api.id}.execute-api.eu-west-1.amazonaws.com/{stage.outputs['name']}"
    )
    assert recording.outputs["rest_url"].startswith("https://rest-")
    route = recording.one("aws:apigatewayv2/route:Route")
    assert route.inputs["target"] == f"integrations/{integration.id}"
    assert integration.inputs == {
        "apiId": recording.one("aws:apigatewayv2/api:Api").id,
        "integrationType": "AWS_PROXY",
        "integrationUri": "[unknown]",
    }


def test_lookups_without_an_answer_are_unknown_and_named(plans: dict[str, Recording]) -> None:
    recording = plans["vpc-lookup"]
    assert declared(recording) == [
        ("aws:ec2/securityGroup:SecurityGroup", "web"),
        ("aws:lb/loadBalancer:LoadBalancer", "web"),
    ]
    assert recording.one("aws:ec2/securityGroup:SecurityGroup").inputs["vpcId"] == "[unknown]"
    assert recording.one("aws:lb/loadBalancer:LoadBalancer").inputs["subnets"] == "[unknown]"
    assert [u.token for u in recording.unanswered] == [
        "aws:ec2/getVpc:getVpc",
        "aws:ec2/getSubnets:getSubnets",
    ]
    assert [w.split(" with ")[0] for w in recording.warnings] == [
        "lookup aws:ec2/getSubnets:getSubnets",
        "lookup aws:ec2/getVpc:getVpc",
    ]
    assert all("Pulumi.dev.lookups.yaml" in w for w in recording.warnings)


def test_a_lookups_file_gives_the_real_answers() -> None:
    recording = plan_stack(PEERS / "vpc-lookup", "answered")
    assert recording.one("aws:ec2/securityGroup:SecurityGroup").inputs["vpcId"] == (
        "vpc-0a1b2c3d4e5f60718"
    )
    assert recording.one("aws:lb/loadBalancer:LoadBalancer").inputs["subnets"] == [
        "subnet-0a1b2c3d4e5f60718",
        "subnet-0a1b2c3d4e5f60719",
    ]
    assert recording.outputs["vpc_cidr"] == "172.31.0.0/16"
    assert recording.unanswered == [] and recording.warnings == []


def test_azure_static_website_url_comes_from_the_primary_endpoints(
    plans: dict[str, Recording],
) -> None:
    recording = plans["azure-static-website"]
    account = recording.one("azure-native:storage:StorageAccount")
    name = account.outputs["accountName"]
    assert recording.outputs["url"] == f"https://{name}.web.core.windows.net/"
    assert recording.outputs["host"] == f"{name}.web.core.windows.net"
    # the `$web` container is the cloud's answer: unknown until it exists
    blob = recording.one("azure-native:storage:Blob")
    assert blob.inputs["containerName"] == "[unknown]"
    assert blob.inputs["accountName"] == name


def test_gcp_function_trigger_url_is_unknown(plans: dict[str, Recording]) -> None:
    recording = plans["gcp-function"]
    assert declared(recording) == [
        ("gcp:cloudfunctions/function:Function", "handler"),
        ("gcp:cloudfunctions/functionIamMember:FunctionIamMember", "invoker"),
        ("gcp:storage/bucket:Bucket", "code"),
        ("gcp:storage/bucketObject:BucketObject", "source"),
    ]
    function = recording.one("gcp:cloudfunctions/function:Function")
    bucket = recording.one("gcp:storage/bucket:Bucket")
    assert function.inputs["sourceArchiveBucket"] == bucket.outputs["name"]
    assert recording.outputs["url"] == "[unknown]"
    assert recording.outputs["source"].startswith(f"gs://{bucket.outputs['name']}/source-")
    assert recording.unknowns() == [("outputs", "url")]

"""Invokes, reads, exports and failures behave as under ``pulumi preview``: invokes
whose arguments hold unknowns or that depend on resources pending creation are not
made, reads keep the id the program gave, and failure messages name what was unknown."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from mlops_preview.failures import failure_message, resource_being_built
from mlops_preview.lookups import Lookups, unanswered_message
from mlops_preview.mocks import _plural
from mlops_preview.project import PlanError
from mlops_preview.recorder import SECRET
from mlops_preview.report import PlanResult, to_markdown
from mlops_preview.runner import plan_stack, run_program

PROGRAMS = Path(__file__).parents[1] / "fixtures" / "programs"


def _unknown_computed() -> pulumi.Output[str]:
    """An output the mocks do not fill: unknown in the preview."""
    return aws.apigateway.RestApi("rest").execution_arn


def test_unknowns_nested_in_invoke_args_skip_the_invoke() -> None:
    def program() -> None:
        arn = _unknown_computed()
        subnets = aws.ec2.get_subnets_output(filters=[{"name": "vpc-id", "values": [arn]}])
        document = aws.iam.get_policy_document_output(
            statements=[{"actions": ["execute-api:Invoke"], "resources": [arn]}]
        )
        aws.iam.Policy("invoke", policy=document.json)
        aws.sns.Topic("subnets", display_name=subnets.ids.apply(",".join))
        plain = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [arn]}])
        pulumi.export("plain", plain.ids)

    recording = run_program(program)
    assert recording.unanswered == []
    assert recording.one("aws:iam/policy:Policy").inputs["policy"] == "[unknown]"
    assert recording.one("aws:sns/topic:Topic").inputs["displayName"] == "[unknown]"
    assert recording.outputs["plain"] == ["[unknown]"]
    assert (recording.one("aws:iam/policy:Policy").urn, "policy") in recording.unknowns()
    json.dumps(recording.outputs)  # nothing unserializable reached the record


def test_output_invokes_depending_on_created_resources_are_unknown() -> None:
    def program() -> None:
        bucket = aws.s3.Bucket("data")
        vpc = aws.ec2.get_vpc_output(id=bucket.id)  # depends on a pending creation
        caller = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(depends_on=[bucket])
        )
        document = aws.iam.get_policy_document_output(
            statements=[{"actions": ["s3:GetObject"], "resources": [bucket.arn]}]
        )
        aws.iam.Policy("read", policy=document.json)
        aws.sns.Topic("vpc", display_name=vpc.cidr_block)
        pulumi.export("account", caller.account_id)
        pulumi.export("plain", aws.ec2.get_vpc(id="vpc-0a1b2c3d4e5f60718").cidr_block)

    recording = run_program(program)
    assert recording.one("aws:sns/topic:Topic").inputs["displayName"] == "[unknown]"
    # Rendered by the provider itself, known arguments: answered as before.
    policy = json.loads(recording.one("aws:iam/policy:Policy").inputs["policy"])
    assert policy["Statement"][0]["Resource"].startswith("arn:aws:s3:::data-")
    assert recording.outputs["account"] == "123456789012"
    # Only the plain-form call, which has no dependency, is asked and warned about.
    assert [u.token for u in recording.unanswered] == ["aws:ec2/getVpc:getVpc"]
    assert recording.outputs["plain"] == "[unknown]"


def test_read_resources_keep_their_id_and_warn() -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc.get("shared", "vpc-0a1b2c3d4e5f60718")
        aws.ec2.SecurityGroup("web", vpc_id=vpc.id, description=vpc.cidr_block)

    recording = run_program(program)
    group = recording.one("aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["vpcId"] == "vpc-0a1b2c3d4e5f60718"
    assert group.inputs["description"] == "[unknown]"
    [read] = recording.unanswered
    assert read.token == "read:aws:ec2/vpc:Vpc"
    assert dict(read.args) == {"id": "vpc-0a1b2c3d4e5f60718", "name": "shared"}
    message = unanswered_message(read.token, read.args, exists=False, shown_as="L.yaml")
    assert message.startswith("resource aws:ec2/vpc:Vpc 'shared' reads id 'vpc-0a1b2c3d4e5f60718'")
    assert "Answer read:aws:ec2/vpc:Vpc with args: {id: vpc-0a1b2c3d4e5f60718} in L.yaml" in (
        message
    )

    answers = Lookups(
        {
            "read:aws:ec2/vpc:Vpc": [
                {"args": {"id": "vpc-0a1b2c3d4e5f60718"}, "result": {"cidrBlock": "10.0.0.0/16"}}
            ]
        }
    )
    answered = run_program(program, lookups=answers)
    assert answered.unanswered == []
    group = answered.one("aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["description"] == "10.0.0.0/16"


def test_stack_references_are_unknown_unless_answered() -> None:
    def program() -> None:
        network = pulumi.StackReference("acme/network/prod")
        aws.sns.Topic("vpc", display_name=network.get_output("vpc_id"))

    recording = run_program(program)
    assert recording.one("aws:sns/topic:Topic").inputs["displayName"] == "[unknown]"
    [read] = recording.unanswered
    assert read.token == "read:pulumi:pulumi:StackReference"
    message = unanswered_message(read.token, read.args, exists=False, shown_as="L.yaml")
    assert message.startswith("stack reference 'acme/network/prod' reads id 'acme/network/prod'")

    answers = Lookups(
        {"read:pulumi:pulumi:StackReference": {"result": {"outputs": {"vpc_id": "vpc-1"}}}}
    )
    answered = run_program(program, lookups=answers)
    assert answered.one("aws:sns/topic:Topic").inputs["displayName"] == "vpc-1"
    assert answered.unanswered == []


def test_failure_after_placeholders_names_the_unknown_lookups() -> None:
    with pytest.raises(PlanError) as info:
        plan_stack(PROGRAMS / "failures", "vpc-cidr")
    message = str(info.value)
    assert message.startswith("program failed: ValueError: '[unknown]' does not appear")
    assert message.endswith(
        "; lookups answered as unknown in this plan: aws:ec2/getVpc:getVpc "
        "(see docs/offline-preview.md#lookups)"
    )


def test_unknown_section_names_unanswered_lookups() -> None:
    def program() -> None:
        aws.sns.Topic("p", display_name=_unknown_computed())

    markdown = to_markdown(PlanResult(run_program(program)))
    assert "or from lookups and reads the plan could not answer (see Warnings)" in markdown


def test_unknown_secrets_are_listed_as_unknown() -> None:
    def program() -> None:
        value = pulumi.Output.secret(_unknown_computed())
        parameter = aws.ssm.Parameter("p", type="SecureString", value=value)
        aws.ssm.Parameter("q", type="SecureString", value=pulumi.Output.secret("known"))
        pulumi.export("p", parameter.urn)

    recording = run_program(program)
    unknown = recording.one("aws:ssm/parameter:Parameter", "p")
    known = recording.one("aws:ssm/parameter:Parameter", "q")
    assert unknown.inputs["value"] == SECRET and known.inputs["value"] == SECRET
    assert (unknown.urn, "value") in recording.unknowns()
    assert (known.urn, "value") not in recording.unknowns()


class Store(pulumi.ComponentResource):
    def __init__(self, name: str, *, early: bool) -> None:
        if early:
            raise ValueError("bad settings")
        super().__init__("mlops:test:Store", name)
        raise ValueError("bad store")


@pytest.mark.parametrize(
    ("early", "expected"), [(False, "mlops:test:Store 'bad'"), (True, "Store 'bad'")]
)
def test_failing_components_are_named_by_type_token(early: bool, expected: str) -> None:
    def program() -> None:
        Store("bad", early=early)

    with pytest.raises(ValueError) as info:
        run_program(program)
    assert resource_being_built(info.value) == expected
    assert f"building {expected}" in failure_message(info.value, Path(__file__).parent)


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("publicIPAddress", "publicIPAddresses"),
        ("registry", "registries"),
        ("gateway", "gateways"),
        ("storageAccount", "storageAccounts"),
        ("redis", "redis"),
        ("searchIndex", "searchIndexes"),
    ],
)
def test_plural_of_type_names(singular: str, plural: str) -> None:
    assert _plural(singular) == plural


def test_public_ip_ids_use_the_arm_collection() -> None:
    from pulumi_azure_native import network, resources

    def program() -> None:
        group = resources.ResourceGroup("rg", resource_group_name="rg-ml")
        network.PublicIPAddress("ip", resource_group_name=group.name)

    recording = run_program(program, config={"azure-native:location": "westeurope"})
    address = recording.one("azure-native:network:PublicIPAddress")
    assert address.id is not None
    assert "/resourceGroups/rg-ml/providers/Microsoft.Network/publicIPAddresses/ip-" in address.id


def test_exported_resources_are_recorded_by_urn() -> None:
    def program() -> None:
        bucket = aws.s3.Bucket("data")
        pulumi.export("bucket", bucket)
        pulumi.export("nested", {"bucket": bucket})

    recording = run_program(program)
    urn = recording.one("aws:s3/bucket:Bucket").urn
    assert recording.outputs == {"bucket": urn, "nested": {"bucket": urn}}

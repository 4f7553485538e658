"""PlanMocks: computed outputs look like the clouds' and never vary between runs."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest
from mlops_preview.mocks import (
    ACCOUNT_ID,
    AZURE_SUBSCRIPTION_ID,
    GCP_PROJECT_NUMBER,
    PlanMocks,
    UnmockedInvokeError,
    auto_name,
    render_policy_document,
    zone_id_prefix,
)
from mlops_preview.runner import run_program
from pulumi.runtime import MockCallArgs, MockResourceArgs


def _new(mocks: PlanMocks, typ: str, name: str, inputs: dict, **kw: object) -> tuple[str, dict]:
    args = MockResourceArgs(typ=typ, name=name, inputs=inputs, custom=True, **kw)  # type: ignore[arg-type]
    return mocks.new_resource_at(f"urn:pulumi:test::p::{typ}::{name}", args)


def test_s3_bucket_gets_auto_name_global_arn_and_name_as_id() -> None:
    mocks = PlanMocks("eu-west-1")
    urn = "urn:pulumi:test::p::aws:s3/bucket:Bucket::data"
    resource_id, state = _new(mocks, "aws:s3/bucket:Bucket", "data", {"forceDestroy": True})
    expected = auto_name("data", urn)
    assert expected.startswith("data-") and len(expected) == len("data-") + 7
    assert state["bucket"] == expected
    assert resource_id == expected
    assert state["arn"] == f"arn:aws:s3:::{expected}"
    assert state["forceDestroy"] is True
    assert state["bucketRegionalDomainName"] == f"{expected}.s3.eu-west-1.amazonaws.com"


def test_explicit_bucket_name_is_kept() -> None:
    _, state = _new(PlanMocks(), "aws:s3/bucket:Bucket", "data", {"bucket": "my-data"})
    assert state["bucket"] == "my-data"
    assert state["arn"] == "arn:aws:s3:::my-data"


def test_generic_arn_uses_region_account_and_kebab_type() -> None:
    _, state = _new(
        PlanMocks("us-east-2"),
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
        "models",
        {"modelPackageGroupName": "models"},
    )
    assert state["arn"].startswith(f"arn:aws:sagemaker:us-east-2:{ACCOUNT_ID}:model-package-group/")


def test_per_resource_region_input_wins() -> None:
    _, state = _new(
        PlanMocks("eu-west-1"), "aws:ssm/parameter:Parameter", "p", {"region": "ap-south-1"}
    )
    assert state["arn"].startswith(f"arn:aws:ssm:ap-south-1:{ACCOUNT_ID}:parameter/p-")


def test_iam_role_arn_has_no_region() -> None:
    _, state = _new(PlanMocks(), "aws:iam/role:Role", "exec", {"name": "exec-role"})
    assert state["arn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/exec-role"


@pytest.mark.parametrize(
    ("typ", "prefix"),
    [
        ("aws:ec2/vpc:Vpc", "vpc-"),
        ("aws:ec2/subnet:Subnet", "subnet-"),
        ("aws:ec2/securityGroup:SecurityGroup", "sg-"),
    ],
)
def test_ec2_ids_have_the_cloud_prefix(typ: str, prefix: str) -> None:
    resource_id, _ = _new(PlanMocks(), typ, "net", {})
    assert resource_id.startswith(prefix)
    assert len(resource_id) == len(prefix) + 17
    int(resource_id[len(prefix) :], 16)


def test_kms_key_id_is_a_uuid_and_in_the_arn() -> None:
    resource_id, state = _new(PlanMocks("eu-north-1"), "aws:kms/key:Key", "key", {})
    assert len(resource_id) == 36 and resource_id.count("-") == 4
    assert state["keyId"] == resource_id
    assert state["arn"] == f"arn:aws:kms:eu-north-1:{ACCOUNT_ID}:key/{resource_id}"


def test_ids_are_deterministic_per_urn() -> None:
    first = _new(PlanMocks(), "aws:ec2/vpc:Vpc", "net", {})
    again = _new(PlanMocks(), "aws:ec2/vpc:Vpc", "net", {})
    other = _new(PlanMocks(), "aws:ec2/vpc:Vpc", "net2", {})
    assert first == again
    assert first[0] != other[0]


def test_azure_ids() -> None:
    mocks = PlanMocks()
    rg_id, rg = _new(
        mocks,
        "azure-native:resources:ResourceGroup",
        "rg",
        {"resourceGroupName": "ml-rg", "location": "westeurope"},
    )
    assert rg_id == f"/subscriptions/{AZURE_SUBSCRIPTION_ID}/resourceGroups/ml-rg"
    assert rg["name"] == "ml-rg"
    ws_id, ws = _new(
        mocks,
        "azure-native:machinelearningservices:Workspace",
        "ws",
        {"resourceGroupName": "ml-rg", "workspaceName": "ml-ws"},
    )
    assert ws_id == (
        f"/subscriptions/{AZURE_SUBSCRIPTION_ID}/resourceGroups/ml-rg/providers/"
        "Microsoft.MachineLearningServices/workspaces/ml-ws"
    )
    assert ws["type"] == "Microsoft.MachineLearningServices/workspaces"


def test_azure_user_assigned_identities_come_back_as_a_map() -> None:
    # azure-native v3 takes a list of identity ids and returns ARM's map; the SDK cannot
    # read an echoed list (the plan used to exit 2 for such resources).
    uai = f"/subscriptions/{AZURE_SUBSCRIPTION_ID}/resourceGroups/rg/providers/x/uai"
    _, state = _new(
        PlanMocks(),
        "azure-native:storage:StorageAccount",
        "lake",
        {"identity": {"type": "UserAssigned", "userAssignedIdentities": [uai]}},
    )
    assigned = state["identity"]["userAssignedIdentities"]
    assert list(assigned) == [uai]
    assert set(assigned[uai]) == {"principalId", "clientId"}


def test_azure_key_vault_uris() -> None:
    mocks = PlanMocks()
    _, vault = _new(
        mocks, "azure-native:keyvault:Vault", "kv", {"vaultName": "kv1", "properties": {}}
    )
    assert vault["properties"]["vaultUri"] == "https://kv1.vault.azure.net/"
    _, key = _new(mocks, "azure-native:keyvault:Key", "k", {"vaultName": "kv1", "keyName": "cmk"})
    assert key["keyUri"] == "https://kv1.vault.azure.net/keys/cmk"
    assert key["keyUriWithVersion"].startswith("https://kv1.vault.azure.net/keys/cmk/")


def test_gcp_ids() -> None:
    mocks = PlanMocks("europe-west4", gcp_project="ml-proj")
    bucket_id, bucket = _new(mocks, "gcp:storage/bucket:Bucket", "data", {"location": "EU"})
    assert bucket["name"].startswith("data-") and bucket_id == bucket["name"]
    assert bucket["url"] == f"gs://{bucket['name']}"
    sa_id, sa = _new(mocks, "gcp:serviceaccount/account:Account", "sa", {"accountId": "trainer"})
    assert sa["email"] == "trainer@ml-proj.iam.gserviceaccount.com"
    assert sa_id == "projects/ml-proj/serviceAccounts/trainer@ml-proj.iam.gserviceaccount.com"


def test_gcp_kms_key_ids_sit_under_their_key_ring() -> None:
    mocks = PlanMocks("europe-west4", gcp_project="ml-proj")
    ring_id, _ = _new(
        mocks, "gcp:kms/keyRing:KeyRing", "ring", {"location": "europe-west4", "name": "r"}
    )
    assert ring_id == "projects/ml-proj/locations/europe-west4/keyRings/r"
    key_id, _ = _new(mocks, "gcp:kms/cryptoKey:CryptoKey", "key", {"keyRing": ring_id, "name": "k"})
    assert key_id == f"{ring_id}/cryptoKeys/k"


def test_gcp_service_agents() -> None:
    mocks = PlanMocks("europe-west4", gcp_project="ml-proj")
    _, identity = _new(
        mocks,
        "gcp:projects/serviceIdentity:ServiceIdentity",
        "ar",
        {"service": "artifactregistry.googleapis.com"},
    )
    email = f"service-{GCP_PROJECT_NUMBER}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
    assert (identity["email"], identity["member"]) == (email, f"serviceAccount:{email}")
    gcs, _ = mocks.call(
        MockCallArgs("gcp:storage/getProjectServiceAccount:getProjectServiceAccount", {}, "")
    )
    assert gcs["emailAddress"] == (
        f"service-{GCP_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
    )
    assert gcs["member"] == f"serviceAccount:{gcs['emailAddress']}"
    bq, _ = mocks.call(
        MockCallArgs("gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount", {}, "")
    )
    assert bq["member"] == (
        f"serviceAccount:bq-{GCP_PROJECT_NUMBER}@bigquery-encryption.iam.gserviceaccount.com"
    )
    logging, _ = mocks.call(
        MockCallArgs(
            "gcp:logging/getProjectCmekSettings:getProjectCmekSettings", {"project": "ml-proj"}, ""
        )
    )
    assert logging["serviceAccountId"] == (
        f"service-{GCP_PROJECT_NUMBER}@gcp-sa-logging.iam.gserviceaccount.com"
    )


def test_zone_id_prefix() -> None:
    assert zone_id_prefix("eu-west-1") == "euw1"
    assert zone_id_prefix("us-east-1") == "use1"
    assert zone_id_prefix("ap-southeast-2") == "apse2"


def test_invokes_answer_like_aws() -> None:
    mocks = PlanMocks("eu-west-1")
    identity, failures = mocks.call(
        MockCallArgs("aws:index/getCallerIdentity:getCallerIdentity", {}, "")
    )
    assert identity["accountId"] == ACCOUNT_ID and failures == []
    zones, _ = mocks.call(
        MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {}, "")
    )
    assert zones["names"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert zones["zoneIds"] == ["euw1-az1", "euw1-az2", "euw1-az3"]
    region, _ = mocks.call(MockCallArgs("aws:index/getRegion:getRegion", {}, ""))
    assert region["name"] == region["region"] == "eu-west-1"
    partition, _ = mocks.call(MockCallArgs("aws:index/getPartition:getPartition", {}, ""))
    assert partition["partition"] == "aws" and partition["dnsSuffix"] == "amazonaws.com"


def test_unknown_invoke_names_the_token() -> None:
    with pytest.raises(UnmockedInvokeError, match="aws:ec2/getVpc:getVpc"):
        PlanMocks().call(MockCallArgs("aws:ec2/getVpc:getVpc", {}, ""))


def test_policy_document_renders_iam_json() -> None:
    document = render_policy_document(
        {
            "statements": [
                {
                    "sid": "Read",
                    "actions": ["s3:GetObject", "s3:ListBucket"],
                    "resources": ["arn:aws:s3:::b/*"],
                    "principals": [{"type": "Service", "identifiers": ["sagemaker.amazonaws.com"]}],
                    "conditions": [
                        {"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]}
                    ],
                },
                {"effect": "Deny", "actions": ["s3:DeleteBucket"], "resources": ["*"]},
            ]
        }
    )
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": "arn:aws:s3:::b/*",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            },
            {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
        ],
    }


def test_invokes_inside_a_program() -> None:
    def program() -> None:
        doc = aws.iam.get_policy_document(
            statements=[
                {
                    "actions": ["sts:AssumeRole"],
                    "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
                }
            ]
        )
        pulumi.export("policy", doc.json)
        pulumi.export("account", aws.get_caller_identity().account_id)
        pulumi.export("region", aws.get_region().region)
        pulumi.export("zones", aws.get_availability_zones().names)

    recording = run_program(program, config={"aws:region": "us-west-2"})
    assert recording.outputs["account"] == ACCOUNT_ID
    assert recording.outputs["region"] == "us-west-2"
    assert recording.outputs["zones"] == ["us-west-2a", "us-west-2b", "us-west-2c"]
    assert json.loads(recording.outputs["policy"])["Statement"][0]["Action"] == "sts:AssumeRole"


def test_unknown_plain_invoke_returns_its_result_type_with_unknown_leaves() -> None:
    def program() -> None:
        vpc = aws.ec2.get_vpc(default=True)
        assert isinstance(vpc, aws.ec2.GetVpcResult)
        assert (vpc.id, vpc.enable_dns_support, vpc.tags) == ("[unknown]", False, {})
        assert vpc.cidr_block_associations[0].cidr_block == "[unknown]"
        aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.0.0.0/24")

    recording = run_program(program)
    assert recording.one("aws:ec2/subnet:Subnet").inputs["vpcId"] == "[unknown]"
    assert [(u.token, dict(u.args)) for u in recording.unanswered] == [
        ("aws:ec2/getVpc:getVpc", {"default": True})
    ]


def test_unknown_output_invoke_is_unknown_and_its_callbacks_are_skipped() -> None:
    ran: list[object] = []

    def program() -> None:
        vpc = aws.ec2.get_vpc_output(default=True)
        vpc.id.apply(ran.append)
        aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.0.0.0/24")
        pulumi.export("vpc", vpc.id)

    recording = run_program(program)
    assert ran == []
    assert recording.one("aws:ec2/subnet:Subnet").inputs == {
        "cidrBlock": "10.0.0.0/24",
        "vpcId": "[unknown]",
    }
    assert recording.outputs == {"vpc": "[unknown]"}
    assert recording.unknowns() == [
        (recording.one("aws:ec2/subnet:Subnet").urn, "vpcId"),
        ("outputs", "vpc"),
    ]

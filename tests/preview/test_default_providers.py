"""Provider configuration from the stack file is applied as the Pulumi CLI applies it:
resources without an explicit provider use the default provider of their package,
configured from the stack's ``<package>:*`` config (tests/fixtures/programs/
default-providers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlops_preview.guardrails import evaluate_guardrails
from mlops_preview.runner import Recording, plan_stack

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "programs" / "default-providers"
SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def plan() -> Recording:
    return plan_stack(FIXTURE, "dev")


def test_default_providers_are_configured_from_the_stack_file(plan: Recording) -> None:
    providers = {p.type: p for p in plan.default_providers}
    assert sorted(providers) == [
        "pulumi:providers:aws",
        "pulumi:providers:azure-native",
        "pulumi:providers:gcp",
    ]
    aws = providers["pulumi:providers:aws"]
    assert aws.urn.startswith("urn:pulumi:dev::default-providers::pulumi:providers:aws::default_")
    assert aws.inputs["region"] == "us-east-2"
    assert json.loads(aws.inputs["defaultTags"])["tags"]["cost-centre"] == "cc-1234"
    assert providers["pulumi:providers:gcp"].inputs["project"] == "fixture-project"
    # Not in the program's resources; each resource refers to its package's provider.
    assert all(not r.type.startswith("pulumi:providers:") for r in plan.resources)
    for resource in plan.resources:
        package = resource.type.split(":")[0]
        provider = providers[f"pulumi:providers:{package}"]
        assert resource.provider == f"{provider.urn}::{provider.id}"


def test_aws_default_tags_and_region(plan: Recording) -> None:
    topic = plan.one("aws:sns/topic:Topic")
    assert topic.outputs["tagsAll"] == {
        "project": "fixture",
        "environment": "dev",
        "owner": "data-team",  # the resource's own tag wins
        "cost-centre": "cc-1234",
    }
    assert topic.outputs["arn"].startswith("arn:aws:sns:us-east-2:")


def test_aws_tag_policy_sees_the_default_tags(plan: Recording) -> None:
    report = evaluate_guardrails(plan, None, "dev")
    tags = [v for v in report.violations if v.policy == "aws-resource-require-cost-allocation-tags"]
    assert tags == []


def test_gcp_project_region_and_default_labels(plan: Recording) -> None:
    bucket = plan.one("gcp:storage/bucket:Bucket")
    assert bucket.outputs["project"] == "fixture-project"
    assert bucket.outputs["effectiveLabels"] == {"team": "ml-platform", "environment": "test"}
    assert bucket.outputs["pulumiLabels"] == bucket.outputs["effectiveLabels"]
    ring = plan.one("gcp:kms/keyRing:KeyRing")
    assert (
        ring.id
        == f"projects/fixture-project/locations/europe-west4/keyRings/{ring.outputs['name']}"
    )
    key = plan.one("gcp:kms/cryptoKey:CryptoKey")
    assert key.id == f"{ring.id}/cryptoKeys/{key.outputs['name']}"


def test_azure_location_and_subscription(plan: Recording) -> None:
    group = plan.one("azure-native:resources:ResourceGroup")
    assert group.outputs["location"] == "swedencentral"
    assert group.id == f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group.outputs['name']}"


def test_explicit_providers_apply_their_settings_too() -> None:
    import pulumi
    import pulumi_aws as aws
    import pulumi_gcp as gcp
    from mlops_preview.runner import run_program

    def program() -> None:
        east = aws.Provider("east", region="us-east-1", default_tags={"tags": {"owner": "ml"}})
        aws.sns.Topic("t", tags={"env": "dev"}, opts=pulumi.ResourceOptions(provider=east))
        google = gcp.Provider("g", project="other", region="asia-east1")
        gcp.kms.KeyRing(
            "r", name="r", location="global", opts=pulumi.ResourceOptions(provider=google)
        )
        gcp.compute.Subnetwork(
            "s",
            network="n",
            ip_cidr_range="10.0.0.0/24",
            opts=pulumi.ResourceOptions(provider=google),
        )

    recording = run_program(program)
    topic = recording.one("aws:sns/topic:Topic")
    assert topic.outputs["tagsAll"] == {"owner": "ml", "env": "dev"}
    assert topic.outputs["arn"].startswith("arn:aws:sns:us-east-1:")
    assert (
        recording.one("gcp:kms/keyRing:KeyRing").id == "projects/other/locations/global/keyRings/r"
    )
    subnet = recording.one("gcp:compute/subnetwork:Subnetwork")
    assert (subnet.outputs["project"], subnet.outputs["region"]) == ("other", "asia-east1")
    assert recording.default_providers == []

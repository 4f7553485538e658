"""Lookups Azure and Google Cloud components make are answered offline, consistent
with the stack's project, region and subscription."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
from mlops_preview.mocks import GCP_PROJECT_NUMBER, GKE_VERSIONS
from mlops_preview.runner import run_program
from pulumi_azure_native import authorization

CONFIG = {"gcp:project": "ml-plan", "gcp:region": "europe-west1"}


def test_gcp_lookups_follow_the_stack_config() -> None:
    def program() -> None:
        client = gcp.organizations.get_client_config()
        project = gcp.organizations.get_project()
        zones = gcp.compute.get_zones()
        gcs = gcp.storage.get_project_service_account()
        bigquery = gcp.bigquery.get_default_service_account()
        pulumi.export(
            "client", {"project": client.project, "region": client.region, "zone": client.zone}
        )
        pulumi.export("number", project.number)
        pulumi.export("zones", zones.names)
        pulumi.export("gcs", gcs.email_address)
        pulumi.export("gcs_member", gcs.member)
        pulumi.export("bigquery", bigquery.email)

    outputs = run_program(program, config=CONFIG).outputs
    assert outputs["client"] == {
        "project": "ml-plan",
        "region": "europe-west1",
        "zone": "europe-west1-b",  # europe-west1 has no zone a
    }
    assert outputs["number"] == GCP_PROJECT_NUMBER
    assert outputs["zones"] == ["europe-west1-b", "europe-west1-c", "europe-west1-d"]
    gcs = f"service-{GCP_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
    assert outputs["gcs"] == gcs and outputs["gcs_member"] == f"serviceAccount:{gcs}"
    assert (
        outputs["bigquery"]
        == f"bq-{GCP_PROJECT_NUMBER}@bigquery-encryption.iam.gserviceaccount.com"
    )


def test_gke_engine_versions_have_channel_defaults() -> None:
    def program() -> None:
        every = gcp.container.get_engine_versions(location="europe-west4")
        pinned = gcp.container.get_engine_versions(location="europe-west4", version_prefix="1.33.")
        pulumi.export("latest", every.latest_master_version)
        pulumi.export("valid", every.valid_master_versions)
        pulumi.export("channels", every.release_channel_default_version)
        pulumi.export("pinned", pinned.latest_master_version)
        pulumi.export("default", every.default_cluster_version)

    outputs = run_program(program, config=CONFIG).outputs
    assert outputs["channels"] == GKE_VERSIONS
    assert outputs["latest"] == GKE_VERSIONS["RAPID"]
    assert outputs["valid"] == [GKE_VERSIONS[c] for c in ("RAPID", "REGULAR", "STABLE")]
    assert outputs["pinned"] == GKE_VERSIONS["REGULAR"]
    assert outputs["default"] == GKE_VERSIONS["REGULAR"]


def test_azure_client_config() -> None:
    def program() -> None:
        config = authorization.get_client_config()
        pulumi.export("tenant", config.tenant_id)
        pulumi.export("subscription", config.subscription_id)

    subscription = "11111111-2222-3333-4444-555555555555"
    config = {"azure-native:subscriptionId": subscription}
    outputs = run_program(program, config=config).outputs
    assert outputs == {
        "subscription": subscription,
        "tenant": "00000000-0000-0000-0000-000000000001",
    }


def test_gcp_lookups_through_an_explicit_provider_use_its_project_and_region() -> None:
    """As pulumi-gcp resolves them: a lookup that names no project or region takes the
    provider's (a stack's `mlops-iac:gcp` section), not the `gcp:*` config."""

    def program() -> None:
        provider = gcp.Provider("explicit", project="ml-other", region="us-central1")
        opts = pulumi.InvokeOptions(provider=provider)
        client = gcp.organizations.get_client_config_output(opts=opts)
        project = gcp.organizations.get_project_output(opts=opts)
        cmek = gcp.logging.get_project_cmek_settings_output(project=client.project, opts=opts)
        pulumi.export("client", {"project": client.project, "region": client.region})
        pulumi.export("project", project.project_id)
        pulumi.export("cmek", cmek.name)

    outputs = run_program(program, config=CONFIG).outputs
    assert outputs["client"] == {"project": "ml-other", "region": "us-central1"}
    assert outputs["project"] == "ml-other"
    assert outputs["cmek"] == "projects/ml-other/cmekSettings"

"""The registry is cloud-neutral: one rule package per cloud, rules grouped by cloud and
service, the taggable/labelable type data of each cloud generated from its SDK, and
packs that each hold every cloud's rules of their category."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from mlops_policies import registry
from mlops_policies.azure import taggable as azure_taggable
from mlops_policies.gcp import labelable as gcp_labelable
from mlops_policies.gcp.labels import key_problem, value_problem
from mlops_policies.registry import (
    CLOUDS,
    PACKS,
    all_rules,
    pack_arguments,
    pack_rules,
    rules_by_cloud,
    service_of,
)
from mlops_policies.testing import resource_messages

RULES = all_rules()
TAGS = {"project": "mlops-iac", "environment": "dev", "owner": "platform", "cost-centre": "ml-1"}


def test_every_cloud_has_a_rule_package() -> None:
    assert CLOUDS == ("aws", "azure", "gcp")
    for cloud in CLOUDS:
        package = importlib.import_module(f"mlops_policies.{cloud}")
        assert package.__doc__, cloud
    assert set(rules_by_cloud()) == set(CLOUDS)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_lives_in_its_clouds_package(rule) -> None:
    assert rule.module.startswith(f"mlops_policies.{rule.cloud}."), rule.module
    assert rule.cloud in CLOUDS
    assert rule in rules_by_cloud()[rule.cloud][service_of(rule)]


def test_rules_are_grouped_by_cloud_and_service() -> None:
    grouped = rules_by_cloud()
    assert sum(len(rules) for services in grouped.values() for rules in services.values()) == len(
        RULES
    )
    assert "lambda" in grouped["aws"] and "sagemaker" in grouped["aws"]
    assert [r.name for r in grouped["azure"]["tags"]] == [
        "azure-resource-require-cost-allocation-tags"
    ]
    assert [r.name for r in grouped["gcp"]["labels"]] == [
        "gcp-resource-require-cost-allocation-labels"
    ]


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_each_pack_covers_every_cloud_of_its_category(pack: str) -> None:
    category = PACKS[pack]
    expected = {r.cloud for r in RULES if r.category is category}
    assert {r.cloud for r in pack_rules(pack)} == expected
    arguments = pack_arguments(pack)
    assert "(AWS)" not in arguments["description"]
    assert set(CLOUDS) <= set(arguments["tags"])
    assert arguments.get("provider") is None  # one pack serves every cloud


def test_the_cost_pack_has_each_clouds_allocation_rule() -> None:
    names = {r.name for r in pack_rules("mlops-cost")}
    assert {
        "aws-resource-require-cost-allocation-tags",
        "azure-resource-require-cost-allocation-tags",
        "gcp-resource-require-cost-allocation-labels",
    } <= names


def test_the_registry_loads_every_cloud_package() -> None:
    text = Path(registry.__file__).read_text(encoding="utf-8")
    assert "from . import aws" not in text  # discovered through CLOUDS, not hard-coded
    assert registry.CLOUD_NAMES.keys() == set(CLOUDS)


# --- taggable / labelable type data ------------------------------------------------------


def test_azure_taggable_types_file_matches_installed_sdk() -> None:
    pytest.importorskip("pulumi_azure_native")
    shipped = json.loads(azure_taggable.DATA_FILE.read_text())
    assert shipped["types"] == azure_taggable.generate(), (
        "run: python -m mlops_policies.azure.taggable --write"
    )
    assert shipped["pulumi-azure-native"] == azure_taggable.sdkscan.sdk_version(
        "pulumi-azure-native"
    )


def test_azure_taggable_types_are_tracked_resources() -> None:
    types = azure_taggable.taggable_types()
    for tracked in (
        "azure-native:storage:StorageAccount",
        "azure-native:keyvault:Vault",
        "azure-native:containerregistry:Registry",
        "azure-native:machinelearningservices:Workspace",
        "azure-native:containerservice:ManagedCluster",
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:operationalinsights:Workspace",
        "azure-native:applicationinsights:Component",
        "azure-native:resources:ResourceGroup",
    ):
        assert tracked in types, tracked
    for untracked in (
        "azure-native:storage:BlobContainer",  # a child resource: no tags of its own
        "azure-native:authorization:RoleAssignment",
        "azure-native:operationalinsights:SavedSearch",  # tags is a list of name/value
    ):
        assert untracked not in types, untracked


def test_gcp_labelable_types_file_matches_installed_sdk() -> None:
    pytest.importorskip("pulumi_gcp")
    shipped = json.loads(gcp_labelable.DATA_FILE.read_text())
    assert shipped["types"] == gcp_labelable.generate(), (
        "run: python -m mlops_policies.gcp.labelable --write"
    )
    assert shipped["pulumi-gcp"] == gcp_labelable.sdkscan.sdk_version("pulumi-gcp")


def test_gcp_labelable_types_name_their_labels_input() -> None:
    types = gcp_labelable.labelable_types()
    assert types["gcp:storage/bucket:Bucket"] == "labels"
    assert types["gcp:kms/cryptoKey:CryptoKey"] == "labels"
    assert types["gcp:container/cluster:Cluster"] == "resourceLabels"
    assert types["gcp:gkehub/scope:Scope"] == "labels"  # not its namespace_labels
    # labels that are settings, not resource labels (no effective_labels)
    assert "gcp:monitoring/notificationChannel:NotificationChannel" not in types
    assert "gcp:kms/keyRing:KeyRing" not in types  # key rings take no labels
    assert set(types.values()) == {"labels", "resourceLabels"}


# --- the per-cloud allocation rules --------------------------------------------------------

GCP_RULE = "gcp-resource-require-cost-allocation-labels"
GCS = "gcp:storage/bucket:Bucket"


def test_gcp_provider_default_labels_count() -> None:
    assert resource_messages(GCP_RULE, GCS, {}, provider_props={"defaultLabels": TAGS}) == []
    as_json = {"defaultLabels": json.dumps(TAGS)}
    assert resource_messages(GCP_RULE, GCS, {}, provider_props=as_json) == []
    partial = {"defaultLabels": {k: v for k, v in TAGS.items() if k != "owner"}}
    assert resource_messages(GCP_RULE, GCS, {}, provider_props=partial) == [
        "missing or empty labels: owner."
    ]
    # the resource's own labels win over the provider's
    overridden = resource_messages(
        GCP_RULE, GCS, {"labels": {"owner": ""}}, provider_props={"defaultLabels": TAGS}
    )
    assert overridden == ["missing or empty labels: owner."]


def test_gcp_provider_default_labels_are_checked_for_format_too() -> None:
    messages = resource_messages(
        GCP_RULE, GCS, {"labels": TAGS}, provider_props={"defaultLabels": {"CostCentre": "x"}}
    )
    assert messages == ["label key 'CostCentre' must start with a lowercase letter."]


def test_gcp_label_limit() -> None:
    many = {**TAGS, **{f"k{i}": "v" for i in range(61)}}
    assert resource_messages(GCP_RULE, GCS, {"labels": many}) == [
        "65 labels; Google Cloud allows at most 64."
    ]


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("cost-centre", None),
        ("a", None),
        ("données_2", None),  # international characters are allowed
        ("", "must be 1-63 characters"),
        ("k" * 64, "must be 1-63 characters"),
        ("1st", "must start with a lowercase letter"),
        ("_x", "must start with a lowercase letter"),
        ("Owner", "must start with a lowercase letter"),
        ("team.name", "may contain only"),
        ("team name", "may contain only"),
    ],
)
def test_gcp_label_keys(key: str, problem: str | None) -> None:
    found = key_problem(key)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("", True),
        ("ml-123", True),
        ("v" * 63, True),
        ("v" * 64, False),
        ("ML", False),
        ("a/b", False),
    ],
)
def test_gcp_label_values(value: str, ok: bool) -> None:
    assert (value_problem("k", value) is None) is ok


def test_azure_tags_ignore_unrelated_provider_config() -> None:
    # Azure Native has no provider default tags: only the resource's own tags count.
    assert resource_messages(
        "azure-resource-require-cost-allocation-tags",
        "azure-native:storage:StorageAccount",
        {"resourceGroupName": "rg"},
        provider_props={"defaultTags": {"tags": TAGS}},
    ) == ["missing or empty tags: project, environment, owner, cost-centre."]


@pytest.mark.parametrize("cloud", ["azure", "gcp"])
def test_a_cloud_rule_package_imports_no_cloud_sdk(cloud: str) -> None:
    """Rules read shipped data, never the SDKs, so a venv with one cloud's extra can load
    another cloud's rules. (``mlops_policies.aws`` still reaches ``pulumi_aws`` through
    ``mlops_components.aws.facts``, whose package imports the AWS components.)"""
    code = (
        "import sys, importlib; importlib.import_module('mlops_policies." + cloud + "'); "
        "print(sorted({m.split('.')[0] for m in sys.modules "
        "if m.startswith(('pulumi_aws', 'pulumi_azure_native', 'pulumi_gcp'))}))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert completed.stdout.strip() == "[]"

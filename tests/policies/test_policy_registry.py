"""Meta-tests over the registry: names, metadata, config schemas, test coverage, the
packs, the shipped config files and the taggable-types data file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlops_policies import sdkscan
from mlops_policies.aws import taggable
from mlops_policies.evaluation import (
    ENVIRONMENTS,
    config_path_for,
    load_policy_config,
    resolve_config,
)
from mlops_policies.framework import NAME_PATTERN, Category
from mlops_policies.registry import PACKS, all_rules, pack_arguments, pack_rules
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)
from test_policy_resource_rules import CASES
from test_policy_stack_rules import STACK_CASES

RULES = all_rules()
SUPPORTED_SCHEMA_KEYS = {"type", "items", "default", "description", "minimum", "maximum", "enum"}


def test_at_least_forty_aws_rules() -> None:
    assert len([r for r in RULES if r.cloud == "aws"]) >= 40


def test_names_are_unique_and_well_formed() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    for name in names:
        assert NAME_PATTERN.match(name), name


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_metadata_is_complete(rule) -> None:
    assert rule.description.endswith(".") and len(rule.description) > 20
    assert isinstance(rule.severity, Severity)
    assert isinstance(rule.category, Category)
    assert isinstance(rule.enforcement, EnforcementLevel)
    assert rule.remediation.strip()
    assert rule.references and all(ref.strip() for ref in rule.references)
    assert rule.resource_types
    assert rule.rationale, f"{rule.name} needs a docstring explaining why"
    for key, spec in rule.full_schema.items():
        assert "default" in spec, f"{rule.name}.{key} has no default"
        assert set(spec) <= SUPPORTED_SCHEMA_KEYS, f"{rule.name}.{key} uses unsupported schema keys"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_policy_object_matches_rule(rule) -> None:
    policy = rule.policy
    assert policy is rule.policy  # one shared object
    assert policy.name == rule.name
    assert policy.enforcement_level is rule.enforcement
    assert policy.severity is rule.severity
    assert policy.remediation_steps == rule.remediation
    expected = ResourceValidationPolicy if rule.kind == "resource" else StackValidationPolicy
    assert isinstance(policy, expected)


def test_every_rule_has_test_cases() -> None:
    resource_rules = {r.name for r in RULES if r.kind == "resource"}
    stack_rules = {r.name for r in RULES if r.kind == "stack"}
    assert resource_rules - set(CASES) == set()
    assert stack_rules - set(STACK_CASES) == set()
    assert set(CASES) | set(STACK_CASES) <= resource_rules | stack_rules
    for name, cases in CASES.items():
        assert cases and all(case.violations for case in cases), name


def test_every_aws_service_of_the_architectures_is_covered() -> None:
    modules = {r.module.rsplit(".", 1)[-1] for r in RULES}
    assert {
        "sagemaker",
        "s3",
        "kms",
        "sqs",
        "scheduler",
        "iam",
        "lambda_",
        "stepfunctions",
        "apigateway",
        "ecr",
        "ecs",
        "eks",
        "cloudwatch",
        "cost",
        "tags",
        "stack",
    } <= modules


def test_packs_split_by_category() -> None:
    security, cost = pack_rules("mlops-security"), pack_rules("mlops-cost")
    assert {r.category for r in security} == {Category.SECURITY}
    assert {r.category for r in cost} == {Category.COST}
    assert len(security) + len(cost) == len(RULES)
    for pack in PACKS:
        arguments = pack_arguments(pack)
        assert arguments["name"] == pack
        assert [p.name for p in arguments["policies"]] == [r.name for r in pack_rules(pack)]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_shipped_config_is_valid_and_names_real_policies(environment: str) -> None:
    config = load_policy_config(config_path_for(environment))
    names = {r.name for r in RULES}
    assert set(config) - {"all"} <= names
    resolved = resolve_config(config)
    assert set(resolved) == names


def test_config_resolution_follows_the_cli() -> None:
    """Defaults, then ``all``, then per-policy entries (string or object)."""
    resolved = resolve_config(
        {
            "all": "advisory",
            "aws-kms-key-require-rotation": "disabled",
            "aws-kms-key-require-deletion-window": {"minimumDays": 7},
            "aws-cloudwatch-log-group-require-kms": {"enforcementLevel": "remediate"},
            "some-other-pack-policy": "mandatory",
        }
    )
    assert resolved["aws-s3-bucket-require-sse-kms"].enforcement is EnforcementLevel.ADVISORY
    assert resolved["aws-kms-key-require-rotation"].enforcement is EnforcementLevel.DISABLED
    window = resolved["aws-kms-key-require-deletion-window"]
    assert window.enforcement is EnforcementLevel.ADVISORY and window.config["minimumDays"] == 7.0
    assert (
        resolved["aws-cloudwatch-log-group-require-kms"].enforcement is EnforcementLevel.REMEDIATE
    )
    defaults = resolve_config(None)["aws-kms-key-require-deletion-window"]
    assert defaults.enforcement is EnforcementLevel.MANDATORY and defaults.config == {
        "minimumDays": 30.0,
        "failOnUnknown": True,
    }


def test_invalid_config_is_rejected_with_every_error() -> None:
    from mlops_policies.evaluation import PolicyConfigError

    with pytest.raises(PolicyConfigError) as raised:
        resolve_config(
            {
                "aws-kms-key-require-rotation": "strict",
                "aws-kms-key-require-deletion-window": {"minimumDays": "seven"},
                "aws-resource-require-cost-allocation-tags": {"requiredTags": ["a", 3]},
            }
        )
    text = str(raised.value)
    assert "'strict' is not a valid enforcement level" in text
    assert "minimumDays: Invalid type. Expected: number" in text
    assert "requiredTags.1: Invalid type. Expected: string" in text


def test_taggable_types_file_matches_installed_sdk() -> None:
    shipped = json.loads(Path(taggable.DATA_FILE).read_text())
    assert shipped["types"] == taggable.generate(), (
        "run: python -m mlops_policies.aws.taggable --write"
    )
    assert shipped["pulumi-aws"] == sdkscan.sdk_version(taggable.SDK_DISTRIBUTION)
    assert "aws:sagemaker/endpointConfiguration:EndpointConfiguration" in shipped["types"]
    assert "aws:autoscaling/group:Group" not in shipped["types"]  # list-shaped tags
    assert "aws:s3/bucketPolicy:BucketPolicy" not in shipped["types"]


def test_listing_covers_every_rule_and_docs_are_current() -> None:
    from mlops_policies.listing import render

    listed = json.loads(render("json"))["rules"]
    assert [r["name"] for r in listed] == [r.name for r in RULES]
    assert all(set(r["enforcement"]) == set(ENVIRONMENTS) for r in listed)
    docs = Path(__file__).resolve().parents[2] / "docs" / "policies.md"
    assert docs.read_text() == render("markdown"), (
        "regenerate docs/policies.md with mlops-iac policies"
    )
    with pytest.raises(ValueError):
        render("yaml")  # type: ignore[arg-type]

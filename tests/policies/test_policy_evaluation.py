"""The offline evaluator and unknown handling: same policies and levels as the packs,
CLI-style config per environment, fail-closed unknowns."""

from __future__ import annotations

from mlops_policies.evaluation import (
    Violation,
    config_path_for,
    evaluate,
    load_policy_config,
    resolve_config,
)
from mlops_policies.registry import PACKS, all_rules, pack_arguments
from mlops_policies.testing import Res, patched, resource_messages
from pulumi_policy import EnforcementLevel
from pulumi_policy.proxy import UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE
from test_policy_resource_rules import MODEL, MODEL_OK, NOTEBOOK, NOTEBOOK_OK, TAGS
from test_policy_stack_rules import bucket_stack

DEV = load_policy_config(config_path_for("dev"))
PROD = load_policy_config(config_path_for("prod"))


def res(type_: str, name: str, inputs: dict, **extra) -> dict:
    mapping = Res(type_, name, inputs).as_mapping()
    mapping.update(extra)
    return mapping


def tagged_bucket_stack() -> list[dict]:
    resources = [r.as_mapping() for r in bucket_stack()]
    resources[0]["inputs"]["tags"] = TAGS
    return resources


def test_unknown_value_fails_closed() -> None:
    messages = resource_messages(
        "aws-sagemaker-notebook-disallow-direct-internet",
        NOTEBOOK,
        patched(NOTEBOOK_OK, {"directInternetAccess": UNKNOWN_STRING_VALUE}),
    )
    assert len(messages) == 1
    assert "string value at .directInternetAccess can't be known during preview" in messages[0]
    assert "fails closed" in messages[0]


def test_unknown_value_in_presence_check_counts_as_set() -> None:
    props = patched(
        NOTEBOOK_OK, {"kmsKeyId": UNKNOWN_STRING_VALUE, "securityGroups": [UNKNOWN_STRING_VALUE]}
    )
    assert resource_messages("aws-sagemaker-notebook-require-kms", NOTEBOOK, props) == []
    assert resource_messages("aws-sagemaker-notebook-require-vpc", NOTEBOOK, props) == []


def test_unknown_tags_fail_closed_but_unknown_tag_values_pass() -> None:
    rule = "aws-resource-require-cost-allocation-tags"
    assert (
        resource_messages(rule, MODEL, patched(MODEL_OK, {"tags.owner": UNKNOWN_STRING_VALUE}))
        == []
    )
    [message] = resource_messages(rule, MODEL, patched(MODEL_OK, {"tags": UNKNOWN_OBJECT_VALUE}))
    assert "can't be known during preview" in message


def test_provider_default_tags_count() -> None:
    rule = "aws-resource-require-cost-allocation-tags"
    props = patched(MODEL_OK, {"tags": {"component": "serving"}})
    assert (
        resource_messages(rule, MODEL, props, provider_props={"defaultTags": {"tags": TAGS}}) == []
    )
    import json

    as_json = {"defaultTags": json.dumps({"tags": TAGS})}
    assert resource_messages(rule, MODEL, props, provider_props=as_json) == []


def test_fail_on_unknown_false_restores_the_sdk_advisory() -> None:
    resources = [
        res(NOTEBOOK, "nb", patched(NOTEBOOK_OK, {"directInternetAccess": UNKNOWN_STRING_VALUE}))
    ]
    config = {"aws-sagemaker-notebook-disallow-direct-internet": {"failOnUnknown": False}}
    found = [
        v
        for v in evaluate(resources, config).violations
        if v.policy == "aws-sagemaker-notebook-disallow-direct-internet"
    ]
    assert [v.enforcement for v in found] == ["advisory"]
    assert found[0].message.startswith(
        "can't run policy 'aws-sagemaker-notebook-disallow-direct-internet' during preview"
    )
    strict = [
        v
        for v in evaluate(resources, None).violations
        if v.policy == "aws-sagemaker-notebook-disallow-direct-internet"
    ]
    assert [v.enforcement for v in strict] == ["mandatory"]


def test_evaluate_reports_levels_from_the_environment_config() -> None:
    model = patched(MODEL_OK, {"enableNetworkIsolation": False})
    resources = [*tagged_bucket_stack(), res(MODEL, "model", model)]
    model_urn = resources[-1]["urn"]

    dev = evaluate(resources, DEV, stack="dev")
    assert dev.evaluated == len(resources)
    isolation = [
        v for v in dev.violations if v.policy == "aws-sagemaker-model-require-network-isolation"
    ]
    assert isolation == [
        Violation(
            policy="aws-sagemaker-model-require-network-isolation",
            pack="mlops-security",
            enforcement="advisory",
            severity="medium",
            urn=model_urn,
            message="enableNetworkIsolation is not true.",
            remediation=isolation[0].remediation,
        )
    ]
    # The bucket stack is compliant; a stack without a budget and an anomaly monitor is not.
    assert {(v.policy, v.urn) for v in dev.mandatory} == {
        ("aws-stack-require-budget", None),
        ("aws-stack-require-anomaly-alert", None),
    }

    prod = evaluate(resources, PROD, stack="prod")
    assert [v.urn for v in prod.mandatory if v.urn is not None] == [model_urn]
    assert {v.pack for v in prod.violations} == {"mlops-security", "mlops-cost"}


def test_disabled_policies_do_not_run() -> None:
    resources = [res(MODEL, "model", patched(MODEL_OK, {"enableNetworkIsolation": False}))]
    config = {"aws-sagemaker-model-require-network-isolation": "disabled"}
    assert all(
        v.policy != "aws-sagemaker-model-require-network-isolation"
        for v in evaluate(resources, config).violations
    )


def test_stack_violations_name_the_resource() -> None:
    resources = [r for r in tagged_bucket_stack() if not r["name"].endswith("-lifecycle")]
    found = [
        v
        for v in evaluate(resources, DEV).violations
        if v.policy == "aws-s3-bucket-require-lifecycle"
    ]
    assert [(v.urn, v.enforcement, v.pack) for v in found] == [
        (resources[0]["urn"], "mandatory", "mlops-cost")
    ]


def test_provider_reference_resolves_to_the_provider_resource() -> None:
    provider = res(
        "pulumi:providers:aws",
        "aws",
        {"region": "eu-north-1", "defaultTags": '{"tags": ' + __import__("json").dumps(TAGS) + "}"},
    )
    model = res(
        MODEL, "model", patched(MODEL_OK, {"tags": {}}), provider=f"{provider['urn']}::0c1d2e"
    )
    found = [
        v
        for v in evaluate([provider, model], PROD).violations
        if v.policy == "aws-resource-require-cost-allocation-tags"
    ]
    assert found == []


def test_evaluator_runs_the_packs_policy_objects_with_the_same_levels() -> None:
    pack_policies = {p.name: p for pack in PACKS for p in pack_arguments(pack)["policies"]}
    resolved = resolve_config(None)
    assert set(pack_policies) == set(resolved) == {r.name for r in all_rules()}
    for name, entry in resolved.items():
        assert entry.rule.policy is pack_policies[name]
        assert entry.enforcement is pack_policies[name].enforcement_level


def test_remediate_runs_as_mandatory() -> None:
    resources = [res(MODEL, "model", patched(MODEL_OK, {"enableNetworkIsolation": False}))]
    config = {
        "aws-sagemaker-model-require-network-isolation": {
            "enforcementLevel": EnforcementLevel.REMEDIATE.value
        }
    }
    found = [
        v
        for v in evaluate(resources, config).violations
        if v.policy == "aws-sagemaker-model-require-network-isolation"
    ]
    assert [v.enforcement for v in found] == ["mandatory"]

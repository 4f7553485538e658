"""The indexed evaluator (``evaluate``) reports exactly what the analyzer's way
(``evaluate_unindexed``: every policy sees every resource) reports, in the same order,
over the project's three AWS stacks and the non-compliant fixture program, while
converting each resource once and showing it only to the rules written for its type.
The benchmark (``benchmarks/plan_benchmark.py --policies``) measures what that saves."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from mlops_policies import evaluation
from mlops_policies.evaluation import (
    PolicyIndex,
    ResolvedPolicy,
    config_path_for,
    evaluate,
    evaluate_unindexed,
    load_policy_config,
    resolve_config,
)
from mlops_policies.framework import Category, Rule, parsed_json
from mlops_preview.runner import plan_stack
from pulumi_policy import EnforcementLevel, Severity

ROOT = Path(__file__).resolve().parents[2]
NONCOMPLIANT = ROOT / "tests" / "fixtures" / "programs" / "noncompliant"
PLANS = [
    (ROOT, "aws-dev", "dev"),
    (ROOT, "aws-staging", "staging"),
    (ROOT, "aws-prod", "prod"),
    (NONCOMPLIANT, "dev", "dev"),
]


@cache
def recorded(project: Path, stack: str) -> tuple[dict[str, Any], ...]:
    return tuple(r.to_json() for r in plan_stack(project, stack).resources)


@pytest.mark.parametrize(("project", "stack", "environment"), PLANS, ids=lambda v: str(v)[-12:])
@pytest.mark.parametrize("configured", [True, False], ids=["env-config", "defaults"])
def test_indexed_evaluation_reports_the_same_violations(
    project: Path, stack: str, environment: str, configured: bool
) -> None:
    resources = list(recorded(project, stack))
    config = load_policy_config(config_path_for(environment)) if configured else None
    fast = evaluate(resources, config, project=project.name, stack=stack)
    reference = evaluate_unindexed(resources, config, project=project.name, stack=stack)
    assert fast.to_dict() == reference.to_dict()
    if project == NONCOMPLIANT:
        assert len({v.policy for v in fast.violations}) >= 15  # the comparison has teeth


def test_each_resource_is_converted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = list(recorded(ROOT, "aws-dev"))
    inputs = {id(r["inputs"]) for r in resources}
    conversions: list[int] = []
    convert = evaluation.as_engine_values

    def counting(values: Mapping[str, Any]) -> dict[str, Any]:
        if id(values) in inputs:
            conversions.append(id(values))
        return convert(values)

    monkeypatch.setattr(evaluation, "as_engine_values", counting)
    evaluate(resources, load_policy_config(config_path_for("dev")))
    assert len(conversions) == len(set(conversions))  # never twice
    conversions.clear()
    evaluate_unindexed(resources, load_policy_config(config_path_for("dev")))
    assert len(conversions) > 10 * len(resources)  # what the index saves


def _rule(name: str, types: tuple[str, ...]) -> ResolvedPolicy:
    rule = Rule(
        name=name,
        description="A test rule.",
        category=Category.COST,
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="none",
        references=("none (project rule: test)",),
        resource_types=types,
        kind="resource",
        check=lambda args, config: iter(()),
    )
    return ResolvedPolicy(rule, EnforcementLevel.ADVISORY, {})


def test_index_keeps_registry_order_and_applies_untyped_rules_to_every_type() -> None:
    a = _rule("aws-test-a-rule", ("aws:s3/bucket:Bucket",))
    b = _rule("aws-test-b-rule", ())
    c = _rule("aws-test-c-rule", ("aws:s3/bucket:Bucket", "aws:kms/key:Key"))
    index = PolicyIndex([a, b, c])
    assert index.for_type("aws:s3/bucket:Bucket") == [a, b, c]
    assert index.for_type("aws:kms/key:Key") == [b, c]
    assert index.for_type("gcp:storage/bucket:Bucket") == [b]
    assert index.stack == []


def test_index_covers_every_type_a_registered_rule_declares() -> None:
    index = PolicyIndex(list(resolve_config(None).values()))
    for entry in [*index.by_type.values()]:
        for policy in entry:
            for type_ in policy.rule.resource_types:
                assert policy in index.for_type(type_)
    assert not index.untyped  # every registered rule names its types today


def test_json_documents_are_parsed_once_per_text() -> None:
    text = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}'
    assert parsed_json(text) is parsed_json(text)
    for _ in range(2):  # errors are raised every time, not cached as values
        with pytest.raises(ValueError):
            parsed_json("{not json")

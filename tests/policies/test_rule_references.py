"""Every rule's references name public controls that check the same thing.

A reference is part of a rule's contract: users map findings to their compliance
frameworks through it. ``policies/data/references.json`` holds, for every id a rule
cites, the control's title as its publisher wrote it (Checkov check names, Security Hub
control titles, CIS recommendation titles, Pulumi compliance policy descriptions, AWS
Config rule descriptions) with its source. These tests check that each rule cites only
ids from that file, in a valid form, and that each cited title is about the rule's
subject (per-rule keywords below), so an id that names another control fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from mlops_policies.registry import all_rules

DATA = Path(__file__).resolve().parents[2] / "policies" / "data" / "references.json"
FILE = json.loads(DATA.read_text(encoding="utf-8"))
REFERENCES: dict[str, dict] = FILE["references"]
RULES = all_rules()

ID_FORMS = {
    "checkov": re.compile(r"^CKV2?_AWS_\d+$"),
    "securityhub": re.compile(r"^(FSBP|Security Hub) [A-Za-z0-9]+\.\d+$"),
    "cis": re.compile(r"^CIS AWS Foundations v\d+\.\d+\.\d+ \d+(\.\d+)*$"),
    "pcp": re.compile(r"^PCP aws-[a-z0-9]+(-[a-z0-9]+)+$"),
    "awsconfig": re.compile(r"^AWS Config [a-z0-9]+(-[a-z0-9]+)*$"),
}
NOTE = re.compile(r"^none \(project rule: [^()]+\)$")
"""A rule no public control covers says so, with the reason, as its only reference."""
ID_LIKE = re.compile(
    r"CKV2?_[A-Z]+_\d+|(FSBP|Security Hub) [A-Za-z0-9]+\.\d+|CIS AWS Foundations v|PCP aws-"
    r"|AWS Config [a-z]+-|catalogue"
)

FSBP_STANDARD = "AWS Foundational Security Best Practices v1.0.0"

# What every cited title must be about: each group lists alternatives (case-insensitive
# substrings), and a title must match at least one alternative of every group.
SUBJECTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "aws-apigateway-method-require-authorization": (("authoriz", "open access"), ("api",)),
    "aws-apigateway-stage-require-access-logging": (("access logging",), ("api",)),
    "aws-apigateway-disallow-data-trace": (("data trace",),),
    "aws-cloudwatch-log-group-require-retention": (("retain", "retention"), ("log group",)),
    "aws-cloudwatch-log-group-require-kms": (("kms",), ("log group",)),
    "aws-ec2-require-allowed-instance-type": (("instance type",), ("ec2",)),
    "aws-ecr-repository-require-scan-on-push": (("scan",), ("ecr",)),
    "aws-ecr-repository-require-immutable-tags": (("immutab",), ("ecr",)),
    "aws-ecr-repository-require-kms": (("encrypt",), ("ecr",)),
    "aws-ecr-repository-policy-disallow-public": (("public",), ("ecr",)),
    "aws-ecr-repository-require-lifecycle-policy": (("lifecycle",), ("ecr",)),
    "aws-ecs-task-definition-disallow-privileged": (("privileged",), ("ecs",)),
    "aws-ecs-task-definition-require-readonly-or-nonroot": (("read-only",), ("ecs",)),
    "aws-ecs-task-definition-require-logging": (("logging",), ("ecs",)),
    "aws-ecs-service-disallow-public-ip": (("public ip",), ("ecs",)),
    "aws-eks-cluster-disallow-public-endpoint": (("public",), ("endpoint",), ("eks",)),
    "aws-eks-cluster-require-secrets-encryption": (("secret", "encryption config"), ("eks",)),
    "aws-eks-cluster-require-audit-logs": (("log",), ("eks",)),
    "aws-eks-node-group-disallow-open-remote-access": (("ssh",), ("node group",)),
    "aws-iam-policy-disallow-full-admin": (("administrative", "statement's actions"),),
    "aws-iam-policy-disallow-service-wildcard": (
        ("wildcard actions for services", "full iam privileges"),
    ),
    "aws-iam-policy-disallow-privilege-escalation": (
        ("privilege escalation", "permissions management"),
    ),
    "aws-iam-role-trust-disallow-wildcard-principal": (("assume",),),
    "aws-iam-user-disallow-direct-policy": (("group", "users should not have"),),
    "aws-kms-key-require-rotation": (("rotation",),),
    "aws-kms-key-require-explicit-policy": (("policy",), ("kms",)),
    "aws-kms-key-disallow-wildcard-principal": (("public", "wildcard"), ("kms",)),
    "aws-kms-key-disallow-bypass-lockout-check": (("lockout",),),
    "aws-kms-key-require-deletion-window": (("delet",), ("kms",)),
    "aws-lambda-permission-disallow-public-principal": (("public",), ("lambda",)),
    "aws-lambda-permission-require-source-arn": (("public access", "source arn"), ("lambda",)),
    "aws-lambda-function-url-require-auth": (("public access", "authtype"), ("lambda",)),
    "aws-lambda-function-require-supported-runtime": (("runtime",), ("lambda",)),
    "aws-lambda-function-disallow-plaintext-secrets": (("secret",), ("lambda",)),
    "aws-lambda-function-require-tracing": (("tracing",), ("lambda",)),
    "aws-resource-require-cost-allocation-tags": (("tags",),),
    "aws-s3-bucket-disallow-public-acl": (
        ("public read", "public write", "public-read", "authenticated users"),
        ("s3",),
    ),
    "aws-s3-public-access-block-require-all": (
        ("block public", "ignore public", "restrict_public"),
        ("s3",),
    ),
    "aws-s3-bucket-require-public-access-block": (("block public", "public access block"), ("s3",)),
    "aws-s3-bucket-require-sse-kms": (("kms", "encrypted at rest"), ("s3",)),
    "aws-s3-bucket-require-bucket-key": (("bucket key",),),
    "aws-s3-bucket-require-tls-only": (("ssl", "http", "secure data transport"), ("s3",)),
    "aws-s3-bucket-policy-disallow-public-principal": (
        ("principal", "other aws accounts"),
        ("s3",),
    ),
    "aws-s3-bucket-require-versioning": (("versioning",), ("s3",)),
    "aws-s3-bucket-require-owner-enforced": (("acl", "access control list"), ("s3",)),
    "aws-s3-bucket-require-lifecycle": (("lifecycle",), ("s3",)),
    "aws-sagemaker-notebook-disallow-direct-internet": (("internet",), ("notebook",)),
    "aws-sagemaker-notebook-disallow-root-access": (("root access",), ("notebook",)),
    "aws-sagemaker-notebook-require-vpc": (("vpc",), ("notebook",)),
    "aws-sagemaker-notebook-require-kms": (("kms",), ("notebook",)),
    "aws-sagemaker-notebook-require-imdsv2": (("imdsv2",), ("notebook",)),
    "aws-sagemaker-domain-require-kms": (("kms",), ("domain",)),
    "aws-sagemaker-model-require-network-isolation": (("network isolation",), ("model",)),
    "aws-sagemaker-endpoint-config-require-kms": (("encrypt",), ("endpoint",)),
    "aws-sagemaker-endpoint-config-require-multi-instance": (("instance count",),),
    "aws-sagemaker-monitoring-require-network-isolation": (
        ("network isolation",),
        ("data quality", "monitoring"),
    ),
    "aws-sagemaker-monitoring-require-inter-container-encryption": (
        ("inter-container", "communications between instances"),
        ("data quality", "monitoring"),
    ),
    "aws-sagemaker-monitoring-require-kms": (("kms",), ("data quality", "monitoring")),
    "aws-sagemaker-feature-group-require-kms": (("kms",), ("feature group",)),
    "aws-stepfunctions-state-machine-require-logging": (("logging",), ("state machine",)),
    "aws-stepfunctions-state-machine-require-tracing": (("x-ray",), ("state machine",)),
    "aws-lambda-function-require-dead-letter": (("dead letter",), ("lambda",)),
    "aws-lambda-function-require-concurrency-limit": (("concurrent",), ("lambda",)),
    "aws-lambda-function-require-kms-for-environment": (("encryption",), ("environment",)),
    "aws-sqs-queue-require-kms": (("encrypted",), ("sqs",)),
    "aws-apigateway-domain-require-tls12": (("security policy",), ("domain",)),
    "aws-cloudwatch-metric-alarm-require-action": (("action",), ("alarm",)),
}


def _public(rule) -> list[str]:
    return [ref for ref in rule.references if not ref.startswith("none (")]


def _form(reference: str) -> str | None:
    return next((name for name, form in ID_FORMS.items() if form.match(reference)), None)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_every_reference_is_a_known_id_in_a_valid_form(rule) -> None:
    for reference in rule.references:
        assert "catalogue #" not in reference, f"{rule.name}: {reference!r}"
        if reference.startswith("none ("):
            assert NOTE.match(reference), f"{rule.name}: note {reference!r} is malformed"
            assert rule.references == (reference,), f"{rule.name}: a note must stand alone"
            # Findings are mapped by scanning references for ids: a note must not name one.
            assert not ID_LIKE.search(reference[len("none (project rule:") :]), reference
            continue
        assert _form(reference), f"{rule.name}: {reference!r} is not a valid reference id"
        assert reference in REFERENCES, f"{rule.name}: {reference!r} missing from {DATA.name}"
    assert len(set(rule.references)) == len(rule.references), f"{rule.name}: duplicates"


@pytest.mark.parametrize("rule", [r for r in RULES if _public(r)], ids=lambda r: r.name)
def test_each_cited_title_is_about_the_rule(rule) -> None:
    groups = SUBJECTS[rule.name]
    for reference in _public(rule):
        title = REFERENCES[reference]["title"].lower()
        for group in groups:
            assert any(word in title for word in group), (
                f"{rule.name} cites {reference} ({REFERENCES[reference]['title']!r}), "
                f"which does not mention any of {group}"
            )


def test_subject_keywords_cover_exactly_the_rules_with_public_references() -> None:
    assert set(SUBJECTS) == {r.name for r in RULES if _public(r)}


def test_data_file_entries_are_complete_and_used() -> None:
    used = {ref for rule in RULES for ref in _public(rule)}
    assert set(REFERENCES) == used, "remove entries no rule cites, add the missing ones"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", FILE["verified"])
    for reference, entry in REFERENCES.items():
        source = entry["source"]
        assert source in FILE["sources"], reference
        assert _form(reference) == source, f"{reference} does not have the form of {source}"
        assert entry["title"].strip() and entry["url"].startswith("https://"), reference


def test_security_hub_prefix_says_which_standard() -> None:
    # FSBP <id> only for controls in the FSBP standard; other Security Hub controls
    # (NIST-only, AI Security Best Practices) are cited as "Security Hub <id>".
    for reference, entry in REFERENCES.items():
        if entry["source"] != "securityhub":
            continue
        in_fsbp = FSBP_STANDARD in entry["standards"]
        assert reference.startswith("FSBP ") == in_fsbp, reference
        control = reference.split(" ")[-1]
        service, number = control.split(".")
        assert entry["url"].endswith(f"{service.lower()}-controls.html#{service.lower()}-{number}")


def test_cis_references_name_the_security_hub_control_that_maps_them() -> None:
    for reference, entry in REFERENCES.items():
        if entry["source"] == "cis":
            control = entry["security_hub_control"]
            assert any(r.endswith(f" {control}") for r in REFERENCES), (reference, control)


def test_known_wrong_citations_stay_fixed() -> None:
    # The faults this file was built to fix (issue 6, fault 11).
    by_name = {r.name: r.references for r in RULES}
    assert "CKV_AWS_97" not in {ref for refs in by_name.values() for ref in refs}
    assert "CKV2_AWS_4" not in {ref for refs in by_name.values() for ref in refs}
    assert "CKV_AWS_334" in by_name["aws-ecs-task-definition-disallow-privileged"]

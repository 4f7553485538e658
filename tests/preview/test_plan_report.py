"""The JSON and Markdown reports: contract fields, diagram, violations, determinism."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from mlops_preview.report import (
    PlanResult,
    PolicyReport,
    Violation,
    build_plan,
    environment_of,
    mermaid,
    overview_mermaid,
    to_json,
    to_json_dict,
    to_markdown,
)
from mlops_preview.runner import Recording, run_program


def _violations(recording: Recording) -> PolicyReport:
    data = recording.one("aws:s3/bucket:Bucket", "store")
    return PolicyReport(
        evaluated=7,
        violations=[
            Violation(
                "aws-s3-bucket-require-versioning",
                "mlops-guardrails",
                "advisory",
                "low",
                data.urn,
                "Versioning is off.",
            ),
            Violation(
                "aws-s3-bucket-disallow-public-access",
                "mlops-guardrails",
                "mandatory",
                "critical",
                data.urn,
                "Bucket is public.",
                remediation="Add a BucketPublicAccessBlock.",
            ),
        ],
    )


def test_json_contract(dev_plan: Recording) -> None:
    report = json.loads(to_json(PlanResult(dev_plan)))
    assert list(report) == [
        "schema_version",
        "project",
        "stack",
        "resources",
        "default_providers",
        "outputs",
        "policies",
        "cost",
        "warnings",
        "unknowns",
        "unanswered_lookups",
    ]
    assert report["unknowns"] == [] and report["unanswered_lookups"] == []
    assert report["schema_version"] == 1
    assert (report["project"], report["stack"]) == ("fixture", "dev")
    assert report["policies"] == {"evaluated": 0, "violations": []}
    assert report["cost"] == {}
    assert [r["name"] for r in report["resources"]] == [
        "db-password",
        "store",
        "store",
        "store-logs",
    ]
    data = report["resources"][2]
    assert list(data) == [
        "urn",
        "type",
        "name",
        "parent",
        "dependencies",
        "provider",
        "custom",
        "protect",
        "retain_on_delete",
        "inputs",
    ]
    assert data["type"] == "aws:s3/bucket:Bucket"
    assert data["protect"] is True and data["retain_on_delete"] is True
    assert data["dependencies"] == [report["resources"][3]["urn"]]
    assert report["resources"][0]["inputs"]["value"] == "[secret]"
    assert report["outputs"]["password"] == "[secret]"
    assert report["outputs"]["teams"] == ["vision", "nlp"]
    (aws,) = report["default_providers"]
    assert list(aws) == list(data)
    assert aws["type"] == "pulumi:providers:aws" and aws["inputs"]["region"] == "eu-central-1"
    assert data["provider"].startswith(f"{aws['urn']}::")


def test_json_violations_sorted_by_severity(dev_plan: Recording) -> None:
    report = to_json_dict(PlanResult(dev_plan, _violations(dev_plan)))
    assert report["policies"]["evaluated"] == 7
    assert [v["severity"] for v in report["policies"]["violations"]] == ["critical", "low"]
    assert report["policies"]["violations"][0] == {
        "policy": "aws-s3-bucket-disallow-public-access",
        "pack": "mlops-guardrails",
        "enforcement": "mandatory",
        "severity": "critical",
        "urn": dev_plan.one("aws:s3/bucket:Bucket", "store").urn,
        "message": "Bucket is public.",
        "remediation": "Add a BucketPublicAccessBlock.",
    }


def test_markdown_summary_tables_and_outputs(dev_plan: Recording) -> None:
    text = to_markdown(PlanResult(dev_plan))
    assert text.startswith(
        "# Plan: `fixture` / `dev`\n\n**3** cloud resources, **1** component; providers: aws.\n"
    )
    assert "| `aws:s3/bucket:Bucket` | 2 |" in text
    assert "| store | `aws:s3/bucket:Bucket` | store | yes |" in text
    assert "| db-password | `aws:ssm/parameter:Parameter` | (stack) |  |" in text
    assert "Policies were not evaluated." in text
    assert "| `password` | `[secret]` |" in text
    assert '| `teams` | `["vision", "nlp"]` |' in text


def test_markdown_mermaid_diagrams(dev_plan: Recording) -> None:
    text = to_markdown(PlanResult(dev_plan))
    overview, detail = re.findall(r"```mermaid\n(.*?)\n```", text, re.S)
    assert overview == "\n".join(
        [
            "flowchart LR",
            '  n1["db-password<br/>Parameter"]',
            '  subgraph n2["store<br/>Storage"]',
            "    direction LR",
            '    n3["store<br/>Bucket"]',
            '    n4["store-logs<br/>Bucket"]',
            "  end",
            "  n4 --> n3",
        ]
    )
    assert detail == "\n".join(
        [
            "flowchart LR",
            '  r1["db-password<br/>Parameter"]',
            '  subgraph c2["store<br/>Storage"]',
            "    direction LR",
            '    r3["store<br/>Bucket"]',
            '    r4["store-logs<br/>Bucket"]',
            "  end",
            "  r4 --> r3",
        ]
    )
    # The resource-level diagram is folded away under the overview.
    assert text.index("```mermaid") < text.index("<details><summary>Every resource</summary>")


def test_overview_draws_each_part_of_an_architecture_as_one_box() -> None:
    class Part(pulumi.ComponentResource):
        def __init__(self, name: str, parent: pulumi.Resource) -> None:
            super().__init__("test:index:Part", name, None, pulumi.ResourceOptions(parent=parent))
            key = aws.kms.Key(f"{name}-key", opts=pulumi.ResourceOptions(parent=self))
            self.key_arn = key.arn
            self.register_outputs({})

    class Architecture(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Architecture", name, None, None)
            part = Part(f"{name}-part", self)
            aws.s3.Bucket(
                f"{name}-bucket",
                tags={"key": part.key_arn},
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.register_outputs({})

    def program() -> None:
        Architecture("arch")
        aws.sns.Topic("topic")

    assert overview_mermaid(run_program(program)) == "\n".join(
        [
            "flowchart LR",
            '  subgraph n1["arch<br/>Architecture"]',
            "    direction LR",
            '    n2["arch-bucket<br/>Bucket"]',
            '    n3["arch-part<br/>Part"]',
            "  end",
            '  n4["topic<br/>Topic"]',
            "  n3 --> n2",
        ]
    )


def test_mermaid_nests_components_skips_providers_and_collapses_component_edges() -> None:
    class Outer(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Outer", name, None, None)
            inner = pulumi.ComponentResource(
                "test:index:Inner", f"{name}-inner", None, pulumi.ResourceOptions(parent=self)
            )
            key = aws.kms.Key(f"{name}-key", opts=pulumi.ResourceOptions(parent=inner))
            aws.s3.Bucket(
                f'{name}-"quoted"', opts=pulumi.ResourceOptions(parent=inner, depends_on=[key])
            )
            self.register_outputs({})

    def program() -> None:
        east = aws.Provider("east", region="us-east-1")
        outer = Outer("outer")
        # depends_on a component reaches the engine as its two buckets/keys: one arrow.
        aws.sns.Topic("topic", opts=pulumi.ResourceOptions(provider=east, depends_on=[outer]))

    diagram = mermaid(run_program(program))
    assert diagram == "\n".join(
        [
            "flowchart LR",
            '  subgraph c1["outer<br/>Outer"]',
            "    direction LR",
            '    subgraph c2["outer-inner<br/>Inner"]',
            "      direction LR",
            '      r3["outer-#quot;quoted#quot;<br/>Bucket"]',
            '      r4["outer-key<br/>Key"]',
            "    end",
            "  end",
            '  r5["topic<br/>Topic"]',
            "  r4 --> r3",
            "  c1 --> r5",
        ]
    )


def test_markdown_violations_grouped_by_severity_with_remediation(dev_plan: Recording) -> None:
    text = to_markdown(PlanResult(dev_plan, _violations(dev_plan)))
    section = text.split("## Policy violations\n", 1)[1].split("## Outputs", 1)[0]
    assert section == "\n".join(
        [
            "",
            "7 resources evaluated.",
            "",
            "### Critical",
            "",
            "- **aws-s3-bucket-disallow-public-access** (mlops-guardrails, mandatory) on `store`: Bucket is public.",
            "  - Remediation: Add a BucketPublicAccessBlock.",
            "",
            "### Low",
            "",
            "- **aws-s3-bucket-require-versioning** (mlops-guardrails, advisory) on `store`: Versioning is off.",
            "",
            "",
        ]
    )
    assert "Policy violations: **2** (1 mandatory)." in text


def test_reports_are_deterministic(fixture_dir: Path, dev_plan: Recording) -> None:
    again = build_plan(fixture_dir, "dev")
    assert to_json(again) == to_json(PlanResult(dev_plan))
    assert to_markdown(again) == to_markdown(PlanResult(dev_plan))


def test_evaluator_and_cost_are_plugged_in(fixture_dir: Path, tmp_path: Path) -> None:
    seen: list[tuple[Path | None, str | None]] = []
    policy_config = tmp_path / "policy.json"

    def evaluate(
        recording: Recording, config: Path | None, environment: str | None
    ) -> PolicyReport:
        seen.append((config, environment))
        return PolicyReport(evaluated=len(recording.resources))

    result = build_plan(
        fixture_dir,
        "dev",
        policy_config=policy_config,
        evaluate=evaluate,
        estimate_cost=lambda r: {"monthly_usd": 1.5},
    )
    assert seen == [(policy_config, "dev")]  # the stack name names the environment
    assert result.policies.evaluated == 4
    assert to_json_dict(result)["cost"] == {"monthly_usd": 1.5}
    assert "## Cost" in to_markdown(result)


@pytest.mark.parametrize(
    ("stack", "config", "expected"),
    [
        ("aws-dev", {"mlops-iac:environment": "prod"}, "prod"),  # config wins
        ("aws-staging", {}, "staging"),
        ("team-a-prod", {}, "prod"),
        ("dev", {}, "dev"),
        ("sandbox", {}, None),
    ],
)
def test_environment_from_config_then_stack_name(
    stack: str, config: dict[str, str], expected: str | None
) -> None:
    recording = Recording(resources=[], outputs={}, project="p", stack=stack, config=config)
    assert environment_of(recording) == expected

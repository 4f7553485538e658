"""``mlops-iac diff``: real plans of aws-prod before and after a change of its stack file.

The reviewer's test case of the issue: the prod endpoint goes from 2 x ``ml.m5.xlarge``
to 6 x ``ml.m5.24xlarge`` and training from 4 to 24 hours. The diff must show each as
before -> after with its cost delta, and a replacement of a protected, stateful,
fixed-name resource must be called out.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from mlops_preview.cli import main
from mlops_preview.diff import diff_plans, input_changes, to_json_dict
from mlops_preview.diff_report import diff_markdown
from mlops_preview.paths import flatten, matches, root

ROOT = Path(__file__).resolve().parents[2]
STACK = "aws-prod"
PRICES = {"ml.m5.xlarge": 0.23, "ml.m5.24xlarge": 5.53, "ml.m5.2xlarge": 0.461}
"""USD per hour, only for the fake estimate below (the real one is the cost estimator's)."""
RUNS_PER_MONTH = 4


def plan_json(program: Path, out: Path) -> dict[str, Any]:
    code = main(
        ["plan", STACK, "--program", str(program), "--format", "json", "--out", str(out), "--quiet"]
    )
    assert code == 0
    return json.loads(out.read_text())


def changed_program(tmp: Path, replacements: list[tuple[str, str]]) -> Path:
    """A copy of the project whose aws-prod stack file has ``replacements`` applied."""
    program = tmp / "program"
    program.mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", program / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", program / "stacks")
    stack_file = program / "stacks" / f"Pulumi.{STACK}.yaml"
    text = stack_file.read_text()
    for old, new in replacements:
        # The first occurrence: architectures.sagemaker_cicd comes first in the file.
        assert old in text, old
        text = text.replace(old, new, 1)
    stack_file.write_text(text)
    return program


def without_cost(plan: dict[str, Any]) -> dict[str, Any]:
    """``plan`` as a plan without an estimate (``cost == {}``)."""
    return {**plan, "cost": {}}


def with_cost(plan: dict[str, Any]) -> dict[str, Any]:
    """``plan`` with a ``cost`` section in the estimator's contract: the endpoint's
    instances (baseline: minimum count, maximum: maximum count, all month) and the
    training job (its instance for the maximum run time, RUNS_PER_MONTH times)."""
    plan = copy.deepcopy(plan)
    by_type = {r["type"]: r for r in plan["resources"]}
    config = by_type["aws:sagemaker/endpointConfiguration:EndpointConfiguration"]
    scaling = by_type["aws:appautoscaling/target:Target"]
    hourly = PRICES[config["inputs"]["productionVariants"][0]["instanceType"]]
    pipeline = by_type["aws:sagemaker/pipeline:Pipeline"]
    steps = {s["Name"]: s for s in json.loads(pipeline["inputs"]["pipelineDefinition"])["Steps"]}
    train = steps["Train"]["Arguments"]
    hours = train["StoppingCondition"]["MaxRuntimeInSeconds"] / 3600
    training = PRICES[train["ResourceConfig"]["InstanceType"]] * hours * RUNS_PER_MONTH
    rows = [
        (
            config,
            hourly * scaling["inputs"]["minCapacity"] * 730,
            hourly * scaling["inputs"]["maxCapacity"] * 730,
        ),
        (pipeline, 0.0, training),
    ]
    resources = [
        {
            "urn": r["urn"],
            "type": r["type"],
            "name": r["name"],
            "architecture": "sagemaker",
            "status": "priced",
            "baseline_monthly": round(low, 2),
            "maximum_monthly": round(high, 2),
            "usage": [],
            "prices": [],
            "note": "",
        }
        for r, low, high in rows
    ]
    plan["cost"] = {
        "currency": "USD",
        "hours_per_month": 730,
        "catalogue": "test",
        "resources": resources,
        "architectures": [],
        "total": {
            "baseline_monthly": round(sum(r["baseline_monthly"] for r in resources), 2),
            "maximum_monthly": round(sum(r["maximum_monthly"] for r in resources), 2),
            "unpriced": 0,
        },
    }
    return plan


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return plan_json(ROOT, tmp_path_factory.mktemp("base") / "plan.json")


@pytest.fixture(scope="module")
def resized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("resized")
    program = changed_program(
        tmp,
        [
            ("max_runtime_seconds: 14400", "max_runtime_seconds: 86400"),
            (
                "        instance_type: ml.m5.xlarge\n        min_instances: 2",
                "        instance_type: ml.m5.24xlarge\n        min_instances: 6",
            ),
            (
                "inference_instance_types: [ml.m5.xlarge]",
                "inference_instance_types: [ml.m5.24xlarge]",
            ),
        ],
    )
    return plan_json(program, tmp / "plan.json")


def test_a_plan_against_itself_reports_no_change(base: dict[str, Any]) -> None:
    diff = diff_plans(base, base)
    assert diff.unchanged
    assert diff.resources == ()
    assert to_json_dict(diff)["unchanged"] is True
    assert to_json_dict(diff)["summary"] == {
        "add": 0,
        "remove": 0,
        "replace": 0,
        "update": 0,
        "hazards": 0,
        "new_violations": 0,
        "new_mandatory_violations": 0,
        "resolved_violations": 0,
    }
    assert diff_markdown(diff) == "### <code>aws-prod</code>: no changes\n"


def _change(diff: Any, name: str, path: str) -> Any:
    resource = next(r for r in diff.resources if r.name == name)
    return resource, next(c for c in resource.changes if c.path == path)


def test_the_endpoint_and_training_change_is_shown_before_and_after(
    base: dict[str, Any], resized: dict[str, Any]
) -> None:
    diff = diff_plans(base, resized)
    config, instance = _change(
        diff, "sagemaker-endpoint-config", "productionVariants[0].instanceType"
    )
    assert (instance.before, instance.after, instance.decision) == (
        "ml.m5.xlarge",
        "ml.m5.24xlarge",
        "machine type",
    )
    assert instance.replaces and config.action == "replace"
    _, minimum = _change(diff, "sagemaker-endpoint-scaling", "minCapacity")
    assert (minimum.before, minimum.after, minimum.decision) == (2, 6, "autoscaling")
    _, runtime = _change(
        diff,
        "sagemaker-pipeline",
        "pipelineDefinition.Steps[Train].Arguments.StoppingCondition.MaxRuntimeInSeconds",
    )
    assert (runtime.before, runtime.after, runtime.decision, runtime.replaces) == (
        14400,
        86400,
        "run time",
        False,
    )
    # The endpoint is resized as a new generation: a new name, so created before the
    # old one goes, and not a hazard by its name; its log group is replaced (prod keeps
    # the old one: retain_on_delete).
    endpoint = next(r for r in diff.resources if r.type == "aws:sagemaker/endpoint:Endpoint")
    assert endpoint.action == "replace" and endpoint.reasons == ("name",) and endpoint.hazards == ()
    assert [r.name for r in diff.hazardous] == ["sagemaker-endpoint-logs"]
    assert "retain_on_delete" in diff.hazardous[0].hazards[0]

    markdown = diff_markdown(diff)
    assert (
        "| machine type | <code>sagemaker-endpoint-config</code> | "
        "<code>productionVariants[0].instanceType</code> | <code>ml.m5.xlarge</code> | "
        "<code>ml.m5.24xlarge</code> | replaces |"
    ) in markdown
    assert (
        "| autoscaling | <code>sagemaker-endpoint-scaling</code> | <code>minCapacity</code> | <code>2</code> | <code>6</code> | |"
        in markdown
    )
    assert "<code>14400</code> | <code>86400</code>" in markdown
    # The real estimate has no price for ml.m5.24xlarge: the total's delta is unknown,
    # not the drop that leaving the endpoint out of the sum would show.
    assert diff.cost is not None and diff.cost.total.baseline_delta is None
    assert "USD (**n/a (2 unpriced)**)" in markdown
    assert "Incomplete: 2 changed resources are unpriced" in markdown
    config_cost = next(x for x in diff.cost.resources if x.name == "sagemaker-endpoint-config")
    assert (config_cost.baseline_after, config_cost.baseline_delta) == (None, None)
    assert "Cost: not estimated." in diff_markdown(
        diff_plans(without_cost(base), without_cost(resized))
    )


def test_the_change_carries_its_cost_delta(base: dict[str, Any], resized: dict[str, Any]) -> None:
    diff = diff_plans(with_cost(base), with_cost(resized))
    assert diff.cost is not None
    lines = {line.name: line for line in diff.cost.resources}
    endpoint = lines["sagemaker-endpoint-config"]
    assert endpoint.baseline_before == round(0.23 * 2 * 730, 2)
    assert endpoint.baseline_after == round(5.53 * 6 * 730, 2)
    assert endpoint.maximum_delta == pytest.approx(
        round(5.53 * 6 * 730, 2) - round(0.23 * 6 * 730, 2)
    )
    training = lines["sagemaker-pipeline"]
    assert training.maximum_before == round(0.461 * 4 * 4, 2)
    assert training.maximum_after == round(0.461 * 24 * 4, 2)
    total = diff.cost.total
    assert total.baseline_delta == pytest.approx(
        round(5.53 * 6 * 730, 2) - round(0.23 * 2 * 730, 2)
    )
    markdown = diff_markdown(diff)
    assert "Cost per month: baseline 335.80 USD → 24,221.40 USD (**+23,885.60 USD**)" in markdown
    assert (
        "| <code>sagemaker-pipeline</code> | 0.00 USD → 0.00 USD | ±0.00 USD | 7.38 USD → 44.26 USD | +36.88 USD |"
        in markdown
    )
    assert to_json_dict(diff)["cost"]["total"]["baseline_monthly"]["delta"] == pytest.approx(
        23885.6
    )


def test_cost_on_one_side_only(base: dict[str, Any]) -> None:
    diff = diff_plans(without_cost(base), with_cost(base))
    assert diff.cost is not None and diff.cost.total.baseline_before is None
    # No estimate on one side: the delta is unknown, not the whole new total.
    assert "baseline n/a → 335.80 USD (**n/a**)" in diff_markdown(diff)


def test_a_protected_fixed_name_replacement_is_called_out(
    base: dict[str, Any], tmp_path: Path
) -> None:
    program = changed_program(
        tmp_path, [("record_identifier: customer_id", "record_identifier: tenure_months")]
    )
    diff = diff_plans(base, plan_json(program, tmp_path / "plan.json"))
    group = next(r for r in diff.resources if r.type == "aws:sagemaker/featureGroup:FeatureGroup")
    assert group.action == "replace"
    assert group.reasons == ("recordIdentifierFeatureName",)
    assert group.hazards == (
        "protected: `pulumi up` refuses to replace or delete it",
        "stateful: the old one is kept outside the stack (retain_on_delete) and the new one starts empty",
        "fixed name `mlops-prod-features` kept: the old one must be deleted before the new one "
        "is created (downtime), else the create fails on the name",
    )
    markdown = diff_markdown(diff)
    assert "> [!CAUTION]" in markdown
    assert (
        "> - <code>sagemaker-features</code> (<code>aws:sagemaker/featureGroup:FeatureGroup</code>) is replaced by <code>recordIdentifierFeatureName</code>: protected"
        in markdown
    )


def test_a_removed_protected_resource_is_a_hazard(base: dict[str, Any]) -> None:
    head = copy.deepcopy(base)
    head["resources"] = [
        r
        for r in head["resources"]
        if not (r["type"] == "aws:kms/key:Key" and r["name"] == "sagemaker-key")
    ]
    diff = diff_plans(base, head)
    (removed,) = diff.of("remove")
    assert removed.name == "sagemaker-key"
    assert removed.hazards == (
        "protected: `pulumi up` refuses to replace or delete it",
        "stateful: kept outside the stack (retain_on_delete)",
    )


def test_a_provider_region_change_replaces_its_resources(base: dict[str, Any]) -> None:
    head = copy.deepcopy(base)
    (provider,) = [r for r in head["resources"] if r["type"] == "pulumi:providers:aws"]
    provider["inputs"]["region"] = "eu-central-1"
    diff = diff_plans(base, head)
    on_provider = [
        r for r in base["resources"] if (r["provider"] or "").startswith(provider["urn"])
    ]
    replaced = {r.urn for r in diff.of("replace")}
    assert replaced == {r["urn"] for r in on_provider} | {provider["urn"]}
    bucket = next(
        r for r in diff.resources if r.name == "sagemaker-data" and r.type == "aws:s3/bucket:Bucket"
    )
    assert bucket.reasons == ("provider `region`: eu-west-1 → eu-central-1",)
    assert bucket.hazards[0].startswith("protected")


def _violation(policy: str, enforcement: str, urn: str | None) -> dict[str, Any]:
    return {
        "policy": policy,
        "pack": "mlops-security",
        "enforcement": enforcement,
        "severity": "high",
        "urn": urn,
        "message": f"{policy} broken",
        "remediation": None,
    }


def test_new_and_resolved_violations(base: dict[str, Any], tmp_path: Path) -> None:
    bucket = next(r["urn"] for r in base["resources"] if r["name"] == "sagemaker-data")
    before, after = copy.deepcopy(base), copy.deepcopy(base)
    before["policies"]["violations"] = [_violation("old-rule", "advisory", None)]
    after["policies"]["violations"] = [_violation("new-rule", "mandatory", bucket)]
    diff = diff_plans(before, after)
    assert [v["policy"] for v in diff.new_violations] == ["new-rule"]
    assert [v["policy"] for v in diff.resolved_violations] == ["old-rule"]
    assert len(diff.new_mandatory) == 1
    markdown = diff_markdown(diff)
    assert "**New mandatory policy violations (1): the check fails.**" in markdown
    assert (
        "- **new-rule** (mandatory, high) on <code>sagemaker-data</code>: new-rule broken"
        in markdown
    )
    assert "#### Resolved policy violations (1)" in markdown

    (tmp_path / "base.json").write_text(json.dumps(before))
    (tmp_path / "head.json").write_text(json.dumps(after))
    assert (
        main(
            [
                "diff",
                str(tmp_path / "base.json"),
                str(tmp_path / "head.json"),
                "--out",
                str(tmp_path / "d.md"),
            ]
        )
        == 1
    )
    assert (
        main(
            [
                "diff",
                str(tmp_path / "head.json"),
                str(tmp_path / "base.json"),
                "--out",
                str(tmp_path / "d.md"),
            ]
        )
        == 0
    )


def test_names_are_escaped(base: dict[str, Any]) -> None:
    head = copy.deepcopy(base)
    resource = next(r for r in head["resources"] if r["name"] == "sagemaker-data")
    resource["name"] = "<img src=x onerror=alert(1)>|x"
    resource["inputs"]["forceDestroy"] = "<script>"
    markdown = diff_markdown(diff_plans(base, head))
    assert "<img" not in markdown and "<script>" not in markdown
    assert "<code>&lt;img src=x onerror=alert(1)&gt;&#124;x</code>" in markdown


def test_cli_json_output_and_bad_input(
    base: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(base))
    assert main(["diff", str(path), str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] is True
    (tmp_path / "bad.json").write_text('{"schema_version": 2, "resources": []}')
    assert main(["diff", str(path), str(tmp_path / "bad.json")]) == 2
    assert "schema_version 2" in capsys.readouterr().err


def test_the_comment_dry_run_on_two_sample_plans(
    base: dict[str, Any], resized: dict[str, Any], tmp_path: Path
) -> None:
    """The workflow's comment step, offline: one body, with the marker once, under
    GitHub's limit, with the diff in it."""
    from mlops_preview.comment import MARKER, MAX_COMMENT_CHARS

    for side, plan in (("base", with_cost(base)), ("head", with_cost(resized))):
        (tmp_path / side).mkdir()
        (tmp_path / side / f"{STACK}.json").write_text(json.dumps(plan))
    out, full = tmp_path / "comment.md", tmp_path / "report.md"
    code = main(
        [
            "comment",
            "--base",
            str(tmp_path / "base"),
            "--head",
            str(tmp_path / "head"),
            "--out",
            str(out),
            "--full",
            str(full),
            "--json-dir",
            str(tmp_path / "diff"),
            "--artifact-url",
            "https://example.test/run/1",
        ]
    )
    assert code == 0
    body = out.read_text()
    assert body.startswith(MARKER + "\n") and body.count(MARKER) == 1
    assert len(body) <= MAX_COMMENT_CHARS
    assert "**1** stacks planned, **1** changed" in body
    assert "<code>ml.m5.xlarge</code> | <code>ml.m5.24xlarge</code>" in body
    assert "[!NOTE]" not in body  # nothing left out
    assert body == full.read_text()
    assert json.loads((tmp_path / "diff" / f"{STACK}.json").read_text())["stack"] == STACK


def test_a_comment_over_many_stacks_folds_to_fit_with_a_notice(
    base: dict[str, Any], resized: dict[str, Any]
) -> None:
    from mlops_preview.comment import MARKER, MAX_COMMENT_CHARS, StackDiff, build_comment

    big = copy.deepcopy(resized)
    for resource in big["resources"]:  # every resource changes: a long "every change" table
        resource["inputs"]["tags"] = {**resource["inputs"].get("tags", {}), "rev": "x" * 60}
    diff = diff_plans(with_cost(base), with_cost(big))
    stacks = [StackDiff(f"stack-{i:02}", diff) for i in range(40)]
    full = build_comment(stacks, limit=10**9)
    assert len(full) > MAX_COMMENT_CHARS
    body = build_comment(stacks, "https://example.test/run/1")
    assert len(body) <= MAX_COMMENT_CHARS
    assert body.count(MARKER) == 1
    assert (
        "Some details were left out to fit a comment. See [the full report](https://example.test/run/1)"
        in body
    )
    # What must never be folded away: every stack's hazards and cost line.
    assert body.count("sagemaker-endpoint-logs") >= 40
    assert body.count("Cost per month: baseline") == 40

    tiny = build_comment(stacks, "https://example.test/run/1", limit=3000)
    assert len(tiny) <= 3000
    assert "**This comment was cut to fit GitHub's limit.**" in tiny


def test_a_stack_without_a_head_plan_blocks(base: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "head").mkdir()
    (tmp_path / "base" / f"{STACK}.json").write_text(json.dumps(base))
    (tmp_path / "head" / "new-stack.json").write_text(json.dumps({**base, "stack": "new-stack"}))
    out = tmp_path / "comment.md"
    assert (
        main(
            [
                "comment",
                "--base",
                str(tmp_path / "base"),
                "--head",
                str(tmp_path / "head"),
                "--out",
                str(out),
            ]
        )
        == 1
    )
    body = out.read_text()
    assert "### `aws-prod`: not planned" in body
    assert f"### <code>new-stack</code>: {len(base['resources'])} added" in body


def test_the_plan_report_shows_the_decisions_and_folds_the_rest() -> None:
    from mlops_preview.report import build_plan, to_markdown

    text = to_markdown(build_plan(ROOT, STACK))
    decisions = text.split("## Decisions\n", 1)[1].split("<details>", 1)[0]
    assert "| region | <code>aws</code> | <code>region</code> <code>eu-west-1</code> |" in decisions
    assert (
        "| machine type | <code>sagemaker-endpoint-config</code> | "
        "<code>productionVariants[0].instanceType</code> <code>ml.m5.xlarge</code> |"
    ) in decisions
    assert (
        "| autoscaling | <code>sagemaker-endpoint-scaling</code> | <code>maxCapacity</code> "
        "<code>6</code><br><code>minCapacity</code> <code>2</code> |"
    ) in decisions
    assert "StoppingCondition.MaxRuntimeInSeconds</code> <code>14400</code>" in decisions
    assert (
        "| protection | <code>sagemaker-data</code> | <code>protect</code> <code>true</code>"
        in decisions
    )
    assert "<details><summary>Every resource (" in text
    assert "<details><summary>Every output (" in text


def test_the_decisions_section_escapes_names_and_shows_architecture_cost() -> None:
    from mlops_preview.markdown import decisions_section

    component = {
        "urn": "c",
        "type": "mlops:aws:X",
        "name": "<b>arch</b>",
        "parent": None,
        "custom": False,
    }
    group = {
        "urn": "r",
        "type": "aws:cloudwatch/logGroup:LogGroup",
        "name": "<img src=x>",
        "parent": "c",
        "custom": True,
        "inputs": {"retentionInDays": 7},
    }
    cost = {
        "currency": "USD",
        "architectures": [{"urn": "c", "baseline_monthly": 1.5, "maximum_monthly": None}],
    }
    lines = decisions_section([component, group], cost)
    assert lines[2:] == [
        "### <code>&lt;b&gt;arch&lt;/b&gt;</code> (<code>mlops:aws:X</code>)",
        "",
        "Monthly cost: baseline 1.50 USD, maximum n/a.",
        "",
        "| Setting | Resource | Values |",
        "| --- | --- | --- |",
        "| retention | <code>&lt;img src=x&gt;</code> | <code>retentionInDays</code> <code>7</code> |",
        "",
    ]


def test_an_added_resource_shows_its_decisions(base: dict[str, Any]) -> None:
    before = copy.deepcopy(base)
    before["resources"] = [
        r for r in before["resources"] if r["type"] != "aws:appautoscaling/target:Target"
    ]
    diff = diff_plans(before, base)
    (added,) = diff.of("add")
    assert {(c.path, c.before, c.after, c.decision) for c in added.changes} == {
        ("maxCapacity", None, 6, "autoscaling"),
        ("minCapacity", None, 2, "autoscaling"),
    }


def test_an_expected_stack_without_plans_is_reported(base: dict[str, Any], tmp_path: Path) -> None:
    for side in ("base", "head"):
        (tmp_path / side).mkdir()
        (tmp_path / side / f"{STACK}.json").write_text(json.dumps(base))
    out = tmp_path / "comment.md"
    args = ["comment", "--base", str(tmp_path / "base"), "--head", str(tmp_path / "head")]
    assert main([*args, "--stacks-dir", str(ROOT / "stacks"), "--out", str(out)]) == 1
    body = out.read_text()
    assert "### <code>aws-prod</code>: no changes" in body
    assert "### `gcp-dev`: not planned" in body


def unpriced_endpoint(plan: dict[str, Any]) -> dict[str, Any]:
    """``with_cost(plan)`` where the endpoint config has no price (as in the catalogue
    for a type it lacks): the total counts only the pipeline."""
    plan = with_cost(plan)
    cost = plan["cost"]
    for line in cost["resources"]:
        if line["type"] == "aws:sagemaker/endpointConfiguration:EndpointConfiguration":
            line.update(status="unpriced", baseline_monthly=None, maximum_monthly=None)
    priced = [r for r in cost["resources"] if r["status"] == "priced"]
    cost["total"] = {
        "baseline_monthly": sum(r["baseline_monthly"] for r in priced),
        "maximum_monthly": sum(r["maximum_monthly"] for r in priced),
        "unpriced": 1,
    }
    return plan


def test_a_changed_unpriced_resource_makes_the_delta_unknown(
    base: dict[str, Any], resized: dict[str, Any]
) -> None:
    # Issue 11: 2 x ml.m5.xlarge -> 6 x ml.m5.24xlarge, unpriced, showed "±0.00".
    diff = diff_plans(unpriced_endpoint(base), unpriced_endpoint(resized))
    assert diff.cost is not None
    lines = {line.name: line for line in diff.cost.resources}
    endpoint = lines["sagemaker-endpoint-config"]
    assert (endpoint.baseline_before, endpoint.baseline_after) == (None, None)
    assert endpoint.baseline_delta is None and endpoint.maximum_delta is None
    assert diff.cost.total.unpriced == 1 and diff.cost.total.baseline_delta is None
    markdown = diff_markdown(diff)
    assert "±0.00" not in markdown.split("#### Cost delta")[0]
    assert "baseline 0.00 USD → 0.00 USD (**n/a (1 unpriced)**)" in markdown
    assert "Incomplete: 1 changed resources are unpriced" in markdown
    assert "| <code>sagemaker-endpoint-config</code> | n/a → n/a | n/a (1 unpriced) |" in markdown
    cost = to_json_dict(diff)["cost"]
    assert cost["total"]["baseline_monthly"]["delta"] is None
    assert cost["total"]["unpriced_changes"] == 1
    assert any(line["name"] == "sagemaker-endpoint-config" for line in cost["resources"])


def test_an_unchanged_unpriced_resource_keeps_the_delta(base: dict[str, Any]) -> None:
    diff = diff_plans(unpriced_endpoint(base), unpriced_endpoint(base))
    assert diff.cost is not None and not diff.cost.resources
    assert diff.cost.total.baseline_delta == 0.0 and diff.unchanged


def test_a_removed_resource_costs_nothing_after(base: dict[str, Any]) -> None:
    head = copy.deepcopy(base)
    pipeline = next(r for r in head["resources"] if r["type"] == "aws:sagemaker/pipeline:Pipeline")
    head["resources"].remove(pipeline)
    before, after = with_cost(base), with_cost(base)
    after["resources"] = head["resources"]
    after["cost"]["resources"] = [
        r for r in after["cost"]["resources"] if r["urn"] != pipeline["urn"]
    ]
    diff = diff_plans(before, after)
    assert diff.cost is not None
    line = next(x for x in diff.cost.resources if x.urn == pipeline["urn"])
    assert (line.maximum_before, line.maximum_after) == (round(0.461 * 4 * 4, 2), 0.0)
    assert line.maximum_delta == -round(0.461 * 4 * 4, 2)
    assert "7.38 USD → 0.00 USD | -7.38 USD |" in diff_markdown(diff)


def quota_line(region: str, family: str, maximum: int) -> dict[str, Any]:
    return {"cloud": "aws", "region": region, "family": family, "maximum": maximum}


def test_quota_lines_are_matched_by_cloud_region_and_family() -> None:
    # Issue 11: lines[] were matched by position, so a new first line showed every
    # other line as changed.
    gpu = quota_line("eu-west-1", "Running On-Demand G and VT instances", 8)
    endpoint = quota_line("eu-west-1", "ml.g5.xlarge for endpoint usage", 2)
    before = flatten({"lines": [gpu, endpoint]})
    after = flatten(
        {"lines": [quota_line("eu-central-1", gpu["family"], 4), gpu, {**endpoint, "maximum": 3}]}
    )
    changes = {
        c.path: (c.before, c.after)
        for c in input_changes("mlops:platform:AcceleratorQuotas", before, after)
    }
    assert changes == {
        "lines[aws/eu-central-1/Running On-Demand G and VT instances].cloud": (None, "aws"),
        "lines[aws/eu-central-1/Running On-Demand G and VT instances].family": (
            None,
            gpu["family"],
        ),
        "lines[aws/eu-central-1/Running On-Demand G and VT instances].maximum": (None, 4),
        "lines[aws/eu-central-1/Running On-Demand G and VT instances].region": (
            None,
            "eu-central-1",
        ),
        "lines[aws/eu-west-1/ml.g5.xlarge for endpoint usage].maximum": (2, 3),
    }
    assert root("lines[aws/eu-west-1/ml.g5.xlarge for endpoint usage].maximum") == "lines"
    assert matches(
        "lines[*].maximum", "lines[aws/eu-west-1/ml.g5.xlarge for endpoint usage].maximum"
    )

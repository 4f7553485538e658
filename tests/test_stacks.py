"""Every stack file, planned offline as `mlops-iac plan` does."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from mlops_preview.runner import Recording, plan_stack

ROOT = Path(__file__).resolve().parents[1]
STACKS = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml")
    for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)


@cache
def planned(stack: str) -> Recording:
    return plan_stack(ROOT, stack)


def cloud_resources(rec: Recording) -> list:
    return [r for r in rec.resources if r.custom and not r.type.startswith("pulumi:providers:")]


PROVIDERS = {
    "aws": ("pulumi:providers:aws", "aws", "region", 40),
    "azure": ("pulumi:providers:azure-native", "azure-native", "location", 30),
    "gcp": ("pulumi:providers:gcp", "gcp", "region", 30),
}
"""Per cloud: the explicit provider's type and name, its region input, and the fewest
cloud resources a stack of that cloud plans (a stack that plans nothing is a mistake)."""


def cloud_of(rec: Recording) -> str:
    return rec.config["mlops-iac:cloud"]


def test_the_project_stacks_exist_each_named_after_its_cloud() -> None:
    assert {"aws-dev", "aws-staging", "aws-prod", "azure-dev", "gcp-dev"} <= set(STACKS)
    for stack in STACKS:
        assert stack.startswith(f"{cloud_of(planned(stack))}-"), stack


@pytest.mark.parametrize("stack", STACKS)
def test_stack_plans_without_warnings(stack: str) -> None:
    rec = planned(stack)
    assert rec.warnings == []
    token, name, region_key, fewest = PROVIDERS[cloud_of(rec)]
    assert len(cloud_resources(rec)) >= fewest
    provider = rec.one(token, name)
    assert provider.inputs[region_key] == rec.config["mlops-iac:region"]
    environment = rec.config["mlops-iac:environment"]
    # a stack is named <cloud>-<environment>, or <cloud>-hybrid for the hybrid stages
    assert stack.split("-", 1)[1] in (environment, "hybrid")
    if token == "pulumi:providers:aws":
        assert json.loads(provider.inputs["defaultTags"])["tags"]["environment"] == environment
    if token == "pulumi:providers:gcp":
        assert json.loads(provider.inputs["defaultLabels"])["environment"] == environment
    # every cloud resource uses the stack's explicit provider; Kubernetes objects the
    # explicit provider of their cluster, resources of other packages (Azure DevOps) an
    # explicit provider of their own: never a default provider
    package = token.removeprefix("pulumi:providers:")
    for resource in cloud_resources(rec):
        assert resource.provider, resource.urn
        if resource.type.startswith(f"{package}:"):
            assert resource.provider.startswith(provider.urn), resource.urn
        elif resource.type.startswith("kubernetes:"):
            assert "pulumi:providers:kubernetes::" in resource.provider, resource.urn
        assert "::default_" not in resource.provider, resource.urn


def test_prod_has_the_whole_architecture() -> None:
    rec = planned("aws-prod")
    types = {r.type for r in rec.resources}
    for token in (
        "aws:sagemaker/pipeline:Pipeline",
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "aws:sagemaker/endpoint:Endpoint",
        "aws:appautoscaling/policy:Policy",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:kms/key:Key",
        "aws:s3/bucket:Bucket",
    ):
        assert token in types, token
    definition = json.loads(rec.one("aws:sagemaker/pipeline:Pipeline").inputs["pipelineDefinition"])
    kinds = {s["Type"] for s in definition["Steps"]}
    kinds |= {
        b["Type"]
        for s in definition["Steps"]
        if s["Type"] == "Condition"
        for b in s["Arguments"]["IfSteps"]
    }
    assert {"Processing", "Training", "Condition", "RegisterModel"} <= kinds


def test_prod_protects_stateful_resources_and_spreads_instances() -> None:
    rec = planned("aws-prod")
    for token in (
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
        "aws:ecr/repository:Repository",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    ):
        found = rec.by_type(token)
        assert found
        assert all(r.protect and r.retain_on_delete for r in found), token
    (variant,) = rec.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs[
        "productionVariants"
    ]
    assert variant["initialInstanceCount"] >= 2
    subnets = [s.name for s in rec.by_type("aws:ec2/subnet:Subnet")]
    # Three zones for each architecture's private network.
    assert len([n for n in subnets if n.startswith("sagemaker-")]) == 3
    assert len([n for n in subnets if n.startswith("serverless-")]) == 3
    assert len([n for n in subnets if n.startswith("containers-")]) == 3


@pytest.mark.parametrize(
    ("stack", "spot", "execution_data", "authorization", "schedule"),
    [
        ("aws-dev", True, True, "JWT", False),
        ("aws-staging", True, False, "JWT", True),
        ("aws-prod", False, False, "AWS_IAM", True),
    ],
)
def test_serverless_strategies_per_environment(
    stack: str, spot: bool, execution_data: bool, authorization: str, schedule: bool
) -> None:
    rec = planned(stack)
    machine = rec.one("aws:sfn/stateMachine:StateMachine")
    train = json.loads(machine.inputs["definition"])["States"]["Train"]["Parameters"]
    assert train["EnableManagedSpotTraining"] is spot
    logging = machine.inputs["loggingConfiguration"]
    assert (logging["level"], logging["includeExecutionData"]) == ("ALL", execution_data)
    route = rec.one("aws:apigatewayv2/route:Route")
    assert route.inputs["authorizationType"] == authorization
    assert bool(rec.by_type("aws:scheduler/schedule:Schedule")) is schedule
    protected = stack != "aws-dev"
    for name in ("serverless-data", "serverless-artifacts", "serverless-key", "serverless-models"):
        (found,) = [r for r in rec.resources if r.name == name and r.custom]
        assert found.protect is protected, (stack, name)


def test_dev_is_cheap_and_disposable() -> None:
    rec = planned("aws-dev")
    # Only what staging and prod serve from (dev's registries, artifacts and keys) is
    # protected: everything else goes with `pulumi destroy --exclude-protected`.
    protected = sorted(r.name for r in rec.resources if r.protect)
    assert protected == [
        "containers-images-processing",
        "containers-images-processing-consumers",
        "containers-images-processing-lifecycle",
        "containers-images-serving",
        "containers-images-serving-consumers",
        "containers-images-serving-lifecycle",
        "containers-key",
        "containers-key-alias",
        "sagemaker-artifacts",
        "sagemaker-artifacts-encryption",
        "sagemaker-artifacts-lifecycle",
        "sagemaker-artifacts-ownership",
        "sagemaker-artifacts-policy",
        "sagemaker-artifacts-public-access",
        "sagemaker-artifacts-versioning",
        "sagemaker-key",
        "sagemaker-key-alias",
        "sagemaker-models",
    ]
    (variant,) = rec.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs[
        "productionVariants"
    ]
    assert "serverlessConfig" in variant
    definition = json.loads(rec.one("aws:sagemaker/pipeline:Pipeline").inputs["pipelineDefinition"])
    (train,) = [s for s in definition["Steps"] if s["Type"] == "Training"]
    assert train["Arguments"]["EnableManagedSpotTraining"] is True
    assert rec.one("aws:s3/bucket:Bucket", "sagemaker-data").inputs["forceDestroy"] is True


def test_resources_carry_their_dependencies() -> None:
    rec = planned("aws-prod")
    endpoint = rec.one("aws:sagemaker/endpoint:Endpoint")
    config = rec.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    assert config.urn in endpoint.dependencies
    model = rec.one("aws:sagemaker/model:Model")
    assert model.urn in config.dependencies
    for alarm in rec.by_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        if alarm.parent == endpoint.parent:  # the endpoint's own rollback alarms
            assert alarm.urn in endpoint.dependencies
    with_deps = [r for r in cloud_resources(rec) if r.dependencies]
    assert len(with_deps) > len(cloud_resources(rec)) // 2


def test_misspelled_key_in_a_stack_file_exits_2_naming_it(tmp_path: Path) -> None:
    """As a user would hit it: a typo in a stack file, planned through the CLI."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    stack_file = tmp_path / "stacks" / "Pulumi.aws-prod.yaml"
    text = stack_file.read_text()
    assert "        min_instances: 2\n" in text
    stack_file.write_text(text.replace("        min_instances: 2\n", "        min_instance: 2\n"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlops_preview.cli",
            "plan",
            "aws-prod",
            "--program",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: invalid stack configuration (1 problem(s)):\n")
    assert (
        "mlops-iac:architectures.sagemaker_cicd.endpoint.min_instance: unknown key; "
        "allowed keys: bake_minutes, canary_percent," in done.stderr
    )


def test_project_stacks_pass_their_guardrails_with_no_mandatory_violation() -> None:
    from mlops_preview.guardrails import evaluate_guardrails
    from mlops_preview.report import environment_of

    for stack in STACKS:
        rec = planned(stack)
        report = evaluate_guardrails(rec, None, environment_of(rec))
        assert report.evaluated == len(rec.resources)
        assert report.mandatory == [], stack


@pytest.mark.parametrize("stack", STACKS)
def test_every_input_wired_from_another_resource_is_recorded(stack: str) -> None:
    """An input that depends on another resource's output is recorded with a value: the
    mocks compute every output a resource's inputs are wired from (nested ones too)."""
    missing = [
        f"{r.type} {r.name}: {key}"
        for r in planned(stack).resources
        for key, deps in r.property_dependencies.items()
        if deps and key not in r.inputs
    ]
    assert missing == []


def test_the_plan_workflow_plans_every_stack() -> None:
    """`.github/workflows/plan.yml` previews each stack file on pull requests."""
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "plan.yml").read_text())
    assert sorted(workflow["jobs"]["plan"]["strategy"]["matrix"]["stack"]) == STACKS


def test_deployment_shares_components_and_capacity_between_architectures() -> None:
    import pulumi
    import pytest
    from mlops_components.registry import Capacity, Deployment
    from mlops_components.settings import Cloud, Retention

    shared: dict[str, pulumi.ComponentResource] = {}
    capacity: list[Capacity] = []
    first = Deployment(
        "p", "r", {}, Retention.DESTROYABLE, pulumi.ResourceOptions(), shared, capacity
    )
    second = Deployment(
        "p", "r", {}, Retention.DESTROYABLE, pulumi.ResourceOptions(), shared, capacity
    )
    with pytest.raises(LookupError, match=r"enable architectures\.base"):
        second.take("base", pulumi.ComponentResource)
    first.declare_capacity(Capacity(Cloud.AWS, "eu-west-1", "vm", "g5.xlarge", 2, spot=True))
    assert [c.machine_type for c in second.capacity] == ["g5.xlarge"]


def test_gcp_hybrid_plans_the_hybrid_architecture_and_its_fleet() -> None:
    """The hybrid stack's architecture is planned, not silently skipped (a settings
    after-validator that returned None dropped it once)."""
    rec = planned("gcp-hybrid")
    assert rec.by_type("mlops:gcp:HybridTfMlops")
    assert len(rec.by_type("gcp:gkehub/membership:Membership")) >= 1


def test_every_after_model_validator_returns_the_model() -> None:
    """A pydantic ``model_validator(mode="after")`` that falls off its end returns None,
    and the settings silently become None: each one ends with ``return self``."""
    import ast

    missing = []
    for path in sorted((ROOT / "components" / "settings").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            after = any(
                isinstance(d, ast.Call)
                and getattr(d.func, "id", getattr(d.func, "attr", "")) == "model_validator"
                and any(
                    k.arg == "mode" and getattr(k.value, "value", None) == "after"
                    for k in d.keywords
                )
                for d in node.decorator_list
            )
            last = node.body[-1]
            returns_self = (
                isinstance(last, ast.Return)
                and isinstance(last.value, ast.Name)
                and last.value.id == "self"
            )
            if after and not returns_self:
                missing.append(f"{path.name}:{node.lineno} {node.name}")
    assert missing == []

"""Everything a stack file can get wrong fails in load_settings, before the first
resource, with the config path: networks, e-mails, floats, metric thresholds, secrets."""

from __future__ import annotations

import contextvars
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, get_args

import pulumi
import pytest
import yaml
from mlops_components.settings import SettingsError, StackSettings, Strict, load_settings
from mlops_components.settings.evaluation import MetricComparison
from mlops_components.settings.loader import UNDECRYPTED
from mlops_preview import runner
from mlops_preview.project import SECRET_PLACEHOLDER
from pulumi.runtime import config as runtime_config
from pydantic import BaseModel

REPO = Path(__file__).resolve().parents[2]
ARCH = "mlops-iac:architectures.sagemaker_cicd"


def stack_config(stack: str = "aws-prod") -> dict[str, str]:
    raw = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


def with_arch(change: Callable[[dict[str, Any]], None], stack: str = "aws-prod") -> dict[str, str]:
    """The stack's config with ``change`` applied to ``architectures.sagemaker_cicd``."""
    config = stack_config(stack)
    arch = json.loads(config["mlops-iac:architectures"])
    change(arch["sagemaker_cicd"])
    config["mlops-iac:architectures"] = json.dumps(arch)
    return config


def problems(config: dict[str, str], secret_keys: list[str] | None = None) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(config, secret_keys)
    head, *lines = str(caught.value).splitlines()
    assert head == f"invalid stack configuration ({len(lines)} problem(s)):"
    return [line.removeprefix("  - ") for line in lines]


def evaluation(**values: Any) -> dict[str, str]:
    return with_arch(lambda a: a["pipeline"]["evaluation"].update(values))


# -- evaluation metric and threshold ---------------------------------------------------


def test_threshold_outside_the_metric_range_names_path_and_range() -> None:
    assert problems(evaluation(metric_path="metrics.auc.value", threshold=7)) == [
        f"{ARCH}.pipeline.evaluation.threshold: auc lies in [0, 1], so threshold must be "
        "within that range (set metric.minimum / metric.maximum if the report uses another "
        "scale) (got 7)"
    ]


@pytest.mark.parametrize("threshold", ["nan", "NaN", "Infinity", "-inf", float("nan")])
def test_threshold_must_be_finite(threshold: object) -> None:
    assert problems(evaluation(threshold=threshold)) == [
        f"{ARCH}.pipeline.evaluation.threshold: Input should be a finite number (got {threshold!r})"
    ]


def test_the_default_metric_is_complete_after_validation() -> None:
    settings = load_settings(stack_config())
    arch = settings.architectures.sagemaker_cicd
    assert arch is not None
    metric = arch.pipeline.evaluation.metric
    assert (metric.comparison, metric.minimum, metric.maximum) == (
        MetricComparison.GREATER_OR_EQUAL,
        0.0,
        1.0,
    )


def test_a_loss_metric_with_its_comparison_works() -> None:
    config = evaluation(
        metric_path="metrics.validation_loss.value",
        metric={"comparison": "less_or_equal", "minimum": 0},
        threshold=0.35,
    )
    arch = load_settings(config).architectures.sagemaker_cicd
    assert arch is not None
    step = arch.pipeline.evaluation
    assert (step.metric.comparison, step.metric.minimum, step.metric.maximum) == (
        MetricComparison.LESS_OR_EQUAL,
        0.0,
        None,
    )
    assert step.threshold == 0.35


def test_an_unknown_metric_needs_a_comparison() -> None:
    assert problems(evaluation(metric_path="metrics.validation_loss.value", threshold=0.3)) == [
        f"{ARCH}.pipeline.evaluation.metric: metric_path names 'validation_loss', which is "
        "not a well-known metric: set metric.comparison to greater_or_equal (higher is "
        "better) or less_or_equal (lower is better)"
    ]


def test_a_comparison_against_a_known_metric_is_refused() -> None:
    assert problems(evaluation(metric={"comparison": "less_or_equal"})) == [
        f"{ARCH}.pipeline.evaluation.metric: auc is better when higher: metric.comparison "
        "must be greater_or_equal (or leave it out)"
    ]


def test_known_error_metrics_are_lower_is_better_and_non_negative() -> None:
    config = evaluation(metric_path="regression_metrics.rmse.value", threshold=3.5)
    arch = load_settings(config).architectures.sagemaker_cicd
    assert arch is not None
    assert arch.pipeline.evaluation.metric.comparison is MetricComparison.LESS_OR_EQUAL
    assert problems(evaluation(metric_path="regression_metrics.rmse.value", threshold=-1)) == [
        f"{ARCH}.pipeline.evaluation.threshold: rmse lies in [0, inf], so threshold must be "
        "within that range (set metric.minimum / metric.maximum if the report uses another "
        "scale) (got -1)"
    ]


def test_a_known_range_can_be_rescaled() -> None:
    config = evaluation(metric_path="metrics.accuracy.value", metric={"maximum": 100}, threshold=85)
    arch = load_settings(config).architectures.sagemaker_cicd
    assert arch is not None
    assert arch.pipeline.evaluation.metric.maximum == 100


def test_metric_bounds_must_be_ordered_and_finite() -> None:
    assert problems(evaluation(metric={"minimum": 1, "maximum": 0})) == [
        f"{ARCH}.pipeline.evaluation.metric: minimum must be below maximum"
    ]
    assert problems(evaluation(metric={"maximum": "inf"})) == [
        f"{ARCH}.pipeline.evaluation.metric.maximum: Input should be a finite number (got 'inf')"
    ]


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
    for arg in get_args(annotation):
        yield from _models(arg)


def _has_float(annotation: Any) -> bool:
    return annotation is float or any(_has_float(a) for a in get_args(annotation))


def test_every_float_setting_is_finite() -> None:
    """Meta-test over the whole tree, including settings added later: every model is
    a ``Strict`` (``allow_inf_nan=False``) and no float field re-allows NaN."""
    models = set(_models(StackSettings))
    floats = [
        (model.__name__, name)
        for model in models
        for name, field in model.model_fields.items()
        if _has_float(field.annotation)
    ]
    assert floats, "expected float settings (threshold, metric bounds)"
    for model in models:
        assert issubclass(model, Strict), model
        assert model.model_config.get("allow_inf_nan") is False, model
        for name, field in model.model_fields.items():
            allowed = [getattr(m, "allow_inf_nan", None) for m in field.metadata]
            assert True not in allowed, f"{model.__name__}.{name} allows NaN"


# -- network -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidr", "problem"),
    [
        ("10.40.1.0/16", "has host bits set; did you mean 10.40.0.0/16?"),
        ("8.8.0.0/16", "is not a private range: use part of 10.0.0.0/8, 172.16.0.0/12 or "
         "192.168.0.0/16 (RFC 1918)"),
        ("10.40.0.0/25", "the prefix must be /16 to /24"),
        ("10.0.0.0/8", "the prefix must be /16 to /24"),
        ("10.40.0.0", "needs a prefix length, e.g. 10.40.0.0/16"),
        ("10.400.0.0/16", "is not an IPv4 network such as 10.40.0.0/16"),
        ("fd00::/48", "is not an IPv4 network such as 10.40.0.0/16"),
    ],
)  # fmt: skip
def test_vpc_cidr_is_a_private_network(cidr: str, problem: str) -> None:
    config = with_arch(lambda a: a["network"].update(cidr_block=cidr))
    assert problems(config) == [f"{ARCH}.network.cidr_block: {problem} (got {cidr!r})"]


def test_a_valid_cidr_is_kept() -> None:
    config = with_arch(lambda a: a["network"].update(cidr_block="172.16.0.0/20"))
    arch = load_settings(config).architectures.sagemaker_cicd
    assert arch is not None and arch.network.cidr_block == "172.16.0.0/20"


def test_interface_endpoints_once_and_not_s3() -> None:
    config = with_arch(lambda a: a["network"].update(interface_endpoints=["s3", "sts", "sts"]))
    assert problems(config) == [
        f"{ARCH}.network.interface_endpoints: [0] 's3': S3 is reached through the gateway "
        "endpoint; [2] 'sts' is listed twice (got ['s3', 'sts', 'sts'])"
    ]


# -- alarm e-mails -------------------------------------------------------------------------


def emails(*addresses: str) -> dict[str, str]:
    return with_arch(lambda a: a["monitoring"].update(alarm_emails=list(addresses)))


def test_alarm_emails_are_valid_addresses() -> None:
    assert problems(emails("oncall@example.com", "oncall@localhost")) == [
        f"{ARCH}.monitoring.alarm_emails.1: value is not a valid email address: The part "
        "after the @-sign is not valid. It should have a period. (got 'oncall@localhost')"
    ]


def test_alarm_emails_are_unique_ignoring_case() -> None:
    [problem] = problems(emails("oncall@example.com", "team@example.com", "OnCall@Example.com"))
    assert problem.startswith(
        f"{ARCH}.monitoring.alarm_emails: [2] 'OnCall@example.com' is listed twice "
        "(see [0]; case is ignored)"
    )


def test_alarm_emails_whose_names_would_collide_are_refused() -> None:
    [problem] = problems(emails("ml.team@example.com", "ml-team@example.com"))
    assert problem.startswith(
        f"{ARCH}.monitoring.alarm_emails: [1] 'ml-team@example.com' maps to the same "
        "subscription name as [0] 'ml.team@example.com'"
    )


# -- feature store -------------------------------------------------------------------------


def test_feature_store_names_and_event_time_type() -> None:
    def change(arch: dict[str, Any]) -> None:
        arch["feature_store"]["features"] = [
            {"name": "customer_id", "type": "String"},
            {"name": "event_time", "type": "Integral"},
            {"name": "write_time", "type": "String"},
            {"name": "customer_id", "type": "String"},
        ]

    assert problems(with_arch(change)) == [
        f"{ARCH}.feature_store: feature name 'write_time' is reserved by Feature Store; "
        "feature 'customer_id' is defined twice; event_time feature 'event_time' must be of "
        "type String (ISO-8601) or Fractional (Unix seconds)"
    ]


# -- secrets -------------------------------------------------------------------------------

NOT_SECRET = (
    "must not be a secret: settings end up in resource names, tags and pipeline documents "
    "in plain text, so give the value without `secure:` (credentials stay in Secrets "
    "Manager; settings name them by ARN)"
)


def test_the_loader_and_the_plan_agree_on_the_placeholder() -> None:
    assert UNDECRYPTED == SECRET_PLACEHOLDER


def test_a_secure_fixed_format_value_fails_with_its_path() -> None:
    """Offline the plan passes the placeholder at the secret's place: the error names
    the exact path instead of "got '[secret]'"."""
    config = with_arch(lambda a: a["promotion"].update(token_secret_arn=UNDECRYPTED))
    assert problems(config, ["mlops-iac:architectures"]) == [
        f"{ARCH}.promotion.token_secret_arn: {NOT_SECRET}"
    ]


def test_a_secure_free_text_value_fails_too() -> None:
    config = stack_config()
    config["mlops-iac:tags"] = json.dumps({"owner": UNDECRYPTED, "cost_centre": "cc-1"})
    assert problems(config, ["mlops-iac:tags"]) == [f"mlops-iac:tags.owner: {NOT_SECRET}"]


def test_under_the_cli_the_secret_is_named_by_key_and_never_echoed() -> None:
    """The CLI passes decrypted text and marks the whole top-level key secret."""
    config = with_arch(lambda a: a["promotion"].update(token_secret_arn="ghp_s3cr3t-token"))
    config["mlops-iac:region"] = "not a region s3cr3t"
    found = problems(config, ["mlops-iac:architectures", "mlops-iac:region"])
    assert found == [
        f"mlops-iac:architectures: {NOT_SECRET} (a `secure:` value anywhere in it makes the "
        "whole key secret)",
        f"mlops-iac:region: {NOT_SECRET}",
    ]
    assert "s3cr3t" not in "\n".join(found)


def test_the_program_config_secret_keys_are_used() -> None:
    """Without arguments the loader reads the secret keys the CLI handed the SDK
    (``set_all_config(config, secret_keys)``, as pulumi-language-python-exec does)."""
    config = stack_config()
    config["mlops-iac:region"] = "eu-west-1"

    def run() -> None:
        runtime_config.set_all_config(config, ["mlops-iac:region"])
        with pytest.raises(SettingsError, match=r"mlops-iac:region: must not be a secret"):
            load_settings()

    contextvars.copy_context().run(run)


def test_a_misspelled_namespace_is_not_ignored() -> None:
    config = stack_config()
    config["mlops_iac:retention"] = "protected"
    config["aws:region"] = "eu-west-1"  # other namespaces stay allowed
    assert problems(config) == [
        "mlops_iac:retention: namespace 'mlops_iac' is not 'mlops-iac', so this setting would "
        "be ignored; did you mean mlops-iac:retention?"
    ]


# -- through the real program: nothing is registered -------------------------------------


@pytest.fixture
def recorders(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every recorder the runner creates, to count what was registered."""
    created: list[Any] = []

    class Counting(runner.Recorder):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            created.append(self)

    monkeypatch.setattr(runner, "Recorder", Counting)
    return created


def project_copy(tmp_path: Path, stack: str, edit: Callable[[str], str]) -> Path:
    """The repository's project with ``Pulumi.<stack>.yaml`` edited."""
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    stack_file = tmp_path / "stacks" / f"Pulumi.{stack}.yaml"
    text = stack_file.read_text()
    changed = edit(text)
    assert changed != text
    stack_file.write_text(changed)
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "      network:\n        availability_zones: 3\n",
            "      network:\n        availability_zones: 3\n        cidr_block: 10.40.0.1/16\n",
            f"{ARCH}.network.cidr_block: has host bits set; did you mean 10.40.0.0/16?",
        ),
        (
            "alarm_emails: [ml-platform-oncall@example.com]",
            "alarm_emails: [ml-platform-oncall@example.com, ML-Platform-Oncall@example.com]",
            f"{ARCH}.monitoring.alarm_emails: [1] 'ML-Platform-Oncall@example.com' is listed twice",
        ),
        (
            "          threshold: 0.8\n",
            "          threshold: 7\n",
            f"{ARCH}.pipeline.evaluation.threshold: auc lies in [0, 1]",
        ),
        (
            "        token_secret_arn: arn:aws:secretsmanager:eu-west-1:333333333333:secret:"
            "mlops/github-promotion-Ij56Kl\n",
            "        token_secret_arn:\n          secure: v1:c2FsdA==:Y2lwaGVydGV4dA==\n",
            f"{ARCH}.promotion.token_secret_arn: must not be a secret",
        ),
    ],
)
def test_bad_settings_stop_the_program_before_any_resource(
    tmp_path: Path, recorders: list[Any], old: str, new: str, problem: str
) -> None:
    project = project_copy(tmp_path, "aws-prod", lambda text: text.replace(old, new))
    with pytest.raises(SettingsError) as caught:
        runner.plan_stack(project, "aws-prod")
    assert isinstance(caught.value, pulumi.RunError)
    assert f"\n  - {problem}" in str(caught.value)
    assert "[secret]" not in str(caught.value)
    [recorder] = recorders
    assert recorder.records == {}

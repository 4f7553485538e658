"""How a training pipeline judges a model: which metric, which way is better, and the
range its threshold must lie in. Cloud-neutral: SageMaker Pipelines, Vertex AI
Pipelines and Azure ML pipelines all gate registration on a metric read from the
evaluation step's output."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from .base import Strict


class MetricComparison(StrEnum):
    """How the metric is compared with ``threshold`` before a model is registered.

    - ``greater_or_equal``: higher is better (AUC, accuracy, F1); a model is registered
      when ``metric >= threshold``.
    - ``less_or_equal``: lower is better (losses, errors); a model is registered when
      ``metric <= threshold``.
    """

    GREATER_OR_EQUAL = "greater_or_equal"
    LESS_OR_EQUAL = "less_or_equal"


class KnownMetric(NamedTuple):
    comparison: MetricComparison
    minimum: float | None
    maximum: float | None


_FRACTION_UP = KnownMetric(MetricComparison.GREATER_OR_EQUAL, 0.0, 1.0)
_FRACTION_DOWN = KnownMetric(MetricComparison.LESS_OR_EQUAL, 0.0, 1.0)
_ERROR = KnownMetric(MetricComparison.LESS_OR_EQUAL, 0.0, None)

KNOWN_METRICS: dict[str, KnownMetric] = {
    # Fractions where higher is better: classification quality (the names SageMaker
    # Model Quality and scikit-learn report).
    **dict.fromkeys(
        (
            "auc",
            "roc_auc",
            "pr_auc",
            "au_prc",
            "average_precision",
            "accuracy",
            "balanced_accuracy",
            "f0_5",
            "f1",
            "f1_score",
            "f2",
            "precision",
            "recall",
            "true_positive_rate",
            "true_negative_rate",
        ),
        _FRACTION_UP,
    ),
    # Fractions where lower is better.
    **dict.fromkeys(("false_positive_rate", "false_negative_rate"), _FRACTION_DOWN),
    # Errors: non-negative, lower is better.
    **dict.fromkeys(("mae", "mse", "rmse", "log_loss", "logloss"), _ERROR),
    # Coefficient of determination: at most 1, higher is better.
    "r2": KnownMetric(MetricComparison.GREATER_OR_EQUAL, None, 1.0),
}
"""Metrics whose direction and range are known from their name alone."""

METRIC_PATH_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])*$"
"""A JSON path into the evaluation report such as ``metrics.auc.value`` or
``regression_metrics.mse.value``."""


def metric_name(metric_path: str) -> str:
    """The metric a path names: its last key other than ``value`` (SageMaker's
    evaluation reports put each metric's number under ``<metric>.value``), lower-case."""
    keys = [k for k in metric_path.replace("[", ".[").split(".") if k and not k.startswith("[")]
    if len(keys) > 1 and keys[-1] == "value":
        keys.pop()
    return keys[-1].lower() if keys else ""


class MetricSettings(Strict):
    """Which way the metric is better and the range it can take.

    For a well-known metric (``KNOWN_METRICS``: auc, accuracy, f1, precision, recall,
    ... in [0, 1], higher is better; mae, mse, rmse, log_loss, at least 0, lower is
    better; r2 at most 1, higher is better) everything defaults from the name in
    ``metric_path``; for any other metric ``comparison`` must be given. ``minimum`` and
    ``maximum`` may widen or narrow a known range (accuracy reported in percent:
    ``maximum: 100``); ``null`` means unbounded.
    """

    comparison: MetricComparison = Field(
        description="greater_or_equal (higher is better) or less_or_equal (lower is "
        "better). Defaults from the metric's name for well-known metrics."
    )
    minimum: float | None = Field(
        default=None, description="Lowest value the metric can take; null: unbounded."
    )
    maximum: float | None = Field(
        default=None, description="Highest value the metric can take; null: unbounded."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and low >= high:
            raise ValueError("minimum must be below maximum")
        return self

    def range_text(self) -> str:
        low = "-inf" if self.minimum is None else f"{self.minimum:g}"
        high = "inf" if self.maximum is None else f"{self.maximum:g}"
        return f"[{low}, {high}]"

    def contains(self, value: float) -> bool:
        return (self.minimum is None or value >= self.minimum) and (
            self.maximum is None or value <= self.maximum
        )


def complete_metric(metric_path: str | None, given: Any) -> Any:
    """``metric`` with the defaults of the metric ``metric_path`` names filled in.

    Raises ``PydanticCustomError`` when the metric is not well known and no comparison
    is given, or when a given comparison contradicts a well-known metric's direction.
    Anything that is not a mapping is returned as given for the model to reject.
    """
    if isinstance(given, MetricSettings):
        given = given.model_dump(exclude_unset=True)
    if given is None:
        given = {}
    if not isinstance(given, dict):
        return given
    if metric_path is None:
        # metric_path itself is invalid and reported; fill in a comparison so that the
        # report does not also claim one is missing.
        return {"comparison": MetricComparison.GREATER_OR_EQUAL, **given}
    name = metric_name(metric_path)
    known = KNOWN_METRICS.get(name)
    if known is None:
        if "comparison" not in given:
            raise PydanticCustomError(
                "metric_comparison_needed",
                "metric_path names '{name}', which is not a well-known metric: set "
                "metric.comparison to greater_or_equal (higher is better) or less_or_equal "
                "(lower is better)",
                {"name": name},
            )
        return given
    comparison = given.get("comparison", known.comparison)
    if str(comparison) != known.comparison.value:
        raise PydanticCustomError(
            "metric_comparison_contradicts",
            "{name} is better when {direction}: metric.comparison must be {expected} "
            "(or leave it out)",
            {
                "name": name,
                "direction": "higher"
                if known.comparison is MetricComparison.GREATER_OR_EQUAL
                else "lower",
                "expected": known.comparison.value,
            },
        )
    return {
        "comparison": comparison,
        "minimum": given.get("minimum", known.minimum),
        "maximum": given.get("maximum", known.maximum),
        **{k: v for k, v in given.items() if k not in ("comparison", "minimum", "maximum")},
    }

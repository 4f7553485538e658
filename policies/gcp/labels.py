"""Cost-allocation labels on every labelable Google Cloud resource, within Google's
rules for label keys and values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, is_unknown, raw, resource_rule, string_list_schema
from ..tagging import REQUIRED_KEYS, present, provider_map
from .labelable import labelable_types

MAX_LABELS = 64
MAX_LENGTH = 63
"""Google Cloud's label requirements
(https://cloud.google.com/resource-manager/docs/labels-overview#requirements): at most
64 labels per resource; keys 1-63 characters, starting with a lowercase letter or an
international character; keys and values only lowercase letters, international
characters, digits, ``_`` and ``-``; values 0-63 characters."""


def _allowed(char: str) -> bool:
    """Lowercase letters and international characters (letters with no case count),
    digits, underscore and dash."""
    return char in "_-" or char.isdigit() or (char.isalpha() and not char.isupper())


def key_problem(key: str) -> str | None:
    """Why ``key`` is not a valid label key, or ``None``."""
    if not 1 <= len(key) <= MAX_LENGTH:
        return f"label key {key!r} must be 1-{MAX_LENGTH} characters"
    if not (key[0].isalpha() and not key[0].isupper()):
        return f"label key {key!r} must start with a lowercase letter"
    if not all(_allowed(c) for c in key):
        return f"label key {key!r} may contain only lowercase letters, digits, '_' and '-'"
    return None


def value_problem(key: str, value: Any) -> str | None:
    """Why the value of ``key`` is not a valid label value, or ``None`` (unknown values
    are checked when they are known)."""
    if value is None or is_unknown(value):
        return None
    text = str(value)
    if len(text) > MAX_LENGTH:
        return f"label {key!r} has a value longer than {MAX_LENGTH} characters"
    if not all(_allowed(c) for c in text):
        return (
            f"label {key!r} has value {text!r}; values may contain only lowercase letters, "
            "digits, '_' and '-'"
        )
    return None


def _computed(args: ResourceValidationArgs) -> dict[str, Any]:
    """``pulumiLabels`` (labels merged over the provider's defaults), else
    ``effectiveLabels``, when the engine already knows them."""
    props = raw(args.props)
    for key in ("pulumiLabels", "effectiveLabels"):
        value = props.get(key)
        if isinstance(value, Mapping):
            return dict(raw(value))
    return {}


@resource_rule(
    name="gcp-resource-require-cost-allocation-labels",
    description=(
        "Every labelable Google Cloud resource must carry the cost-allocation labels, "
        "with keys and values Google Cloud accepts."
    ),
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set the labels on the resource (the components merge them from stack settings) or "
        "the provider's default_labels (gcp:defaultLabels); use lowercase keys and values "
        "of at most 63 letters, digits, '_' and '-'."
    ),
    references=[
        "none (project rule: billing exports group costs by label, and no public control "
        "requires labels on these resources)"
    ],
    resource_types=sorted(labelable_types()),
    config_schema={
        "requiredLabels": string_list_schema(
            "Label keys every resource needs (non-empty values).", REQUIRED_KEYS
        )
    },
)
def cost_allocation_labels(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Billing exports and budgets group spend by label: an unlabelled resource cannot be
    charged back to a team or model. Labels come from the resource's labels input
    (``labels``; ``resourceLabels`` on a GKE cluster) merged over the provider's
    ``defaultLabels`` (and the computed ``pulumiLabels`` when known), as the provider
    merges them; an unknown label map fails closed. A key or value Google Cloud rejects
    fails the deployment, so it is reported here first."""
    labels: dict[str, Any] = provider_map(args, "defaultLabels")
    labels.update(_computed(args))
    field = labelable_types().get(args.resource_type, "labels")
    value = args.props.get(field)  # an unknown label map fails closed
    if isinstance(value, Mapping):
        labels.update(raw(value))
    missing = [key for key in config["requiredLabels"] if not present(labels.get(key))]
    if missing:
        yield f"missing or empty labels: {', '.join(missing)}."
    problems = [p for key in labels for p in (key_problem(str(key)),) if p]
    problems += [p for key, v in labels.items() for p in (value_problem(str(key), v),) if p]
    if len(labels) > MAX_LABELS:
        problems.append(f"{len(labels)} labels; Google Cloud allows at most {MAX_LABELS}")
    for problem in problems:
        yield f"{problem}."

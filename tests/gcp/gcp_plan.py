"""Shared by the GCP block tests (``from gcp_plan import ...``): the one place that
imports the preview runner, so a move of the preview package is a one-line change here."""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable

from mlops_components.tags import merge_tags
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import Recording, run_program

PROJECT = "mlops-gcp-test"
REGION = "europe-west4"
PROJECT_NUMBER = "123456789012"

LABELS = merge_tags(
    {"project": "mlops-iac", "environment": "dev", "managed-by": "pulumi", "owner": "ml"},
    component="test",
)


def plan(program: Callable[[], None]) -> Recording:
    """Run ``program`` under the plan mocks with a GCP project and region."""
    return run_program(
        program,
        config={"gcp:project": PROJECT, "gcp:region": REGION},
        region=REGION,
    )


@functools.cache
def labelable(type_token: str) -> str | None:
    """The argument that carries resource labels for ``type_token`` (``labels``, or
    ``user_labels`` where ``labels`` is configuration), read from the SDK class."""
    pkg, module, cls_name = type_token.split(":")
    if pkg != "gcp":
        return None
    sdk = importlib.import_module(f"pulumi_gcp.{module.split('/')[0]}")
    params = inspect.signature(getattr(sdk, cls_name)._internal_init).parameters
    if type_token == "gcp:monitoring/notificationChannel:NotificationChannel":
        return "userLabels"
    return "labels" if "labels" in params else None


def children(rec: Recording, component: RecordedResource) -> list[RecordedResource]:
    return [r for r in rec.children_of(component.urn) if r.custom]


def assert_labelled(rec: Recording, component: RecordedResource) -> None:
    """Every labelable child carries exactly the given labels."""
    checked = 0
    for resource in children(rec, component):
        key = labelable(resource.type)
        if key is None:
            continue
        checked += 1
        assert resource.inputs.get(key) == LABELS, f"{resource.type} {resource.name}"
    assert checked, "no labelable child"


__all__ = [
    "LABELS",
    "PROJECT",
    "PROJECT_NUMBER",
    "REGION",
    "RecordedResource",
    "Recording",
    "assert_labelled",
    "children",
    "plan",
]

"""What the Azure block tests share: the plan runner (the one import to change when the
preview moves to its own package), merged tags, the mocks' Azure identity, and checks
over a component's children."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from typing import Any

import pulumi
from mlops_components.tags import merge_tags
from mlops_preview.mocks import AZURE_SUBSCRIPTION_ID, AZURE_TENANT_ID
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import Recording, run_program

__all__ = [
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_TENANT_ID",
    "GROUP",
    "LOCATION",
    "TAGS",
    "RecordedResource",
    "Recording",
    "assert_tagged",
    "capture",
    "children",
    "is_guid",
    "plan",
    "role_definition",
]

GROUP = "rg-mlops-test"
LOCATION = "westeurope"
TAGS = merge_tags(
    {"project": "mlops-iac", "environment": "dev", "managed-by": "pulumi", "owner": "ml"},
    component="test",
)


def plan(program: Callable[[], None]) -> Recording:
    """Run ``program`` under the plan mocks; no warnings allowed (deprecations)."""
    rec = run_program(program, config={"azure-native:location": LOCATION})
    assert rec.warnings == []
    return rec


def children(rec: Recording, token: str, name: str) -> list[tuple[str, str]]:
    """``(type, name)`` of the direct children of component ``token`` named ``name``."""
    component = rec.one(token, name)
    return sorted((r.type, r.name) for r in rec.children_of(component.urn))


def taggable(type_token: str) -> bool:
    """Whether the azure-native class behind ``type_token`` takes ``tags``."""
    import importlib

    _, module, cls_name = type_token.split(":")
    cls = getattr(importlib.import_module(f"pulumi_azure_native.{module}"), cls_name)
    return "tags" in inspect.signature(cls._internal_init).parameters


def assert_tagged(rec: Recording, token: str, name: str) -> None:
    """Every taggable child of the component carries exactly ``TAGS``."""
    component = rec.one(token, name)
    checked = [r for r in rec.children_of(component.urn) if r.custom and taggable(r.type)]
    assert checked
    for resource in checked:
        assert resource.inputs.get("tags") == TAGS, f"{resource.type} {resource.name}"


def is_guid(value: str, version: int | None = None) -> bool:
    parsed = uuid.UUID(value)
    return version is None or parsed.version == version


def role_definition(guid: str) -> str:
    return (
        f"/subscriptions/{AZURE_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/"
        f"roleDefinitions/{guid}"
    )


def capture(into: dict[str, Any], **outputs: pulumi.Output[Any]) -> None:
    """Store the resolved values of a component's outputs in ``into`` (the plan waits for
    every ``apply``), for tests of the flat outputs."""
    for key, output in outputs.items():
        output.apply(lambda value, key=key: into.__setitem__(key, value))

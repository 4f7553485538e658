"""Helpers shared by the tests (``tests/`` is on ``sys.path``, see pyproject.toml):
tags, a component's subtree, taggability, policy documents."""

from __future__ import annotations

import functools
import importlib
import inspect
import json
from typing import Any

from mlops_components.preview.recorder import RecordedResource
from mlops_components.preview.runner import Recording
from mlops_components.tags import merge_tags

ACCOUNT_ID = "123456789012"
"""The account the plan mocks answer ``getCallerIdentity`` with."""

TAGS = merge_tags(
    {"project": "mlops-iac", "environment": "dev", "managed-by": "pulumi", "owner": "ml"},
    component="test",
)


@functools.cache
def taggable(type_token: str) -> bool:
    """Whether the provider resource behind ``type_token`` takes a ``tags`` argument,
    read from the SDK class itself so a new child cannot be missed."""
    pkg, module, cls_name = type_token.split(":")
    if pkg != "aws":
        return False
    sdk = importlib.import_module(f"pulumi_aws.{module.split('/')[0]}")
    cls = getattr(sdk, cls_name)
    return "tags" in inspect.signature(cls._internal_init).parameters


def subtree(rec: Recording, component: RecordedResource) -> list[RecordedResource]:
    """Every resource below ``component`` (children, grandchildren ...)."""
    found: list[RecordedResource] = []
    frontier = [component.urn]
    while frontier:
        urn = frontier.pop()
        for child in rec.children_of(urn):
            found.append(child)
            frontier.append(child.urn)
    return found


def custom_children(rec: Recording, component: RecordedResource) -> list[RecordedResource]:
    return [r for r in rec.children_of(component.urn) if r.custom]


def assert_tagged(rec: Recording, component: RecordedResource) -> None:
    """Every taggable resource under ``component`` carries exactly the given tags."""
    checked = [r for r in subtree(rec, component) if r.custom and taggable(r.type)]
    assert checked, "no taggable child found"
    for resource in checked:
        assert resource.inputs.get("tags") == TAGS, f"{resource.type} {resource.name}"


def document(resource: RecordedResource, key: str = "policy") -> dict[str, Any]:
    """A JSON policy input parsed."""
    return json.loads(resource.inputs[key])


def statement(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    found = [s for s in doc["Statement"] if s.get("Sid") == sid]
    assert len(found) == 1, f"statement {sid!r}: {doc}"
    return found[0]

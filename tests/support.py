"""Helpers shared by the tests (``tests/`` is on ``sys.path``, see pyproject.toml):
tags, a component's subtree, taggability, policy documents."""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import json
import keyword
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2
from mlops_components.tags import merge_tags
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import Recording
from pulumi.runtime import proto

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
    packages = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native"}
    if pkg not in packages:
        return False
    folder = module.split("/")[0]
    # Python keywords get a trailing underscore in the SDKs (pulumi_aws.lambda_).
    folder += "_" if keyword.iskeyword(folder) else ""
    sdk = importlib.import_module(f"{packages[pkg]}.{folder}")
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


# -- policy packs served as the Pulumi CLI serves them ---------------------------------

POLICIES_DIR = Path(__file__).resolve().parents[1] / "policies"
PACK_STARTUP_TIMEOUT = 60.0
ENFORCEMENT_LEVELS = {
    "advisory": proto.ADVISORY,
    "mandatory": proto.MANDATORY,
    "remediate": proto.REMEDIATE,
    "disabled": proto.DISABLED,
}


@contextlib.contextmanager
def running_pack(pack: str) -> Iterator[int]:
    """Start a policy pack the way the CLI's Python language host does
    (``python -u -m pulumi.policy <engine> <pack dir>``) and yield the analyzer port it
    prints; the process is killed afterwards. Startup is bounded by a timeout."""
    pack_dir = POLICIES_DIR / pack
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(pack_dir)],
        cwd=pack_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line: list[str] = []

        def read() -> None:
            assert process.stdout is not None
            line.append(process.stdout.readline())

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(PACK_STARTUP_TIMEOUT)
        if not line or not line[0].strip().isdigit():
            process.kill()
            _, stderr = process.communicate(timeout=10)
            raise AssertionError(
                f"{pack} did not print its port within {PACK_STARTUP_TIMEOUT}s: {line!r}\n{stderr}"
            )
        yield int(line[0])
    finally:
        process.kill()
        process.communicate(timeout=10)


def policy_config_message(environment: str, pack: str) -> dict[str, Any]:
    """What the CLI sends to ``Configure``: every policy's reconciled level and properties
    from ``policies/config/<environment>.json``."""
    from mlops_policies.evaluation import config_path_for, load_policy_config, resolve_config
    from mlops_policies.registry import pack_rules

    resolved = resolve_config(load_policy_config(config_path_for(environment)), pack_rules(pack))
    configs: dict[str, Any] = {}
    for name, entry in resolved.items():
        properties = struct_pb2.Struct()
        properties.update(entry.config)
        configs[name] = proto.PolicyConfig(
            enforcementLevel=ENFORCEMENT_LEVELS[entry.enforcement.value], properties=properties
        )
    return configs


# -- Node readers (package.json, installed by `make node-tools`) -------------------------

ROOT = Path(__file__).resolve().parents[1]
ASL_VALIDATOR = ROOT / "node_modules" / ".bin" / "asl-validator"


@functools.cache
def node_tools() -> Path:
    """``node_modules/.bin``, installed from package-lock.json with ``npm ci`` when
    missing (``make test`` does it first; a bare ``pytest`` gets it here)."""
    if not ASL_VALIDATOR.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ROOT,
            check=True,
            timeout=600,
        )
    return ASL_VALIDATOR.parent


def asl_problems(definition: str) -> str:
    """``asl-validator``'s report on a state machine definition (JSON text); empty when
    it is valid. Its checks include the schema of every state, reachable states,
    transition targets, JSONPaths and Resource ARNs."""
    result = subprocess.run(
        [str(node_tools() / "asl-validator"), "--json-definition", definition],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return "" if result.returncode == 0 else result.stdout + result.stderr

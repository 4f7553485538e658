"""The offline evaluator and the packs served over gRPC agree, resource by resource.

Both packs are started as the Pulumi CLI starts them and configured with an
environment's policy config; every resource of a plan is sent to ``Analyze`` and the
whole plan to ``AnalyzeStack``, as the engine does during ``pulumi preview``. The
violations must be exactly those ``mlops-iac plan`` reports for the same resources.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2
from mlops_policies.evaluation import (
    as_engine_values,
    config_path_for,
    evaluate,
    load_policy_config,
)
from mlops_policies.registry import PACKS
from mlops_preview.runner import Recording, plan_stack
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from support import ENFORCEMENT_LEVELS, policy_config_message, running_pack

ROOT = Path(__file__).resolve().parents[2]
LEVEL_NAMES = {number: name for name, number in ENFORCEMENT_LEVELS.items()}


@cache
def planned(project: Path, stack: str) -> Recording:
    return plan_stack(project, stack)


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(as_engine_values(values))
    return message


def provider_of(
    recording: Recording, reference: str | None
) -> proto.AnalyzerProviderResource | None:
    if not reference:
        return None
    urn = reference.rsplit("::", 1)[0]
    found = recording.get(urn)
    if found is None:
        return None
    return proto.AnalyzerProviderResource(
        type=found.type, properties=struct(found.inputs), urn=found.urn, name=found.name
    )


def options(resource: Any) -> proto.AnalyzerResourceOptions:
    return proto.AnalyzerResourceOptions(protect=resource.protect, parent=resource.parent or "")


def served(recording: Recording, environment: str) -> set[tuple[str, str, str]]:
    """(policy, urn, enforcement) of every diagnostic both packs return."""
    found: set[tuple[str, str, str]] = set()
    for pack in sorted(PACKS):
        with running_pack(pack) as port, grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = analyzer_pb2_grpc.AnalyzerStub(channel)
            stub.Configure(
                proto.ConfigureAnalyzerRequest(
                    policyConfig=policy_config_message(environment, pack)
                ),
                timeout=30,
            )
            diagnostics = []
            for r in recording.resources:
                response = stub.Analyze(
                    proto.AnalyzeRequest(
                        type=r.type,
                        properties=struct(r.inputs),
                        urn=r.urn,
                        name=r.name,
                        options=options(r),
                        provider=provider_of(recording, r.provider),
                    ),
                    timeout=30,
                )
                diagnostics += [(d, r.urn) for d in response.diagnostics]
            response = stub.AnalyzeStack(
                proto.AnalyzeStackRequest(
                    resources=[
                        proto.AnalyzerResource(
                            type=r.type,
                            properties=struct(r.inputs),
                            urn=r.urn,
                            name=r.name,
                            options=options(r),
                            provider=provider_of(recording, r.provider),
                            parent=r.parent or "",
                            dependencies=r.dependencies,
                        )
                        for r in recording.resources
                    ]
                ),
                timeout=60,
            )
            diagnostics += [(d, d.urn) for d in response.diagnostics]
            for diagnostic, urn in diagnostics:
                found.add(
                    (
                        diagnostic.policyName,
                        diagnostic.urn or urn,
                        LEVEL_NAMES[diagnostic.enforcementLevel],
                    )
                )
    return found


def offline(recording: Recording, environment: str) -> set[tuple[str, str, str]]:
    result = evaluate(
        [r.to_json() for r in recording.resources],
        load_policy_config(config_path_for(environment)),
        project=recording.project,
        stack=recording.stack,
    )
    return {(v.policy, v.urn or "", v.enforcement) for v in result.violations}


@pytest.mark.parametrize(
    ("project", "stack", "environment"),
    [
        (ROOT, "aws-dev", "dev"),
        (ROOT, "aws-prod", "prod"),
        (ROOT / "tests" / "fixtures" / "programs" / "noncompliant", "dev", "dev"),
    ],
)
def test_packs_report_what_the_plan_reports(project: Path, stack: str, environment: str) -> None:
    recording = planned(project, stack)
    expected = offline(recording, environment)
    assert served(recording, environment) == expected
    if stack.startswith("aws-"):
        assert not [v for v in expected if v[2] == "mandatory"]
    else:
        assert len({urn for _, urn, level in expected if level == "mandatory"}) >= 11

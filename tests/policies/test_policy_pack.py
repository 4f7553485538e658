"""The packs' ``__main__.py``: a valid PolicyPack definition without blocking (in-process,
with PolicyPack replaced), and a bounded smoke test that starts the pack the way the CLI's
Python language host does (``python -u -m pulumi.policy <engine> <pack dir>``), reads the
analyzer port from stdout and talks gRPC to it."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any, ClassVar

import grpc
import pulumi_policy
import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from mlops_policies.registry import PACKS, pack_rules
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy.policy import _PolicyAnalyzerServicer
from support import policy_config_message, running_pack

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"
STARTUP_TIMEOUT = 60.0


class FakePolicyPack:
    """Records the arguments instead of starting a server that blocks forever."""

    created: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, name: str, policies: list[Any], **kwargs: Any) -> None:
        FakePolicyPack.created.append({"name": name, "policies": policies, **kwargs})


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_pack_main_builds_a_valid_policy_pack(pack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    FakePolicyPack.created.clear()
    monkeypatch.setattr(pulumi_policy, "PolicyPack", FakePolicyPack)
    runpy.run_path(str(POLICIES_DIR / pack / "__main__.py"), run_name="__main__")
    [arguments] = FakePolicyPack.created
    assert arguments["name"] == pack
    # The servicer the real PolicyPack would serve: its GetAnalyzerInfo is what the CLI reads.
    servicer = _PolicyAnalyzerServicer(
        arguments["name"],
        "0.1.0",
        arguments["policies"],
        pulumi_policy.EnforcementLevel.ADVISORY,
        None,
        arguments.get("description"),
        arguments.get("display_name"),
        None,
        arguments.get("provider"),
        arguments.get("tags"),
        None,
    )
    info = servicer.GetAnalyzerInfo(None, None)
    rules = pack_rules(pack)
    assert [p.name for p in info.policies] == [r.name for r in rules]
    for policy_info, rule in zip(info.policies, rules, strict=True):
        assert policy_info.enforcementLevel == servicer._map_enforcement_level(rule.enforcement)
        assert policy_info.remediation_steps == rule.remediation
        assert set(policy_info.configSchema.properties) == set(rule.full_schema)


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_pulumi_policy_yaml_runs_python_in_the_project_venv(pack: str) -> None:
    project = yaml.safe_load((POLICIES_DIR / pack / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    venv = (POLICIES_DIR / pack / project["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == (POLICIES_DIR.parent / ".venv").resolve()
    assert (POLICIES_DIR / pack / "requirements.txt").is_file()


def test_security_pack_serves_the_analyzer_protocol() -> None:
    with (
        running_pack("mlops-security") as port,
        grpc.insecure_channel(f"127.0.0.1:{port}") as channel,
    ):
        stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
        assert info.name == "mlops-security"
        assert len(info.policies) >= 40
        stub.Configure(
            proto.ConfigureAnalyzerRequest(
                policyConfig=policy_config_message("dev", "mlops-security")
            ),
            timeout=30,
        )
        properties = struct_pb2.Struct()
        properties.update(
            {
                "directInternetAccess": "Enabled",
                "rootAccess": "Disabled",
                "instanceType": "ml.t3.medium",
            }
        )
        response = stub.Analyze(
            proto.AnalyzeRequest(
                type="aws:sagemaker/notebookInstance:NotebookInstance",
                properties=properties,
                urn="urn:pulumi:dev::mlops-iac::aws:sagemaker/notebookInstance:NotebookInstance::nb",
                name="nb",
            ),
            timeout=30,
        )
        found = {d.policyName: d for d in response.diagnostics}
        direct = found["aws-sagemaker-notebook-disallow-direct-internet"]
        assert direct.enforcementLevel == proto.MANDATORY
        assert "directInternetAccess is Enabled" in direct.message
        assert "aws-sagemaker-notebook-disallow-root-access" not in found

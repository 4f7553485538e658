"""The packs' ``__main__.py``: a valid PolicyPack definition without blocking (in-process,
with PolicyPack replaced), and a bounded smoke test that starts the pack the way the CLI's
Python language host does (``python -u -m pulumi.policy <engine> <pack dir>``), reads the
analyzer port from stdout and talks gRPC to it."""

from __future__ import annotations

import runpy
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, ClassVar

import grpc
import pulumi_policy
import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from mlops_policies.evaluation import config_path_for, load_policy_config, resolve_config
from mlops_policies.registry import PACKS, pack_rules
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy.policy import _PolicyAnalyzerServicer

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


def _read_port(process: subprocess.Popen[str]) -> int:
    result: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        result.append(process.stdout.readline())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(STARTUP_TIMEOUT)
    if not result or not result[0].strip().isdigit():
        process.kill()
        _, stderr = process.communicate(timeout=10)
        pytest.fail(f"pack did not print its port within {STARTUP_TIMEOUT}s: {result!r}\n{stderr}")
    return int(result[0])


def _policy_config(environment: str, pack: str) -> dict[str, Any]:
    """What the CLI sends to Configure: every policy's reconciled level and properties."""
    resolved = resolve_config(load_policy_config(config_path_for(environment)), pack_rules(pack))
    configs: dict[str, Any] = {}
    for name, entry in resolved.items():
        properties = struct_pb2.Struct()
        properties.update(entry.config)
        level = {
            "advisory": proto.ADVISORY,
            "mandatory": proto.MANDATORY,
            "remediate": proto.REMEDIATE,
            "disabled": proto.DISABLED,
        }
        configs[name] = proto.PolicyConfig(
            enforcementLevel=level[entry.enforcement.value], properties=properties
        )
    return configs


def test_security_pack_serves_the_analyzer_protocol() -> None:
    pack_dir = POLICIES_DIR / "mlops-security"
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(pack_dir)],
        cwd=pack_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = _read_port(process)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
            assert info.name == "mlops-security"
            assert len(info.policies) >= 40
            stub.Configure(
                proto.ConfigureAnalyzerRequest(
                    policyConfig=_policy_config("dev", "mlops-security")
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
    finally:
        process.kill()
        process.communicate(timeout=10)

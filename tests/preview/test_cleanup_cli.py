"""mlops-iac cleanup-script: the project's stacks and outputs as `pulumi stack output
--json` prints them, to a script per stack; errors without tracebacks."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mlops_preview.cli import main
from mlops_preview.report import no_policies

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "d-abc123def456"
OUTPUTS: dict[str, Any] = {
    "sagemaker_artifacts_bucket": "sagemaker-artifacts-6e8e872",
    "sagemaker_data_bucket": "sagemaker-data-b9170a7",
    "sagemaker_endpoint": "mlops-dev-endpoint",
    "sagemaker_pipeline": "mlops-dev-pipeline",
    "sagemaker_model_package_group": "mlops-dev-models",
    "sagemaker_vpc": "vpc-0a1b2c3d4e5f60718",
    "sagemaker_workload_security_group": "sg-0a1b2c3d4e5f60718",
    "sagemaker_studio_domain": DOMAIN,
    "sagemaker_studio_domain_arn": f"arn:aws:sagemaker:eu-west-1:111111111111:domain/{DOMAIN}",
    "sagemaker_studio_home_efs": "fs-0a1b2c3d4e5f60718",
    "sagemaker_studio_domain_urn": "urn:pulumi:aws-dev::mlops-iac::mlops:aws:SageMakerCiCd$aws:sagemaker/domain:Domain::sagemaker-studio",
}


def run(*args: str) -> int:
    return main(["cleanup-script", *args, "--program", str(ROOT)], evaluate=no_policies)


def outputs_file(tmp_path: Path, outputs: dict[str, Any]) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    return path


def test_dev_script_is_written_executable_with_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "out" / "cleanup.sh"
    assert (
        run("aws-dev", "--outputs", str(outputs_file(tmp_path, OUTPUTS)), "--out", str(script)) == 0
    )
    assert script.stat().st_mode & 0o777 == 0o755
    subprocess.run(["bash", "-n", str(script)], check=True)
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"cleanup script for aws-dev written to {script}:",
        "  prepare: use_region eu-west-1",
        "  prepare: stop_pipeline_executions mlops-dev-pipeline",
        f"  prepare: delete_studio_apps {DOMAIN}",
        f"  prepare: delete_studio_spaces {DOMAIN}",
        f"  prepare: delete_studio_user_profiles {DOMAIN}",
        # dev's registry is shared with staging and prod, so it is protected and its
        # versions stay (SageMakerCiCd._shared_retention).
        "  release-network: use_region eu-west-1",
        f"  release-network: require_domain_deleted {DOMAIN}",
        "  release-network: delete_studio_mount_targets fs-0a1b2c3d4e5f60718 "
        + OUTPUTS["sagemaker_studio_domain_arn"],
        "  release-network: delete_studio_home_file_system fs-0a1b2c3d4e5f60718 "
        + OUTPUTS["sagemaker_studio_domain_arn"],
        f"  release-network: delete_studio_nfs_security_groups vpc-0a1b2c3d4e5f60718 {DOMAIN} "
        + OUTPUTS["sagemaker_studio_domain_arn"],
        "  release-network: delete_detached_interfaces vpc-0a1b2c3d4e5f60718 sg-0a1b2c3d4e5f60718",
    ]


@pytest.mark.parametrize("stack", ["aws-staging", "aws-prod"])
def test_protected_stacks_only_stop_executions_and_free_the_network(
    stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {k: v for k, v in OUTPUTS.items() if not k.startswith("sagemaker_studio")}
    assert run(stack, "--outputs", str(outputs_file(tmp_path, outputs))) == 0
    script = capsys.readouterr().out
    body = script[script.index("phase_prepare() {") : script.index("usage() {")]
    assert body == (
        "phase_prepare() {\n"
        "  use_region eu-west-1\n"
        "  stop_pipeline_executions mlops-dev-pipeline\n"
        "}\n\n"
        "phase_release_network() {\n"
        "  use_region eu-west-1\n"
        "  delete_detached_interfaces vpc-0a1b2c3d4e5f60718 sg-0a1b2c3d4e5f60718\n"
        "}\n\n"
    )


def test_outputs_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(OUTPUTS)))
    assert run("aws-dev", "--outputs", "-") == 0
    assert "  delete_studio_apps d-" in capsys.readouterr().out


def test_missing_outputs_are_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = {k: v for k, v in OUTPUTS.items() if k != "sagemaker_studio_home_efs"}
    assert run("aws-dev", "--outputs", str(outputs_file(tmp_path, outputs))) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "error: stack 'aws-dev': the stack outputs lack sagemaker_studio_home_efs"
    )
    assert "Traceback" not in err


def test_invalid_outputs_are_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = OUTPUTS | {"sagemaker_vpc": "vpc-$(reboot)"}
    assert run("aws-dev", "--outputs", str(outputs_file(tmp_path, outputs))) == 2
    assert "vpc_id: 'vpc-$(reboot)' does not match" in capsys.readouterr().err

    not_an_object = tmp_path / "list.json"
    not_an_object.write_text("[]")
    assert run("aws-dev", "--outputs", str(not_an_object)) == 2
    assert "expected the JSON object" in capsys.readouterr().err


def test_unknown_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("aws-nowhere", "--outputs", str(outputs_file(tmp_path, OUTPUTS))) == 2
    assert "stack 'aws-nowhere' has no config file" in capsys.readouterr().err

"""mlops-iac plan: output, exit codes and error messages without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mlops_preview.cli import main
from mlops_preview.report import PolicyReport, Violation, no_policies
from mlops_preview.runner import Recording


def test_markdown_to_stdout(fixture_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "dev", "--program", str(fixture_dir)], evaluate=no_policies) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# Plan: `fixture` / `dev`\n")
    assert "```mermaid\nflowchart LR\n" in out
    assert err == ""


def test_json_to_stdout_is_the_report(
    fixture_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["plan", "dev", "--program", str(fixture_dir), "--format", "json"], evaluate=no_policies
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["schema_version"] == 1 and len(report["resources"]) == 4


def test_out_writes_file_and_prints_summary(
    fixture_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "reports" / "dev.json"
    assert (
        main(
            [
                "plan",
                "dev",
                "--program",
                str(fixture_dir),
                "--format",
                "json",
                "--out",
                str(out_file),
            ],
            evaluate=no_policies,
        )
        == 0
    )
    assert json.loads(out_file.read_text())["stack"] == "dev"
    assert capsys.readouterr().out == (
        "fixture/dev: 3 cloud resources (aws: 3), 0 policy violations (0 mandatory); "
        f"report written to {out_file}\n"
    )


def test_quiet_prints_nothing(
    fixture_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "dev.md"
    assert (
        main(
            ["plan", "dev", "--program", str(fixture_dir), "--out", str(out_file), "--quiet"],
            evaluate=no_policies,
        )
        == 0
    )
    assert capsys.readouterr() == ("", "")
    assert out_file.read_text().startswith("# Plan:")


def test_finds_project_from_working_directory(
    fixture_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(fixture_dir)
    assert main(["plan", "dev", "--format", "json"], evaluate=no_policies) == 0
    assert json.loads(capsys.readouterr().out)["project"] == "fixture"


def test_missing_stack_file_exits_2(fixture_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "prod", "--program", str(fixture_dir)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"error: stack 'prod' has no config file: expected {fixture_dir / 'Pulumi.prod.yaml'} "
        "(stacks found: broken, dev, incomplete)\n"
    )


def test_run_error_message_printed_whole(
    fixture_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "broken", "--program", str(fixture_dir)]) == 2
    assert (
        capsys.readouterr().err
        == "error: fixture:fail is set, so the fixture program refuses to run\n"
    )


def test_missing_policy_config_exits_2(
    fixture_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["plan", "dev", "--program", str(fixture_dir), "--policy-config", "/nonexistent.json"])
        == 2
    )
    assert capsys.readouterr().err == "error: policy config not found: /nonexistent.json\n"


def test_no_project_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "dev"]) == 2
    assert capsys.readouterr().err.startswith("error: no Pulumi.yaml in ")


def test_mandatory_violation_exits_1(fixture_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def evaluate(
        recording: Recording, config: Path | None, environment: str | None
    ) -> PolicyReport:
        urn = recording.one("aws:s3/bucket:Bucket", "store").urn
        return PolicyReport(1, [Violation("p", "pack", "mandatory", "high", urn, "no")])

    def advisory(
        recording: Recording, config: Path | None, environment: str | None
    ) -> PolicyReport:
        return PolicyReport(1, [Violation("p", "pack", "advisory", "low", None, "hmm")])

    assert main(["plan", "dev", "--program", str(fixture_dir)], evaluate=evaluate) == 1
    assert main(["plan", "dev", "--program", str(fixture_dir)], evaluate=advisory) == 0


def test_guardrails_run_by_default(fixture_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The fixture's buckets have no encryption, versioning or public access block.
    assert main(["plan", "dev", "--program", str(fixture_dir), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    store = next(r["urn"] for r in report["resources"] if r["name"] == "store" and r["custom"])
    # The four resources and the default AWS provider they use.
    assert report["policies"]["evaluated"] == 5
    blocking = {
        v["policy"]
        for v in report["policies"]["violations"]
        if v["urn"] == store and v["enforcement"] == "mandatory"
    }
    assert "aws-s3-bucket-require-sse-kms" in blocking


def test_invalid_policy_config_exits_2(
    fixture_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "policy.json"
    config.write_text("[1, 2]")
    assert main(["plan", "dev", "--program", str(fixture_dir), "--policy-config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: invalid policy config:") and "Traceback" not in err


def _console(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("mlops-iac")
    return subprocess.run(
        [str(script), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_console_script_errors_have_no_traceback(fixture_dir: Path) -> None:
    missing = _console("plan", "prod", cwd=fixture_dir)
    failing = _console("plan", "broken", cwd=fixture_dir)
    assert (missing.returncode, failing.returncode) == (2, 2)
    assert missing.stderr.startswith("error: stack 'prod' has no config file")
    assert failing.stderr == "error: fixture:fail is set, so the fixture program refuses to run\n"
    for result in (missing, failing):
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_console_script_plans(fixture_dir: Path) -> None:
    result = _console("plan", "dev", "--format", "json", cwd=fixture_dir)
    # 1: the guardrails find mandatory violations in the fixture (see above).
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert [r["name"] for r in json.loads(result.stdout)["resources"]] == [
        "db-password",
        "store",
        "store",
        "store-logs",
    ]


def test_policies_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    from mlops_policies.registry import all_rules

    assert main(["policies", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["rules"]
    assert sorted(r["name"] for r in listed) == sorted(r.name for r in all_rules())
    assert all(set(r["enforcement"]) == {"dev", "staging", "prod"} for r in listed)


def test_policies_markdown_is_the_reference_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "policies.md"
    assert main(["policies", "--out", str(out)]) == 0
    docs = Path(__file__).resolve().parents[2] / "docs" / "policies.md"
    assert out.read_text() == docs.read_text()
    assert capsys.readouterr().out == ""

"""Program failures under mlops-iac plan: sys.exit, programs that never finish, Ctrl-C,
and lookups the mocks do not answer. Only the documented exit codes leave the CLI:
0, 1, 2 and 130."""

from __future__ import annotations

import gc
import inspect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
import yaml
from mlops_preview.cli import DEFAULT_TIMEOUT, main
from mlops_preview.lookups import Lookups, LookupsError, unanswered_message
from mlops_preview.project import load_project
from mlops_preview.report import PolicyReport, no_policies
from mlops_preview.runner import (
    ProgramExit,
    ProgramTimeout,
    Recording,
    abandoned_programs,
    exit_message,
    plan_stack,
    run_program,
)

FAILURES = Path(__file__).resolve().parents[1] / "fixtures" / "programs" / "failures"
VPC_ID = "vpc-0a1b2c3d4e5f60718"
SCRIPT = Path(sys.executable).with_name("mlops-iac")
ADVICE = "Raise an exception instead (pulumi.RunError prints just its message)"
DELETES = (
    "`pulumi preview` and `pulumi up` would take the exit (status 0) for a finished "
    "program and plan to delete every resource it had not registered yet"
)


def _console(*args: str, cwd: Path = FAILURES, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


# -- sys.exit --------------------------------------------------------------------------


EXITS = {
    "exit-zero": f"the program called sys.exit(0) at __main__.py:21; a Pulumi program must not exit: {DELETES}. {ADVICE}",
    "exit-none": f"the program called sys.exit() at __main__.py:23; a Pulumi program must not exit: {DELETES}. {ADVICE}",
    "exit-three": "the program called sys.exit(3) at __main__.py:25; a Pulumi program must not "
    "exit: `pulumi preview` would fail with 'program exited with non-zero exit code: 3'. "
    f"{ADVICE}",
    "exit-text": "the program called sys.exit('giving up') at __main__.py:27; a Pulumi program "
    "must not exit: `pulumi preview` would fail with 'program exited with non-zero exit "
    f"code: 1'. {ADVICE}",
}


@pytest.mark.parametrize("stack", sorted(EXITS))
def test_sys_exit_is_a_plan_error(
    stack: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(FAILURES)
    with pytest.raises(ProgramExit) as info:
        plan_stack(FAILURES, stack)
    assert str(info.value) == EXITS[stack]
    assert isinstance(info.value.__cause__, SystemExit)
    assert main(["plan", stack], evaluate=no_policies) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith(f"error: {EXITS[stack]}\n")


def test_sys_exit_through_the_console_script_exits_2_with_the_message() -> None:
    result = _console("plan", "exit-zero")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {EXITS['exit-zero']}\n"


def test_run_program_turns_sys_exit_into_program_exit() -> None:
    def program() -> None:
        aws.s3.Bucket("kept")
        sys.exit(0)

    with pytest.raises(ProgramExit, match=r"called sys.exit\(0\) at .*test_plan_failures.py:\d+"):
        run_program(program)


def test_exit_message_follows_the_python_language_host() -> None:
    # The status is the low byte of the code, as the OS reports it; 32 is the
    # language host's "error already shown" status.
    assert "would take the exit (status 0)" in exit_message(SystemExit(256), "")
    assert "stop without a message" in exit_message(SystemExit(32), "")
    assert "non-zero exit code: 1'" in exit_message(SystemExit(["x"]), "")
    assert exit_message(SystemExit(), "").startswith("the program called sys.exit(); ")


# -- time limit ------------------------------------------------------------------------


def test_timeout_names_last_registration_pending_and_line() -> None:
    release = threading.Event()

    def block(name: str) -> str:
        release.wait(60)  # the line the message points at
        return f"{name}-gate"

    def program() -> None:
        first = aws.s3.Bucket("first")
        aws.s3.Bucket("waiting", bucket=first.bucket.apply(block))

    line = inspect.getsourcelines(block)[1] + 1
    where = os.path.relpath(__file__)
    try:
        with pytest.raises(ProgramTimeout) as info:
            run_program(program, timeout=0.5)
        assert str(info.value) == (
            "program did not finish within 0.5 s; last resource registered: "
            "aws:s3/bucket:Bucket 'first'; pending: aws:s3/bucket:Bucket 'waiting' (not "
            f"registered yet); the program is at {where}:{line} (in block)"
        )
        assert info.value.seconds == 0.5
        assert gc.isenabled(), "the abandoned run must give the garbage collector back"
        assert abandoned_programs()
    finally:
        release.set()
    deadline = time.monotonic() + 30
    while abandoned_programs() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not abandoned_programs()


def test_no_timeout_waits_for_the_program() -> None:
    def program() -> None:
        time.sleep(0.3)
        aws.s3.Bucket("slow")

    assert [r.name for r in run_program(program, timeout=0).resources] == ["slow"]


@pytest.mark.parametrize(
    ("stack", "limit", "expected"),
    [
        # Limits leave time to import the SDK and register, also on a loaded machine.
        (
            "hang",
            8,
            "last resource registered: none; pending: aws:s3/bucket:Bucket 'first' \\(not "
            "registered yet\\), aws:s3/bucket:Bucket 'second' \\(not registered yet\\); the "
            "program is at __main__.py:14 \\(in wait_forever\\)",
        ),
        (
            "hang-apply",
            8,
            # Both buckets register; which finished last depends on the machine's load.
            "last resource registered: aws:s3/bucket:Bucket '(first|last)'; pending: nothing; "
            "the program is at __main__.py:14 \\(in wait_forever\\)",
        ),
    ],
)
def test_console_script_stops_a_hanging_program(stack: str, limit: int, expected: str) -> None:
    started = time.monotonic()
    result = _console("plan", stack, "--timeout", str(limit), timeout=90)
    assert time.monotonic() - started < 60
    assert result.returncode == 2
    assert result.stdout == ""
    # ``expected`` is a regular expression.
    assert re.fullmatch(
        "program: waiting forever\n"
        f"error: program did not finish within {limit} s; {expected}\\. Raise the limit with "
        "--timeout SECONDS \\(0: no limit\\)\n",
        result.stderr,
    ), result.stderr


def test_ctrl_c_exits_130_without_traceback() -> None:
    process = subprocess.Popen(
        [str(SCRIPT), "plan", "hang", "--timeout", "60"],
        cwd=FAILURES,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell running tests in the background ignores SIGINT in its children.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stderr is not None
        assert process.stderr.readline() == "program: waiting forever\n"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert out == ""
    assert err == "error: interrupted (Ctrl-C); no report was written\n"


def test_ctrl_c_anywhere_in_plan_exits_130(capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(recording: Recording, config: Path | None, env: str | None) -> PolicyReport:
        raise KeyboardInterrupt

    assert main(["plan", "vpc", "--program", str(FAILURES)], evaluate=interrupted) == 130
    assert capsys.readouterr().err == "error: interrupted (Ctrl-C); no report was written\n"


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf"])
def test_timeout_must_be_seconds(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "vpc", "--timeout", value]) == 2
    assert "argument --timeout: " in capsys.readouterr().err


def test_timeout_default_is_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    docs = (Path(__file__).resolve().parents[2] / "docs" / "offline-preview.md").read_text()
    assert "[--timeout SECONDS] [--lookups FILE]" in readme
    assert f"(default {DEFAULT_TIMEOUT:g} s, `0` for none)" in readme
    assert f"(default {DEFAULT_TIMEOUT:g} s; `0` means no limit" in docs


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--help"]) == 0
    assert "--timeout SECONDS" in capsys.readouterr().out


def test_internal_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(recording: Recording, config: Path | None, env: str | None) -> PolicyReport:
        raise RuntimeError("bug")

    assert main(["plan", "vpc", "--program", str(FAILURES)], evaluate=broken) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: internal error in mlops-iac (please report it):\n")
    assert err.endswith("RuntimeError: bug\n")


# -- lookups ---------------------------------------------------------------------------


def test_unanswered_lookup_is_unknown_and_warned_naming_the_file_to_write(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(FAILURES)
    assert main(["plan", "vpc-unanswered", "--format", "json"], evaluate=no_policies) == 0
    out, err = capsys.readouterr()
    plan = json.loads(out)
    warning = (
        'lookup aws:ec2/getVpc:getVpc with {"default": true} has no offline answer '
        "(`pulumi preview` asks the cloud), so its result is unknown in this plan and what "
        'is built from it shows "[unknown]". Write the answer to '
        "Pulumi.vpc-unanswered.lookups.yaml (read by `mlops-iac plan` only, never by the "
        "Pulumi CLI; see docs/offline-preview.md#lookups); the result's fields (engine "
        "names): arn, cidrBlock, cidrBlockAssociations, "
    )
    assert [w for w in plan["warnings"] if w.startswith(warning)] == plan["warnings"]
    assert len(plan["warnings"]) == 1 and plan["warnings"][0].endswith("state, tags")
    assert f"warning: {plan['warnings'][0]}" in err
    assert plan["unanswered_lookups"] == [
        {"token": "aws:ec2/getVpc:getVpc", "args": {"default": True}}
    ]
    subnet = next(r for r in plan["resources"] if r["name"] == "subnet")
    assert subnet["inputs"] == {"cidrBlock": "10.20.1.0/24", "vpcId": "[unknown]"}
    assert plan["outputs"] == {"vpc_cidr": "[unknown]"}
    assert plan["unknowns"] == [
        {"urn": subnet["urn"], "path": "vpcId"},
        {"urn": "outputs", "path": "vpc_cidr"},
    ]
    # every resource the program declares is recorded
    assert sorted(r["name"] for r in plan["resources"]) == ["first", "last", "subnet"]


def test_error_inside_apply_names_the_line_and_the_resource_being_built(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", "apply-error", "--program", str(FAILURES)], evaluate=no_policies) == 2
    assert capsys.readouterr().err == (
        "error: program failed: TypeError: string indices must be integers, not 'str' "
        "(at __main__.py:35, building aws:s3/bucketPolicy:BucketPolicy 'policy')\n"
    )


def test_answered_lookup_is_used(dev_vpc: Recording) -> None:
    subnet = dev_vpc.one("aws:ec2/subnet:Subnet", "subnet")
    assert subnet.inputs == {"cidrBlock": "10.20.1.0/24", "vpcId": VPC_ID}
    assert dev_vpc.outputs == {"vpc_cidr": "10.20.0.0/16"}


@pytest.fixture(scope="module")
def dev_vpc() -> Recording:
    return plan_stack(FAILURES, "vpc")


def test_the_named_file_answers_the_lookup(tmp_path: Path) -> None:
    project = tmp_path / "failures"
    shutil.copytree(FAILURES, project)
    assert plan_stack(project, "vpc-unanswered").unanswered
    (project / "Pulumi.vpc-unanswered.lookups.yaml").write_text(
        yaml.safe_dump(
            {"lookups": {"aws:ec2/getVpc:getVpc": [{"result": {"id": "vpc-0a1b2c3d4e5f60718"}}]}}
        )
    )
    recording = plan_stack(project, "vpc-unanswered")
    assert recording.one("aws:ec2/subnet:Subnet").inputs["vpcId"] == "vpc-0a1b2c3d4e5f60718"
    assert recording.unanswered == [] and recording.warnings == []


def test_lookups_option_replaces_the_stack_file(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"lookups": {"aws:ec2/getVpc:getVpc": {"result": {"id": "vpc-other"}}}})
    )
    recording = plan_stack(FAILURES, "vpc", lookups=answers)
    assert recording.one("aws:ec2/subnet:Subnet").inputs["vpcId"] == "vpc-other"


def test_missing_lookups_option_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["plan", "vpc", "--program", str(FAILURES), "--lookups", "/nonexistent.yaml"]
    assert main(argv, evaluate=no_policies) == 2
    assert capsys.readouterr().err == "error: lookups file not found: /nonexistent.yaml\n"


def test_existing_file_without_a_match_says_so(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "lookups:\n  aws:ec2/getVpc:getVpc:\n    - args: {id: vpc-1}\n      result: {id: vpc-1}\n"
    )
    recording = plan_stack(FAILURES, "vpc", lookups=answers)
    assert recording.one("aws:ec2/subnet:Subnet").inputs["vpcId"] == "[unknown]"
    assert [w.split(". ", 1)[1][:60] for w in recording.warnings] == [
        f"Add an entry for these arguments to {answers} (read by"[:60]
    ]


def test_python_hook_answers(tmp_path: Path) -> None:
    hook = tmp_path / "answers.py"
    hook.write_text(
        "def lookup(token, args):\n"
        "    if token == 'aws:ec2/getVpc:getVpc' and args.get('default'):\n"
        "        return {'id': 'vpc-from-python', 'cidrBlock': '10.9.0.0/16'}\n"
        "    return None\n"
    )
    recording = plan_stack(FAILURES, "vpc", lookups=hook)
    assert recording.one("aws:ec2/subnet:Subnet").inputs["vpcId"] == "vpc-from-python"


def test_python_hook_without_answer_or_with_a_bad_one(tmp_path: Path) -> None:
    silent = tmp_path / "silent.py"
    silent.write_text("def lookup(token, args):\n    return None\n")
    warnings = plan_stack(FAILURES, "vpc", lookups=silent).warnings
    assert len(warnings) == 1 and f"Return its result from lookup() in {silent}" in warnings[0]
    wrong = tmp_path / "wrong.py"
    wrong.write_text("def lookup(token, args):\n    return ['vpc-1']\n")
    with pytest.raises(LookupsError, match=r"returned list; expected a mapping"):
        plan_stack(FAILURES, "vpc", lookups=wrong)
    empty = tmp_path / "empty.py"
    empty.write_text("")
    with pytest.raises(LookupsError, match=r"defines no function lookup\(token, args\)"):
        plan_stack(FAILURES, "vpc", lookups=empty)


def test_invalid_lookups_file_lists_every_problem(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "lookups:\n"
        "  getVpc:\n    - result: {}\n"
        "  aws:ec2/getSubnet:getSubnet:\n    - args: {id: x}\n      results: {}\n"
        "  aws:ec2/getVpc:getVpc: vpc-1\n"
    )
    with pytest.raises(LookupsError) as info:
        plan_stack(FAILURES, "vpc", lookups=answers)
    assert str(info.value) == (
        f"{answers}: invalid lookups (4 problem(s)):\n"
        "  - lookups.getVpc: not an invoke token (expected '<package>:<module>:<function>', "
        "e.g. 'aws:ec2/getVpc:getVpc', or 'read:<resource type>')\n"
        "  - lookups.aws:ec2/getSubnet:getSubnet.0.result: Field required\n"
        "  - lookups.aws:ec2/getSubnet:getSubnet.0.results: Extra inputs are not permitted\n"
        "  - lookups.aws:ec2/getVpc:getVpc: Input should be a valid list"
    )


def test_two_lookups_files_for_one_stack_are_an_error(tmp_path: Path) -> None:
    project = tmp_path / "failures"
    shutil.copytree(FAILURES, project)
    (project / "Pulumi.vpc.lookups.json").write_text('{"lookups": {}}')
    with pytest.raises(LookupsError, match="stack 'vpc' has 2 lookups files"):
        plan_stack(project, "vpc")


def test_lookups_files_are_not_stacks() -> None:
    assert "vpc.lookups" not in load_project(FAILURES).stacks()
    assert "vpc" in load_project(FAILURES).stacks()


def test_answers_match_arguments_in_order() -> None:
    lookups = Lookups(
        {
            "aws:ec2/getSubnet:getSubnet": [
                {
                    "args": {"filters": [{"name": "tag:Tier", "values": ["private"]}]},
                    "result": {"id": "a"},
                },
                {"args": {"tags": {"Tier": "public"}}, "result": {"id": "b"}},
                {"result": {"id": "any"}},
            ]
        }
    )
    private = {"filters": [{"name": "tag:Tier", "values": ["private"]}], "region": "eu-west-1"}
    assert lookups("aws:ec2/getSubnet:getSubnet", private) == {"id": "a"}
    # Mappings match on the keys the file gives; lists must be equal.
    assert lookups("aws:ec2/getSubnet:getSubnet", {"tags": {"Tier": "public", "x": "1"}}) == {
        "id": "b"
    }
    assert lookups("aws:ec2/getSubnet:getSubnet", {"filters": []}) == {"id": "any"}
    assert lookups("aws:ec2/getVpc:getVpc", {}) is None
    assert lookups.tokens == ["aws:ec2/getSubnet:getSubnet"]


def test_answers_win_over_built_in_mocks() -> None:
    zones = Lookups(
        {
            "aws:index/getAvailabilityZones:getAvailabilityZones": {
                "result": {"names": ["eu-west-1a"]}
            }
        }
    )

    def program() -> None:
        pulumi.export("zones", aws.get_availability_zones().names)
        pulumi.export("region", aws.get_region().region)

    recording = run_program(program, lookups=zones)
    assert recording.outputs == {"zones": ["eu-west-1a"], "region": "eu-west-1"}


def test_unanswered_lookup_of_an_unknown_package_warns_without_a_field_list() -> None:
    message = unanswered_message("example:index:getThing", {}, exists=False, shown_as="x.yaml")
    assert message.endswith(
        "Write the answer to x.yaml (read by `mlops-iac plan` only, "
        "never by the Pulumi CLI; see docs/offline-preview.md#lookups)"
    )

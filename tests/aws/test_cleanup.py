"""The pre-destroy cleanup script: its steps, its validation, and runs against a fake
``aws`` (``fake_aws.py``) that keeps an account in a JSON file and logs every call."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from mlops_components.aws.cleanup import (
    PHASES,
    CleanupTarget,
    StudioDomainRef,
    cleanup_script,
    cleanup_steps,
    validate,
)

HERE = Path(__file__).resolve().parent
REGION = "eu-west-1"
DOMAIN = "d-abc123def456"
OTHER_DOMAIN = "d-zzz999yyy888"
DOMAIN_ARN = f"arn:aws:sagemaker:{REGION}:111111111111:domain/{DOMAIN}"
OTHER_ARN = f"arn:aws:sagemaker:{REGION}:111111111111:domain/{OTHER_DOMAIN}"
EFS = "fs-0a1b2c3d4e5f60718"
VPC = "vpc-0a1b2c3d4e5f60718"
WORKLOAD = "sg-0000000000000000a"
NFS_IN = "sg-00000000000000001"
NFS_OUT = "sg-00000000000000002"
OTHER_NFS = "sg-00000000000000003"
GROUP = "mlops-dev-models"
PIPELINE = "mlops-dev-pipeline"
EXECUTIONS = f"arn:aws:sagemaker:{REGION}:111111111111:pipeline/{PIPELINE}/execution"
PACKAGES = f"arn:aws:sagemaker:{REGION}:111111111111:model-package/{GROUP}"

DEV = CleanupTarget(
    region=REGION,
    pipeline_name=PIPELINE,
    model_package_group_name=GROUP,
    delete_model_versions=True,
    registry_consumer_account_ids=("222222222222", "333333333333"),
    studio=StudioDomainRef(DOMAIN, DOMAIN_ARN, EFS),
    vpc_id=VPC,
    workload_security_group_id=WORKLOAD,
)
"""What aws-dev looks like: destroyable, Studio, a registry shared with two accounts."""


def tag(arn: str) -> list[dict[str, str]]:
    return [{"Key": "ManagedByAmazonSageMakerResource", "Value": arn}]


WORLD: dict[str, Any] = {
    "region": REGION,
    "pipelines": [{"PipelineName": PIPELINE}, {"PipelineName": "someone-elses-pipeline"}],
    "executions": [
        {
            "PipelineName": PIPELINE,
            "PipelineExecutionArn": f"{EXECUTIONS}/run1",
            "PipelineExecutionStatus": "Executing",
        },
        {
            "PipelineName": PIPELINE,
            "PipelineExecutionArn": f"{EXECUTIONS}/run0",
            "PipelineExecutionStatus": "Succeeded",
        },
        {
            "PipelineName": "someone-elses-pipeline",
            "PipelineExecutionArn": "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/x/execution/y",
            "PipelineExecutionStatus": "Executing",
        },
    ],
    "domains": [
        {"DomainId": DOMAIN, "Status": "InService"},
        {"DomainId": OTHER_DOMAIN, "Status": "InService"},
    ],
    "apps": [
        {
            "DomainId": DOMAIN,
            "AppType": "JupyterLab",
            "AppName": "default",
            "SpaceName": "alice-space",
            "Status": "InService",
        },
        {
            "DomainId": DOMAIN,
            "AppType": "JupyterServer",
            "AppName": "default",
            "UserProfileName": "bob",
            "Status": "InService",
        },
        {
            "DomainId": DOMAIN,
            "AppType": "KernelGateway",
            "AppName": "datascience-1-0-ml-t3-medium-1a2b",
            "UserProfileName": "bob",
            "Status": "Failed",
        },
        {
            "DomainId": DOMAIN,
            "AppType": "JupyterServer",
            "AppName": "default",
            "UserProfileName": "carol",
            "Status": "Deleted",
        },
        {
            "DomainId": OTHER_DOMAIN,
            "AppType": "JupyterLab",
            "AppName": "default",
            "SpaceName": "zed-space",
            "Status": "InService",
        },
    ],
    "spaces": [
        {"DomainId": DOMAIN, "SpaceName": "alice-space", "Owner": "alice", "Status": "InService"},
        {"DomainId": DOMAIN, "SpaceName": "team-space", "Status": "InService"},
        {"DomainId": OTHER_DOMAIN, "SpaceName": "zed-space", "Owner": "zed", "Status": "InService"},
    ],
    "user_profiles": [
        {"DomainId": DOMAIN, "UserProfileName": "alice", "Status": "InService"},
        {"DomainId": DOMAIN, "UserProfileName": "bob", "Status": "InService"},
        {"DomainId": OTHER_DOMAIN, "UserProfileName": "zed", "Status": "InService"},
    ],
    "model_package_groups": [
        {"ModelPackageGroupName": GROUP},
        {"ModelPackageGroupName": "mlops-dev-models-archive"},
    ],
    "model_packages": [
        {"ModelPackageGroupName": GROUP, "ModelPackageArn": f"{PACKAGES}/1"},
        {"ModelPackageGroupName": GROUP, "ModelPackageArn": f"{PACKAGES}/2"},
        {
            "ModelPackageGroupName": "mlops-dev-models-archive",
            "ModelPackageArn": f"{PACKAGES}-archive/1",
        },
    ],
    "file_systems": [
        {"FileSystemId": EFS, "LifeCycleState": "available", "Tags": tag(DOMAIN_ARN)},
        {"FileSystemId": "fs-0ffffffffffffffff", "LifeCycleState": "available", "Tags": []},
    ],
    "mount_targets": [
        {
            "MountTargetId": "fsmt-00000000000000001",
            "FileSystemId": EFS,
            "LifeCycleState": "available",
            "NetworkInterfaceId": "eni-0000000000000mt1",
        },
        {
            "MountTargetId": "fsmt-00000000000000002",
            "FileSystemId": EFS,
            "LifeCycleState": "available",
            "NetworkInterfaceId": "eni-0000000000000mt2",
        },
    ],
    "security_groups": [
        {
            "GroupId": NFS_IN,
            "GroupName": f"security-group-for-inbound-nfs-{DOMAIN}",
            "VpcId": VPC,
            "Tags": tag(DOMAIN_ARN),
        },
        {
            "GroupId": NFS_OUT,
            "GroupName": f"security-group-for-outbound-nfs-{DOMAIN}",
            "VpcId": VPC,
            "Tags": tag(DOMAIN_ARN),
        },
        # Another domain in the same VPC: its groups must survive.
        {
            "GroupId": OTHER_NFS,
            "GroupName": f"security-group-for-inbound-nfs-{OTHER_DOMAIN}",
            "VpcId": VPC,
            "Tags": tag(OTHER_ARN),
        },
        {"GroupId": WORKLOAD, "GroupName": "sagemaker-network-workload-1234567", "VpcId": VPC},
    ],
    "security_group_rules": [
        {
            "SecurityGroupRuleId": "sgr-0000000000000in01",
            "GroupId": NFS_IN,
            "IsEgress": False,
            "ReferencedGroupInfo": {"GroupId": NFS_OUT},
        },
        {
            "SecurityGroupRuleId": "sgr-000000000000out01",
            "GroupId": NFS_OUT,
            "IsEgress": True,
            "ReferencedGroupInfo": {"GroupId": NFS_IN},
        },
        {
            "SecurityGroupRuleId": "sgr-00000000000other1",
            "GroupId": OTHER_NFS,
            "IsEgress": False,
            "ReferencedGroupInfo": {"GroupId": OTHER_NFS},
        },
    ],
    "network_interfaces": [
        {
            "NetworkInterfaceId": "eni-0000000000000mt1",
            "VpcId": VPC,
            "Status": "in-use",
            "Groups": [{"GroupId": NFS_IN}],
        },
        {
            "NetworkInterfaceId": "eni-0000000000000mt2",
            "VpcId": VPC,
            "Status": "in-use",
            "Groups": [{"GroupId": NFS_IN}],
        },
        # Left behind by an endpoint (terraform-provider-aws#34397): delete.
        {
            "NetworkInterfaceId": "eni-0000000000orphan",
            "VpcId": VPC,
            "Status": "available",
            "Groups": [{"GroupId": WORKLOAD}],
        },
        # Still attached to something: keep.
        {
            "NetworkInterfaceId": "eni-00000000000inuse",
            "VpcId": VPC,
            "Status": "in-use",
            "Groups": [{"GroupId": WORKLOAD}],
        },
        # Detached, but not in the stack's group: keep.
        {
            "NetworkInterfaceId": "eni-00000000000other",
            "VpcId": VPC,
            "Status": "available",
            "Groups": [{"GroupId": OTHER_NFS}],
        },
    ],
}


class FakeAccount:
    """A temp dir with the script, the fake ``aws`` first on PATH, its state and log."""

    def __init__(self, root: Path, world: dict[str, Any], target: CleanupTarget) -> None:
        self.root = root
        self.state = root / "state.json"
        self.log = root / "calls.jsonl"
        self.script = root / "cleanup.sh"
        bin_dir = root / "bin"
        bin_dir.mkdir()
        aws = bin_dir / "aws"
        aws.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{HERE / "fake_aws.py"}" "$@"\n')
        aws.chmod(0o755)
        self.state.write_text(json.dumps(world))
        self.script.write_text(cleanup_script(target))
        self.env = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(root),
            "FAKE_AWS_STATE": str(self.state),
            "FAKE_AWS_LOG": str(self.log),
            "MLOPS_IAC_CLEANUP_POLL_SECONDS": "0",
            "MLOPS_IAC_CLEANUP_POLL_ATTEMPTS": "3",
        }

    def run(self, phase: str, **env: str) -> subprocess.CompletedProcess[str]:
        self.log.write_text("")
        return subprocess.run(
            ["bash", str(self.script), phase],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def changes(self) -> list[list[str]]:
        """The mutating calls, without the region/output options."""
        found = []
        for argv in self.calls():
            words = [w for w in argv if w not in ("--region", REGION, "--output", "text")]
            if not words[1].startswith(("list-", "describe-")):
                found.append(words)
        return found

    def world(self) -> dict[str, Any]:
        return json.loads(self.state.read_text())


@pytest.fixture
def account(tmp_path: Path) -> FakeAccount:
    return FakeAccount(tmp_path, copy.deepcopy(WORLD), DEV)


def released(world: dict[str, Any]) -> dict[str, Any]:
    """The account after `prepare` and after Pulumi deleted the domain."""
    after = copy.deepcopy(world)
    after["domains"] = [d for d in after["domains"] if d["DomainId"] != DOMAIN]
    return after


# -- steps and validation -----------------------------------------------------------------


def test_steps_of_a_destroyable_stack_with_studio() -> None:
    assert cleanup_steps(DEV) == {
        "prepare": [
            ["use_region", REGION],
            ["confirm_shared_registry", GROUP, "222222222222", "333333333333"],
            ["stop_pipeline_executions", PIPELINE],
            ["delete_studio_apps", DOMAIN],
            ["delete_studio_spaces", DOMAIN],
            ["delete_studio_user_profiles", DOMAIN],
            ["delete_model_package_versions", GROUP],
        ],
        "release-network": [
            ["use_region", REGION],
            ["require_domain_deleted", DOMAIN],
            ["delete_studio_mount_targets", EFS, DOMAIN_ARN],
            ["delete_studio_home_file_system", EFS, DOMAIN_ARN],
            ["delete_studio_nfs_security_groups", VPC, DOMAIN, DOMAIN_ARN],
            ["delete_detached_interfaces", VPC, WORKLOAD],
        ],
    }


def test_protected_stack_keeps_model_versions_and_studio_home() -> None:
    target = replace(
        DEV,
        delete_model_versions=False,
        studio=StudioDomainRef(DOMAIN, DOMAIN_ARN, EFS, keep_home=True),
    )
    steps = cleanup_steps(target)
    assert [s[0] for s in steps["prepare"]] == [
        "use_region",
        "stop_pipeline_executions",
        "delete_studio_apps",
        "delete_studio_spaces",
        "delete_studio_user_profiles",
    ]
    assert [s[0] for s in steps["release-network"]] == [
        "use_region",
        "require_domain_deleted",
        "delete_studio_mount_targets",
        "delete_studio_nfs_security_groups",
        "delete_detached_interfaces",
    ]


def test_unshared_registry_needs_no_confirmation() -> None:
    steps = cleanup_steps(replace(DEV, registry_consumer_account_ids=()))
    assert "confirm_shared_registry" not in [s[0] for s in steps["prepare"]]


def test_validation_reports_every_problem() -> None:
    bad = CleanupTarget(
        region="eu-west-1; rm -rf /",
        pipeline_name="pipe line",
        model_package_group_name="$(whoami)",
        delete_model_versions=True,
        registry_consumer_account_ids=("12345",),
        studio=StudioDomainRef(
            "d-abc123def456",
            "arn:aws:sagemaker:us-east-1:111111111111:domain/d-other",
            "fs-xyz",
        ),
        workload_security_group_id="sg-'quoted'",
    )
    problems = validate(bad)
    assert [p.split(":")[0] for p in problems] == [
        "region",
        "pipeline_name",
        "model_package_group_name",
        "workload_security_group_id",
        "studio.home_efs_id",
        "registry_consumer_account_ids[0]",
        "vpc_id",
        "studio.domain_arn",
        "studio.domain_arn",
        "vpc_id",
    ]
    with pytest.raises(ValueError, match="invalid CleanupTarget"):
        cleanup_steps(bad)


def test_values_are_single_shell_words() -> None:
    """Values reach the script only as arguments of its steps, never as code."""
    script = cleanup_script(DEV)
    assert f"  delete_studio_nfs_security_groups {VPC} {DOMAIN} {DOMAIN_ARN}\n" in script
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script


@pytest.mark.parametrize(
    "target", [DEV, CleanupTarget(region=REGION)], ids=["dev", "nothing-to-clean"]
)
def test_script_is_valid_bash(tmp_path: Path, target: CleanupTarget) -> None:
    script = tmp_path / "cleanup.sh"
    script.write_text(cleanup_script(target))
    subprocess.run(["bash", "-n", str(script)], check=True)
    if shutil.which("shellcheck"):
        subprocess.run(["shellcheck", "-s", "bash", str(script)], check=True)


def test_unknown_phase_is_a_usage_error(account: FakeAccount) -> None:
    result = account.run("everything")
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert account.calls() == []


def test_empty_target_makes_no_calls(tmp_path: Path) -> None:
    account = FakeAccount(tmp_path, copy.deepcopy(WORLD), CleanupTarget(region=REGION))
    for phase in PHASES:
        assert account.run(phase).returncode == 0
        assert account.calls() == []


# -- prepare --------------------------------------------------------------------------------


def test_prepare_deletes_exactly_what_blocks_the_destroy(account: FakeAccount) -> None:
    result = account.run("prepare", MLOPS_IAC_DELETE_SHARED_MODELS=GROUP)
    assert result.returncode == 0, result.stderr
    assert account.changes() == [
        ["sagemaker", "stop-pipeline-execution", "--pipeline-execution-arn", f"{EXECUTIONS}/run1"],
        [
            "sagemaker",
            "delete-app",
            "--domain-id",
            DOMAIN,
            "--app-type",
            "JupyterLab",
            "--app-name",
            "default",
            "--space-name",
            "alice-space",
        ],
        [
            "sagemaker",
            "delete-app",
            "--domain-id",
            DOMAIN,
            "--app-type",
            "JupyterServer",
            "--app-name",
            "default",
            "--user-profile-name",
            "bob",
        ],
        ["sagemaker", "delete-space", "--domain-id", DOMAIN, "--space-name", "alice-space"],
        ["sagemaker", "delete-space", "--domain-id", DOMAIN, "--space-name", "team-space"],
        ["sagemaker", "delete-user-profile", "--domain-id", DOMAIN, "--user-profile-name", "alice"],
        ["sagemaker", "delete-user-profile", "--domain-id", DOMAIN, "--user-profile-name", "bob"],
        ["sagemaker", "delete-model-package", "--model-package-name", f"{PACKAGES}/1"],
        ["sagemaker", "delete-model-package", "--model-package-name", f"{PACKAGES}/2"],
    ]
    world = account.world()
    # Everything of other pipelines, domains and groups is untouched.
    assert [e["PipelineExecutionStatus"] for e in world["executions"]] == [
        "Stopped",
        "Succeeded",
        "Executing",
    ]
    assert [s["SpaceName"] for s in world["spaces"]] == ["zed-space"]
    assert [p["UserProfileName"] for p in world["user_profiles"]] == ["zed"]
    assert [p["ModelPackageArn"] for p in world["model_packages"]] == [f"{PACKAGES}-archive/1"]
    assert world["domains"] == WORLD["domains"]


def test_prepare_twice_is_safe(account: FakeAccount) -> None:
    assert account.run("prepare", MLOPS_IAC_DELETE_SHARED_MODELS=GROUP).returncode == 0
    again = account.run("prepare", MLOPS_IAC_DELETE_SHARED_MODELS=GROUP)
    assert again.returncode == 0, again.stderr
    assert account.calls(), "the second run looks again"
    assert account.changes() == []


def test_prepare_refuses_a_shared_registry_before_deleting_anything(
    account: FakeAccount,
) -> None:
    for confirmation in ({}, {"MLOPS_IAC_DELETE_SHARED_MODELS": "some-other-group"}):
        result = account.run("prepare", **confirmation)
        assert result.returncode == 1
        assert "shared with account(s) 222222222222 333333333333" in result.stderr
        assert f"MLOPS_IAC_DELETE_SHARED_MODELS={GROUP}" in result.stderr
        assert account.calls() == []


def test_prepare_after_the_stack_is_gone_does_nothing(tmp_path: Path) -> None:
    empty = {key: [] for key in WORLD} | {"region": REGION}
    account = FakeAccount(tmp_path, empty, DEV)
    result = account.run("prepare", MLOPS_IAC_DELETE_SHARED_MODELS=GROUP)
    assert result.returncode == 0, result.stderr
    assert account.changes() == []
    assert "pipeline mlops-dev-pipeline: gone" in result.stderr


def test_prepare_times_out_on_an_execution_that_does_not_stop(tmp_path: Path) -> None:
    world = copy.deepcopy(WORLD) | {"stopped_status": "Stopping"}
    account = FakeAccount(tmp_path, world, DEV)
    result = account.run("prepare", MLOPS_IAC_DELETE_SHARED_MODELS=GROUP)
    assert result.returncode == 1
    assert f"timed out waiting for executions of {PIPELINE} to stop" in result.stderr
    assert account.changes()[-1][1] == "stop-pipeline-execution"


# -- release-network --------------------------------------------------------------------------


def test_release_network_refuses_while_the_domain_exists(account: FakeAccount) -> None:
    result = account.run("release-network")
    assert result.returncode == 1
    assert f"Studio domain {DOMAIN} still exists (status InService)" in result.stderr
    assert account.changes() == []


def test_release_network_deletes_the_domains_leftovers_only(tmp_path: Path) -> None:
    account = FakeAccount(tmp_path, released(WORLD), DEV)
    result = account.run("release-network")
    assert result.returncode == 0, result.stderr
    assert account.changes() == [
        ["efs", "delete-mount-target", "--mount-target-id", "fsmt-00000000000000001"],
        ["efs", "delete-mount-target", "--mount-target-id", "fsmt-00000000000000002"],
        ["efs", "delete-file-system", "--file-system-id", EFS],
        [
            "ec2",
            "revoke-security-group-ingress",
            "--group-id",
            NFS_IN,
            "--security-group-rule-ids",
            "sgr-0000000000000in01",
        ],
        [
            "ec2",
            "revoke-security-group-egress",
            "--group-id",
            NFS_OUT,
            "--security-group-rule-ids",
            "sgr-000000000000out01",
        ],
        ["ec2", "delete-security-group", "--group-id", NFS_IN],
        ["ec2", "delete-security-group", "--group-id", NFS_OUT],
        ["ec2", "delete-network-interface", "--network-interface-id", "eni-0000000000orphan"],
    ]
    world = account.world()
    assert [g["GroupId"] for g in world["security_groups"]] == [OTHER_NFS, WORKLOAD]
    assert [r["SecurityGroupRuleId"] for r in world["security_group_rules"]] == [
        "sgr-00000000000other1"
    ]
    assert [f["FileSystemId"] for f in world["file_systems"]] == ["fs-0ffffffffffffffff"]
    assert [n["NetworkInterfaceId"] for n in world["network_interfaces"]] == [
        "eni-00000000000inuse",
        "eni-00000000000other",
    ]


def test_release_network_twice_is_safe(tmp_path: Path) -> None:
    account = FakeAccount(tmp_path, released(WORLD), DEV)
    assert account.run("release-network").returncode == 0
    again = account.run("release-network")
    assert again.returncode == 0, again.stderr
    assert account.changes() == []
    assert f"NFS security groups of {DOMAIN}: gone" in again.stderr


def test_release_network_keeps_a_retained_home_file_system(tmp_path: Path) -> None:
    target = replace(DEV, studio=StudioDomainRef(DOMAIN, DOMAIN_ARN, EFS, keep_home=True))
    account = FakeAccount(tmp_path, released(WORLD), target)
    result = account.run("release-network")
    assert result.returncode == 0, result.stderr
    changed = [c[1] for c in account.changes()]
    assert "delete-file-system" not in changed
    assert changed[:2] == ["delete-mount-target", "delete-mount-target"]
    assert EFS in [f["FileSystemId"] for f in account.world()["file_systems"]]


def test_release_network_waits_for_a_domain_being_deleted(tmp_path: Path) -> None:
    world = copy.deepcopy(WORLD)
    world["domains"][0]["Status"] = "Deleting"
    account = FakeAccount(tmp_path, world, DEV)
    result = account.run("release-network")
    assert result.returncode == 1
    assert f"timed out waiting for Studio domain {DOMAIN} to be deleted" in result.stderr
    assert account.changes() == []


def test_release_network_refuses_an_untagged_file_system(tmp_path: Path) -> None:
    world = released(WORLD)
    world["file_systems"][0]["Tags"] = tag(OTHER_ARN)
    account = FakeAccount(tmp_path, world, DEV)
    result = account.run("release-network")
    assert result.returncode == 1
    assert f"file system {EFS} is not tagged" in result.stderr
    assert account.changes() == []


def test_release_network_refuses_untagged_groups_named_for_the_domain(tmp_path: Path) -> None:
    world = released(WORLD)
    world["mount_targets"] = []
    world["file_systems"] = []
    world["network_interfaces"] = []
    del world["security_groups"][1]["Tags"]
    account = FakeAccount(tmp_path, world, DEV)
    result = account.run("release-network")
    assert result.returncode == 1
    assert "not all are tagged" in result.stderr
    assert account.changes() == []


def test_release_network_gives_up_on_a_group_still_in_use(tmp_path: Path) -> None:
    world = released(WORLD)
    # A Studio app's interface that is still attached keeps the outbound group in use.
    world["network_interfaces"].append(
        {
            "NetworkInterfaceId": "eni-000000000studio1",
            "VpcId": VPC,
            "Status": "in-use",
            "Groups": [{"GroupId": NFS_OUT}, {"GroupId": WORKLOAD}],
        }
    )
    account = FakeAccount(tmp_path, world, DEV)
    result = account.run("release-network")
    assert result.returncode == 1
    assert f"security group {NFS_OUT} is still in use" in result.stderr
    deletes = [c for c in account.changes() if c[1] == "delete-security-group"]
    assert (
        deletes
        == [["ec2", "delete-security-group", "--group-id", NFS_IN]]
        + [["ec2", "delete-security-group", "--group-id", NFS_OUT]] * 3
    )

"""plan_stack: Pulumi.yaml and Pulumi.<stack>.yaml are read as the Pulumi CLI reads them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pulumi
import pytest
from mlops_components.preview.project import load_project, render_value
from mlops_components.preview.recorder import SECRET
from mlops_components.preview.runner import PlanError, Recording, plan_stack


def test_project_file(fixture_dir: Path) -> None:
    project = load_project(fixture_dir)
    assert project.name == "fixture"
    assert project.main == fixture_dir / "__main__.py"
    assert project.stack_config_dir == fixture_dir
    assert project.required == ("fixture:owner",)
    assert project.defaults == {
        "fixture:greeting": "hello",
        "fixture:retention": "destroyable",
        "aws:region": "eu-central-1",
    }
    assert project.stacks() == ["broken", "dev", "incomplete"]


def test_config_defaults_overrides_structured_and_secure(dev_plan: Recording) -> None:
    assert dev_plan.config == {
        "aws:region": "eu-central-1",  # project default for another namespace
        "fixture:dbPassword": SECRET,  # secure: cannot be decrypted offline
        "fixture:greeting": "hi",  # stack overrides the project default
        "fixture:network": '{"cidr":"10.0.0.0/16","public":false,"zones":2}',
        "fixture:owner": "ml-platform",
        "fixture:retention": "destroyable",  # project default kept
        "fixture:teams": '["vision","nlp"]',
    }


def test_program_sees_config_as_the_cli_passes_it(dev_plan: Recording) -> None:
    assert dev_plan.outputs["greeting"] == "hi"
    assert dev_plan.outputs["retention"] == "destroyable"
    assert dev_plan.outputs["cidr"] == "10.0.0.0/16"
    assert dev_plan.outputs["teams"] == ["vision", "nlp"]
    assert dev_plan.outputs["password"] == SECRET


def test_fixture_resources(dev_plan: Recording) -> None:
    assert dev_plan.project == "fixture" and dev_plan.stack == "dev"
    storage = dev_plan.one("fixture:index:Storage", "store")
    logs = dev_plan.one("aws:s3/bucket:Bucket", "store-logs")
    data = dev_plan.one("aws:s3/bucket:Bucket", "store")
    assert logs.parent == data.parent == storage.urn
    assert data.dependencies == [logs.urn]
    assert (data.protect, data.retain_on_delete) == (True, True)
    assert logs.inputs == {"forceDestroy": True}
    parameter = dev_plan.one("aws:ssm/parameter:Parameter", "db-password")
    assert parameter.inputs == {
        "tags": {"owner": "ml-platform"},
        "type": "SecureString",
        "value": SECRET,
    }
    assert parameter.outputs["arn"].startswith(
        "arn:aws:ssm:eu-central-1:123456789012:parameter/db-password-"
    )
    assert dev_plan.outputs["data_bucket"] == data.id
    assert dev_plan.warnings == []


def test_missing_stack_file_names_path_and_existing_stacks(fixture_dir: Path) -> None:
    with pytest.raises(PlanError) as info:
        plan_stack(fixture_dir, "prod")
    assert str(info.value) == (
        f"stack 'prod' has no config file: expected {fixture_dir / 'Pulumi.prod.yaml'} "
        "(stacks found: broken, dev, incomplete)"
    )


def test_required_key_without_default_must_be_set(fixture_dir: Path) -> None:
    with pytest.raises(
        PlanError,
        match=r"stack 'incomplete' is missing required configuration .*\n  - fixture:owner$",
    ):
        plan_stack(fixture_dir, "incomplete")


def test_program_run_error_is_raised_as_itself(fixture_dir: Path) -> None:
    with pytest.raises(pulumi.RunError, match="fixture:fail is set"):
        plan_stack(fixture_dir, "broken")


def test_other_program_errors_become_plan_errors_with_location(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: crash\nruntime: python\nmain: app\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text("import helper\nhelper.explode()\n")
    (tmp_path / "app" / "helper.py").write_text("def explode():\n    return {}['missing']\n")
    with pytest.raises(PlanError) as info:
        plan_stack(tmp_path, "dev")
    assert str(info.value) == "program failed: KeyError: 'missing' (at helper.py:2)"
    assert isinstance(info.value.__cause__, KeyError)


def test_environment_is_restored(fixture_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: helpers\nruntime: python\nstackConfigDir: stacks\n"
    )
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  helpers:value: from-config\n")
    (tmp_path / "localmod.py").write_text("VALUE = 'local'\n")
    (tmp_path / "__main__.py").write_text(
        "import os, pulumi, localmod\n"
        "pulumi.export('cwd', os.getcwd())\n"
        "pulumi.export('value', localmod.VALUE + '/' + pulumi.Config().require('value'))\n"
    )
    path_before, cwd_before = list(sys.path), os.getcwd()
    recording = plan_stack(tmp_path, "dev")
    assert recording.outputs == {"cwd": str(tmp_path.resolve()), "value": "local/from-config"}
    assert sys.path == path_before and os.getcwd() == cwd_before
    assert "localmod" not in sys.modules


def test_render_value_matches_the_cli() -> None:
    assert render_value(True) == "true"
    assert render_value(3) == "3"
    assert render_value({"b": 1, "a": [1, "x"]}) == '{"a":[1,"x"],"b":1}'
    assert json.loads(render_value(["x"])) == ["x"]

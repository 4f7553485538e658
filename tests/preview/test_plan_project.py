"""plan_stack: Pulumi.yaml and Pulumi.<stack>.yaml are read as the Pulumi CLI reads them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pulumi
import pytest
from mlops_preview.cli import main
from mlops_preview.project import load_project, load_stack_config, render_value
from mlops_preview.recorder import SECRET
from mlops_preview.runner import PlanError, Recording, plan_stack


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
    with pytest.raises(PlanError) as info:
        plan_stack(fixture_dir, "incomplete")
    assert str(info.value) == (
        f"{fixture_dir / 'Pulumi.incomplete.yaml'}: the Pulumi CLI refuses this file "
        "(1 problem(s)):\n"
        "  - fixture:owner: required (Pulumi.yaml declares it without a default), not set"
    )


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


# -- what the Pulumi CLI refuses (preview/project.py cites the Go source) -------

REPO = Path(__file__).resolve().parents[2]
PROJECT = """\
name: demo
runtime: python
config:
  region:
    type: string
  zones:
    type: integer
    default: 2
  public:
    type: boolean
    default: false
  teams:
    type: array
    items:
      type: string
    default: [ml]
  network:
    type: object
    default: {}
  token:
    type: string
    secret: true
    default: none
  aws:region: eu-west-1
"""


def project_dir(tmp_path: Path, project: str = PROJECT, **stacks: str) -> Path:
    """A project in ``tmp_path`` with ``Pulumi.yaml``, stack files and a no-op program."""
    (tmp_path / "Pulumi.yaml").write_text(project)
    (tmp_path / "__main__.py").write_text("")
    for stack, text in stacks.items():
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
    return tmp_path


def stack_problems(tmp_path: Path, text: str, project: str = PROJECT) -> list[str]:
    """The problem lines of the PlanError for a stack file ``text``."""
    directory = project_dir(tmp_path, project, dev=text)
    with pytest.raises(PlanError) as info:
        load_stack_config(load_project(directory), "dev")
    head, *lines = str(info.value).splitlines()
    assert head.startswith(f"{directory / 'Pulumi.dev.yaml'}: the Pulumi CLI refuses this file")
    return [line.removeprefix("  - ") for line in lines]


VALID = """\
config:
  demo:region: eu-west-1
  demo:token:
    secure: v1:c2FsdA==:Y2lwaGVy
"""


def test_a_valid_stack_resolves_as_the_cli_passes_it(tmp_path: Path) -> None:
    config = load_stack_config(load_project(project_dir(tmp_path, dev=VALID)), "dev")
    assert config.values == {
        "aws:region": "eu-west-1",  # another namespace's value from Pulumi.yaml
        "demo:network": "{}",
        "demo:public": "false",
        "demo:region": "eu-west-1",
        "demo:teams": '["ml"]',
        "demo:token": "[secret]",
        "demo:zones": "2",
    }
    assert config.secret_keys == ("demo:token",)


def test_duplicate_environment_key_in_the_real_stack_file_is_refused(tmp_path: Path) -> None:
    """A second ``mlops-iac:environment`` used to win silently (dev planned as prod);
    yaml.v3, which the CLI uses, refuses any duplicate mapping key."""
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    (tmp_path / "stacks" / "__main__.py").write_text("")
    original = (REPO / "stacks" / "Pulumi.aws-dev.yaml").read_text()
    doubled = original.replace(
        "  mlops-iac:environment: dev\n",
        "  mlops-iac:environment: dev\n  mlops-iac:environment: prod\n",
    )
    stack_file = tmp_path / "stacks" / "Pulumi.aws-dev.yaml"
    stack_file.write_text(doubled)
    line = doubled.splitlines().index("  mlops-iac:environment: prod") + 1
    with pytest.raises(PlanError) as info:
        plan_stack(tmp_path, "aws-dev")
    assert str(info.value) == (
        f"{stack_file}: the Pulumi CLI refuses this file (1 problem(s)):\n"
        f'  - line {line}: mapping key "mlops-iac:environment" already defined at line {line - 1}'
    )


def test_duplicate_keys_at_any_depth_are_all_reported(tmp_path: Path) -> None:
    text = """\
config:
  demo:region: eu-west-1
  demo:network:
    cidr: 10.0.0.0/16
    zones: 2
    cidr: 10.1.0.0/16
  demo:teams: [a, b]
  "demo:region": eu-central-1
"""
    assert stack_problems(tmp_path, text) == [
        'line 6: mapping key "cidr" already defined at line 4',
        'line 8: mapping key "demo:region" already defined at line 2',
    ]


def test_duplicate_keys_in_the_project_file_are_refused(tmp_path: Path) -> None:
    project = "name: demo\nruntime: python\nmain: .\nmain: app\n"
    with pytest.raises(PlanError) as info:
        load_project(project_dir(tmp_path, project))
    assert str(info.value) == (
        f"{tmp_path / 'Pulumi.yaml'}: the Pulumi CLI refuses this file (1 problem(s)):\n"
        '  - line 4: mapping key "main" already defined at line 3'
    )


def test_a_key_without_namespace_belongs_to_the_project(tmp_path: Path) -> None:
    """loaders.go stackConfigNamespacedWithProject: ``region`` is ``demo:region``."""
    text = "config:\n  region: eu-west-1\n  token: {secure: v1:abc}\n"
    config = load_stack_config(load_project(project_dir(tmp_path, dev=text)), "dev")
    assert config.values["demo:region"] == "eu-west-1"
    assert "region" not in config.values


def test_the_same_key_spelled_twice_is_refused(tmp_path: Path) -> None:
    """``environment`` and ``demo:environment`` (or the legacy ``demo:config:...``)
    are one key; the CLI would keep one of them at random, the plan refuses."""
    text = """\
config:
  demo:region: eu-west-1
  region: us-east-1
  demo:config:region: ap-south-1
  demo:token: {secure: v1:abc}
"""
    assert stack_problems(tmp_path, text) == [
        "line 3: 'region' sets demo:region, already set as 'demo:region' at line 2 "
        "(the Pulumi CLI would keep one of them at random)",
        "line 4: 'demo:config:region' sets demo:region, already set as 'demo:region' at "
        "line 2 (the Pulumi CLI would keep one of them at random)",
    ]


def test_keys_the_cli_cannot_parse_are_refused(tmp_path: Path) -> None:
    text = "config:\n  demo:region: eu-west-1\n  demo:token: {secure: x}\n  a:b:c: 1\n"
    assert stack_problems(tmp_path, text) == [
        "line 4: could not parse a:b:c as a configuration key (configuration keys should "
        "be of the form `<namespace>:<name>`)"
    ]


def test_values_of_the_wrong_declared_type_are_refused(tmp_path: Path) -> None:
    text = """\
config:
  demo:region: [eu-west-1]
  demo:zones: two
  demo:public: yes
  demo:teams: [ml, 3]
  demo:network: 10.0.0.0/16
  demo:token: {secure: x}
"""
    assert stack_problems(tmp_path, text) == [
        "demo:network (line 6): must be of type 'object' (declared in Pulumi.yaml; stack 'dev')",
        "demo:public (line 4): must be of type 'boolean' (declared in Pulumi.yaml; stack 'dev')",
        "demo:region (line 2): must be of type 'string' (declared in Pulumi.yaml; stack 'dev')",
        "demo:teams (line 5): must be of type 'array<string>' (declared in Pulumi.yaml; "
        "stack 'dev')",
        "demo:zones (line 3): must be of type 'integer' (declared in Pulumi.yaml; stack 'dev')",
    ]


def test_values_the_cli_accepts_for_declared_types(tmp_path: Path) -> None:
    """Scalars are checked as the text the CLI stores: ``"3"`` is an integer, the
    string ``"true"`` a boolean; any scalar is a string."""
    text = """\
config:
  demo:region: 42
  demo:zones: "3"
  demo:public: "true"
  demo:token: {secure: x}
"""
    config = load_stack_config(load_project(project_dir(tmp_path, dev=text)), "dev")
    assert (config.values["demo:region"], config.values["demo:zones"]) == ("42", "3")


def test_a_declared_secret_must_be_encrypted(tmp_path: Path) -> None:
    """config.go validateStackConfigValue; a plain default does not count either."""
    assert stack_problems(tmp_path, "config:\n  demo:region: x\n  demo:token: hunter2\n") == [
        "demo:token (line 3): must be encrypted as it's secret (Pulumi.yaml declares secret: "
        "true); set it with `pulumi config set --secret`"
    ]
    assert stack_problems(tmp_path, "config:\n  demo:region: x\n") == [
        "demo:token: must be encrypted as it's secret (Pulumi.yaml declares secret: true) "
        "(its default from Pulumi.yaml is plain text); set it with `pulumi config set --secret`"
    ]


def test_values_the_cli_cannot_store_are_refused(tmp_path: Path) -> None:
    """object.go MarshalString: Go's JSON encoder has no NaN or infinity."""
    text = """\
config:
  demo:region: x
  demo:token: {secure: x}
  demo:network:
    threshold: .nan
  demo:limit: -.inf
"""
    assert stack_problems(tmp_path, text) == [
        "line 5: demo:network: json: unsupported value: NaN (the CLI cannot store it; quote "
        "it if it is text)",
        "line 6: demo:limit: json: unsupported value: -Inf (the CLI cannot store it; quote it "
        "if it is text)",
    ]


def test_keys_must_be_strings(tmp_path: Path) -> None:
    text = "config:\n  demo:region: x\n  demo:token: {secure: x}\n  demo:map: {1: a, on: b}\n"
    assert stack_problems(tmp_path, text) == ["line 4: expected only string keys, got '1' (int)"]


def test_scalars_resolve_as_yaml_1_2(tmp_path: Path) -> None:
    """yaml.v3 resolve.go: ``yes``/``on`` stay text, ``1e3`` is a number, ``0o17`` octal,
    a date is rendered as Go's time.Time; floats print as Go's JSON encoder prints them."""
    text = """\
config:
  demo:region: x
  demo:token: {secure: x}
  demo:words: [yes, on, No]
  demo:numbers: [1e3, 0o17, 1_000, 5.0, 0.000001, 1e-7, 1.5e21]
  demo:day: 2026-03-01
"""
    values = load_stack_config(load_project(project_dir(tmp_path, dev=text)), "dev").values
    assert values["demo:words"] == '["yes","on","No"]'
    assert values["demo:numbers"] == "[1000,15,1000,5,0.000001,1e-7,1.5e+21]"
    assert values["demo:day"] == "2026-03-01 00:00:00 +0000 UTC"


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (
            "  aws:region:\n    type: string\n    value: x\n",
            "Configuration key 'aws:region' is not namespaced by the project and should not "
            "define a type",
        ),
        (
            "  other:key:\n    default: x\n",
            "Configuration key 'other:key' is not namespaced by the project and should not "
            "define a default value. Did you mean to use the 'value' attribute instead of "
            "'default'?",
        ),
        (
            "  other:key:\n    description: no value\n",
            "Configuration key 'other:key' is namespaced and must provide an attribute 'value'",
        ),
        (
            "  zones:\n    default: 1\n    value: 2\n",
            "project config 'zones' cannot have both a 'default' and 'value' attribute",
        ),
        (
            "  teams:\n    type: array\n",
            "The configuration key 'teams' declares an array but does not specify the "
            "underlying type via the 'items' attribute",
        ),
        (
            "  zones:\n    type: integer\n    default: two\n",
            "The default value specified for configuration key 'zones' is not of the "
            "expected type 'integer'",
        ),
        (
            "  zones:\n    type: number\n",
            "config.zones.type: must be one of string, integer, boolean, array, object",
        ),
        (
            "  zones:\n    typ: integer\n",
            "config.zones: 'typ' not allowed; the allowed attributes are default, description, "
            "items, secret, type, value",
        ),
        (
            "  ratio: 0.5\n",
            "config.ratio: must be a string, integer, boolean, array or a declaration (type, "
            "description, default, value, secret, items), got a float",
        ),
    ],
)
def test_project_config_the_cli_refuses(tmp_path: Path, config: str, problem: str) -> None:
    """project.go Project.Validate and the project.json schema."""
    project = f"name: demo\nruntime: python\nconfig:\n{config}"
    with pytest.raises(PlanError) as info:
        load_project(project_dir(tmp_path, project))
    assert str(info.value) == (
        f"{tmp_path / 'Pulumi.yaml'}: the Pulumi CLI refuses this file (1 problem(s)):\n"
        f"  - line 4: {problem}"
    )


def test_legacy_config_string_is_the_stack_config_dir(tmp_path: Path) -> None:
    """project.go RewriteConfigPathIntoStackConfigDir."""
    project = load_project(project_dir(tmp_path, "name: demo\nruntime: python\nconfig: stacks\n"))
    assert project.stack_config_dir == tmp_path / "stacks"
    both = "name: demo\nruntime: python\nconfig: stacks\nstackConfigDir: other\n"
    with pytest.raises(PlanError, match="Should not use both config and stackConfigDir"):
        load_project(project_dir(tmp_path, both))


def test_plan_exits_2_on_a_refused_stack_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = project_dir(tmp_path, dev="config:\n  demo:region: a\n  demo:region: b\n")
    assert main(["plan", "dev", "--program", str(directory)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {directory / 'Pulumi.dev.yaml'}: the Pulumi CLI refuses this file "
        '(1 problem(s)):\n  - line 3: mapping key "demo:region" already defined at line 2\n'
    )

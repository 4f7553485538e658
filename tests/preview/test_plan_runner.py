"""run_program: what the recorder captures, how failures and warnings surface, and
that runs are isolated and reproducible."""

from __future__ import annotations

import warnings

import pulumi
import pulumi_aws as aws
import pytest
from mlops_preview.recorder import SECRET
from mlops_preview.runner import Recording, run_program

ROOT = "urn:pulumi:test::mlops-iac::pulumi:pulumi:Stack::mlops-iac-test"
COMPONENT = "urn:pulumi:test::mlops-iac::test:index:Pair::pair"
FIRST = "urn:pulumi:test::mlops-iac::test:index:Pair$aws:s3/bucket:Bucket::pair-first"
SECOND = "urn:pulumi:test::mlops-iac::test:index:Pair$aws:s3/bucket:Bucket::pair-second"


class Pair(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Pair", name, None, None)
        self.first = aws.s3.Bucket(
            f"{name}-first",
            force_destroy=True,
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )
        self.second = aws.s3.Bucket(
            f"{name}-second",
            tags={"team": "ml", "token": pulumi.Output.secret("hunter2")},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.first]),
        )
        self.register_outputs({})


def pair_program() -> None:
    pair = Pair("pair")
    aws.s3.BucketVersioning(
        "versioning",
        bucket=pair.first.id,
        versioning_configuration={"status": "Enabled"},
    )
    pulumi.export("first", pair.first.bucket)
    pulumi.export("password", pulumi.Output.secret("s3cret"))
    pulumi.export("nested", {"region": "eu-west-1", "key": pulumi.Output.secret("k")})


@pytest.fixture(scope="module")
def recording() -> Recording:
    return run_program(pair_program)


def test_records_components_and_children_with_parents(recording: Recording) -> None:
    assert recording.root_urn == ROOT
    assert [r.urn for r in recording.resources] == [
        COMPONENT,
        FIRST,
        SECOND,
        "urn:pulumi:test::mlops-iac::aws:s3/bucketVersioning:BucketVersioning::versioning",
    ]
    component = recording.one("test:index:Pair")
    assert component.custom is False and component.parent == ROOT and component.id is None
    assert [c.urn for c in recording.children_of(COMPONENT)] == [FIRST, SECOND]
    assert [c.name for c in recording.children_of(ROOT)] == ["pair", "versioning"]


def test_records_dependencies(recording: Recording) -> None:
    assert recording.one("aws:s3/bucket:Bucket", "pair-second").dependencies == [FIRST]
    versioning = recording.one("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.dependencies == [FIRST]
    assert versioning.property_dependencies["bucket"] == [FIRST]
    assert versioning.property_dependencies["versioningConfiguration"] == []


def test_records_protect_and_retain_on_delete(recording: Recording) -> None:
    first = recording.one("aws:s3/bucket:Bucket", "pair-first")
    second = recording.one("aws:s3/bucket:Bucket", "pair-second")
    assert (first.protect, first.retain_on_delete) == (True, True)
    assert (second.protect, second.retain_on_delete) == (False, False)


def test_inputs_use_engine_camel_case_names(recording: Recording) -> None:
    assert recording.one("aws:s3/bucket:Bucket", "pair-first").inputs == {"forceDestroy": True}
    versioning = recording.one("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert versioning.inputs["bucket"] == recording.one("aws:s3/bucket:Bucket", "pair-first").id


def test_only_the_secret_value_is_redacted(recording: Recording) -> None:
    second = recording.one("aws:s3/bucket:Bucket", "pair-second")
    assert second.inputs == {"tags": {"team": "ml", "token": SECRET}}
    assert "hunter2" not in repr(recording)


def test_outputs_are_mock_state(recording: Recording) -> None:
    first = recording.one("aws:s3/bucket:Bucket", "pair-first")
    assert first.id == first.outputs["bucket"]
    assert first.outputs["arn"] == f"arn:aws:s3:::{first.id}"


def test_stack_outputs_with_secrets_redacted(recording: Recording) -> None:
    first = recording.one("aws:s3/bucket:Bucket", "pair-first")
    assert recording.outputs == {
        "first": first.id,
        "password": SECRET,
        "nested": {"region": "eu-west-1", "key": SECRET},
    }


def test_to_json_has_exactly_the_documented_fields(recording: Recording) -> None:
    assert list(recording.resources[0].to_json()) == [
        "urn",
        "type",
        "name",
        "parent",
        "dependencies",
        "property_dependencies",
        "provider",
        "custom",
        "protect",
        "retain_on_delete",
        "inputs",
        "id",
        "outputs",
    ]


def test_explicit_provider_is_recorded_and_referenced() -> None:
    def program() -> None:
        east = aws.Provider("east", region="us-east-1")
        aws.s3.Bucket("b", opts=pulumi.ResourceOptions(provider=east))

    recording = run_program(program)
    provider = recording.one("pulumi:providers:aws", "east")
    bucket = recording.one("aws:s3/bucket:Bucket")
    assert provider.custom is True and provider.inputs["region"] == "us-east-1"
    assert bucket.provider == f"{provider.urn}::{provider.id}"
    assert bucket.outputs["region"] == "us-east-1"


def test_config_and_secret_keys_reach_the_program() -> None:
    def program() -> None:
        config = pulumi.Config()
        pulumi.export("size", config.require_int("size"))
        pulumi.export("token", config.require_secret("token"))

    recording = run_program(
        program,
        config={"mlops-iac:size": "3", "mlops-iac:token": "t0k"},
        secret_keys=["mlops-iac:token"],
    )
    assert recording.outputs == {"size": 3.0, "token": SECRET}
    assert recording.config == {"mlops-iac:size": "3", "mlops-iac:token": SECRET}


def test_run_error_propagates_as_itself() -> None:
    def program() -> None:
        raise pulumi.RunError("bad settings:\n  - a\n  - b")

    with pytest.raises(pulumi.RunError) as info:
        run_program(program)
    assert type(info.value) is pulumi.RunError
    assert str(info.value) == "bad settings:\n  - a\n  - b"


def test_error_inside_apply_propagates_as_itself() -> None:
    def fail(_: object) -> None:
        raise ValueError("computed value rejected")

    def program() -> None:
        aws.s3.Bucket("b").id.apply(fail)

    with pytest.raises(ValueError, match="computed value rejected"):
        run_program(program)


def test_duplicate_urn_fails_like_the_engine() -> None:
    def program() -> None:
        aws.s3.Bucket("same")
        aws.s3.Bucket("same")

    with pytest.raises(pulumi.RunError, match="Duplicate resource URN"):
        run_program(program)


def test_warnings_are_captured() -> None:
    def program() -> None:
        pulumi.log.warn("pulumi says careful")
        warnings.warn("python says careful", UserWarning, stacklevel=1)
        aws.s3.BucketV2("old")  # deprecated on purpose: the plan must report it

    recording = run_program(program)
    assert "pulumi says careful" in recording.warnings
    assert "UserWarning: python says careful" in recording.warnings
    assert any("BucketV2 is deprecated" in w for w in recording.warnings)
    assert recording.warnings == sorted(recording.warnings)


def test_no_warnings_for_a_clean_program(recording: Recording) -> None:
    assert recording.warnings == []


def test_runs_are_isolated_and_identical() -> None:
    first = run_program(pair_program)
    run_program(lambda: None, project="other", stack="prod", config={"other:x": "1"})
    second = run_program(pair_program)
    assert [r.to_json() for r in first.resources] == [r.to_json() for r in second.resources]
    assert first.outputs == second.outputs
    assert first.config == second.config == {}


def test_failed_run_leaves_no_state_behind() -> None:
    with pytest.raises(pulumi.RunError):
        run_program(lambda: (_ for _ in ()).throw(pulumi.RunError("boom")))
    assert len(run_program(pair_program).resources) == 4


def test_lookup_helpers_fail_clearly(recording: Recording) -> None:
    with pytest.raises(
        LookupError,
        match=r"expected one aws:s3/bucket:Bucket, found 2 \(names: pair-first, pair-second\)",
    ):
        recording.one("aws:s3/bucket:Bucket")
    with pytest.raises(LookupError, match="found 0"):
        recording.one("aws:kms/key:Key")
    assert recording.by_type("aws:kms/key:Key") == []


def test_urns_follow_the_engine() -> None:
    def program() -> None:
        outer = pulumi.ComponentResource("test:index:Outer", "outer")
        inner = pulumi.ComponentResource(
            "test:index:Inner", "inner", None, pulumi.ResourceOptions(parent=outer)
        )
        aws.kms.Key("key", opts=pulumi.ResourceOptions(parent=inner))

    urns = [r.urn for r in run_program(program).resources]
    assert urns == [
        "urn:pulumi:test::mlops-iac::test:index:Outer::outer",
        "urn:pulumi:test::mlops-iac::test:index:Outer$test:index:Inner::inner",
        "urn:pulumi:test::mlops-iac::test:index:Outer$test:index:Inner$aws:kms/key:Key::key",
    ]


def test_protect_is_inherited_but_retain_on_delete_is_not() -> None:
    def program() -> None:
        parent = pulumi.ComponentResource(
            "test:index:Guarded",
            "guarded",
            None,
            pulumi.ResourceOptions(protect=True, retain_on_delete=True),
        )
        aws.s3.Bucket("inner", opts=pulumi.ResourceOptions(parent=parent))

    inner = run_program(program).one("aws:s3/bucket:Bucket", "inner")
    assert (inner.protect, inner.retain_on_delete) == (True, False)


def test_resource_references_and_reads() -> None:
    def program() -> None:
        existing = aws.s3.Bucket.get("existing", "existing-bucket")
        pulumi.CustomResource("test:index:Thing", "thing", {"target": existing, "count": 2})

    recording = run_program(program)
    existing_urn = "urn:pulumi:test::mlops-iac::aws:s3/bucket:Bucket::existing"
    thing = recording.one("test:index:Thing")
    assert thing.inputs == {"target": existing_urn, "count": 2.0}
    assert thing.dependencies == [existing_urn]
    # A read is not managed by the stack, so it is not recorded.
    assert recording.by_type("aws:s3/bucket:Bucket") == []

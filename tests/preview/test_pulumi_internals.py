"""The Pulumi internals the offline preview relies on, pinned.

The runner, the recorder and the mocks use private parts of the Pulumi Python SDK (the
runtime's context settings, the RPC manager, the mock monitor, the wire signatures and
the type helpers). ``pyproject.toml`` pins the ``pulumi`` range the preview supports;
this test fails first, with the name that changed, when a ``pulumi`` release inside or
outside that range moves one of them. Each check names where the preview uses it.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pulumi
import pulumi.resource
import pytest
from packaging.specifiers import SpecifierSet
from pulumi import _types
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks, rpc, settings, stack, sync_await
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime.proto import engine_pb2, resource_pb2, source_pb2

ROOT = Path(__file__).resolve().parents[2]


def _parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_the_installed_pulumi_is_in_the_supported_range() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    line = next(x for x in text.splitlines() if x.strip().startswith('"pulumi>='))
    supported = SpecifierSet(line.strip().strip('",')[len("pulumi") :])
    assert version("pulumi") in supported, (line, version("pulumi"))


def test_runner_patches_exist_with_their_signatures() -> None:
    # runner._offline_runtime replaces these three for the length of a run.
    assert _parameters(stack.wait_for_rpcs) == ["await_all_outstanding_tasks"]
    assert inspect.iscoroutinefunction(stack.wait_for_rpcs)
    assert _parameters(runtime_resource._get_stack_trace) == []
    assert isinstance(runtime_resource._get_stack_trace(), source_pb2.StackTrace)
    assert _parameters(pulumi.resource.register_resource)[:3] == ["res", "ty", "name"]
    assert _parameters(stack.run_in_stack) == ["func"]


def test_runtime_settings_are_context_properties() -> None:
    # runner._execute and runner._wait_for_rpcs.
    assert {"project", "stack", "monitor", "engine", "dry_run", "organization"} <= set(
        _parameters(settings.Settings)
    )
    assert _parameters(settings.configure) == ["settings"]
    assert hasattr(settings.ROOT, "set") and hasattr(settings.ROOT, "get")
    state: Any = settings.SETTINGS
    for name in ("lock", "outputs"):
        # Context properties (pulumi._utils.ContextProperty) read per context.
        assert type(type(state).__dict__.get(name)).__name__ == "ContextProperty", name
    assert hasattr(state.lock, "__enter__") and isinstance(state.outputs, set)
    manager = settings._get_rpc_manager()
    for name in ("rpcs", "unhandled_exception", "exception_traceback"):
        assert hasattr(manager, name), name
    assert _parameters(runtime_config.set_all_config) == ["config", "secret_keys"]
    assert callable(settings.get_project) and callable(settings.get_stack)
    assert engine_pb2.WARNING != engine_pb2.ERROR


def test_mock_monitor_and_mocks_protocol() -> None:
    # recorder.Recorder subclasses MockMonitor; PlanMocks implements Mocks.
    for name in ("RegisterResource", "RegisterResourceOutputs", "Invoke", "ReadResource"):
        assert callable(getattr(mocks.MockMonitor, name)), name

    class Echo(mocks.Mocks):
        def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict]:
            return None, args.inputs

        def call(self, args: mocks.MockCallArgs) -> tuple[dict, list | None]:
            return {}, None

    monitor = mocks.MockMonitor(Echo())
    assert monitor.resources == {} and isinstance(monitor.mocks, Echo)
    assert _parameters(mocks.MockMonitor.ResourceRegistration) == ["urn", "id", "state"]
    assert _parameters(mocks.MockResourceArgs)[:6] == [
        "typ",
        "name",
        "inputs",
        "provider",
        "resource_id",
        "custom",
    ]
    assert _parameters(mocks.Mocks.new_resource) == ["self", "args"]
    assert _parameters(mocks.Mocks.call) == ["self", "args"]
    call = mocks.MockCallArgs("tok", {"a": 1}, "")
    assert (call.token, call.args) == ("tok", {"a": 1})
    assert callable(sync_await._ensure_event_loop) and callable(sync_await._sync_await)


def test_wire_messages_have_the_fields_the_recorder_reads() -> None:
    register = resource_pb2.RegisterResourceRequest.DESCRIPTOR.fields_by_name
    for name in (
        "type",
        "name",
        "parent",
        "object",
        "provider",
        "importId",
        "custom",
        "dependencies",
        "propertyDependencies",
        "protect",
        "retainOnDelete",
    ):
        assert name in register, name
    deps = resource_pb2.RegisterResourceRequest.PropertyDependencies.DESCRIPTOR.fields_by_name
    assert "urns" in deps
    assert {"urn", "id", "object"} <= set(
        resource_pb2.RegisterResourceResponse.DESCRIPTOR.fields_by_name
    )
    assert {"urn", "outputs"} <= set(
        resource_pb2.RegisterResourceOutputsRequest.DESCRIPTOR.fields_by_name
    )
    assert {"tok", "args"} <= set(resource_pb2.ResourceInvokeRequest.DESCRIPTOR.fields_by_name)
    assert "properties" in resource_pb2.ReadResourceRequest.DESCRIPTOR.fields_by_name


def test_wire_signatures_and_serialization() -> None:
    # recorder.plain_struct reads values in the wire form.
    assert rpc._special_sig_key == "4dabf18193072939515e22adb298388d"
    assert rpc._special_secret_sig == "1b47061264138c4ac30d75fd1eb44270"
    assert rpc._special_resource_sig == "5cf8f73096256a8f31e491e813e4eb8e"
    assert rpc._special_asset_sig == "c44067f5952c0a294b673a41bacd8c17"
    assert rpc._special_archive_sig == "0def7320c3a5731c473e5ecbe6d01bc7"
    assert rpc._special_output_value_sig == "d0e6a833031e9bbcd3f4e8bde6ca49a4"
    assert rpc.UNKNOWN == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert _parameters(rpc.serialize_properties)[:2] == ["inputs", "property_deps"]
    assert _parameters(rpc.deserialize_properties)[0] == "props_struct"


def test_type_helpers_the_mocks_and_lookups_read() -> None:
    # mocks (nested outputs shaped by the SDK's types) and lookups.result_fields.
    from pulumi_aws import eks

    types = _types.resource_types(eks.Cluster)
    assert _types.is_output_type(types["certificateAuthority"])
    identity = _types.output_type_types(types["certificateAuthority"])
    assert "data" in identity
    assert _parameters(_types.unwrap_type) == ["val"]
    assert callable(_types._py_to_pulumi_names_from_py_properties)
    assert _types._py_to_pulumi_names_from_py_properties(eks.ClusterArgs)["role_arn"] == "roleArn"


@pytest.mark.parametrize(
    "module",
    ["pulumi_aws.eks.cluster", "pulumi_gcp.container.cluster"],
)
def test_argument_deprecations_are_warnings_in_args_init(module: str) -> None:
    # deprecations scans the Args classes' __init__ source for these calls.
    import importlib

    source = inspect.getsource(importlib.import_module(module))
    assert "warnings.warn(" in source and "is deprecated: " in source
    assert "pulumi.log.warn(" in source


def test_what_unknown_values_and_failures_rely_on() -> None:
    # unknowns.output_form_flagged wraps these; the provider SDKs' *_output functions
    # call them through the pulumi.runtime package.
    import pulumi.runtime

    assert _parameters(pulumi.runtime.invoke_output)[:2] == ["tok", "props"]
    assert _parameters(pulumi.runtime.invoke_output_single)[:2] == ["tok", "props"]
    # recorder.Recorder._unknown_answer: an invoke the engine answers as wholly unknown.
    assert "unknown" in resource_pb2.ResourceInvokeResponse.DESCRIPTOR.fields_by_name
    # failures._resource_in reads these locals of the frames that serialize a
    # resource's inputs (running the apply callbacks that feed them).
    # (test_plan_failures' apply-error case checks the whole message end to end.)
    code = runtime_resource.prepare_resource.__code__
    assert {"res", "ty"} <= set(code.co_varnames)


def test_what_invokes_reads_and_exports_rely_on() -> None:
    # recorder.Recorder._not_made: the SDK sends an output-form invoke's dependencies
    # when the monitor reports this feature (from GetDeploymentInfo).
    assert "dependsOn" in resource_pb2.ResourceInvokeRequest.DESCRIPTOR.fields_by_name
    assert hasattr(resource_pb2, "RESOURCE_MONITOR_FEATURE_INVOKE_DEPENDS_ON")
    assert "GetDeploymentInfo" in vars(mocks.MockMonitor)
    assert "_load_monitor_feature_support" in vars(settings)
    # recorder.Recorder.ReadResource: a read's id comes from the response in a preview.
    assert "id" in resource_pb2.ReadResourceResponse.DESCRIPTOR.fields_by_name
    # recorder.plain_struct: a resource exported as a stack output is marked so.
    assert '"@isPulumiResource"' in inspect.getsource(stack)
    # failures._type_token: the SDK's Resource.__init__ holds the type as ``t``.
    assert _parameters(pulumi.Resource.__init__)[1] == "t"
    assert _parameters(pulumi.ComponentResource.__init__)[1] == "t"

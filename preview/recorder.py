"""A mock resource monitor that records everything a Pulumi program registers.

Mocks only see a resource's type, name and inputs; the engine sees the whole
``RegisterResourceRequest`` (parent, dependencies, provider, protect, retainOnDelete).
``Recorder`` keeps that whole picture per resource, which the plan report, the policy
evaluation and the tests all read.

Inputs are recorded from the request's wire form, not from ``rpc.deserialize_properties``:
the SDK pushes secretness up to the enclosing object (one secret tag hides a whole
``tags`` map), while the recorder replaces exactly the secret value with ``"[secret]"``
and leaves its siblings readable. Keys stay in the engine's camelCase, as a policy pack's
``args.props`` has them. URNs are built as the engine builds them (see ``make_urn``).
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import get_project, get_stack
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from .mocks import PlanMocks, UnmockedInvokeError
from .shapes import SDK_PACKAGES
from .unknowns import (
    SECRET_UNKNOWN,
    UNKNOWN,
    Unanswered,
    answered_offline,
    contains_unknowns,
    output_form,
    read_token,
    unknown_result,
)

STACK_TYPE = "pulumi:pulumi:Stack"
SECRET = "[secret]"
"""What a secret value is replaced by in recorded inputs and outputs."""

_SIG = rpc._special_sig_key
_SECRET_SIG = rpc._special_secret_sig
_RESOURCE_SIG = rpc._special_resource_sig
_ASSET_SIG = rpc._special_asset_sig
_ARCHIVE_SIG = rpc._special_archive_sig
_OUTPUT_SIG = rpc._special_output_value_sig
_IS_RESOURCE = "@isPulumiResource"
"""The key the SDK adds, in a preview, to a resource exported as a stack output."""


@dataclass
class RecordedResource:
    """One registered resource, component or provider, as the engine received it."""

    urn: str
    type: str
    name: str
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str | None
    custom: bool
    protect: bool
    retain_on_delete: bool
    inputs: dict[str, Any]
    id: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with every field (snake_case keys)."""
        return asdict(self)


def plain_struct(struct: struct_pb2.Struct) -> Any:
    """Wire-form properties as plain JSON values: secrets become ``"[secret]"``,
    resource references their URN, unknowns ``"[unknown]"``; null fields are dropped
    as the SDK drops them. Keys come out sorted so records are deterministic."""
    fields = struct.fields
    if _IS_RESOURCE in fields and "urn" in fields:
        # A resource exported as a stack output: the SDK sends its properties (Python
        # names); the plan records it as every other reference, by URN.
        return plain_value(fields["urn"])
    if _SIG in fields:
        sig = fields[_SIG].string_value
        if sig == _SECRET_SIG:
            unknown = "value" in fields and _wire_has_unknown(fields["value"])
            return SECRET_UNKNOWN if unknown else SECRET
        if sig == _RESOURCE_SIG:
            return fields["urn"].string_value
        if sig == _OUTPUT_SIG:
            if "secret" in fields and fields["secret"].bool_value:
                unknown = "value" not in fields or _wire_has_unknown(fields["value"])
                return SECRET_UNKNOWN if unknown else SECRET
            return plain_value(fields["value"]) if "value" in fields else UNKNOWN
        if sig == _ASSET_SIG:
            return {"asset": {k: plain_value(v) for k, v in sorted(fields.items()) if k != _SIG}}
        if sig == _ARCHIVE_SIG:
            return {"archive": {k: plain_value(v) for k, v in sorted(fields.items()) if k != _SIG}}
    out: dict[str, Any] = {}
    for key in sorted(fields):
        value = plain_value(fields[key])
        if value is not None:
            out[key] = value
    return out


def plain_value(value: struct_pb2.Value) -> Any:
    """One wire value as a plain JSON value (see ``plain_struct``)."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return plain_struct(value.struct_value)
    if kind == "list_value":
        return [plain_value(v) for v in value.list_value.values]
    if kind == "string_value":
        return UNKNOWN if value.string_value == rpc.UNKNOWN else value.string_value
    if kind == "number_value":
        return value.number_value
    if kind == "bool_value":
        return value.bool_value
    return None


def _wire_has_unknown(value: struct_pb2.Value) -> bool:
    """Whether an unknown (the ``rpc.UNKNOWN`` sentinel, or an output value without a
    value) is anywhere below ``value`` in wire form."""
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value == rpc.UNKNOWN
    if kind == "list_value":
        return any(_wire_has_unknown(v) for v in value.list_value.values)
    if kind == "struct_value":
        fields = value.struct_value.fields
        if _SIG in fields and fields[_SIG].string_value == _OUTPUT_SIG and "value" not in fields:
            return True
        return any(_wire_has_unknown(v) for v in fields.values())
    return False


def _has_reference(value: struct_pb2.Value) -> bool:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        if _SIG in fields and fields[_SIG].string_value == _RESOURCE_SIG:
            return True
        return any(_has_reference(v) for v in fields.values())
    if kind == "list_value":
        return any(_has_reference(v) for v in value.list_value.values)
    return False


def _references_to_urns(value: struct_pb2.Value) -> None:
    """Replace, in place, every resource reference below ``value`` by its URN."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        if _SIG in fields and fields[_SIG].string_value == _RESOURCE_SIG:
            value.string_value = fields["urn"].string_value
            return
        for item in fields.values():
            _references_to_urns(item)
    elif kind == "list_value":
        for item in value.list_value.values:
            _references_to_urns(item)


def _without_references(struct: struct_pb2.Struct) -> struct_pb2.Struct:
    """``struct`` with resource references replaced by URNs (a copy, if any were)."""
    if not any(_has_reference(v) for v in struct.fields.values()):
        return struct
    copy = struct_pb2.Struct()
    copy.CopyFrom(struct)
    for item in copy.fields.values():
        _references_to_urns(item)
    return copy


def mock_inputs(struct: struct_pb2.Struct) -> dict[str, Any]:
    """Inputs for the mocks: ``rpc.deserialize_properties`` (secrets stay wrapped, so an
    echoed secret stays secret), except that resource references stay URN strings.
    Deserializing a reference constructs a ``Resource`` on the monitor's worker thread;
    its RPCs land on that thread's event loop, which nothing drives, and the program
    then waits for them forever (an intermittent hang of Pulumi's stock monitor)."""
    return rpc.deserialize_properties(_without_references(struct))


@functools.cache
def sdk_versions() -> dict[str, str]:
    """Installed version of each provider SDK by package (``aws`` -> ``7.51.1``): the
    engine names a default provider after its plugin version (``default_7_51_1``)."""
    found = {}
    for package, module in SDK_PACKAGES.items():
        try:
            found[package] = version(module.replace("_", "-"))
        except PackageNotFoundError:
            continue
    return found


class Recorder(MockMonitor):
    """``MockMonitor`` that records every registration (see ``RecordedResource``) and
    the root stack's outputs. Duplicate URNs fail as they do in the engine; the stock
    monitor would silently keep the last one."""

    def __init__(
        self,
        mocks: Mocks,
        config: Mapping[str, str] | None = None,
        secret_keys: Iterable[str] = (),
    ) -> None:
        super().__init__(mocks)
        self.config = dict(config or {})
        """The stack's flat config: the default providers' settings (``aws:region`` ...)."""
        self.secret_keys = frozenset(secret_keys)
        self._default_providers: dict[str, str] = {}
        self._default_records: dict[str, RecordedResource] = {}
        # Read up front: registering the first resource must not be slower than the next.
        self._versions = sdk_versions()
        self.root_urn: str | None = None
        self.stack_outputs: dict[str, Any] = {}
        self._records: dict[str, RecordedResource] = {}
        self._lock = threading.Lock()
        self._last: RecordedResource | None = None
        self._calls = itertools.count()
        self._invoking: dict[int, str] = {}
        self.unanswered: list[Unanswered] = []
        """Lookups no answer was found for, answered as unknown (in call order)."""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the engine would give: the parent's full qualified type (its own
        chain included) prefixes the type, except for the root stack's children. The
        stock mock keeps ``pulumi:pulumi:Stack$`` and only the parent's last type, so
        its URNs never match what ``pulumi preview`` shows."""
        if parent:
            qualified = parent.split("::")[2]
            if qualified != STACK_TYPE:
                type_ = f"{qualified}${type_}"
        return f"urn:pulumi:{get_stack()}::{get_project()}::{type_}::{name}"

    @property
    def records(self) -> dict[str, RecordedResource]:
        """Recorded resources by URN (a copy; registration order is not deterministic)."""
        with self._lock:
            return dict(self._records)

    @property
    def default_providers(self) -> list[RecordedResource]:
        """The default providers the program's resources use, sorted by URN. Kept apart
        from ``records`` (the program did not declare them); each resource on one has
        its reference as ``provider``, so policies read its ``defaultTags`` as they do
        under ``pulumi preview --policy-pack``."""
        with self._lock:
            return [self._default_records[urn] for urn in sorted(self._default_records)]

    @property
    def last_registered(self) -> RecordedResource | None:
        """The resource registered most recently (for a program that never finishes)."""
        with self._lock:
            return self._last

    @property
    def invokes_in_progress(self) -> list[str]:
        """Tokens of the invokes being answered right now, oldest first."""
        with self._lock:
            return [self._invoking[key] for key in sorted(self._invoking)]

    def RegisterResource(self, request: Any) -> resource_pb2.RegisterResourceResponse:
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE:
            self.root_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)

        # Serializing the state (assets, secrets) needs an event loop on this thread.
        _ensure_event_loop()
        provider = request.provider or self._default_provider(request.type, request.custom)
        args = MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=mock_inputs(request.object),
            provider=provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        if isinstance(self.mocks, PlanMocks):
            resource_id, state = self.mocks.new_resource_at(urn, args)
        else:
            id_or_none, state = self.mocks.new_resource(args)
            resource_id = id_or_none or ""
        state_proto = _sync_await(rpc.serialize_properties(state, {}))

        record = RecordedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            dependencies=sorted(set(request.dependencies)),
            property_dependencies={
                key: sorted(set(deps.urns))
                for key, deps in sorted(request.propertyDependencies.items())
            },
            provider=provider or None,
            custom=bool(request.custom),
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            inputs=plain_struct(request.object),
            id=resource_id or None,
            outputs=plain_struct(state_proto),
        )
        with self._lock:
            if urn in self._records:
                raise pulumi.RunError(
                    f"Duplicate resource URN '{urn}'; try giving it a unique name"
                )
            self._records[urn] = record
            self._last = record
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=state_proto)

    def _default_provider(self, type_: str, custom: bool) -> str:
        """The reference (``urn::id``) of the default provider of ``type_``'s package,
        registered on first use as the engine registers it: ``pulumi:providers:<pkg>``
        named ``default_<version>``, configured from the stack's ``<pkg>:*`` config
        (string values, as the engine passes them; secrets recorded as ``"[secret]"``).
        Empty for components and for packages the preview does not know."""
        package = type_.split(":")[0]
        if not custom or package not in SDK_PACKAGES or type_.startswith("pulumi:providers:"):
            return ""
        with self._lock:
            known = self._default_providers.get(package)
        if known:
            return known
        sdk_version = self._versions.get(package)
        if sdk_version is None:
            return ""
        name = "default_" + sdk_version.replace(".", "_").replace("-", "_")
        provider_type = f"pulumi:providers:{package}"
        urn = self.make_urn(self.root_urn or "", provider_type, name)
        settings = {
            key.split(":", 1)[1]: value
            for key, value in sorted(self.config.items())
            if key.startswith(f"{package}:")
        }
        inputs = {**settings, "version": sdk_version}
        args = MockResourceArgs(
            typ=provider_type, name=name, inputs=inputs, provider="", resource_id="", custom=True
        )
        if isinstance(self.mocks, PlanMocks):
            provider_id, state = self.mocks.new_resource_at(urn, args)
        else:
            id_or_none, state = self.mocks.new_resource(args)
            provider_id = id_or_none or ""
        shown = {
            key: SECRET if f"{package}:{key}" in self.secret_keys else value
            for key, value in inputs.items()
        }
        record = RecordedResource(
            urn=urn,
            type=provider_type,
            name=name,
            parent=self.root_urn,
            dependencies=[],
            property_dependencies={},
            provider=None,
            custom=True,
            protect=False,
            retain_on_delete=False,
            inputs=shown,
            id=provider_id,
            outputs=dict(shown),
        )
        reference = f"{urn}::{provider_id}"
        with self._lock:
            if package in self._default_providers:
                return self._default_providers[package]
            self._default_records[urn] = record
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, provider_id, state)
            self._default_providers[package] = reference
        return reference

    def GetDeploymentInfo(self, request: Any) -> Any:
        # Invokes carry their dependencies (``dependsOn``), as the engine asks of SDKs
        # since pulumi/pulumi#18141; ``Invoke`` declines those pending creation.
        info = super().GetDeploymentInfo(request)
        info.supportedFeatures.append(resource_pb2.RESOURCE_MONITOR_FEATURE_INVOKE_DEPENDS_ON)
        return info

    def SupportsFeature(self, request: Any) -> Any:
        if request.id == "invokeDependsOn":
            return type("SupportsFeatureResponse", (object,), {"hasSupport": True})
        return super().SupportsFeature(request)

    def Invoke(self, request: Any) -> Any:
        # An invoke the engine would not make in a preview is answered as unknown
        # without asking the mocks, and without a warning: nothing could answer it.
        if self._not_made(request):
            return self._unknown_answer(request.tok)
        # Same hazard as in ``mock_inputs``: keep references in invoke args as URNs.
        key = next(self._calls)
        with self._lock:
            self._invoking[key] = request.tok
        try:
            return super().Invoke(self._stripped(request, "args"))
        except UnmockedInvokeError as exc:
            with self._lock:
                self.unanswered.append(Unanswered(exc.token, exc.arguments))
            return self._unknown_answer(exc.token)
        finally:
            with self._lock:
                del self._invoking[key]

    def _not_made(self, request: Any) -> bool:
        """Whether ``pulumi preview`` would skip this invoke: an argument is unknown
        (anywhere: the SDK's own check misses unknowns inside lists), or it is an
        output-form call depending on a resource this program creates (the engine
        answers it as unknown, pulumi/pulumi#18141), unless the function needs no cloud
        (``answered_offline``: a policy document is rendered by the provider itself)."""
        _ensure_event_loop()
        args = rpc.deserialize_properties(_without_references(request.args))
        if any(_wire_has_unknown(v) for v in request.args.fields.values()):
            return True
        if contains_unknowns(args):
            return True
        if not output_form() or answered_offline(request.tok):
            return False
        with self._lock:
            created = [self._records.get(urn) for urn in request.dependsOn]
        return any(
            record is not None and record.custom and not record.type.startswith("pulumi:")
            for record in created
        )

    @staticmethod
    def _unknown_answer(token: str) -> Any:
        """An unknown result: unknown for the output form, else shaped by the result
        type with unknown leaves (``unknowns.py``)."""
        if output_form():
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        result = _sync_await(rpc.serialize_properties(unknown_result(token), {}))
        return resource_pb2.ResourceInvokeResponse(**{"return": result, "failures": None})

    def ReadResource(self, request: Any) -> Any:
        """A resource read with ``Resource.get`` (or a ``StackReference``): its id is the
        one the program gave; its other outputs come from the lookups answer for
        ``read:<type>``, else they are unknown and the read is listed as unanswered."""
        _ensure_event_loop()
        urn = self.make_urn(request.parent, request.type, request.name)
        token = read_token(request.type)
        call = {"id": request.id, "name": request.name}
        answer = None
        if isinstance(self.mocks, PlanMocks) and self.mocks.lookups is not None:
            answer = self.mocks.lookups(token, call)
        if answer is None:
            with self._lock:
                self.unanswered.append(Unanswered(token, call))
            state: dict[str, Any] = dict(mock_inputs(request.properties))
        else:
            state = {**mock_inputs(request.properties), **answer}
        state_proto = _sync_await(rpc.serialize_properties(state, {}))
        with self._lock:
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, request.id, state)
        return resource_pb2.ReadResourceResponse(urn=urn, id=request.id, properties=state_proto)

    @staticmethod
    def _stripped(request: Any, field_name: str) -> Any:
        struct = getattr(request, field_name)
        cleaned = _without_references(struct)
        if cleaned is struct:
            return request
        copy = type(request)()
        copy.CopyFrom(request)
        getattr(copy, field_name).CopyFrom(cleaned)
        return copy

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if request.urn and request.urn == self.root_urn:
            self.stack_outputs = plain_struct(request.outputs)
        return super().RegisterResourceOutputs(request)

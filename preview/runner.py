"""Run a Pulumi program in-process under the recorder and return what it registered.

Pulumi keeps its runtime state (settings, root stack, config) in context variables and
its event loop per thread. Each run therefore happens on a fresh thread inside an empty
``contextvars.Context`` with its own event loop and its own worker pool: nothing leaks
from one run into the next or into the caller, so tests can plan many programs in one
process. The program runs as a preview (``dry_run=True``), as ``pulumi preview`` runs
it: ``apply`` callbacks see the mocks' values, and an output the mocks leave empty is
unknown, so callbacks on it are skipped and inputs built from it are recorded as
``"[unknown]"`` (see ``unknowns.py``).

The run thread is a daemon: with a time limit, a program that never finishes is left
behind (``ProgramTimeout`` says where it was), and the process can still exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import gc
import importlib.util
import os
import runpy
import sys
import sysconfig
import threading
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.resource as pulumi_resource
from google.protobuf import empty_pb2
from pulumi.runtime import config as runtime_config
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.proto import engine_pb2, source_pb2
from pulumi.runtime.settings import SETTINGS, _get_rpc_manager
from pulumi.runtime.stack import run_in_stack

from .deprecations import deprecation_warnings
from .failures import UNANSWERED_ATTRIBUTE, failure_message, keeping_tracebacks
from .lookups import (
    LookupHook,
    find_lookups_file,
    load_lookups,
    lookups_file,
    unanswered_message,
)
from .mocks import (
    AZURE_SUBSCRIPTION_ID,
    DEFAULT_AZURE_LOCATION,
    DEFAULT_GCP_PROJECT,
    DEFAULT_GCP_REGION,
    DEFAULT_REGION,
    PlanMocks,
)
from .project import PlanError, load_project, load_stack_config
from .recorder import SECRET, STACK_TYPE, RecordedResource, Recorder
from .unknowns import Unanswered, output_form_flagged, unknown_paths

__all__ = [
    "PlanError",
    "ProgramExit",
    "ProgramTimeout",
    "Recording",
    "abandoned_programs",
    "plan_stack",
    "run_program",
]

REGION_KEYS = ("mlops-iac:region", "aws:region")
"""Config keys the mocks take the region from, first one set wins."""


@dataclass
class Recording:
    """Everything one program run registered, in a deterministic order: depth-first
    from the stack, siblings sorted by name then type."""

    resources: list[RecordedResource]
    outputs: dict[str, Any]
    project: str
    stack: str
    root_urn: str | None = None
    warnings: list[str] = field(default_factory=list)
    """Pulumi warnings (``pulumi.log.warn``, deprecations) and Python warnings, sorted."""
    config: dict[str, str] = field(default_factory=dict)
    """The config the program ran with; secret values are ``"[secret]"``."""
    default_providers: list[RecordedResource] = field(default_factory=list)
    """The default providers (``pulumi:providers:aws`` ``default_7_51_1``...) the
    engine would create for resources without an explicit provider, configured from the
    stack's ``<package>:*`` config; not in ``resources`` (the program did not declare
    them), referenced by each such resource's ``provider``."""
    unanswered: list[Unanswered] = field(default_factory=list)
    """Lookups with no answer (no lookups file entry, no built-in mock), in call order:
    their results are unknown in this run (``unknowns.py``)."""

    def unknowns(self) -> list[tuple[str, str]]:
        """``(urn, input path)`` of every recorded input unknown at plan time, and
        ``("outputs", name path)`` of every such stack output, in report order."""
        found = [(r.urn, path) for r in self.resources for path in unknown_paths(r.inputs)]
        return found + [("outputs", path) for path in unknown_paths(self.outputs)]

    def by_type(self, type_token: str) -> list[RecordedResource]:
        """Resources of one type token, e.g. ``aws:s3/bucket:Bucket``."""
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: str | None = None) -> RecordedResource:
        """The single resource of ``type_token`` (and ``name``); raises ``LookupError``
        when there are none or several, listing what there is."""
        found = [r for r in self.by_type(type_token) if name is None or r.name == name]
        if len(found) != 1:
            names = ", ".join(r.name for r in self.by_type(type_token)) or "none"
            wanted = type_token if name is None else f"{type_token} named {name!r}"
            raise LookupError(f"expected one {wanted}, found {len(found)} (names: {names})")
        return found[0]

    def children_of(self, urn: str | None) -> list[RecordedResource]:
        """Direct children of ``urn`` (the stack's children for ``root_urn``)."""
        return [r for r in self.resources if r.parent == urn]

    def get(self, urn: str) -> RecordedResource | None:
        """The resource with this URN, if recorded."""
        return next((r for r in self.resources if r.urn == urn), None)


class ProgramTimeout(PlanError):
    """The program did not finish within the time limit. The message says what it had
    registered, what was still pending and which line of the program was running."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


class ProgramExit(PlanError):
    """The program raised ``SystemExit`` (``sys.exit``, ``exit()``): a Pulumi program
    must not exit (see ``exit_message``)."""

    def __init__(self, message: str, code: object) -> None:
        super().__init__(message)
        self.code = code


class _Progress:
    """What a run has declared (each ``Resource`` constructed, in order), so a run that
    never finishes can say which resources were still waiting to be registered."""

    def __init__(self) -> None:
        self._declared: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def declare(self, type_: str, name: str) -> None:
        with self._lock:
            self._declared.append((type_, name))

    def pending(self, recorder: Recorder) -> list[tuple[str, str]]:
        """Declared (type, name) pairs the recorder has not registered, in order."""
        registered = Counter((r.type, r.name) for r in recorder.records.values())
        with self._lock:
            declared = list(self._declared)
        waiting: list[tuple[str, str]] = []
        for key in declared:
            if key[0] == STACK_TYPE:
                continue
            if registered[key] > 0:
                registered[key] -= 1
            else:
                waiting.append(key)
        return waiting


_PROGRESS: contextvars.ContextVar[_Progress | None] = contextvars.ContextVar(
    "mlops_plan_progress", default=None
)
_REGISTER_RESOURCE = runtime_resource.register_resource


def _declaring_register(res: Any, ty: str, name: str, *args: Any, **kwargs: Any) -> None:
    """``pulumi.resource.register_resource`` that first notes the declaration in the
    run's ``_Progress`` (the engine only hears of a resource once its inputs resolve)."""
    progress = _PROGRESS.get()
    if progress is not None:
        progress.declare(ty, name)
    _REGISTER_RESOURCE(res, ty, name, *args, **kwargs)


_ABANDONED: list[threading.Thread] = []
"""Program threads left running after a time-out or an interrupt."""


def abandoned_programs() -> list[threading.Thread]:
    """Program threads still running after ``run_program`` gave up on them (time limit
    or Ctrl-C). A process that has any should end with ``os._exit``: a program blocked
    in a worker thread would otherwise keep the interpreter from exiting."""
    return [t for t in _ABANDONED if t.is_alive()]


class _LogCollector:
    """Engine stand-in that keeps warnings and errors logged by the program and SDKs."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self._lock = threading.Lock()

    def Log(self, request: Any) -> None:
        if request.severity == engine_pb2.WARNING:
            text = request.message
        elif request.severity == engine_pb2.ERROR:
            text = f"error: {request.message}"
        else:
            return
        with self._lock:
            self.messages.append(text)

    def RequirePulumiVersion(self, request: Any) -> Any:
        return empty_pb2.Empty()


class _WorkerPool(ThreadPoolExecutor):
    """The loop's default executor. The mock monitor needs an event loop on each worker
    thread; creating them here lets the run close them, instead of leaving them to the
    garbage collector (which prints "Invalid file descriptor" noise at exit)."""

    def __init__(self) -> None:
        self._loops: list[asyncio.AbstractEventLoop] = []
        self._loops_lock = threading.Lock()
        super().__init__(thread_name_prefix="mlops-plan", initializer=self._init_worker)

    def _init_worker(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        with self._loops_lock:
            self._loops.append(loop)

    def close(self) -> None:
        self.shutdown(wait=True)
        for loop in self._loops:
            loop.close()


_SDK_PACKAGES = ("pulumi", "pulumi_aws", "pulumi_azure_native", "pulumi_gcp")


@functools.cache
def _sdk_dirs() -> tuple[Path, ...]:
    dirs: list[Path] = []
    for name in _SDK_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            dirs.append(Path(spec.origin).parent.resolve())
    return tuple(dirs)


def _reportable(warning: warnings.WarningMessage) -> bool:
    """Python warnings worth reporting. The provider SDKs warn at import time about
    every deprecated class in a module, used or not; when a program does use one, the
    SDK also logs a Pulumi warning, which is kept. So warnings raised from inside the
    SDKs are dropped (they would also differ between the first and later runs in a
    process), as are ``ResourceWarning``s about sockets and loops."""
    if issubclass(warning.category, ResourceWarning):
        return False
    origin = Path(warning.filename)
    return not (
        origin.is_absolute() and any(origin.resolve().is_relative_to(d) for d in _sdk_dirs())
    )


def _region(config: Mapping[str, str]) -> str:
    return next((config[k] for k in REGION_KEYS if config.get(k)), DEFAULT_REGION)


def _tree_order(
    records: Mapping[str, RecordedResource], root: str | None
) -> list[RecordedResource]:
    children: dict[str | None, list[RecordedResource]] = {}
    for record in records.values():
        children.setdefault(record.parent, []).append(record)
    for siblings in children.values():
        siblings.sort(key=lambda r: (r.name, r.type, r.urn))
    ordered: list[RecordedResource] = []
    seen: set[str] = set()

    def visit(parent: str | None) -> None:
        for record in children.get(parent, []):
            if record.urn not in seen:
                seen.add(record.urn)
                ordered.append(record)
                visit(record.urn)

    visit(root)
    # Anything whose parent was never registered (should not happen) still gets listed.
    for record in sorted(records.values(), key=lambda r: r.urn):
        if record.urn not in seen:
            seen.add(record.urn)
            ordered.append(record)
            visit(record.urn)
    return ordered


def _quiet_unobserved(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """When a program fails, every output that depended on the failure holds the same
    exception, unobserved; the first one is raised to the caller and the copies would
    each print a traceback when garbage-collected. Pulumi's own language host silences
    them too (by muting the ``asyncio`` logger for the whole process)."""
    if "never retrieved" in str(context.get("message", "")):
        return
    loop.default_exception_handler(context)


async def _wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
    """Pulumi's ``wait_for_rpcs`` with one change: outstanding outputs are awaited as a
    batch instead of one ``FIRST_COMPLETED`` wait per completion.

    The SDK's loop re-registers a callback on every pending output each time one
    finishes, which is quadratic in the number of outputs: for a program of components
    with chained ``apply`` calls that loop, not the program, dominated the plan time.
    The order of work and the exceptions raised are the same; only the waiting is
    linear.
    """
    rpc_manager = _get_rpc_manager()
    # ``lock`` and ``outputs`` are context properties the type stubs do not describe.
    state: Any = SETTINGS
    while True:
        while rpc_manager.rpcs:
            await asyncio.sleep(0)
            try:
                await rpc_manager.rpcs.pop()
            except Exception as exn:
                if rpc_manager.unhandled_exception is not None:
                    cause = rpc_manager.unhandled_exception.with_traceback(
                        rpc_manager.exception_traceback
                    )
                    raise exn from cause
                raise
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        if await_all_outstanding_tasks:
            while True:
                with state.lock:
                    if not state.outputs:
                        break
                    pending = list(state.outputs)
                    state.outputs.clear()
                done, _ = await asyncio.wait(pending)
                for task in done:
                    await task
        if not rpc_manager.rpcs:
            break


def _no_stack_trace() -> source_pb2.StackTrace:
    """Registrations carry the program's stack trace for the engine's error messages;
    mocks never read it, and walking it cost about a tenth of a plan."""
    return source_pb2.StackTrace()


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for one run. A full collection walks every
    object of the loaded provider SDKs (about 0.1 s each time) and found nothing to free
    in a plan; the run's own cycles are collected after it, when collection resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _offline_runtime() -> Iterator[None]:
    """For one run: the linear ``_wait_for_rpcs``, no stack-trace capture, declarations
    noted for ``_Progress`` and no cyclic garbage collection."""
    patches = [
        (runtime_stack, "wait_for_rpcs", _wait_for_rpcs),
        (runtime_resource, "_get_stack_trace", _no_stack_trace),
        (pulumi_resource, "register_resource", _declaring_register),
    ]
    originals = [(module, name, getattr(module, name)) for module, name, _ in patches]
    for module, name, replacement in patches:
        setattr(module, name, replacement)
    try:
        with _no_cyclic_gc(), output_form_flagged():
            yield
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


def _execute(
    program: Callable[[], None],
    recorder: Recorder,
    engine: _LogCollector,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    progress: _Progress,
) -> None:
    """Body of the run thread (inside a fresh context): configure Pulumi, run, clean up."""
    _PROGRESS.set(progress)
    runtime_settings.configure(
        runtime_settings.Settings(
            project=project,
            stack=stack,
            monitor=recorder,
            engine=engine,
            dry_run=True,
            organization="organization",
        )
    )
    runtime_settings.ROOT.set(None)
    runtime_config.set_all_config(config, secret_keys)

    loop = asyncio.new_event_loop()
    loop.set_exception_handler(_quiet_unobserved)
    loop.set_task_factory(keeping_tracebacks)
    pool = _WorkerPool()
    loop.set_default_executor(pool)
    asyncio.set_event_loop(loop)
    try:
        with _offline_runtime():
            loop.run_until_complete(run_in_stack(program))
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        pool.close()
        loop.close()
        asyncio.set_event_loop(None)


def _unwrap(exc: BaseException) -> BaseException:
    """The program's own exception. Pulumi re-raises a failed RPC as ``raise exn from
    cause``, with the original as ``__cause__``; a ``RunError`` or an unmocked invoke
    buried that way is surfaced so callers can catch it by type (so is a ``PlanError``,
    e.g. a lookups hook's bad answer)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (pulumi.RunError, PlanError)):
            return current
        seen.add(id(current))
        current = current.__cause__
    return exc


def _user_code(filename: str) -> bool:
    """Whether a frame's file is the program's (or its own libraries'), not Python's,
    an installed package's (the Pulumi SDKs) or this preview's."""
    path = Path(filename)
    if not path.is_absolute():
        return False  # <frozen runpy>, <string>
    resolved = path.resolve()
    roots = [Path(__file__).resolve().parent]
    paths = sysconfig.get_paths()
    roots += [Path(paths[k]).resolve() for k in ("stdlib", "platstdlib", "purelib", "platlib")]
    return not any(resolved.is_relative_to(root) for root in roots)


def _shown(filename: str) -> str:
    path = Path(filename).resolve()
    cwd = Path.cwd().resolve()
    return str(path.relative_to(cwd)) if path.is_relative_to(cwd) else str(path)


def _user_frame(frames: traceback.StackSummary) -> traceback.FrameSummary | None:
    """The innermost frame in the program's own code."""
    return next((f for f in reversed(frames) if _user_code(f.filename)), None)


def _running_line(thread: threading.Thread) -> str:
    """Where the program thread is: its innermost frame in the program's own code."""
    frame = sys._current_frames().get(thread.ident or -1)
    if frame is None:
        return "the program has just finished"
    innermost = _user_frame(traceback.extract_stack(frame))
    if innermost is None:
        return "no program code is running (it waits for outputs or lookups that never complete)"
    where = f"{_shown(innermost.filename)}:{innermost.lineno}"
    return f"the program is at {where} (in {innermost.name})"


def _listing(items: list[str], limit: int = 10) -> str:
    if not items:
        return "nothing"
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


def _timeout_message(
    seconds: float, recorder: Recorder, progress: _Progress, thread: threading.Thread
) -> str:
    last = recorder.last_registered
    pending = [f"{t} {n!r} (not registered yet)" for t, n in progress.pending(recorder)]
    pending += [f"invoke {token} (in progress)" for token in recorder.invokes_in_progress]
    return (
        f"program did not finish within {seconds:g} s; last resource registered: "
        f"{f'{last.type} {last.name!r}' if last else 'none'}; "
        f"pending: {_listing(pending)}; {_running_line(thread)}"
    )


def run_program(
    program: Callable[[], None],
    *,
    project: str = "mlops-iac",
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    secret_keys: Iterable[str] = (),
    region: str | None = None,
    lookups: LookupHook | None = None,
    timeout: float | None = None,
) -> Recording:
    """Run ``program`` as a Pulumi program under ``PlanMocks`` and the recorder.

    Waits for every registration, invoke and ``apply`` to settle. ``config`` is the flat
    ``namespace:key -> string`` map; ``region`` defaults to ``mlops-iac:region``, then
    ``aws:region``, then ``eu-west-1``. ``lookups`` answers invokes before the built-in
    mocks (see ``lookups.py``). Exceptions raised by the program propagate as
    themselves, except ``SystemExit``, which becomes ``ProgramExit``: a program's
    ``sys.exit`` must not end the caller. Safe to call repeatedly in one process.

    ``timeout`` (seconds; ``None`` or ``0``: no limit) bounds the whole run: past it,
    ``ProgramTimeout`` is raised and the program's thread is left running as a daemon
    (see ``abandoned_programs``). A ``KeyboardInterrupt`` while waiting propagates and
    leaves the thread behind in the same way.
    """
    config = dict(config or {})
    secrets = sorted(set(secret_keys))
    mocks = PlanMocks(
        region or _region(config),
        gcp_project=config.get("gcp:project") or DEFAULT_GCP_PROJECT,
        gcp_region=config.get("gcp:region") or DEFAULT_GCP_REGION,
        azure_location=config.get("azure-native:location") or DEFAULT_AZURE_LOCATION,
        azure_subscription=config.get("azure-native:subscriptionId") or AZURE_SUBSCRIPTION_ID,
        lookups=lookups,
    )
    recorder = Recorder(mocks, config, secrets)
    engine = _LogCollector()
    progress = _Progress()
    failure: list[BaseException] = []
    caught: list[warnings.WarningMessage] = []

    def body() -> None:
        with warnings.catch_warnings(record=True) as record:
            # "always": the default filter shows each warning once per process, so a
            # second run would miss warnings the first one saw.
            warnings.simplefilter("always")
            try:
                _execute(program, recorder, engine, project, stack, config, secrets, progress)
            except BaseException as exc:  # handed to the calling thread
                failure.append(exc)
            finally:
                caught.extend(record)

    gc_was_enabled = gc.isenabled()
    thread = threading.Thread(
        target=contextvars.Context().run, args=(body,), name="mlops-plan-program", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + timeout if timeout else None
    try:
        while thread.is_alive():
            # Short joins keep the wait interruptible by Ctrl-C everywhere.
            remaining = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
            if remaining <= 0:
                break
            thread.join(remaining)
    except BaseException:
        _abandon(thread, gc_was_enabled)
        raise
    if thread.is_alive():
        message = _timeout_message(timeout or 0, recorder, progress, thread)
        _abandon(thread, gc_was_enabled)
        raise ProgramTimeout(message, timeout or 0)
    if failure:
        exc = failure[0]
        if isinstance(exc, SystemExit):
            frame = _user_frame(traceback.extract_tb(exc.__traceback__))
            where = f"{_shown(frame.filename)}:{frame.lineno}" if frame else ""
            raise ProgramExit(exit_message(exc, where), exc.code) from exc
        raised = _unwrap(exc)
        tokens = sorted({u.token for u in recorder.unanswered})
        if tokens:
            with contextlib.suppress(AttributeError, TypeError):
                setattr(raised, UNANSWERED_ATTRIBUTE, tokens)
        raise raised

    resources = _tree_order(recorder.records, recorder.root_urn)
    deprecated, covered = deprecation_warnings(resources)
    # The SDK's own copy of an argument deprecation (logged only when the program built
    # the Args object) names no resource; the attributed one replaces it.
    messages = set(engine.messages) - covered
    messages.update(deprecated)
    messages.update(f"{w.category.__name__}: {w.message}" for w in caught if _reportable(w))
    return Recording(
        resources=resources,
        outputs=recorder.stack_outputs,
        project=project,
        stack=stack,
        root_urn=recorder.root_urn,
        warnings=sorted(messages),
        config={k: SECRET if k in secrets else v for k, v in sorted(config.items())},
        default_providers=recorder.default_providers,
        unanswered=list(recorder.unanswered),
    )


def _abandon(thread: threading.Thread, gc_was_enabled: bool) -> None:
    """Leave a still-running program thread behind. Its run paused the cyclic garbage
    collector for the whole process; the caller gets it back now."""
    _ABANDONED.append(thread)
    if gc_was_enabled:
        gc.enable()


def exit_message(exc: SystemExit, where: str) -> str:
    """What ``sys.exit`` in a program means, and would do under the Pulumi CLI.

    The Python language host (``pulumi-language-python-exec``) catches only
    ``Exception``; ``SystemExit`` ends its process with the program's exit status.
    Status 0 reads as a finished program: the engine then plans to delete every
    resource of the stack the program had not registered yet. Status 32 means "error
    already shown", and the CLI stops without a message. Any other status fails the
    update with "program exited with non-zero exit code: N"."""
    code = exc.code
    call = "sys.exit()" if code is None else f"sys.exit({code!r})"
    status = 0 if code is None else (code & 0xFF if isinstance(code, int) else 1)
    if status == 0:
        effect = (
            "`pulumi preview` and `pulumi up` would take the exit (status 0) for a "
            "finished program and plan to delete every resource it had not registered yet"
        )
    elif status == 32:
        effect = (
            "the Pulumi CLI would stop without a message (status 32 means 'error already shown')"
        )
    else:
        effect = (
            f"`pulumi preview` would fail with 'program exited with non-zero exit code: {status}'"
        )
    at = f" at {where}" if where else ""
    return (
        f"the program called {call}{at}; a Pulumi program must not exit: {effect}. "
        "Raise an exception instead (pulumi.RunError prints just its message)"
    )


@contextlib.contextmanager
def _program_environment(program_dir: Path) -> Iterator[None]:
    """What the CLI gives a program: its folder first on ``sys.path`` and as the working
    directory. Modules imported from that folder (found through that ``sys.path`` entry)
    are dropped afterwards, so the next plan of another project does not get this
    one's ``helpers`` module; installed packages stay imported."""
    before = set(sys.modules)
    cwd = Path.cwd()
    sys.path.insert(0, str(program_dir))
    os.chdir(program_dir)
    try:
        yield
    finally:
        os.chdir(cwd)
        with contextlib.suppress(ValueError):
            sys.path.remove(str(program_dir))
        for name in set(sys.modules) - before:
            top = name.split(".")[0]
            if (program_dir / f"{top}.py").is_file() or (program_dir / top).is_dir():
                del sys.modules[name]


def plan_stack(
    project_dir: Path,
    stack: str,
    *,
    timeout: float | None = None,
    lookups: Path | None = None,
) -> Recording:
    """Run the Pulumi Python project in ``project_dir`` for ``stack`` as ``pulumi
    preview`` would, offline: ``Pulumi.yaml`` (``name``, ``main``, ``stackConfigDir``,
    ``config`` defaults), then ``Pulumi.<stack>.yaml``.

    Lookups the mocks do not answer come from ``lookups`` (a ``.yaml``/``.json``/``.py``
    file) or else from ``Pulumi.<stack>.lookups.<ext>`` beside the stack file, if there
    is one. ``timeout`` is the time limit in seconds (``None`` or ``0``: none).

    Raises ``PlanError`` for bad config and for program failures (chained to the
    original): ``ProgramExit`` for ``sys.exit``, ``ProgramTimeout`` past the limit, and a
    message naming the lookups file to write for a lookup without an answer. A
    ``pulumi.RunError`` from the program (e.g. ``SettingsError``) is raised as itself
    because its message is already written for users.
    """
    caller_cwd = Path.cwd()
    project = load_project(Path(project_dir))
    stack_config = load_stack_config(project, stack)
    program_dir = project.main.parent.resolve()
    main_file = str(project.main)
    if lookups is not None and not lookups.is_file():
        raise PlanError(f"lookups file not found: {lookups}")
    lookups_path = lookups or find_lookups_file(project.stack_config_dir, stack)
    hook = load_lookups(lookups_path) if lookups_path else None

    def program() -> None:
        runpy.run_path(main_file, run_name="__main__")

    with _program_environment(program_dir):
        try:
            recording = run_program(
                program,
                project=project.name,
                stack=stack,
                config=stack_config.values,
                secret_keys=stack_config.secret_keys,
                lookups=hook,
                timeout=timeout,
            )
        except (pulumi.RunError, PlanError):
            raise
        except Exception as exc:
            raise PlanError(failure_message(exc, program_dir)) from exc
    target = _relative(lookups_path or lookups_file(project.stack_config_dir, stack), caller_cwd)
    unanswered = {
        unanswered_message(u.token, u.args, exists=lookups_path is not None, shown_as=target)
        for u in recording.unanswered
    }
    recording.warnings = sorted({*recording.warnings, *stack_config.notes, *unanswered})
    return recording


def _relative(path: Path, cwd: Path) -> str:
    """``path`` relative to the caller's working directory when below it (as the user
    would type it)."""
    resolved, base = path.resolve(), cwd.resolve()
    return str(resolved.relative_to(base)) if resolved.is_relative_to(base) else str(path)

"""What a failed program run is reported as: the error, where in the program it was
raised, and which resource was being built.

A program can fail in its own code, in a component's constructor, or inside an
``apply`` callback that the SDK runs later, while it serializes the inputs of the
resource the callback's result feeds. The traceback (and the exceptions it was chained
from) holds both facts: the innermost frame in the program's folder is *where*, and
the innermost frame that builds a resource — the SDK's ``prepare_resource`` /
``do_register`` holding ``res``, or a resource's ``__init__`` — is *what*.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import pulumi

_SDK_DIR = str(Path(pulumi.__file__).parent)
_SDK_RESOURCE_MODULE = str(Path(pulumi.__file__).parent / "runtime" / "resource.py")
"""The SDK module whose ``prepare_resource`` / ``do_register`` serialize a resource's
inputs (running the ``apply`` callbacks feeding them) with the resource as ``res``."""


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from or during, innermost last."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_TRACEBACKS = "_mlops_task_tracebacks"


def _keep_traceback(task: asyncio.Future[Any]) -> None:
    if task.cancelled():
        return
    exc = task.exception()
    if exc is None:
        return
    kept: list[TracebackType | None] = getattr(exc, _TRACEBACKS, [])
    if exc.__traceback__ is not None and exc.__traceback__ not in kept:
        # The callback's task first; then each task it failed through (the resource's
        # registration that awaited it), whichever of them the run re-raises last.
        setattr(exc, _TRACEBACKS, [*kept, exc.__traceback__])


def keeping_tracebacks(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any] | Generator[Any, None, Any]
) -> asyncio.Task[Any]:
    """A task factory for the run's event loop. An exception raised in a task (an
    ``apply`` callback runs in one) reaches the program's end through other tasks and
    futures, which may re-raise it with a shorter traceback; the traceback it had in each
    task it failed is kept on it for ``location`` and ``resource_being_built``."""
    task = asyncio.Task(coro, loop=loop)
    task.add_done_callback(_keep_traceback)
    return task


def _frames(exc: BaseException) -> Iterator[tuple[FrameType, int]]:
    for link in _chain(exc):
        # The current traceback, then the (deeper) one the exception first had.
        for tb in (link.__traceback__, *getattr(link, _TRACEBACKS, [])):
            while tb is not None:
                yield tb.tb_frame, tb.tb_lineno
                tb = tb.tb_next


def location(exc: BaseException, program_dir: Path) -> str:
    """``file:line`` of the innermost traceback frame inside the program's folder."""
    where = ""
    for frame, line in _frames(exc):
        filename = Path(frame.f_code.co_filename)
        if filename.is_absolute() and filename.resolve().is_relative_to(program_dir):
            where = f"{filename.resolve().relative_to(program_dir)}:{line}"
    return where


def _resource_in(frame: FrameType) -> str | None:
    """``<type> '<name>'`` of the resource a frame is building, if it builds one."""
    local = frame.f_locals
    if frame.f_code.co_filename == _SDK_RESOURCE_MODULE:
        res, type_ = local.get("res"), local.get("ty")
        if isinstance(res, pulumi.Resource) and isinstance(type_, str):
            return f"{type_} {getattr(res, '_name', '?')!r}"
    resource = local.get("self")
    if frame.f_code.co_name == "__init__" and isinstance(resource, pulumi.Resource):
        name = local.get("resource_name", local.get("name"))
        if isinstance(name, str):
            return f"{_type_token(frame, resource)} {name!r}"
    return None


def _type_token(frame: FrameType, resource: pulumi.Resource) -> str:
    """The type token of a resource under construction: the ``t`` the SDK's
    ``Resource.__init__`` frames hold, else the one already set on it (a component's
    own constructor after ``super().__init__``), else its class name."""
    given = frame.f_locals.get("t")
    if frame.f_code.co_filename.startswith(_SDK_DIR) and isinstance(given, str):
        return given
    known = resource.__dict__.get("_type")
    return known if isinstance(known, str) else type(resource).__name__


def resource_being_built(exc: BaseException) -> str | None:
    """The innermost resource whose construction or input serialization raised."""
    found = None
    for frame, _ in _frames(exc):
        found = _resource_in(frame) or found
    return found


UNANSWERED_ATTRIBUTE = "mlops_unanswered_lookups"
"""Attribute ``run_program`` sets on a program's exception: the tokens of the lookups
answered as unknown before it failed (their placeholders may be what it tripped on)."""


def failure_message(exc: BaseException, program_dir: Path) -> str:
    """``program failed: <Type>: <message> (at <file>:<line>, building <resource>)``,
    then the lookups answered as unknown in the run, if any."""
    where = location(exc, program_dir)
    building = resource_being_built(exc)
    notes = [f"at {where}" if where else "", f"building {building}" if building else ""]
    shown = ", ".join(note for note in notes if note)
    suffix = f" ({shown})" if shown else ""
    tokens = getattr(exc, UNANSWERED_ATTRIBUTE, ())
    if tokens:
        suffix += (
            f"; lookups answered as unknown in this plan: {', '.join(tokens)} "
            "(see docs/offline-preview.md#lookups)"
        )
    return f"program failed: {type(exc).__name__}: {exc}{suffix}"

"""The one mapping from ``Retention`` to Pulumi resource options.

Every building block and architecture asks ``stateful_options`` for the options of a
child that holds state (a bucket and its configuration, a KMS key, a model registry, a
feature group); nothing else sets ``protect`` or ``retain_on_delete``.

- ``destroyable``: neither flag is set, so the child **inherits** ``protect`` from its
  parent: a caller who protects the whole component (``opts=ResourceOptions(protect=
  True)``) still protects every stateful child. Setting ``protect=False`` here would
  silently undo that, which is why the flags are ``None`` rather than ``False``.
- ``protected``: ``protect=True`` (Pulumi refuses to delete or replace the resource)
  and ``retain_on_delete=True`` (if the resource leaves the program it stays in the
  cloud). ``retain_on_delete`` is set explicitly because children do not inherit it
  (Pulumi docs, "retainOnDelete").

Service-level deletion safeguards that follow the same switch (KMS deletion windows,
S3 ``force_destroy``, Studio's home file system) read ``is_protected``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from .settings import Retention


def is_protected(retention: Retention) -> bool:
    """Whether ``retention`` asks the cloud and Pulumi to keep state."""
    return retention is Retention.PROTECTED


def stateful_options(
    retention: Retention,
    parent: pulumi.Resource,
    *,
    depends_on: Sequence[pulumi.Resource] = (),
    aliases: Sequence[pulumi.Alias | str] = (),
) -> pulumi.ResourceOptions:
    """Options of a child of ``parent`` that holds state, per the rule above."""
    protected = is_protected(retention)
    return pulumi.ResourceOptions(
        parent=parent,
        protect=True if protected else None,
        retain_on_delete=True if protected else None,
        depends_on=list(depends_on) or None,
        aliases=list(aliases) or None,
    )

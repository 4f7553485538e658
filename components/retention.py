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
S3 ``force_destroy``, Studio's home file system, Key Vault purge protection, blob and
GCS soft delete, GKE deletion protection) read ``is_protected``; each cloud lists them,
with their API names and sources, as data in ``<cloud>/retention.py``
(``RetentionSwitch`` tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from .vocabulary import Retention


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


def kept_options(retention: Retention, parent: pulumi.Resource) -> pulumi.ResourceOptions:
    """Options of a child that holds state but is *meant* to be replaced (a resource whose
    name carries a generation, such as an endpoint's log group): ``protected`` keeps the
    old one in the cloud when it is replaced or removed (``retain_on_delete``) without
    ``protect``, which would refuse the replacement."""
    return pulumi.ResourceOptions(
        parent=parent, retain_on_delete=True if is_protected(retention) else None
    )


@dataclass(frozen=True)
class RetentionSwitch:
    """One service-level deletion safeguard and its value per ``Retention``.

    ``argument`` is the Python keyword path of the resource's argument
    (``properties.enable_purge_protection``); ``None`` as a value means "leave the
    argument unset" (some switches cannot be sent as ``false``)."""

    resource_type: str
    """The Pulumi type token, e.g. ``azure-native:keyvault:Vault``."""
    argument: str
    api_name: str
    """The cloud API's own name of the setting."""
    destroyable: object
    protected: object
    source: str

    def value(self, retention: Retention) -> object:
        return self.protected if is_protected(retention) else self.destroyable


def switches(
    table: Sequence[RetentionSwitch], resource_type: str, retention: Retention
) -> dict[str, object]:
    """``{argument: value}`` of every switch of ``resource_type`` in ``table`` for
    ``retention``, leaving out switches whose value is ``None`` (unset)."""
    found = {s.argument: s.value(retention) for s in table if s.resource_type == resource_type}
    return {k: v for k, v in found.items() if v is not None}


def switch_value(
    table: Sequence[RetentionSwitch], resource_type: str, argument: str, retention: Retention
) -> object:
    """The value of one switch for ``retention``; ``KeyError`` when the table lacks it."""
    for switch in table:
        if switch.resource_type == resource_type and switch.argument == argument:
            return switch.value(retention)
    raise KeyError(f"no retention switch {argument!r} of {resource_type}")

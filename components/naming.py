"""Names of resources.

Logical names (the Pulumi ``name`` of a child) derive from the component's name: the
primary child is ``name``, others ``f"{name}-{role}"`` (see ``child``). Logical names are
part of the upgrade contract: renaming one replaces the resource unless it gets an alias.

Physical names (what the cloud shows) are left to Pulumi's auto-naming, which appends a
random suffix so replacements can be created before deletion, except where another
resource must know the name in advance (an alarm that watches an endpoint); those use
``physical`` which keeps within the cloud's length and character limits. Each cloud's
name rules (lengths, characters, sources) live beside its blocks (``aws/names.py``).

A fixed physical name is **claimed** for the running program (``claim``): two resources
of one kind with the same physical name in one program (e.g. two architectures given
the same name prefix) are an error that names both, raised while the program runs,
before the cloud refuses the second create.
"""

from __future__ import annotations

import contextvars
import hashlib
import re

AUTO_NAME_SUFFIX = 8
"""Characters Pulumi's auto-naming appends to a logical name: ``-`` and 7 random
characters (``<name>-a1b2c3d``)."""


class PhysicalNameError(ValueError):
    """A physical name breaks its cloud's rules or is claimed twice in one program."""


def child(name: str, role: str | None = None) -> str:
    """Logical name of a component's child: ``name`` for the primary, else ``name-role``."""
    return name if not role else f"{name}-{role}"


def physical(*parts: str, max_length: int = 63, separator: str = "-") -> str:
    """A deterministic cloud name from ``parts``: lower-case letters, digits and the
    separator, at most ``max_length`` characters. Over-long names keep their start and
    end a short hash of the whole, so two long names stay distinct."""
    raw = separator.join(p for p in parts if p)
    name = re.sub(r"[^a-z0-9]+", separator, raw.lower()).strip(separator)
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: max_length - 7].rstrip(separator)}{separator}{digest}"


# Claims live in a context variable: each Pulumi program run (one per process under the
# CLI, one per thread context under ``mlops-iac plan`` and the tests) has its own.
_CLAIMS: contextvars.ContextVar[dict[tuple[str, str], str] | None] = contextvars.ContextVar(
    "mlops_iac_physical_name_claims", default=None
)


def claim(kind: str, name: str, owner: str) -> str:
    """Record that ``owner`` (a logical name or URN-like path) uses physical ``name``
    for a resource of ``kind``; returns ``name``. Raises ``PhysicalNameError`` naming both
    owners when another resource of the same kind already claimed it."""
    claims = _CLAIMS.get()
    if claims is None:
        claims = {}
        _CLAIMS.set(claims)
    key = (kind, name)
    holder = claims.get(key)
    if holder is not None and holder != owner:
        raise PhysicalNameError(
            f"{kind} name {name!r} is used by both {holder!r} and {owner!r}; give each "
            "architecture its own name_prefix"
        )
    claims[key] = owner
    return name

"""Names of resources.

Logical names (the Pulumi ``name`` of a child) derive from the component's name: the
primary child is ``name``, others ``f"{name}-{role}"`` (see ``child``). Logical names are
part of the upgrade contract: renaming one replaces the resource unless it gets an alias.

Physical names (what the cloud shows) are left to Pulumi's auto-naming, which appends a
random suffix so replacements can be created before deletion, except where another
resource must know the name in advance (an alarm that watches an endpoint); those use
``physical`` which keeps within the cloud's length and character limits.
"""

from __future__ import annotations

import hashlib
import re


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

"""Names of resources.

Logical names (the Pulumi ``name`` of a child) derive from the component's name: the
primary child is ``name``, others ``f"{name}-{role}"`` (see ``child``). Logical names are
part of the upgrade contract: renaming one replaces the resource unless it gets an alias.

Physical names (what the cloud shows) are left to Pulumi's auto-naming, which appends a
random suffix so replacements can be created before deletion, except where another
resource must know the name in advance (an alarm that watches an endpoint); those use
``physical`` which keeps within the cloud's length and character limits. Each cloud's
name rules (lengths, characters, sources) live beside its blocks (``aws/names.py``,
``azure/names.py``, ``gcp/names.py``) as tables of ``NameRule``; the checks that read
them (``check_name``, ``fixed_name``, ``check_auto_name``) are shared and live here.

Where a cloud requires a name to be **globally unique** (S3 and GCS buckets, Azure
storage accounts, Key Vaults, container registries), ``unique_name`` derives it from
the stack's prefix and a deterministic hash suffix of a seed the caller chooses (e.g.
the Azure subscription or GCP project plus the stack), so a name is the same on every
run and differs between stacks that share a prefix.

A fixed physical name is **claimed** for the running program (``claim``): two resources
of one kind with the same physical name in one program (e.g. two architectures given
the same name prefix) are an error that names both, raised while the program runs,
before the cloud refuses the second create.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

AUTO_NAME_SUFFIX = 8
"""Characters Pulumi's auto-naming appends to a logical name: ``-`` and 7 random
characters (``<name>-a1b2c3d``)."""


class PhysicalNameError(ValueError):
    """A physical name breaks its cloud's rules or is claimed twice in one program."""


@dataclass(frozen=True)
class NameRule:
    """What one cloud API accepts as a name."""

    max_length: int
    pattern: str
    """A full-match regular expression, copied from (or written to match) the reference."""
    source: str
    """The reference page the limits and pattern come from."""
    min_length: int = 1
    globally_unique: bool = False
    """The name must be unique across all customers of the cloud (not just the
    account, subscription or project); derive it with ``unique_name``."""
    separator: str = "-"
    """What ``fixed_name`` and ``unique_name`` join parts with; ``""`` where the name
    takes letters and digits only (Azure storage accounts, container registries)."""

    def problems(self, name: str) -> list[str]:
        found = []
        if len(name) > self.max_length:
            found.append(f"is {len(name)} characters long; at most {self.max_length} allowed")
        if len(name) < self.min_length:
            found.append(f"is {len(name)} characters long; at least {self.min_length} required")
        if not re.fullmatch(self.pattern, name):
            found.append(f"does not match {self.pattern}")
        return found


def rule_of(rules: Mapping[str, NameRule], kind: str, cloud: str) -> NameRule:
    """The rule of ``kind`` in a cloud's table; ``KeyError`` listing the known kinds."""
    try:
        return rules[kind]
    except KeyError:
        raise KeyError(
            f"no {cloud} name rule for {kind!r}; known: {', '.join(sorted(rules))}"
        ) from None


def check_rule(kind: str, rule: NameRule, name: str) -> str:
    """``name`` if it satisfies ``rule``; else ``PhysicalNameError`` with the rule's source."""
    problems = rule.problems(name)
    if problems:
        raise PhysicalNameError(f"{kind} name {name!r} {'; '.join(problems)} (see {rule.source})")
    return name


def check_auto_rule(kind: str, rule: NameRule, logical_name: str) -> str:
    """``logical_name`` if Pulumi's auto-name for it (``<logical>-<7 characters>``) fits
    ``rule``'s length; else ``PhysicalNameError`` saying how long the name may be."""
    longest = rule.max_length - AUTO_NAME_SUFFIX
    if len(logical_name) > longest:
        raise PhysicalNameError(
            f"{kind} {logical_name!r}: Pulumi names it '<logical name>-<7 characters>', "
            f"{len(logical_name) + AUTO_NAME_SUFFIX} characters, but {kind} names have at "
            f"most {rule.max_length} (see {rule.source}); shorten the component name by "
            f"{len(logical_name) - longest} characters"
        )
    return logical_name


def unique_name(
    kind: str, rule: NameRule, *parts: str, seed: str, owner: str, hash_length: int = 6
) -> str:
    """A globally unique, deterministic physical name: ``parts`` joined by the rule's
    separator (lower-case, shortened to fit) and a ``hash_length``-character hash of
    ``seed`` and the parts. The same parts and seed give the same name on every run;
    another seed (another subscription, project or stack) gives another name.

    The name is checked against ``rule`` and claimed by ``owner`` for the program."""
    sep = rule.separator
    # Shortened here, not by ``physical``, so that the only hash is the seeded one.
    base = physical(*parts, max_length=1024, separator=sep or "-")
    if not sep:
        base = base.replace("-", "")
    digest = hashlib.sha256(f"{seed}\0{base}".encode()).hexdigest()[:hash_length]
    room = rule.max_length - len(sep) - hash_length
    if room < 1:
        raise PhysicalNameError(f"{kind}: no room for a name before a {hash_length}-character hash")
    name = f"{base[:room].rstrip(sep or '-')}{sep}{digest}"
    return claim(kind, check_rule(kind, rule, name), owner)


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

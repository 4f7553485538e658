"""Globally unique Azure names: storage accounts, key vaults and container registries.

These three names are part of a public DNS name (``<name>.blob.core.windows.net``,
``<name>.vault.azure.net``, ``<name>.azurecr.io``), so they must be unique across all of
Azure, and Pulumi's auto-naming (``<logical>-<7 characters>``) breaks their character
rules. ``unique_name`` builds them from a caller's prefix and a short hash of the
project, stack and component name: the same program always gets the same name (no
replacement on re-run), two stacks or two components get different ones.

The rules (length, characters) are Azure's, from
https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
(``Microsoft.Storage/storageAccounts``, ``Microsoft.KeyVault/vaults``,
``Microsoft.ContainerRegistry/registries``). They are kept in ``RULES`` so that the
shared name-rules module (``components/azure/names.py``) can take them over: the blocks
only call ``unique_name`` and ``check_name``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pulumi

from ..naming import PhysicalNameError, claim

HASH_LENGTH = 6
"""Hex characters of the hash appended to the prefix (16.7 million values per prefix)."""


@dataclass(frozen=True)
class GlobalNameRule:
    """What one Azure resource type accepts as a globally unique name."""

    min_length: int
    max_length: int
    pattern: str
    """A full-match regular expression of the allowed characters and shape."""
    separator: str
    """Joins the prefix and the hash: ``-`` where hyphens are allowed, else nothing."""
    description: str

    def problems(self, name: str) -> list[str]:
        found = []
        if not self.min_length <= len(name) <= self.max_length:
            found.append(
                f"is {len(name)} characters long; {self.min_length}-{self.max_length} allowed"
            )
        if not re.fullmatch(self.pattern, name):
            found.append(f"must be {self.description}")
        return found


_RULES_SOURCE = (
    "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"
)

RULES: dict[str, GlobalNameRule] = {
    "storage-account": GlobalNameRule(
        3, 24, r"[a-z0-9]+", "", "lower-case letters and digits only"
    ),
    "key-vault": GlobalNameRule(
        3,
        24,
        r"[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]",
        "-",
        "letters, digits and single hyphens, starting with a letter and ending with a "
        "letter or digit",
    ),
    "container-registry": GlobalNameRule(5, 50, r"[a-zA-Z0-9]+", "", "letters and digits only"),
}


def check_name(kind: str, name: str) -> str:
    """``name`` if it satisfies Azure's rule for ``kind``; else ``PhysicalNameError``."""
    rule = RULES[kind]
    problems = rule.problems(name)
    if problems:
        raise PhysicalNameError(f"{kind} name {name!r} {'; '.join(problems)} (see {_RULES_SOURCE})")
    return name


def unique_name(kind: str, prefix: str, component: str) -> str:
    """``<prefix><separator><hash>`` for a resource of ``kind`` owned by ``component``.

    The hash covers the Pulumi project, the stack and ``component``, so the name is
    stable for one stack and differs between stacks. The prefix is lower-cased and
    stripped of characters the kind does not allow; it must leave room for the hash
    (``PhysicalNameError`` says how long it may be). The name is claimed for the program
    (``naming.claim``): two components with the same name in one program are an error.
    """
    rule = RULES[kind]
    allowed = r"[^a-z0-9-]" if rule.separator else r"[^a-z0-9]"
    cleaned = re.sub(allowed, "", prefix.lower()).strip("-")
    cleaned = re.sub("-{2,}", "-", cleaned)
    longest = rule.max_length - HASH_LENGTH - len(rule.separator)
    if not cleaned or len(cleaned) > longest:
        raise PhysicalNameError(
            f"name_prefix {prefix!r}: a {kind} name is '<prefix>{rule.separator}<{HASH_LENGTH} "
            f"hex characters>', so the prefix needs 1-{longest} of {rule.description} "
            f"(see {_RULES_SOURCE})"
        )
    seed = f"{pulumi.get_project()}/{pulumi.get_stack()}/{component}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:HASH_LENGTH]
    name = check_name(kind, f"{cleaned}{rule.separator}{digest}")
    return claim(kind, name, component)

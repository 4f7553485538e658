"""Stack files of one cloud never share a physical name prefix: two stacks with the same
prefix in one subscription / account / project collide on every fixed name (resource
group, workspace, endpoint, budget, CI role)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def prefixes_by_cloud() -> dict[str, dict[str, list[str]]]:
    """cloud -> physical prefix (``name_prefix`` or ``mlops-<environment>``) -> stacks."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted((ROOT / "stacks").glob("Pulumi.*.yaml")):
        config = yaml.safe_load(path.read_text(encoding="utf-8"))["config"]
        prefix = config.get("mlops-iac:name_prefix") or f"mlops-{config['mlops-iac:environment']}"
        found[config["mlops-iac:cloud"]][prefix].append(path.name)
    return found


def test_no_two_stacks_of_a_cloud_share_a_name_prefix() -> None:
    shared = {
        f"{cloud}:{prefix}": stacks
        for cloud, prefixes in prefixes_by_cloud().items()
        for prefix, stacks in prefixes.items()
        if len(stacks) > 1
    }
    assert shared == {}


def test_the_hybrid_stacks_have_their_own_prefix() -> None:
    found = prefixes_by_cloud()
    assert found["azure"]["mlops-hybrid"] == ["Pulumi.azure-hybrid.yaml"]
    assert found["gcp"]["mlops-hybrid"] == ["Pulumi.gcp-hybrid.yaml"]

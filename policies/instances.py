"""Instance types: which are accelerated (GPU, Inferentia, Trainium) and how many
accelerators each carries. The table covers the families SageMaker and EKS offer for ML;
a policy's ``acceleratorCounts`` config adds or overrides entries."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_ACCELERATED_FAMILY = re.compile(r"^(p|g|gr|inf|trn)\d")

# Accelerators per instance (GPUs, Inferentia or Trainium chips), from the EC2 and
# SageMaker instance-type pages. Keys have no "ml." prefix: SageMaker types share them.
ACCELERATOR_COUNTS: dict[str, int] = {
    **{f"g4dn.{s}": 1 for s in ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")},
    "g4dn.12xlarge": 4,
    "g4dn.metal": 8,
    **{f"g5.{s}": 1 for s in ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")},
    "g5.12xlarge": 4,
    "g5.24xlarge": 4,
    "g5.48xlarge": 8,
    **{f"g6.{s}": 1 for s in ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")},
    "g6.12xlarge": 4,
    "g6.24xlarge": 4,
    "g6.48xlarge": 8,
    **{f"g6e.{s}": 1 for s in ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")},
    "g6e.12xlarge": 4,
    "g6e.24xlarge": 4,
    "g6e.48xlarge": 8,
    "p3.2xlarge": 1,
    "p3.8xlarge": 4,
    "p3.16xlarge": 8,
    "p3dn.24xlarge": 8,
    "p4d.24xlarge": 8,
    "p4de.24xlarge": 8,
    "p5.48xlarge": 8,
    "p5e.48xlarge": 8,
    "p5en.48xlarge": 8,
    "inf1.xlarge": 1,
    "inf1.2xlarge": 1,
    "inf1.6xlarge": 4,
    "inf1.24xlarge": 16,
    "inf2.xlarge": 1,
    "inf2.8xlarge": 1,
    "inf2.24xlarge": 6,
    "inf2.48xlarge": 12,
    "trn1.2xlarge": 1,
    "trn1.32xlarge": 16,
    "trn1n.32xlarge": 16,
    "trn2.48xlarge": 16,
}


def family(instance_type: str) -> str:
    """``ml.g5.2xlarge`` -> ``g5``; ``m5.large`` -> ``m5``."""
    bare = instance_type.removeprefix("ml.")
    return bare.split(".", 1)[0]


def is_accelerated(instance_type: str) -> bool:
    """GPU, Inferentia and Trainium types: ml.p*/g*/inf*/trn* and EC2 p*/g*/inf*/trn*."""
    return bool(_ACCELERATED_FAMILY.match(family(instance_type)))


def accelerator_count(instance_type: str, overrides: Mapping[str, Any] | None = None) -> int | None:
    """Accelerators per instance: 0 for CPU types, ``None`` when an accelerated type is
    missing from the table (the caller fails closed and asks for a config entry)."""
    for table in (overrides or {}, ACCELERATOR_COUNTS):
        for key in (instance_type, instance_type.removeprefix("ml.")):
            if key in table:
                return int(float(table[key]))
    return 0 if not is_accelerated(instance_type) else None

"""Data files shipped with the library (``<package>/data/*.json``): each holds facts no
maintained library has, with their sources and dates, read here and nowhere else."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


@functools.cache
def packaged_json(package: str, name: str) -> Any:
    """The parsed ``data/<name>`` of ``package`` (e.g. ``mlops_components.aws``), read
    once per process. The result is shared: callers must not modify it."""
    return json.loads(resources.files(package).joinpath("data", name).read_text("utf-8"))

"""Enable the Google Cloud APIs that the building blocks need, once per stack."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from .. import naming

SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com$")


class ProjectServices(pulumi.ComponentResource):
    """One ``projects.Service`` per API, named ``<name>-<api>`` (``<name>-storage``).

    ``disable_on_destroy=False``: destroying the stack leaves the APIs on. An API is a
    project-wide switch that other stacks, people and Google's own service agents rely
    on; disabling it on destroy would break them, and the provider docs say the flag
    "should generally only be true in configurations that manage the
    ``organizations.Project`` resource itself". Enabled APIs cost nothing.
    ``disable_dependent_services=False`` for the same reason.

    Pass the component in ``depends_on`` of the blocks that use the APIs, so nothing is
    created before its API is on (the building blocks list theirs in ``SERVICES``).
    """

    services: dict[str, gcp.projects.Service]

    def __init__(
        self,
        name: str,
        services: Sequence[str],
        project: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("mlops:gcp:ProjectServices", name, None, opts)
        problems = [
            f"services[{i}]: {service!r} is not an API name ('storage.googleapis.com')"
            for i, service in enumerate(services)
            if not SERVICE_NAME.match(service)
        ]
        if problems:
            raise ValueError("invalid ProjectServices:\n  - " + "\n  - ".join(problems))
        self.services = {
            service: gcp.projects.Service(
                naming.child(name, service.split(".")[0]),
                service=service,
                project=project,
                disable_on_destroy=False,
                disable_dependent_services=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
            # Duplicates collapse (several blocks need the same API).
            for service in sorted(set(services))
        }
        self.register_outputs({"services": sorted(self.services)})

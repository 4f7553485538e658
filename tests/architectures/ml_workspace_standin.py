"""A stand-in for architecture 4's offered component (``azure_ml_devops``) in the
AKS and Arc tests: the interface they use (``workspace_id``, ``workspace_name``,
``registry_name``), with ids shaped as ARM returns them. Replace it with the real
``AzureMlDevOps`` once both are on one branch."""

from __future__ import annotations

import pulumi
from mlops_preview.mocks import AZURE_SUBSCRIPTION_ID

WORKSPACE_GROUP = "mlops-test-ml-rg"
WORKSPACE_NAME = "mlops-test-ws"
REGISTRY_NAME = "mlops-test-registry"
WORKSPACE_ID = (
    f"/subscriptions/{AZURE_SUBSCRIPTION_ID}/resourceGroups/{WORKSPACE_GROUP}/providers/"
    f"Microsoft.MachineLearningServices/workspaces/{WORKSPACE_NAME}"
)

COMPUTE_IDENTITY_ID = (
    f"/subscriptions/{AZURE_SUBSCRIPTION_ID}/resourceGroups/{WORKSPACE_GROUP}/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/azureml-compute"
)


class WorkspaceStandIn(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:azure:AzureMlDevOpsStandIn", name, None, None)
        self.workspace_id = pulumi.Output.from_input(WORKSPACE_ID)
        self.workspace_name = pulumi.Output.from_input(WORKSPACE_NAME)
        self.registry_name = pulumi.Output.from_input(REGISTRY_NAME)
        self.registry_id = pulumi.Output.from_input(
            WORKSPACE_ID.replace(f"workspaces/{WORKSPACE_NAME}", f"registries/{REGISTRY_NAME}")
        )
        self.compute_identity_id = pulumi.Output.from_input(COMPUTE_IDENTITY_ID)
        self.register_outputs({})

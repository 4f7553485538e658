"""The plan mocks for architecture 4: Azure resources named by a suffix key keep their
given name, and Azure DevOps objects get GUID ids, lookups and a WIF issuer/subject."""

from __future__ import annotations

import uuid

from mlops_preview.mocks import AZURE_TENANT_ID, PlanMocks
from pulumi.runtime import MockCallArgs, MockResourceArgs

ML = "azure-native:machinelearningservices"


def _new(mocks: PlanMocks, typ: str, name: str, inputs: dict) -> tuple[str, dict]:
    args = MockResourceArgs(typ=typ, name=name, inputs=inputs, custom=True)  # type: ignore[arg-type]
    return mocks.new_resource_at(f"urn:pulumi:test::p::{typ}::{name}", args)


def test_online_endpoint_and_deployment_keep_their_names() -> None:
    mocks = PlanMocks("eu-west-1")
    common = {"resourceGroupName": "rg", "workspaceName": "ws"}
    endpoint_id, endpoint = _new(
        mocks, f"{ML}:OnlineEndpoint", "ep", {**common, "endpointName": "mlops-online"}
    )
    assert endpoint["name"] == "mlops-online"
    assert endpoint_id.endswith("/onlineEndpoints/mlops-online")
    _, deployment = _new(
        mocks,
        f"{ML}:OnlineDeployment",
        "blue",
        {**common, "endpointName": "mlops-online", "deploymentName": "blue"},
    )
    assert deployment["name"] == "blue"


def test_azure_devops_lookups_and_wif_outputs() -> None:
    mocks = PlanMocks("eu-west-1")
    project, _ = mocks.call(
        MockCallArgs("azuredevops:index/getProject:getProject", {"name": "ml"}, "")
    )
    uuid.UUID(project["id"])
    repo, _ = mocks.call(
        MockCallArgs(
            "azuredevops:index/getGitRepository:getGitRepository",
            {"projectId": project["id"], "name": "mlops-iac"},
            "",
        )
    )
    assert repo["projectId"] == project["id"] and repo["name"] == "mlops-iac"
    connection_id, state = _new(
        mocks,
        "azuredevops:index/serviceEndpointAzureRM:ServiceEndpointAzureRM",
        "c",
        {"azurermSpnTenantid": AZURE_TENANT_ID},
    )
    uuid.UUID(connection_id)
    assert state["workloadIdentityFederationIssuer"] == (
        f"https://login.microsoftonline.com/{AZURE_TENANT_ID}/v2.0"
    )
    assert state["workloadIdentityFederationSubject"].endswith(f"/sc/{connection_id}")
    pipeline_id, _ = _new(mocks, "azuredevops:index/buildDefinition:BuildDefinition", "p", {})
    assert pipeline_id.isdigit()

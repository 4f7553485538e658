"""Nested computed outputs: every input wired from one is recorded.

The program creates each resource kind whose nested outputs the project's
architectures wire into other resources (issue 7, sdk-survey F2/F3) and checks the
dependent inputs in the recording, plus the shapes the SDKs expect (a map of
user-assigned identities, not the list the program passed)."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
import pytest
from mlops_preview.mocks import GCP_PROJECT_NUMBER
from mlops_preview.placeholders import AZURE_TENANT_ID
from mlops_preview.runner import Recording, run_program
from pulumi_azure_native import authorization, containerservice, managedidentity, resources, storage
from pulumi_azure_native import machinelearningservices as ml
from pulumi_gcp import kms, projects

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
READER = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
    "Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
)


def program() -> None:
    group = resources.ResourceGroup("rg", resource_group_name="rg-ml", location="northeurope")
    uai = managedidentity.UserAssignedIdentity(
        "uai", resource_group_name=group.name, resource_name_="id-ml"
    )
    user_assigned = {"type": "UserAssigned", "user_assigned_identities": [uai.id]}

    aks = containerservice.ManagedCluster(
        "aks",
        resource_group_name=group.name,
        resource_name_="aks-ml",
        dns_prefix="aksml",
        identity={"type": "UserAssigned", "user_assigned_identities": [uai.id]},
        oidc_issuer_profile={"enabled": True},
        security_profile={"workload_identity": {"enabled": True}},
        agent_pool_profiles=[
            {"name": "system", "count": 1, "vm_size": "Standard_D4s_v5", "mode": "System"}
        ],
    )
    kubelet = aks.identity_profile.apply(lambda p: (p or {})["kubeletidentity"])
    authorization.RoleAssignment(
        "kubelet-reader",
        scope=group.id,
        role_definition_id=READER,
        principal_id=kubelet.apply(lambda k: k.object_id),
        principal_type="ServicePrincipal",
    )
    managedidentity.FederatedIdentityCredential(
        "fic",
        resource_group_name=group.name,
        resource_name_=uai.name,
        issuer=aks.oidc_issuer_profile.apply(lambda p: p.issuer_url if p else None),
        subject="system:serviceaccount:ml:runner",
        audiences=["api://AzureADTokenExchange"],
    )
    account = storage.StorageAccount(
        "sa",
        resource_group_name=group.name,
        account_name="stmlplan0001",
        kind="StorageV2",
        sku={"name": "Standard_LRS"},
        identity=user_assigned,
    )
    workspace = ml.Workspace(
        "ws",
        resource_group_name=group.name,
        workspace_name="mlw-plan",
        identity={"type": "SystemAssigned"},
        storage_account=account.id,
    )
    authorization.RoleAssignment(
        "ws-reader",
        scope=group.id,
        role_definition_id=READER,
        principal_id=workspace.identity.apply(lambda i: i.principal_id if i else None),
        principal_type="ServicePrincipal",
    )
    compute = ml.Compute(
        "cpu",
        resource_group_name=group.name,
        workspace_name=workspace.name,
        compute_name="cpu",
        identity={"type": "SystemAssigned,UserAssigned", "user_assigned_identities": [uai.id]},
        properties={"compute_type": "AmlCompute"},
    )
    pulumi.export(
        "compute_identity",
        compute.identity.apply(
            lambda i: {k: v.principal_id for k, v in (i.user_assigned_identities or {}).items()}
        ),
    )
    pulumi.export(
        "storage_identity",
        account.identity.apply(
            lambda i: {k: v.client_id for k, v in (i.user_assigned_identities or {}).items()}
        ),
    )

    eks = aws.eks.Cluster(
        "eks",
        role_arn="arn:aws:iam::123456789012:role/eks",
        vpc_config={"subnet_ids": ["subnet-1", "subnet-2"]},
    )
    aws.iam.OpenIdConnectProvider(
        "irsa",
        url=eks.identities.apply(lambda ids: ids[0].oidcs[0].issuer),
        client_id_lists=["sts.amazonaws.com"],
    )
    pulumi.export("ca", eks.certificate_authority.apply(lambda c: c.data))

    ring = kms.KeyRing("ring", name="ml", location="europe-west4")
    key = kms.CryptoKey("key", name="data", key_ring=ring.id, rotation_period="7776000s")
    vertex = projects.ServiceIdentity("vertex", service="aiplatform.googleapis.com")
    kms.CryptoKeyIAMMember(
        "vertex-key",
        crypto_key_id=key.id,
        role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member=vertex.member,
    )


@pytest.fixture(scope="module")
def recording() -> Recording:
    return run_program(program, config={"gcp:project": "ml-plan", "gcp:region": "europe-west4"})


def test_the_program_plans_without_warnings(recording: Recording) -> None:
    assert recording.warnings == []


def test_aks_kubelet_identity_reaches_the_role_assignment(recording: Recording) -> None:
    aks = recording.one("azure-native:containerservice:ManagedCluster")
    kubelet = aks.outputs["identityProfile"]["kubeletidentity"]
    assert kubelet["resourceId"] == (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
        "MC_rg-ml_aks-ml_northeurope/providers/Microsoft.ManagedIdentity/"
        "userAssignedIdentities/aks-ml-agentpool"
    )
    assert GUID.match(kubelet["objectId"]) and GUID.match(kubelet["clientId"])
    grant = recording.one("azure-native:authorization:RoleAssignment", "kubelet-reader")
    assert grant.inputs["principalId"] == kubelet["objectId"]


def test_aks_issuer_reaches_the_federated_credential(recording: Recording) -> None:
    aks = recording.one("azure-native:containerservice:ManagedCluster")
    issuer = aks.outputs["oidcIssuerProfile"]["issuerURL"]
    assert re.match(
        rf"^https://northeurope\.oic\.prod-aks\.azure\.com/{AZURE_TENANT_ID}/[0-9a-f-]{{36}}/$",
        issuer,
    )
    fic = recording.one("azure-native:managedidentity:FederatedIdentityCredential")
    assert fic.inputs["issuer"] == issuer


def test_user_assigned_identities_are_a_map_of_the_identity_ids(recording: Recording) -> None:
    uai = recording.one("azure-native:managedidentity:UserAssignedIdentity")
    expected = {
        uai.id: {"principalId": uai.outputs["principalId"], "clientId": uai.outputs["clientId"]}
    }
    for token in (
        "azure-native:containerservice:ManagedCluster",
        "azure-native:storage:StorageAccount",
        "azure-native:machinelearningservices:Compute",
    ):
        identity = recording.one(token).outputs["identity"]
        assert identity["userAssignedIdentities"] == expected, token
    assert recording.outputs["compute_identity"] == {uai.id: uai.outputs["principalId"]}
    assert recording.outputs["storage_identity"] == {uai.id: uai.outputs["clientId"]}
    # The inputs stay as the program passed them (a list of ids).
    assert recording.one("azure-native:storage:StorageAccount").inputs["identity"][
        "userAssignedIdentities"
    ] == [uai.id]


def test_system_assigned_identities_have_a_principal(recording: Recording) -> None:
    workspace = recording.one("azure-native:machinelearningservices:Workspace")
    identity = workspace.outputs["identity"]
    assert GUID.match(identity["principalId"]) and identity["tenantId"] == AZURE_TENANT_ID
    grant = recording.one("azure-native:authorization:RoleAssignment", "ws-reader")
    assert grant.inputs["principalId"] == identity["principalId"]
    compute = recording.one("azure-native:machinelearningservices:Compute")
    assert GUID.match(compute.outputs["identity"]["principalId"])
    # A user-assigned-only identity has no principal of its own.
    assert (
        "principalId"
        not in recording.one("azure-native:storage:StorageAccount").outputs["identity"]
    )


def test_eks_issuer_reaches_the_oidc_provider(recording: Recording) -> None:
    eks = recording.one("aws:eks/cluster:Cluster")
    issuer = eks.outputs["identities"][0]["oidcs"][0]["issuer"]
    assert re.match(r"^https://oidc\.eks\.eu-west-1\.amazonaws\.com/id/[0-9A-F]{32}$", issuer)
    provider = recording.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"] == issuer
    assert recording.outputs["ca"] == eks.outputs["certificateAuthority"]["data"]
    assert eks.outputs["endpoint"].endswith(".gr7.eu-west-1.eks.amazonaws.com")


def test_gcp_service_agent_reaches_the_key_grant(recording: Recording) -> None:
    agent = f"service-{GCP_PROJECT_NUMBER}@gcp-sa-aiplatform.iam.gserviceaccount.com"
    vertex = recording.one("gcp:projects/serviceIdentity:ServiceIdentity")
    assert vertex.outputs["email"] == agent
    grant = recording.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    assert grant.inputs["member"] == f"serviceAccount:{agent}"
    ring = "projects/ml-plan/locations/europe-west4/keyRings/ml"
    assert recording.one("gcp:kms/keyRing:KeyRing").id == ring
    assert grant.inputs["cryptoKeyId"] == f"{ring}/cryptoKeys/data"


def test_every_dependent_input_is_recorded(recording: Recording) -> None:
    """No resource loses an input it was given from another resource's output: each
    key with property dependencies has a recorded value."""
    missing = [
        f"{r.type} {r.name}: {key}"
        for r in recording.resources
        for key, deps in r.property_dependencies.items()
        if deps and key not in r.inputs
    ]
    assert missing == []


def test_blocks_the_program_did_not_ask_for_stay_absent() -> None:
    def program() -> None:
        group = resources.ResourceGroup("rg", resource_group_name="rg-plain")
        storage.StorageAccount(
            "plain",
            resource_group_name=group.name,
            account_name="stplain0001",
            kind="StorageV2",
            sku={"name": "Standard_LRS"},
        )
        containerservice.ManagedCluster(
            "aks",
            resource_group_name=group.name,
            dns_prefix="aks",
            identity={"type": "SystemAssigned"},
            agent_pool_profiles=[{"name": "system", "count": 1, "mode": "System"}],
        )

    recording = run_program(program)
    assert "identity" not in recording.one("azure-native:storage:StorageAccount").outputs
    aks = recording.one("azure-native:containerservice:ManagedCluster").outputs
    assert "oidcIssuerProfile" not in aks  # not enabled
    assert GUID.match(aks["identity"]["principalId"])
    assert "userAssignedIdentities" not in aks["identity"]


def test_azure_endpoints_computed_from_names_reach_dependent_inputs() -> None:
    from pulumi_azure_native import applicationinsights, containerregistry

    def program() -> None:
        account = storage.StorageAccount(
            "lake",
            account_name="mlopsdevlake",
            resource_group_name="rg",
            kind="StorageV2",
            sku={"name": "Standard_LRS"},
        )
        registry = containerregistry.Registry(
            "acr", registry_name="mlopsdevacr", resource_group_name="rg", sku={"name": "Premium"}
        )
        insights = applicationinsights.Component(
            "ai", resource_group_name="rg", kind="web", application_type="web"
        )
        pulumi.export("dfs", account.primary_endpoints.apply(lambda e: e.dfs))
        pulumi.export("login", registry.login_server)
        pulumi.export("ikey", insights.instrumentation_key)
        pulumi.export("connection", insights.connection_string)

    outputs = run_program(program, config={"azure-native:location": "westeurope"}).outputs
    assert outputs["dfs"] == "https://mlopsdevlake.dfs.core.windows.net/"
    assert outputs["login"] == "mlopsdevacr.azurecr.io"
    assert re.fullmatch(r"[0-9a-f-]{36}", outputs["ikey"])
    assert outputs["connection"].startswith(f"InstrumentationKey={outputs['ikey']};")
    assert (
        "IngestionEndpoint=https://westeurope-0.in.applicationinsights.azure.com/"
        in (outputs["connection"])
    )


def test_child_and_global_resources_get_their_real_id_shapes() -> None:
    from pulumi_azure_native import keyvault, network
    from pulumi_gcp import compute

    def program() -> None:
        key = keyvault.Key(
            "cmk", resource_group_name="rg", vault_name="kv1", key_name="cmk", properties={}
        )
        subnet = network.Subnet(
            "sn", resource_group_name="rg", virtual_network_name="vnet1", subnet_name="endpoints"
        )
        net = compute.Network("net", auto_create_subnetworks=False)
        sub = compute.Subnetwork("sub", network=net.id, ip_cidr_range="10.0.0.0/20")
        pulumi.export("key", key.id)
        pulumi.export("subnet", subnet.id)
        pulumi.export("net", net.id)
        pulumi.export("sub", sub.id)

    config = {"gcp:project": "ml-dev-123456", "gcp:region": "europe-west4"}
    outputs = run_program(program, config=config).outputs
    assert outputs["key"].endswith("/providers/Microsoft.KeyVault/vaults/kv1/keys/cmk")
    assert outputs["subnet"].endswith(
        "/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/endpoints"
    )
    assert re.fullmatch(r"projects/ml-dev-123456/global/networks/net-[0-9a-f]{7}", outputs["net"])
    assert re.fullmatch(
        r"projects/ml-dev-123456/regions/europe-west4/subnetworks/sub-[0-9a-f]{7}", outputs["sub"]
    )

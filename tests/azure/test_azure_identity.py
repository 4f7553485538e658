"""ManagedIdentity and role assignments: principal type, deterministic names, grants."""

from __future__ import annotations

import re

import pytest
from azure_plan import GROUP, LOCATION, TAGS, Recording, assert_tagged, children, plan
from azure_plan import role_definition as definition
from mlops_components.azure import Grant, ManagedIdentity, ManagedIdentityArgs
from mlops_components.azure.identity import ROLES, assignment_name

TOKEN = "mlops:azure:ManagedIdentity"
UAI = "azure-native:managedidentity:UserAssignedIdentity"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ACCOUNT = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.Storage/storageAccounts/lake"
)
REGISTRY = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.ContainerRegistry/registries/acr"
)


def run(grants: dict[str, Grant] | None = None, name: str = "trainer") -> Recording:
    def program() -> None:
        ManagedIdentity(
            name,
            ManagedIdentityArgs(
                resource_group_name=GROUP, location=LOCATION, tags=TAGS, grants=grants or {}
            ),
        )

    return plan(program)


def default_grants() -> dict[str, Grant]:
    return {
        "lake-read": Grant("Storage Blob Data Reader", ACCOUNT),
        "pull": Grant("AcrPull", REGISTRY),
    }


def test_children_are_the_identity_and_one_assignment_per_grant() -> None:
    rec = run(default_grants())
    assert children(rec, TOKEN, "trainer") == [
        (ASSIGNMENT, "trainer-lake-read"),
        (ASSIGNMENT, "trainer-pull"),
        (UAI, "trainer"),
    ]
    identity = rec.one(UAI)
    assert identity.inputs == {"location": LOCATION, "resourceGroupName": GROUP, "tags": TAGS}
    assert_tagged(rec, TOKEN, "trainer")


def test_assignments_name_a_service_principal_and_the_subscription_role() -> None:
    rec = run(default_grants())
    principal = rec.one(UAI).outputs["principalId"]
    read = rec.one(ASSIGNMENT, "trainer-lake-read").inputs
    role_id = definition(ROLES["Storage Blob Data Reader"])
    assert read == {
        "principalId": principal,
        # The SDK's default is "User", which ARM rejects for a managed identity.
        "principalType": "ServicePrincipal",
        "roleAssignmentName": assignment_name(ACCOUNT, role_id, principal),
        "roleDefinitionId": role_id,
        "scope": ACCOUNT,
    }
    pull = rec.one(ASSIGNMENT, "trainer-pull").inputs
    assert pull["roleDefinitionId"] == definition("7f951dda-4ed3-4680-a7ca-43fe172d538d")
    assert pull["scope"] == REGISTRY


def test_assignment_names_are_stable_uuid5_and_differ_per_scope() -> None:
    first = run(default_grants()).one(ASSIGNMENT, "trainer-lake-read").inputs
    second = run(default_grants()).one(ASSIGNMENT, "trainer-lake-read").inputs
    name = first["roleAssignmentName"]
    assert name == second["roleAssignmentName"]
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", name
    )
    assert assignment_name(ACCOUNT, "r", "p") != assignment_name(REGISTRY, "r", "p")
    # ARM ids are case-insensitive: the same assignment whatever the casing.
    assert assignment_name(ACCOUNT.upper(), "R", "P") == assignment_name(ACCOUNT, "r", "p")


def test_no_grants_is_just_the_identity() -> None:
    assert children(run(), TOKEN, "trainer") == [(UAI, "trainer")]


@pytest.mark.parametrize(
    ("grants", "argument"),
    [
        ({"x": Grant("Owner", ACCOUNT)}, "grants['x'].role: 'Owner' is not a known role"),
        ({"Bad_Label": Grant("AcrPull", REGISTRY)}, "grants['Bad_Label']"),
    ],
)
def test_invalid_grants_are_refused(grants: dict[str, Grant], argument: str) -> None:
    with pytest.raises(ValueError, match=re.escape(argument)):
        run(grants)

"""Every stack plans a keyless CI identity on its cloud whose trust is no broader than
one repository and one GitHub environment, with only the permissions its
architectures need (components/<cloud>/ci_identity.py, docs/ci.md)."""

from __future__ import annotations

import fnmatch
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from mlops_components import github_oidc
from mlops_components.aws import ci_identity as aws_ci
from mlops_components.azure import ci_identity as azure_ci
from mlops_components.azure.identity import ROLES
from mlops_components.gcp import ci_identity as gcp_ci
from mlops_components.registry import REGISTRY
from mlops_components.settings import Cloud
from mlops_components.settings.ci import CiSettings
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import Recording, plan_stack
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[1]
STACKS = sorted(
    p.name[len("Pulumi.") : -len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)
REPOSITORY = "example-org/mlops-platform"


@cache
def planned(stack: str) -> Recording:
    return plan_stack(ROOT, stack)


def ci_section(stack: str) -> dict[str, str]:
    return yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"][
        "mlops-iac:ci"
    ]


def expected_subject(stack: str) -> str:
    return f"repo:{REPOSITORY}:environment:{ci_section(stack)['environment']}"


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_names_one_repository_and_environment(stack: str) -> None:
    section = ci_section(stack)
    assert section == {"repository": REPOSITORY, "environment": section["environment"]}
    expected = "hybrid" if stack.endswith("hybrid") else stack.split("-")[1]
    assert section["environment"] == expected


@pytest.mark.parametrize("stack", [s for s in STACKS if s.startswith("aws-")])
def test_aws_stacks_trust_one_subject_for_sts_only(stack: str) -> None:
    rec = planned(stack)
    (provider,) = rec.by_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs == {
        "clientIdLists": ["sts.amazonaws.com"],
        "tags": provider.inputs["tags"],
        "url": "https://token.actions.githubusercontent.com",
    }
    role = rec.one("aws:iam/role:Role", "ci")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    }
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    # StringEquals (never StringLike): exactly this subject, no wildcard.
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": expected_subject(stack),
        }
    }
    assert rec.outputs["ci_aws_role_arn"].startswith("arn:aws:iam::123456789012:role/ci-")


@pytest.mark.parametrize("stack", [s for s in STACKS if s.startswith("aws-")])
def test_the_aws_deploy_policy_is_scoped(stack: str) -> None:
    policy = json.loads(
        planned(stack).one("aws:iam/rolePolicy:RolePolicy", "ci-deploy").inputs["policy"]
    )
    # IAM quota: a role's inline policies total at most 10,240 characters, whitespace
    # not counted (IAM and STS quotas, IAM user guide).
    assert len(json.dumps(policy, separators=(",", ":"))) < 10_240
    statements = {s["Sid"]: s for s in policy["Statement"]}
    region = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"][
        "mlops-iac:region"
    ]
    for statement in statements.values():
        actions = statement["Action"]
        assert "*" not in actions and "*:*" not in actions
        resources = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        if "*" in resources:  # only named actions, only in the stack's region (global
            # services: their endpoint's)
            assert not any(a.endswith(":*") for a in actions), statement["Sid"]
            signed_in = "us-east-1" if statement["Sid"] == "DeployUnscopedGlobal" else region
            assert statement["Condition"] == {"StringEquals": {"aws:RequestedRegion": signed_in}}
        else:
            assert all(
                ":123456789012:" in r
                or r.startswith(("arn:aws:s3:::", f"arn:aws:apigateway:{region}::"))
                for r in resources
            )
    services = aws_ci.services_of(_deployed(stack))
    assert {f"{s}:*" for s in services} == {
        a for s in statements.values() for a in s["Action"] if a.endswith(":*")
    }
    assert statements["DeploySagemaker"]["Resource"] == [
        f"arn:aws:sagemaker:{region}:123456789012:*"
    ]
    assert statements["DeploySagemaker"]["Condition"] == {
        "StringEquals": {"aws:ResourceAccount": "123456789012"}
    }
    assert statements["PassStackRoles"]["Condition"]["StringEquals"][
        "iam:PassedToService"
    ] == sorted({p for a in _enabled(stack) for p in aws_ci.PASSED_TO.get(a, ())})


def _enabled(stack: str) -> set[str]:
    config = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return set(config.get("mlops-iac:architectures") or {})


def _deployed(stack: str) -> list[str]:
    """The stack's architectures, and its budget when it has one."""
    config = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    budget = [aws_ci.BUDGET] if "mlops-iac:budget" in config else []
    return [a for a in aws_ci.ARCHITECTURE_SERVICES if a in _enabled(stack)] + budget


def _deploy_statements(stack: str) -> dict[str, dict[str, Any]]:
    policy = json.loads(
        planned(stack).one("aws:iam/rolePolicy:RolePolicy", "ci-deploy").inputs["policy"]
    )
    return {s["Sid"]: s for s in policy["Statement"]}


@pytest.mark.parametrize("stack", [s for s in STACKS if s.startswith("aws-")])
def test_the_aws_deploy_role_may_manage_the_stack_budget_and_anomaly_monitor(stack: str) -> None:
    statements = _deploy_statements(stack)
    budget = planned(stack).one("aws:budgets/budget:Budget", "aws-budget")
    assert statements["DeployBudgets"]["Resource"] == [
        f"arn:aws:budgets::123456789012:budget/{budget.inputs['name']}"
    ]
    assert statements["DeployCe"]["Resource"] == [
        "arn:aws:ce::123456789012:anomalymonitor/*",
        "arn:aws:ce::123456789012:anomalysubscription/*",
    ]
    # Create* has no resource type (Service Authorization Reference): on * and only
    # through Cost Explorer's endpoint.
    assert "Condition" not in statements["DeployBudgets"]  # the ARN names the account
    unscoped = statements["DeployUnscopedGlobal"]
    assert set(unscoped["Action"]) >= {"ce:CreateAnomalyMonitor", "ce:CreateAnomalySubscription"}
    assert unscoped["Condition"] == {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_the_aws_deploy_role_manages_only_the_stack_roles_never_its_own(stack: str) -> None:
    rec = planned(stack)
    statements = _deploy_statements(stack)
    patterns = statements["ManageStackRoles"]["Resource"]
    assert statements["PassStackRoles"]["Resource"] == patterns
    assert all(p.startswith("arn:aws:iam::123456789012:role/") for p in patterns)
    assert not any(p.endswith(":role/*") for p in patterns)
    # Every role the stack creates matches (auto-named: <logical name>-<7 characters>);
    # the deploy role does not.
    roles = rec.by_type("aws:iam/role:Role")
    arns = {r.name: f"arn:aws:iam::123456789012:role/{r.name}-1a2b3c4" for r in roles}
    unmatched = sorted(
        n for n, arn in arns.items() if not any(fnmatch.fnmatchcase(arn, p) for p in patterns)
    )
    assert unmatched == ["ci"]
    deploy_role = rec.outputs["ci_aws_role_arn"]
    deny = statements["DenyDeployRoleChanges"]
    assert deny["Effect"] == "Deny" and deny["Resource"] == deploy_role
    assert {
        "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:AttachRolePolicy",
        "iam:PassRole",
        "iam:DeleteRolePermissionsBoundary",
    } <= set(deny["Action"])
    assert not any(a.startswith(("iam:Get", "iam:List")) for a in deny["Action"])
    # Managed policies: exactly those the stack attaches, nothing else.
    attached = {
        a.inputs["policyArn"]
        for a in rec.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    attach = statements.get("AttachManagedPolicies")
    if attached:
        assert attach is not None and attach["Resource"] == patterns
        assert set(attach["Condition"]["ArnEquals"]["iam:PolicyARN"]) == attached
    else:
        assert attach is None


def test_the_apigateway_statement_has_no_account_condition() -> None:
    policy = aws_ci.deploy_policy(
        ["serverless_mlops"],
        "aws",
        "eu-west-1",
        "123456789012",
        "mlops-dev",
        "arn:aws:iam::123456789012:role/ci-1a2b3c4",
    )
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["DeployApigateway"] == {
        "Sid": "DeployApigateway",
        "Effect": "Allow",
        "Action": ["apigateway:*"],
        "Resource": ["arn:aws:apigateway:eu-west-1::/*"],
    }
    assert statements["DeployLambda"]["Condition"] == {
        "StringEquals": {"aws:ResourceAccount": "123456789012"}
    }
    assert len(json.dumps(policy, separators=(",", ":"))) < 10_240


@pytest.mark.parametrize("stack", [s for s in STACKS if s.startswith("azure-")])
def test_azure_stacks_federate_one_subject(stack: str) -> None:
    rec = planned(stack)
    credential = rec.one("azure-native:managedidentity:FederatedIdentityCredential", "ci-github")
    assert credential.inputs["issuer"] == github_oidc.ISSUER
    assert credential.inputs["audiences"] == ["api://AzureADTokenExchange"]
    assert credential.inputs["subject"] == expected_subject(stack)
    subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"
    roles = {r.name: r for r in rec.by_type("azure-native:authorization:RoleDefinition")}
    assert set(roles) == {"ci-deploy", "ci-subscription"}
    for role in roles.values():
        (permission,) = role.inputs["permissions"]
        assert "*" not in permission["actions"]
        assert all(a.startswith("Microsoft.") for a in permission["actions"])
        assert role.inputs["assignableScopes"] == [subscription]
    # The service operations are granted on the stack's resource group only.
    (group,) = rec.by_type("azure-native:resources:ResourceGroup")
    group_id = f"{subscription}/resourceGroups/{group.inputs['resourceGroupName']}"
    assignment = rec.one("azure-native:authorization:RoleAssignment", "ci-deploy")
    assert assignment.inputs["scope"] == group_id
    assert assignment.inputs["conditionVersion"] == "2.0"
    assert assignment.inputs["condition"] == azure_ci.assignment_condition(list(ROLES.values()))
    assert assignment.inputs["principalType"] == "ServicePrincipal"
    # On the subscription: create the group, and the anomaly alert's scheduled action.
    on_subscription = rec.one("azure-native:authorization:RoleAssignment", "ci-subscription")
    assert on_subscription.inputs["scope"] == subscription
    assert "condition" not in on_subscription.inputs
    (broad,) = roles["ci-subscription"].inputs["permissions"]
    assert not any(a.startswith("Microsoft.Authorization/") for a in broad["actions"])
    assert "Microsoft.Resources/subscriptions/resourceGroups/delete" not in broad["actions"]
    (scoped,) = roles["ci-deploy"].inputs["permissions"]
    if rec.by_type("azure-native:consumption:Budget"):
        assert "Microsoft.Consumption/budgets/*" in scoped["actions"]
        (alert,) = rec.by_type("azure-native:costmanagement:ScheduledActionByScope")
        assert alert.inputs["scope"].lstrip("/") == subscription.lstrip("/")
        assert "Microsoft.CostManagement/scheduledActions/*" in broad["actions"]


def test_the_azure_assignment_condition_allows_only_data_plane_roles() -> None:
    condition = azure_ci.assignment_condition(list(ROLES.values()))
    owner, contributor, user_access_admin = (
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    )
    assert not any(guid in condition for guid in (owner, contributor, user_access_admin))
    assert condition.count("GuidEquals {") == 2


def ci_providers(rec: Recording) -> list[RecordedResource]:
    """The CI identity's pool providers (the hybrid architecture federates its clusters
    through providers of its own)."""
    return [
        p
        for p in rec.by_type("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")
        if p.name.startswith("ci-")
    ]


@pytest.mark.parametrize("stack", [s for s in STACKS if s.startswith("gcp-")])
def test_gcp_stacks_admit_one_repository_and_subject(stack: str) -> None:
    rec = planned(stack)
    (provider,) = ci_providers(rec)
    assert provider.inputs["oidc"] == {"issuerUri": github_oidc.ISSUER}
    assert provider.inputs["attributeCondition"] == (
        f"assertion.repository == '{REPOSITORY}' && assertion.sub == '{expected_subject(stack)}'"
    )
    binding = rec.one("gcp:serviceaccount/iAMMember:IAMMember", "ci-github-impersonation")
    assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
    assert binding.inputs["member"].endswith(f"/subject/{expected_subject(stack)}")
    roles = {
        r.inputs["role"]
        for r in rec.by_type("gcp:projects/iAMMember:IAMMember")
        if r.name.startswith("ci-")
    }
    assert not roles & {"roles/owner", "roles/editor"}
    # The deploy identity may grant exactly the project roles the stack's architectures
    # grant their own service accounts.
    granted = {
        r.inputs["role"]
        for r in rec.by_type("gcp:projects/iAMMember:IAMMember")
        if not r.name.startswith("ci-")
    }
    admin = rec.one("gcp:projects/iAMMember:IAMMember", "ci-project-iam-admin")
    assert admin.inputs["condition"]["expression"] == gcp_ci.grant_condition(sorted(granted))
    assert rec.outputs["ci_gcp_workload_identity_provider"] == (
        "projects/123456789012/locations/global/workloadIdentityPools/"
        f"{admin.inputs['member'].split(':')[1].split('@')[0].removesuffix('-deploy')}-github/providers/github"
    )


def test_every_architecture_has_its_ci_permissions() -> None:
    tables = {
        Cloud.AWS: aws_ci.ARCHITECTURE_SERVICES,
        Cloud.AZURE: azure_ci.ARCHITECTURE_PROVIDERS,
        Cloud.GCP: gcp_ci.ARCHITECTURE_ROLES,
    }
    missing = [spec.key for spec in REGISTRY if spec.key not in tables[spec.cloud]]
    assert missing == []


def test_an_unknown_architecture_fails_with_the_table_to_extend() -> None:
    with pytest.raises(aws_ci.UnknownArchitectureError, match="ARCHITECTURE_SERVICES"):
        aws_ci.services_of(["sagemaker_cicd", "new_thing"])
    with pytest.raises(azure_ci.UnknownArchitectureError, match="ARCHITECTURE_PROVIDERS"):
        azure_ci.actions_of(["new_thing"])
    with pytest.raises(gcp_ci.UnknownArchitectureError, match="ARCHITECTURE_ROLES"):
        gcp_ci.roles_of(["new_thing"])


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ({"repository": "example-org/mlops-platform"}, "exactly one of environment or branch"),
        (
            {"repository": "example-org/mlops-platform", "environment": "prod", "branch": "main"},
            "exactly one",
        ),
        ({"repository": "example-org/*", "environment": "prod"}, "repository"),
        ({"repository": "example-org/mlops-platform", "environment": "pr*d"}, "environment"),
        ({"repository": "example-org/mlops-platform", "branch": "release/*"}, "branch"),
        ({"repository": "example-org/mlops-platform", "environment": "prod", "org": "x"}, "org"),
    ],
)
def test_ci_settings_refuse_wildcards_and_ambiguity(section: dict[str, str], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        CiSettings.model_validate(section)


def test_a_branch_subject() -> None:
    settings = CiSettings.model_validate({"repository": "o/r", "branch": "main"})
    assert (
        github_oidc.subject(settings.repository, branch=settings.branch)
        == "repo:o/r:ref:refs/heads/main"
    )


def _claims(
    repository: str, environment: str | None, ref: str = "refs/heads/main"
) -> dict[str, str]:
    """The claims of a GitHub Actions token that matter here (GitHub's OIDC docs)."""
    sub = (
        f"repo:{repository}:environment:{environment}"
        if environment
        else f"repo:{repository}:ref:{ref}"
    )
    claims = {"repository": repository, "sub": sub, "ref": ref}
    if environment:
        claims["environment"] = environment
    return claims


@pytest.mark.parametrize("stack", [s for s in STACKS if s.startswith("gcp-")])
def test_the_gcp_attribute_condition_admits_only_its_subject(stack: str) -> None:
    """The provider's condition, evaluated by a CEL implementation as Google's STS would."""
    import celpy

    (provider,) = ci_providers(planned(stack))
    env = celpy.Environment()
    program = env.program(env.compile(provider.inputs["attributeCondition"]))
    environment = ci_section(stack)["environment"]

    def admits(claims: dict[str, str]) -> bool:
        return bool(program.evaluate({"assertion": celpy.json_to_cel(claims)}))

    assert admits(_claims(REPOSITORY, environment))
    assert not admits(_claims("example-org/other", environment))
    assert not admits(_claims(REPOSITORY, "dev" if environment != "dev" else "prod"))
    assert not admits(_claims(REPOSITORY, None))  # a branch push without the environment
    assert not admits({**_claims(REPOSITORY, None), "sub": f"repo:{REPOSITORY}:pull_request"})
    # The IAM condition on projectIamAdmin parses as CEL too.
    admin = planned(stack).one("gcp:projects/iAMMember:IAMMember", "ci-project-iam-admin")
    env.compile(admin.inputs["condition"]["expression"])


def test_the_gcp_condition_pins_the_repository_and_owner_ids_when_given() -> None:
    """A repository deleted and re-created under the same name (or a renamed owner whose
    name is taken) gets new ids: the condition refuses its tokens."""
    import celpy

    subject = f"repo:{REPOSITORY}:environment:prod"
    assert gcp_ci.attribute_condition(REPOSITORY, subject) == (
        f"assertion.repository == '{REPOSITORY}' && assertion.sub == '{subject}'"
    )
    condition = gcp_ci.attribute_condition(REPOSITORY, subject, 123456, 7890)
    env = celpy.Environment()
    program = env.program(env.compile(condition))

    def admits(claims: dict[str, str]) -> bool:
        return bool(program.evaluate({"assertion": celpy.json_to_cel(claims)}))

    # GitHub's token carries the ids as strings.
    claims = {
        **_claims(REPOSITORY, "prod"),
        "repository_id": "123456",
        "repository_owner_id": "7890",
    }
    assert admits(claims)
    assert not admits({**claims, "repository_id": "999999"})
    assert not admits({**claims, "repository_owner_id": "1"})


def test_ci_settings_take_positive_repository_ids() -> None:
    settings = CiSettings.model_validate(
        {"repository": "o/r", "environment": "prod", "repository_id": 1, "repository_owner_id": 2}
    )
    assert (settings.repository_id, settings.repository_owner_id) == (1, 2)
    with pytest.raises(ValidationError, match="repository_id"):
        CiSettings.model_validate({"repository": "o/r", "environment": "prod", "repository_id": 0})

"""The deliberately non-compliant Azure program in
tests/fixtures/programs/noncompliant-azure must be blocked: each resource breaks the
Azure rule written for its defect, with the prod policy config.

As for the AWS program: the offline preview CLI must exit 1 naming every resource, and
the evaluator alone must find each defect over the recorded resources."""

from __future__ import annotations

from pathlib import Path

from test_noncompliant_program import ROOT, assert_blocked, cli_violations, evaluator_violations

PROGRAM = ROOT / "tests" / "fixtures" / "programs" / "noncompliant-azure"
ML = "azure-native:machinelearningservices"

# (resource type, name, the rule for its defect, enforcement in prod)
EXPECTED = [
    (f"{ML}:Workspace", "open-workspace", "azure-ml-workspace-disallow-public-network-access", "mandatory"),
    (f"{ML}:Workspace", "open-workspace", "azure-ml-workspace-require-managed-network", "mandatory"),
    (f"{ML}:Workspace", "open-workspace", "azure-ml-workspace-require-identity-datastore-auth", "mandatory"),
    (f"{ML}:Workspace", "open-workspace", "azure-ml-workspace-require-cmk", "mandatory"),
    (f"{ML}:Compute", "ssh-cluster", "azure-ml-compute-disallow-local-auth", "mandatory"),
    (f"{ML}:Compute", "ssh-cluster", "azure-ml-compute-disallow-public-ip", "mandatory"),
    (f"{ML}:Compute", "ssh-cluster", "azure-ml-compute-cluster-require-scale-to-zero", "mandatory"),
    (f"{ML}:Compute", "ssh-cluster", "azure-ml-compute-cluster-require-idle-scale-down", "mandatory"),
    # Advisory in prod: production may buy dedicated GPU nodes for deadlines.
    (f"{ML}:Compute", "ssh-cluster", "azure-ml-compute-cluster-gpu-require-low-priority", "advisory"),
    (f"{ML}:Compute", "always-on-instance", "azure-ml-compute-instance-require-idle-shutdown", "mandatory"),
    (f"{ML}:OnlineEndpoint", "public-endpoint", "azure-ml-online-endpoint-disallow-public-network-access", "mandatory"),
    (f"{ML}:OnlineEndpoint", "public-endpoint", "azure-ml-online-endpoint-require-aad-auth", "mandatory"),
    (f"{ML}:OnlineDeployment", "big-deployment", "azure-ml-online-deployment-disallow-egress-public-access", "mandatory"),
    (f"{ML}:OnlineDeployment", "big-deployment", "azure-ml-online-deployment-require-instance-count", "mandatory"),
    (f"{ML}:OnlineDeployment", "big-deployment", "azure-ml-online-deployment-require-allowed-instance-type", "mandatory"),
    (f"{ML}:Registry", "public-registry", "azure-ml-registry-disallow-public-network-access", "mandatory"),
    ("azure-native:storage:StorageAccount", "keyed-storage", "azure-storage-account-disallow-shared-key", "mandatory"),
    ("azure-native:storage:StorageAccount", "keyed-storage", "azure-storage-account-disallow-blob-public-access", "mandatory"),
    ("azure-native:storage:StorageAccount", "keyed-storage", "azure-storage-account-require-tls12", "mandatory"),
    ("azure-native:keyvault:Vault", "purgeable-vault", "azure-keyvault-require-purge-protection", "mandatory"),
    ("azure-native:keyvault:Vault", "purgeable-vault", "azure-keyvault-require-rbac", "mandatory"),
    ("azure-native:containerregistry:Registry", "admin-registry", "azure-acr-disallow-admin-user", "mandatory"),
    ("azure-native:applicationinsights:Component", "keyed-insights", "azure-appinsights-disallow-local-auth", "mandatory"),
    ("azure-native:operationalinsights:Workspace", "keyed-logs", "azure-log-analytics-disallow-local-auth", "mandatory"),
    ("azure-native:authorization:RoleAssignment", "owner-grant", "azure-role-assignment-disallow-privileged-roles", "mandatory"),
    ("azuredevops:index/serviceEndpointAzureRM:ServiceEndpointAzureRM", "secret-connection", "azure-devops-service-connection-require-workload-identity", "mandatory"),
]  # fmt: skip


def test_plan_cli_exits_1_and_names_every_resource() -> None:
    assert_blocked(EXPECTED, cli_violations(PROGRAM, "prod"))


def test_evaluator_finds_each_defect() -> None:
    assert set(EXPECTED) <= evaluator_violations(PROGRAM, "prod")


def test_every_azure_service_rule_is_exercised() -> None:
    from mlops_policies.registry import all_rules

    service_rules = {
        r.name
        for r in all_rules()
        if r.cloud == "azure" and not r.name.startswith("azure-resource-")
    }
    from test_cost_stack_rules import COST_STACK_CASES
    from test_noncompliant_aks_program import RULES as AKS_RULES
    from test_policy_stack_rules import STACK_CASES

    # the AKS / Azure ML on Kubernetes rules have their own non-compliant program, and
    # the stack-level cost rules (budget, anomaly alert, ceilings, accelerator share and
    # quota) their compliant and violating stacks in test_cost_stack_rules.py and
    # test_policy_stack_rules.py
    stack_cases = set(COST_STACK_CASES) | set(STACK_CASES)
    assert {rule for _, _, rule, _ in EXPECTED} == service_rules - AKS_RULES - stack_cases
    assert Path(PROGRAM, "__main__.py").is_file()

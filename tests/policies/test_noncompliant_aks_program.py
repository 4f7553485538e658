"""The deliberately non-compliant program in tests/fixtures/programs/noncompliant-aks
must be blocked with the staging policy config: each resource breaks the AKS or Azure
ML on Kubernetes rule written for its defect.

As for the AWS program: the offline preview CLI must exit 1 naming every resource, and
the evaluator alone must find each defect over the recorded resources."""

from __future__ import annotations

import json
import subprocess

from mlops_policies.evaluation import config_path_for, evaluate, load_policy_config
from mlops_preview.runner import plan_stack
from test_noncompliant_program import CLI, ROOT, found

PROGRAM = ROOT / "tests" / "fixtures" / "programs" / "noncompliant-aks"
CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
COMPUTE = "azure-native:machinelearningservices:Compute"
M = "mandatory"

# (resource type, name, the rule for its defect, enforcement in staging)
EXPECTED = [
    (CLUSTER, "open-cluster", "azure-aks-cluster-disallow-public-api-server", M),
    (CLUSTER, "open-cluster", "azure-aks-cluster-require-entra-rbac", M),
    (CLUSTER, "open-cluster", "azure-aks-cluster-disallow-local-accounts", M),
    (CLUSTER, "open-cluster", "azure-aks-cluster-require-workload-identity", M),
    (CLUSTER, "open-cluster", "azure-aks-cluster-require-auto-upgrade", M),
    (CLUSTER, "open-cluster", "azure-aks-cluster-require-defender", M),
    (CLUSTER, "open-cluster", "azure-aks-cluster-require-container-insights", M),
    (CLUSTER, "open-cluster", "azure-aks-cluster-require-policy-addon", M),
    (CLUSTER, "open-cluster", "azure-aks-cluster-disable-command-invoke", M),
    (CLUSTER, "open-cluster", "azure-aks-cluster-require-network-policy", M),
    (CLUSTER, "open-cluster", "azure-aks-agent-pool-disallow-node-public-ip", M),
    (CLUSTER, "open-cluster", "azure-aks-require-allowed-vm-size", M),
    (POOL, "always-on-gpus", "azure-aks-require-allowed-vm-size", M),
    (POOL, "always-on-gpus", "azure-aks-agent-pool-gpu-require-scale-to-zero", M),
    (POOL, "always-on-gpus", "azure-aks-agent-pool-gpu-require-spot", M),
    (POOL, "always-on-gpus", "azure-aks-agent-pool-cap-gpus", M),
    (EXTENSION, "public-router", "azure-azureml-extension-disallow-insecure-inference", M),
    (EXTENSION, "public-router", "azure-azureml-extension-require-internal-load-balancer", M),
    (COMPUTE, "unbounded-compute", "azure-ml-kubernetes-compute-require-instance-limits", M),
]
RULES = {rule for _, _, rule, _ in EXPECTED}


def test_plan_cli_exits_1_and_names_every_resource() -> None:
    completed = subprocess.run(
        [*CLI, "plan", "staging", "--program", str(PROGRAM), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr[-2000:]
    violations = found(json.loads(completed.stdout)["policies"]["violations"])
    assert set(EXPECTED) <= violations


def test_evaluator_finds_each_defect() -> None:
    recording = plan_stack(PROGRAM, "staging")
    result = evaluate(
        [r.to_json() for r in recording.resources],
        load_policy_config(config_path_for("staging")),
        project="noncompliant-aks",
        stack="staging",
    )
    assert set(EXPECTED) <= found([v.to_dict() for v in result.violations])


def test_every_aks_and_azureml_kubernetes_rule_is_exercised() -> None:
    from mlops_policies.registry import all_rules

    mine = {
        r.name
        for r in all_rules()
        if r.module.rsplit(".", 1)[-1] in ("aks", "aks_cost", "azureml_kubernetes")
    }
    assert mine == RULES

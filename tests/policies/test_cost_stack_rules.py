"""Stack-level cost rules (budgets, anomaly alerts, and the rules on the plan's estimate):
a compliant stack and one change per case. ``COST_STACK_CASES`` joins ``STACK_CASES`` in
``test_policy_stack_rules``, whose tests run every case; the tests here pin the config
each rule reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlops_policies.testing import Res, stack_messages

Change = Callable[[list[Res]], list[Res]]

ENDPOINT = Res(
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "ecr",
    {"vpcEndpointType": "Interface", "subnetIds": ["subnet-a", "subnet-b"], "region": "eu-west-1"},
)
"""2 AZs x $0.011 x 730 h = $16.06 a month."""
AWS_BUDGET = Res(
    "aws:budgets/budget:Budget",
    "budget",
    {"budgetType": "COST", "limitAmount": "100.00", "limitUnit": "USD", "timeUnit": "MONTHLY"},
)
MONITOR = Res(
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor", "anomalies", {"monitorType": "CUSTOM"}
)
SUBSCRIPTION = Res(
    "aws:costexplorer/anomalySubscription:AnomalySubscription", "alerts", {"frequency": "DAILY"}
)
PRIVATE_ENDPOINT = Res("azure-native:network:PrivateEndpoint", "pe", {"location": "westeurope"})
"""$0.01 x 730 h = $7.30 a month."""
AZURE_BUDGET = Res(
    "azure-native:consumption:Budget",
    "budget",
    {
        "amount": 100.0,
        "category": "Cost",
        "timeGrain": "Monthly",
        "scope": "/subscriptions/s/resourceGroups/g",
    },
)
INSIGHT_ALERT = Res(
    "azure-native:costmanagement:ScheduledActionByScope",
    "anomalies",
    {"kind": "InsightAlert", "scope": "subscriptions/s", "status": "Enabled"},
)
GKE = Res("gcp:container/cluster:Cluster", "gke", {"location": "europe-west4"})
"""$0.10 x 730 h = $73 a month."""
KEY = Res(
    "gcp:kms/cryptoKey:CryptoKey",
    "key",
    {"keyRing": "projects/p/locations/europe-west4/keyRings/r"},
)
GCP_BUDGET = Res(
    "gcp:billing/budget:Budget",
    "budget",
    {
        "billingAccount": "012345-6789AB-CDEF01",
        "amount": {"specifiedAmount": {"currencyCode": "USD", "units": "100"}},
    },
)
GPU_NODE_GROUP = Res(
    "aws:eks/nodeGroup:NodeGroup",
    "gpu",
    {
        "instanceTypes": ["g4dn.xlarge"],
        "scalingConfig": {"minSize": 3.0, "maxSize": 3.0},
        "region": "eu-west-1",
    },
)
"""3 x $0.587 x 730 h = $1,285.53 a month, all of it accelerators."""
AKS_GPU_POOL = Res(
    "azure-native:containerservice:AgentPool",
    "gpu",
    {
        "vmSize": "Standard_NC4as_T4_v3",
        "count": 1.0,
        "enableAutoScaling": True,
        "minCount": 1.0,
        "maxCount": 2.0,
    },
)
GKE_GPU_POOL = Res(
    "gcp:container/nodePool:NodePool",
    "gpu",
    {
        "location": "europe-west4-a",
        "autoscaling": {"minNodeCount": 1.0, "maxNodeCount": 2.0},
        "nodeConfig": {
            "machineType": "n1-standard-4",
            "guestAccelerators": [{"type": "nvidia-tesla-t4", "count": 1.0}],
        },
    },
)
BIG_UNPRICED = Res(
    "aws:eks/nodeGroup:NodeGroup",
    "p5",
    {
        "instanceTypes": ["p5.48xlarge"],
        "scalingConfig": {"minSize": 4.0, "maxSize": 8.0},
        "region": "eu-west-1",
    },
)
"""An instance type the catalogue does not price: tens of thousands of USD a month."""


@dataclass(frozen=True)
class CostCase:
    """Same shape as ``test_policy_stack_rules.StackCase``."""

    compliant: Callable[[], list[Res]]
    violations: list[tuple[Change, str, str | None]]


def without(resource: Res) -> Change:
    return lambda rs: [r for r in rs if r is not resource]


def adding(*extra: Res) -> Change:
    return lambda rs: [*rs, *extra]


def copies(resource: Res, count: int) -> list[Res]:
    return [Res(resource.type, f"{resource.name}-{i}", resource.inputs) for i in range(count)]


def replacing(old: Res, new: Res) -> Change:
    return lambda rs: [new if r is old else r for r in rs]


COST_STACK_CASES: dict[str, CostCase] = {
    "aws-stack-require-anomaly-alert": CostCase(
        lambda: [ENDPOINT, MONITOR, SUBSCRIPTION],
        [
            (
                without(SUBSCRIPTION),
                "no aws:costexplorer/anomalySubscription:AnomalySubscription.",
                None,
            ),
            (without(MONITOR), "no aws:costexplorer/anomalyMonitor:AnomalyMonitor.", None),
        ],
    ),
    "azure-stack-require-budget": CostCase(
        lambda: [PRIVATE_ENDPOINT, AZURE_BUDGET],
        [(without(AZURE_BUDGET), "no azure-native:consumption:Budget.", None)],
    ),
    "azure-stack-require-anomaly-alert": CostCase(
        lambda: [PRIVATE_ENDPOINT, INSIGHT_ALERT],
        [
            (
                replacing(
                    INSIGHT_ALERT,
                    Res(INSIGHT_ALERT.type, "mail", {**INSIGHT_ALERT.inputs, "kind": "Email"}),
                ),
                "of kind InsightAlert.",
                None,
            )
        ],
    ),
    "gcp-stack-require-budget": CostCase(
        lambda: [KEY, GCP_BUDGET],
        [(without(GCP_BUDGET), "no gcp:billing/budget:Budget.", None)],
    ),
    "aws-stack-cost-ceiling": CostCase(
        lambda: [ENDPOINT, AWS_BUDGET],
        [
            (
                adding(GPU_NODE_GROUP),
                "estimated baseline $1,301.59 a month exceeds maxBaselineMonthlyUsd $1,000.00.",
                None,
            )
        ],
    ),
    "azure-stack-cost-ceiling": CostCase(
        lambda: [PRIVATE_ENDPOINT],
        [
            (
                lambda rs: [*rs, *copies(PRIVATE_ENDPOINT, 140)],
                "estimated baseline $1,029.30 a month exceeds maxBaselineMonthlyUsd",
                None,
            )
        ],
    ),
    "gcp-stack-cost-ceiling": CostCase(
        lambda: [GKE, KEY],
        [
            (
                lambda rs: [*rs, *copies(GKE, 13)],
                "estimated baseline $1,022.06 a month exceeds",
                None,
            )
        ],
    ),
    "aws-stack-accelerator-share": CostCase(
        lambda: [ENDPOINT],
        [
            (
                adding(GPU_NODE_GROUP),
                "always-on accelerators cost $1,285.53 a month, 99% of the baseline; at most 0% allowed.",
                None,
            )
        ],
    ),
    "azure-stack-accelerator-share": CostCase(
        lambda: [
            PRIVATE_ENDPOINT,
            Res(AKS_GPU_POOL.type, "gpu0", {**AKS_GPU_POOL.inputs, "minCount": 0.0}),
        ],
        [(adding(AKS_GPU_POOL), "1 accelerators run at minimum scale in unpriced resources", None)],
    ),
    "gcp-stack-accelerator-share": CostCase(
        lambda: [KEY],
        [(adding(GKE_GPU_POOL), "1 accelerators run at minimum scale in unpriced resources", None)],
    ),
    "aws-stack-cost-unpriced": CostCase(
        lambda: [ENDPOINT, AWS_BUDGET],
        [
            (
                adding(BIG_UNPRICED),
                "1 resources are unpriced and not counted in the cost ceilings or the "
                "accelerator share: p5 (aws:eks/nodeGroup:NodeGroup).",
                None,
            )
        ],
    ),
    "azure-stack-cost-unpriced": CostCase(
        lambda: [PRIVATE_ENDPOINT],
        [(adding(AKS_GPU_POOL), "1 resources are unpriced and not counted", None)],
    ),
    "gcp-stack-cost-unpriced": CostCase(
        lambda: [GKE, KEY],
        [(adding(GKE_GPU_POOL), "1 resources are unpriced and not counted", None)],
    ),
    "aws-stack-budget-covers-estimate": CostCase(
        lambda: [ENDPOINT, AWS_BUDGET],
        [
            (
                replacing(
                    AWS_BUDGET,
                    Res(
                        AWS_BUDGET.type,
                        AWS_BUDGET.name,
                        {**AWS_BUDGET.inputs, "limitAmount": "10.00"},
                    ),
                ),
                "budget $10.00 is below the estimated baseline $16.06 plus 20% headroom ($19.27).",
                AWS_BUDGET.urn,
            )
        ],
    ),
    "azure-stack-budget-covers-estimate": CostCase(
        lambda: [PRIVATE_ENDPOINT, AZURE_BUDGET],
        [
            (
                replacing(
                    AZURE_BUDGET,
                    Res(
                        AZURE_BUDGET.type, AZURE_BUDGET.name, {**AZURE_BUDGET.inputs, "amount": 5.0}
                    ),
                ),
                "budget $5.00 is below the estimated baseline $7.30",
                AZURE_BUDGET.urn,
            )
        ],
    ),
    "gcp-stack-budget-covers-estimate": CostCase(
        lambda: [GKE, GCP_BUDGET],
        [
            (
                replacing(
                    GCP_BUDGET,
                    Res(
                        GCP_BUDGET.type,
                        GCP_BUDGET.name,
                        {
                            **GCP_BUDGET.inputs,
                            "amount": {"specifiedAmount": {"units": "80", "nanos": 500000000.0}},
                        },
                    ),
                ),
                "budget $80.50 is below the estimated baseline $73.00 plus 20% headroom ($87.60).",
                GCP_BUDGET.urn,
            )
        ],
    ),
}


def test_ceilings_come_from_the_policy_config() -> None:
    stack = [ENDPOINT]
    assert stack_messages("aws-stack-cost-ceiling", stack) == []
    found = stack_messages("aws-stack-cost-ceiling", stack, {"maxBaselineMonthlyUsd": 10})
    assert found == [
        ("estimated baseline $16.06 a month exceeds maxBaselineMonthlyUsd $10.00.", None)
    ]


def test_accelerator_share_zero_in_dev_forbids_any_always_on_gpu() -> None:
    config = {"maxAlwaysOnAcceleratorShare": 0}
    scaled_to_zero = Res(
        GPU_NODE_GROUP.type,
        "gpu",
        {**GPU_NODE_GROUP.inputs, "scalingConfig": {"minSize": 0.0, "maxSize": 3.0}},
    )
    assert stack_messages("aws-stack-accelerator-share", [ENDPOINT, scaled_to_zero], config) == []
    assert (
        len(stack_messages("aws-stack-accelerator-share", [ENDPOINT, GPU_NODE_GROUP], config)) == 1
    )


def test_unpriced_resources_are_named_in_the_ceiling_message() -> None:
    unpriced = Res("aws:memorydb/cluster:Cluster", "cache", {})
    found = stack_messages(
        "aws-stack-cost-ceiling",
        [ENDPOINT, unpriced],
        {"maxBaselineMonthlyUsd": 10},
    )
    assert found[0][0].endswith("(1 unpriced resources not counted).")


def test_a_headroom_of_zero_accepts_a_budget_equal_to_the_baseline() -> None:
    exact = Res(AWS_BUDGET.type, AWS_BUDGET.name, {**AWS_BUDGET.inputs, "limitAmount": "16.06"})
    config = {"minimumHeadroom": 0}
    assert stack_messages("aws-stack-budget-covers-estimate", [ENDPOINT, exact], config) == []


def test_an_unpriced_big_instance_is_named_but_never_fails_a_ceiling_alone() -> None:
    """Issue 12: the ceilings sum priced resources only; an unpriced fleet of p5 instances
    passed silently. The mandatory ceiling still does not fail on it (it cannot price it);
    the advisory ``-stack-cost-unpriced`` names it."""
    stack = [ENDPOINT, BIG_UNPRICED]
    assert stack_messages("aws-stack-cost-ceiling", stack) == []
    found = stack_messages("aws-stack-cost-unpriced", stack)
    assert len(found) == 1 and "p5 (aws:eks/nodeGroup:NodeGroup)" in found[0][0]
    assert stack_messages("aws-stack-cost-unpriced", [ENDPOINT]) == []

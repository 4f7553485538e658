"""The budget building blocks of each cloud: exact children, amounts, thresholds,
filters and notification targets as recorded under mocks, and the settings' checks."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from mlops_components.settings.budget import BudgetSettings
from mlops_preview.runner import Recording, run_program
from pydantic import ValidationError

TAGS = {
    "project": "mlops-iac",
    "environment": "dev",
    "owner": "ml",
    "cost-centre": "cc-1",
    "managed-by": "pulumi",
}
SETTINGS = BudgetSettings(
    amount_usd=250.5,
    emails=["ml@example.com", "finops@example.com"],
    gcp={"billing_account": "012345-6789AB-CDEF01", "project_number": "123456789012"},
)


def custom(rec: Recording) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for r in rec.resources:
        if r.custom and not r.type.startswith("pulumi:providers:"):
            found.setdefault(r.type, []).append(r)
    return found


def test_aws_budget_filters_on_the_stack_tags_and_notifies_actual_and_forecast() -> None:
    from mlops_components.aws.budget import StackBudget, StackBudgetArgs

    rec = run_program(
        lambda: StackBudget("aws-budget", StackBudgetArgs(SETTINGS, "mlops-dev", TAGS))
    )
    found = custom(rec)
    assert sorted(found) == [
        "aws:budgets/budget:Budget",
        "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
        "aws:costexplorer/anomalySubscription:AnomalySubscription",
    ]
    budget = found["aws:budgets/budget:Budget"][0]
    assert budget.name == "aws-budget"
    inputs = budget.inputs
    assert (inputs["name"], inputs["budgetType"], inputs["timeUnit"]) == (
        "mlops-dev-monthly-cost",
        "COST",
        "MONTHLY",
    )
    assert (inputs["limitAmount"], inputs["limitUnit"]) == ("250.50", "USD")
    assert inputs["filterExpression"] == {
        "ands": [
            {"tags": {"key": "project", "matchOptions": ["EQUALS"], "values": ["mlops-iac"]}},
            {"tags": {"key": "environment", "matchOptions": ["EQUALS"], "values": ["dev"]}},
        ]
    }
    assert [(n["notificationType"], n["threshold"]) for n in inputs["notifications"]] == [
        ("ACTUAL", 50.0),
        ("ACTUAL", 80.0),
        ("ACTUAL", 100.0),
        ("FORECASTED", 100.0),
    ]
    assert all(
        n["subscriberEmailAddresses"] == ["ml@example.com", "finops@example.com"]
        for n in inputs["notifications"]
    )
    assert inputs["tags"] == TAGS
    monitor = found["aws:costexplorer/anomalyMonitor:AnomalyMonitor"][0]
    assert monitor.inputs["monitorType"] == "CUSTOM"
    assert json.loads(monitor.inputs["monitorSpecification"]) == {
        "Tags": {"Key": "environment", "Values": ["dev"], "MatchOptions": ["EQUALS"]}
    }
    subscription = found["aws:costexplorer/anomalySubscription:AnomalySubscription"][0]
    assert subscription.inputs["frequency"] == "DAILY"
    assert subscription.inputs["thresholdExpression"]["dimension"]["values"] == ["20"]
    assert [s["address"] for s in subscription.inputs["subscribers"]] == [
        "ml@example.com",
        "finops@example.com",
    ]
    assert monitor.urn in subscription.dependencies


def test_azure_budget_on_the_resource_group_and_anomaly_alert_on_the_subscription() -> None:
    from mlops_components.azure.budget import (
        StackBudget,
        StackBudgetArgs,
        month_start,
        subscription_scope,
    )

    group = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/mlops-dev-rg"
    args = StackBudgetArgs(
        SETTINGS,
        "mlops-dev",
        group,
        ["/subscriptions/s/resourceGroups/g/providers/microsoft.insights/actionGroups/a"],
        start=datetime.date(2027, 3, 1),
    )
    rec = run_program(lambda: StackBudget("azure-budget", args))
    found = custom(rec)
    assert sorted(found) == [
        "azure-native:consumption:Budget",
        "azure-native:costmanagement:ScheduledActionByScope",
    ]
    budget = found["azure-native:consumption:Budget"][0].inputs
    assert (budget["scope"], budget["amount"], budget["category"], budget["timeGrain"]) == (
        group,
        250.5,
        "Cost",
        "Monthly",
    )
    assert sorted(budget["notifications"]) == [
        "actual-100",
        "actual-50",
        "actual-80",
        "forecasted-100",
    ]
    forecast = budget["notifications"]["forecasted-100"]
    assert (forecast["thresholdType"], forecast["operator"], forecast["enabled"]) == (
        "Forecasted",
        "GreaterThan",
        True,
    )
    assert forecast["contactGroups"] == list(args.action_group_ids)
    alert = found["azure-native:costmanagement:ScheduledActionByScope"][0].inputs
    assert alert["scope"] == "subscriptions/00000000-0000-0000-0000-000000000001"
    assert alert["kind"] == "InsightAlert"
    assert (
        alert["viewId"]
        == "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.CostManagement/views/ms:DailyAnomalyByResourceGroup"
    )
    assert alert["notification"]["to"] == ["ml@example.com", "finops@example.com"]
    assert alert["schedule"] == {
        "endDate": "2032-03-01T00:00:00Z",
        "frequency": "Daily",
        "startDate": "2027-03-01T00:00:00Z",
    }
    assert budget["timePeriod"] == {"startDate": "2027-03-01T00:00:00Z"}
    with pytest.raises(ValueError, match="not a resource group id"):
        subscription_scope("mlops-dev-rg")
    assert month_start(datetime.date(2027, 2, 17)) == datetime.date(2027, 2, 1)


def test_gcp_budget_filters_on_the_project_number_and_emails_through_channels() -> None:
    from mlops_components.gcp.budget import StackBudget, StackBudgetArgs

    rec = run_program(
        lambda: StackBudget(
            "gcp-budget", StackBudgetArgs(SETTINGS, "mlops-dev", "ml-dev-123456", TAGS)
        )
    )
    found = custom(rec)
    assert sorted(found) == [
        "gcp:billing/budget:Budget",
        "gcp:monitoring/notificationChannel:NotificationChannel",
    ]
    channels = found["gcp:monitoring/notificationChannel:NotificationChannel"]
    assert [c.inputs["labels"] for c in channels] == [
        {"email_address": "ml@example.com"},
        {"email_address": "finops@example.com"},
    ]
    budget = found["gcp:billing/budget:Budget"][0].inputs
    assert budget["billingAccount"] == "012345-6789AB-CDEF01"
    assert budget["amount"] == {
        "specifiedAmount": {"currencyCode": "USD", "nanos": 500000000.0, "units": "250"}
    }
    assert budget["budgetFilter"]["projects"] == ["projects/123456789012"]
    assert [(r["spendBasis"], r["thresholdPercent"]) for r in budget["thresholdRules"]] == [
        ("CURRENT_SPEND", 0.5),
        ("CURRENT_SPEND", 0.8),
        ("CURRENT_SPEND", 1.0),
        ("FORECASTED_SPEND", 1.0),
    ]
    assert len(budget["allUpdatesRule"]["monitoringNotificationChannels"]) == 2
    assert "pubsubTopic" not in budget["allUpdatesRule"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount_usd": 0}, "greater than 0"),
        ({"emails": []}, "at least 1 item"),
        ({"emails": ["not-an-address"]}, "value is not a valid email address"),
        ({"actual_thresholds_percent": [50, 50]}, "thresholds must be distinct"),
        ({"actual_thresholds_percent": [10, 20, 30, 40, 50]}, "at most 5 notifications"),
        (
            {"gcp": {"billing_account": "abc", "project_number": "1234567"}},
            "String should match pattern",
        ),
    ],
)
def test_budget_settings_refuse_bad_values(change: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"amount_usd": 100, "emails": ["ml@example.com"], **change}
    with pytest.raises(ValidationError, match=message):
        BudgetSettings(**values)


def test_a_stack_with_gcp_architectures_needs_the_gcp_budget_settings() -> None:
    from mlops_components.settings import StackSettings

    values: dict[str, Any] = {
        "environment": "dev",
        "cloud": "gcp",
        "region": "europe-west4",
        "tags": {"owner": "ml", "cost_centre": "cc"},
        "gcp": {"project": "ml-dev-123456", "region": "europe-west4"},
        "architectures": {"gcp_foundation": {"alert_emails": ["ml@example.com"]}},
        "budget": {"amount_usd": 100, "emails": ["ml@example.com"]},
    }
    with pytest.raises(
        ValidationError, match=r"budget\.gcp: the stack has Google Cloud architectures"
    ):
        StackSettings(**values)

"""Monitoring: Log Analytics workspace, workspace-based Application Insights, alerts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from azure_plan import GROUP, LOCATION, TAGS, Recording, assert_tagged, children, plan
from mlops_components.azure import Monitoring, MonitoringArgs
from mlops_components.settings import Retention

TOKEN = "mlops:azure:Monitoring"
WORKSPACE = "azure-native:operationalinsights:Workspace"
APP_INSIGHTS = "azure-native:applicationinsights:Component"
ACTION_GROUP = "azure-native:monitor:ActionGroup"


def run(**overrides: Any) -> Recording:
    def program() -> None:
        args = MonitoringArgs(resource_group_name=GROUP, location=LOCATION, tags=TAGS)
        for key, value in overrides.items():
            setattr(args, key, value)
        Monitoring("obs", args)

    return plan(program)


def test_workspace_and_app_insights_with_local_auth_off() -> None:
    rec = run()
    assert children(rec, TOKEN, "obs") == [(APP_INSIGHTS, "obs-appinsights"), (WORKSPACE, "obs")]
    assert_tagged(rec, TOKEN, "obs")
    workspace = rec.one(WORKSPACE).inputs
    assert workspace == {
        "resourceGroupName": GROUP,
        "location": LOCATION,
        "tags": TAGS,
        "sku": {"name": "PerGB2018"},
        "retentionInDays": 30,
        "features": {
            "disableLocalAuth": True,
            "enableLogAccessUsingOnlyResourcePermissions": True,
        },
    }
    insights = rec.one(APP_INSIGHTS).inputs
    expected = {
        "kind": "web",
        "applicationType": "web",
        "workspaceResourceId": rec.one(WORKSPACE).id,
        "ingestionMode": "LogAnalytics",
        "disableLocalAuth": True,
        "disableIpMasking": False,
        "tags": TAGS,
    }
    assert {k: insights[k] for k in expected} == expected


def test_daily_cap_and_longer_retention() -> None:
    workspace = run(daily_quota_gb=2.5, retention_in_days=90).one(WORKSPACE).inputs
    assert workspace["workspaceCapping"] == {"dailyQuotaGb": 2.5}
    assert workspace["retentionInDays"] == 90


def test_alert_emails_create_one_action_group() -> None:
    rec = run(alert_emails=["ml@example.com", "oncall@example.com"])
    group = rec.one(ACTION_GROUP, "obs-alerts").inputs
    assert group == {
        "resourceGroupName": GROUP,
        "location": "global",
        "tags": TAGS,
        "groupShortName": "obs",
        "enabled": True,
        "emailReceivers": [
            {"name": "email-0", "emailAddress": "ml@example.com", "useCommonAlertSchema": True},
            {"name": "email-1", "emailAddress": "oncall@example.com", "useCommonAlertSchema": True},
        ],
    }


def test_no_action_group_without_addresses() -> None:
    assert run().by_type(ACTION_GROUP) == []


def test_protected_sinks_are_protected_and_retained() -> None:
    rec = run(retention=Retention.PROTECTED)
    for token in (WORKSPACE, APP_INSIGHTS):
        assert (rec.one(token).protect, rec.one(token).retain_on_delete) == (True, True)
    rec = run()
    for token in (WORKSPACE, APP_INSIGHTS):
        assert (rec.one(token).protect, rec.one(token).retain_on_delete) == (False, False)


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"retention_in_days": 7}, "retention_in_days: 7 is not within 30-730"),
        ({"daily_quota_gb": 0}, "daily_quota_gb"),
        ({"alert_emails": ["nobody"]}, "alert_emails[0]: 'nobody'"),
    ],
)
def test_invalid_arguments_are_refused(overrides: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=re.escape(argument)):
        run(**overrides)

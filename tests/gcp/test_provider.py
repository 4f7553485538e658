"""The stack's explicit Google Cloud provider, as a GCP stack records it."""

from __future__ import annotations

from pathlib import Path

from mlops_preview.runner import plan_stack

ROOT = Path(__file__).resolve().parents[2]


def test_provider_sends_the_stack_project_as_quota_project() -> None:
    """Cloud Quotas and Billing Budgets need a quota project with user credentials
    (hashicorp/terraform-provider-google#18337)."""
    rec = plan_stack(ROOT, "gcp-dev")
    provider = rec.one("pulumi:providers:gcp")
    inputs = provider.inputs
    assert inputs["project"] == "ml-dev-123456"
    assert inputs["billingProject"] == "ml-dev-123456"
    assert str(inputs["userProjectOverride"]).lower() == "true"

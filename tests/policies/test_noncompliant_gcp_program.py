"""The deliberately non-compliant Google Cloud program in
tests/fixtures/programs/noncompliant-gcp must be blocked: each of its resources breaks
the rule written for its defect, and the plan exits 1 naming every one of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_noncompliant_program import found

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "mlops_preview.cli"]
PROGRAM = ROOT / "tests" / "fixtures" / "programs" / "noncompliant-gcp"

# (resource type, name, the rule for its defect, enforcement in dev)
EXPECTED = {
    ("gcp:storage/bucket:Bucket", "open-data", "gcp-storage-bucket-require-uniform-access", "mandatory"),
    ("gcp:storage/bucket:Bucket", "open-data", "gcp-storage-bucket-require-public-access-prevention", "mandatory"),
    ("gcp:storage/bucket:Bucket", "open-data", "gcp-storage-bucket-require-cmek", "mandatory"),
    ("gcp:storage/bucket:Bucket", "open-data", "gcp-storage-bucket-require-lifecycle", "mandatory"),
    ("gcp:storage/bucketIAMMember:BucketIAMMember", "open-data-public", "gcp-iam-member-disallow-public", "mandatory"),
    ("gcp:kms/cryptoKey:CryptoKey", "never-rotated", "gcp-kms-crypto-key-require-rotation", "mandatory"),
    ("gcp:bigquery/dataset:Dataset", "open-dataset", "gcp-bigquery-dataset-disallow-public-access", "mandatory"),
    ("gcp:bigquery/dataset:Dataset", "open-dataset", "gcp-bigquery-dataset-require-cmek", "mandatory"),
    ("gcp:artifactregistry/repository:Repository", "plain-images", "gcp-artifactregistry-repository-require-cmek", "mandatory"),
    ("gcp:artifactregistry/repository:Repository", "plain-images", "gcp-artifactregistry-repository-require-cleanup-policy", "mandatory"),
    ("gcp:serviceaccount/key:Key", "keyed-key", "gcp-serviceaccount-key-disallow", "mandatory"),
    ("gcp:projects/iAMMember:IAMMember", "keyed-editor", "gcp-project-iam-disallow-basic-roles", "mandatory"),
    ("gcp:projects/iAMMember:IAMMember", "keyed-editor", "gcp-project-iam-disallow-service-account-admin", "mandatory"),
    ("gcp:vertex/aiEndpoint:AiEndpoint", "plain-endpoint", "gcp-vertex-endpoint-require-cmek", "mandatory"),
    # Advisory in dev: a public endpoint saves the Private Service Connect endpoint.
    ("gcp:vertex/aiEndpoint:AiEndpoint", "plain-endpoint", "gcp-vertex-endpoint-require-private", "advisory"),
    ("gcp:vertex/aiMetadataStore:AiMetadataStore", "plain-store", "gcp-vertex-metadata-store-require-cmek", "mandatory"),
    ("gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool", "gpu-pool", "gcp-vertex-deployment-pool-cap-min-replicas", "mandatory"),
    ("gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool", "gpu-pool", "gcp-vertex-deployment-pool-require-allowed-machine", "mandatory"),
    ("gcp:workbench/instance:Instance", "open-notebook", "gcp-workbench-instance-disallow-public-ip", "mandatory"),
    ("gcp:workbench/instance:Instance", "open-notebook", "gcp-workbench-instance-require-idle-shutdown", "mandatory"),
    ("gcp:workbench/instance:Instance", "open-notebook", "gcp-workbench-instance-require-shielded-vm", "mandatory"),
    ("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "anyone", "gcp-iam-workload-identity-provider-require-attribute-condition", "mandatory"),
    ("gcp:cloudscheduler/job:Job", "anonymous-trigger", "gcp-cloudscheduler-job-require-authenticated-https", "mandatory"),
}  # fmt: skip

HELPERS = {"keyed", "ring", "anyone-pool"}
"""Resources the bad ones need, compliant themselves."""


def test_plan_cli_exits_1_and_names_every_bad_resource() -> None:
    completed = subprocess.run(
        [*CLI, "plan", "dev", "--program", str(PROGRAM), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    assert report["warnings"] == []
    violations = found(report["policies"]["violations"])
    assert violations >= EXPECTED
    blocked = {(t, n) for t, n, _, level in violations if level == "mandatory"}
    assert {(t, n) for t, n, _, _ in EXPECTED} <= blocked
    custom = {
        (r["type"], r["name"])
        for r in report["resources"]
        if r["custom"] and not r["type"].startswith("pulumi:providers:")
    }
    assert {(t, n) for t, n in custom if n not in HELPERS} == {(t, n) for t, n, _, _ in EXPECTED}

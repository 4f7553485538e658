"""Dataflow processing on the foundation: what a Flex Template job needs, and the job.

- A worker service account with ``roles/dataflow.worker`` on the project, object access
  to the data bucket (reads raw data, writes features) and the pipeline-root bucket
  (temp and staging files under ``dataflow/``), and nothing else.
- The Dataflow and Compute Engine service agents may use the foundation's key, so jobs
  run with CMEK (https://cloud.google.com/dataflow/docs/guides/customer-managed-encryption-keys).
- A firewall rule lets workers (Dataflow tags every worker VM ``dataflow``) reach each
  other on TCP 12345-12346, which Dataflow needs for shuffle and streaming; the foundation's
  deny-all-ingress rule blocks everything else
  (https://cloud.google.com/dataflow/docs/guides/routes-firewall#firewall_rules).
- With a template path: the worker account may read the template spec's bucket
  (``roles/storage.objectViewer``) and the Docker repository holding the template's
  launcher image (``roles/artifactregistry.reader``), which a Flex Template launch needs
  (https://cloud.google.com/dataflow/docs/guides/templates/configuring-flex-templates#permissions).
- Only with ``launch_job`` too: a ``dataflow.FlexTemplateJob`` in the private subnet
  with private worker IPs only, the key, the worker account and a worker ceiling;
  ``on_delete`` ``drain`` lets a streaming job finish its in-flight data on destroy or
  replacement. Pulumi re-launches a finished batch job on every update
  (hashicorp/terraform-provider-google#855), so the default is the launch
  infrastructure only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ..settings.gcp import DataflowSettings
from .identity import ResourceGrant, ServiceAccount, ServiceAccountArgs

SERVICES = ("dataflow.googleapis.com",)
WORKER_ROLES = ("roles/dataflow.worker",)
OBJECT_USER = "roles/storage.objectUser"
OBJECT_VIEWER = "roles/storage.objectViewer"
REGISTRY_READER = "roles/artifactregistry.reader"
ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
WORKER_TAG = "dataflow"
"""The network tag Dataflow gives every worker VM."""
WORKER_PORTS = ["12345-12346"]
AGENTS = {
    "dataflow-agent": "dataflow-service-producer-prod.iam.gserviceaccount.com",
    "compute-agent": "compute-system.iam.gserviceaccount.com",
}
"""Service agents that encrypt a job's state and worker disks with the key
(``service-<project number>@<domain>``)."""


@dataclass
class DataflowProcessingArgs:
    settings: DataflowSettings
    region: str
    worker_account_id: str
    job_name: str
    network_id: pulumi.Input[str]
    subnetwork_url: pulumi.Input[str]
    kms_key_id: pulumi.Input[str]
    data_bucket: pulumi.Input[str]
    pipeline_root_bucket: pulumi.Input[str]
    registry_id: pulumi.Input[str]
    """The Docker repository holding Flex Template launcher images."""
    labels: Mapping[str, str]


class DataflowProcessing(pulumi.ComponentResource):
    worker: ServiceAccount
    key_grants: dict[str, gcp.kms.CryptoKeyIAMMember]
    firewall: gcp.compute.Firewall
    job: gcp.dataflow.FlexTemplateJob | None
    worker_email: pulumi.Output[str]
    temp_location: pulumi.Output[str]
    staging_location: pulumi.Output[str]
    job_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: DataflowProcessingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:DataflowProcessing", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)
        project = gcp.organizations.get_project_output(opts=pulumi.InvokeOutputOptions(parent=self))
        grants = {
            "data": ResourceGrant("bucket", args.data_bucket, OBJECT_USER),
            "pipeline-root": ResourceGrant("bucket", args.pipeline_root_bucket, OBJECT_USER),
        }
        if s.template_path is not None:
            template_bucket = s.template_path.removeprefix("gs://").split("/", 1)[0]
            grants["template"] = ResourceGrant("bucket", template_bucket, OBJECT_VIEWER)
            grants["template-image"] = ResourceGrant(
                "repository", args.registry_id, REGISTRY_READER
            )
        self.worker = ServiceAccount(
            naming.child(name, "worker"),
            ServiceAccountArgs(
                account_id=args.worker_account_id,
                display_name="Dataflow workers (mlops-iac)",
                description="Runs Dataflow jobs: reads raw data, writes features.",
                project_roles=WORKER_ROLES,
                resource_grants=grants,
            ),
            child,
        )
        self.key_grants = {
            key: gcp.kms.CryptoKeyIAMMember(
                naming.child(name, key),
                crypto_key_id=args.kms_key_id,
                role=ENCRYPTER_DECRYPTER,
                member=project.number.apply(
                    lambda n, domain=domain: f"serviceAccount:service-{n}@{domain}"
                ),
                opts=child,
            )
            for key, domain in AGENTS.items()
        }
        self.firewall = gcp.compute.Firewall(
            naming.child(name, "workers"),
            network=args.network_id,
            direction="INGRESS",
            priority=1000,
            allows=[{"protocol": "tcp", "ports": WORKER_PORTS}],
            source_tags=[WORKER_TAG],
            target_tags=[WORKER_TAG],
            description="Dataflow workers reach each other for shuffle and streaming",
            log_config={"metadata": "EXCLUDE_ALL_METADATA"},
            opts=child,
        )
        root = pulumi.Output.from_input(args.pipeline_root_bucket)
        self.temp_location = root.apply(lambda b: f"gs://{b}/dataflow/temp")
        self.staging_location = root.apply(lambda b: f"gs://{b}/dataflow/staging")
        self.worker_email = self.worker.email

        self.job = None
        self.job_id = None
        if s.launch_job and s.template_path is not None:
            self.job = gcp.dataflow.FlexTemplateJob(
                naming.child(name, "job"),
                name=args.job_name,
                region=args.region,
                container_spec_gcs_path=s.template_path,
                parameters=dict(s.parameters),
                service_account_email=self.worker.email,
                # The subnetwork names its network; Dataflow takes the full URL.
                subnetwork=args.subnetwork_url,
                ip_configuration="WORKER_IP_PRIVATE",
                kms_key_name=args.kms_key_id,
                temp_location=self.temp_location,
                staging_location=self.staging_location,
                machine_type=s.machine_type,
                max_workers=s.max_workers,
                on_delete="drain",
                labels=dict(args.labels),
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[*self.key_grants.values(), self.firewall, self.worker],
                ),
            )
            self.job_id = self.job.job_id
        self.register_outputs(
            {
                "worker_email": self.worker_email,
                "temp_location": self.temp_location,
                "job_id": self.job_id,
            }
        )

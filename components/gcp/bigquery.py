"""A BigQuery dataset encrypted with a customer-managed key, for training data and the
request-response logs of Vertex AI endpoints."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ..retention import stateful_options, switch_value
from ..settings import Retention
from ._common import checked_key_id, deletion_policy, label_problems, raise_problems
from .retention import SWITCHES

SERVICES = ("bigquery.googleapis.com",)
"""APIs this block needs enabled (``ProjectServices``)."""

DATASET_ID = re.compile(r"^[A-Za-z0-9_]{1,1024}$")
"""Dataset ids: letters, digits and underscores, at most 1,024 characters
(https://cloud.google.com/bigquery/docs/datasets#dataset-naming)."""

DAY_MS = 86_400_000


@dataclass
class DatasetArgs:
    dataset_id: str
    """The dataset's id in the project (``DATASET_ID``); a fixed name, so renaming it
    replaces the dataset."""
    location: str
    """Region of the dataset (the key must be in the same location)."""
    kms_key_id: pulumi.Input[str]
    """``CmekKey.key_id``: the default key of every new table."""
    kms_key_grants: Sequence[pulumi.Resource]
    """BigQuery's grant on the key (``CmekKey.add_encrypter("bigquery.googleapis.com")``):
    the dataset waits for it (trap: the create races the grant otherwise)."""
    labels: Mapping[str, str]
    retention: Retention = Retention.DESTROYABLE
    """``destroyable``: ``delete_contents_on_destroy``. ``protected``: the dataset keeps
    its tables on destroy (the API refuses to delete a non-empty dataset), ``protect``,
    ``retain_on_delete`` and ``deletion_policy=PREVENT``."""
    table_expiration_days: int | None = None
    """Default lifetime of new tables; ``None``: kept."""
    time_travel_hours: int = 168
    description: str = ""


class Dataset(pulumi.ComponentResource):
    """One ``bigquery.Dataset`` with CMEK as its default encryption. Access is through
    IAM only: no ``accesses`` entries are written, so BigQuery's defaults (project
    owners, editors, viewers) apply and nothing is public."""

    dataset: gcp.bigquery.Dataset
    dataset_id: pulumi.Output[str]
    bigquery_uri: pulumi.Output[str]
    """``bq://<project>.<dataset>``, the form Vertex AI logging destinations take."""

    def __init__(
        self, name: str, args: DatasetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:Dataset", name, None, opts)
        _validate(args)
        delete_contents = switch_value(
            SWITCHES, "gcp:bigquery/dataset:Dataset", "delete_contents_on_destroy", args.retention
        )
        self.dataset = gcp.bigquery.Dataset(
            naming.child(name),
            dataset_id=args.dataset_id,
            location=args.location,
            description=args.description or None,
            default_encryption_configuration={
                "kms_key_name": pulumi.Output.from_input(args.kms_key_id).apply(
                    checked_key_id("kms_key_id", args.location)
                )
            },
            default_table_expiration_ms=(
                args.table_expiration_days * DAY_MS if args.table_expiration_days else None
            ),
            max_time_travel_hours=str(args.time_travel_hours),
            delete_contents_on_destroy=bool(delete_contents),
            deletion_policy=deletion_policy(args.retention),
            labels=dict(args.labels),
            opts=stateful_options(args.retention, self, depends_on=args.kms_key_grants),
        )
        self.dataset_id = self.dataset.dataset_id
        self.bigquery_uri = pulumi.Output.concat(
            "bq://", self.dataset.project, ".", self.dataset.dataset_id
        )
        self.register_outputs({"dataset_id": self.dataset_id, "bigquery_uri": self.bigquery_uri})


def _validate(args: DatasetArgs) -> None:
    problems = label_problems(args.labels)
    if not DATASET_ID.match(args.dataset_id):
        problems.append(f"dataset_id: {args.dataset_id!r} must be letters, digits and underscores")
    if not args.kms_key_grants:
        problems.append("kms_key_grants: BigQuery's grant on the key is required")
    if not 48 <= args.time_travel_hours <= 168 or args.time_travel_hours % 24:
        problems.append("time_travel_hours: 48-168 in steps of 24")
    raise_problems("DatasetArgs", problems)

"""Where Vertex AI keeps lineage and experiment data: the metadata store (pipeline runs,
artifacts, executions; Vertex AI Experiments) and a TensorBoard, both encrypted with a
customer-managed key.

Update behaviour (pinned in tests): ``encryption_spec`` of both, and the metadata
store's ``name``, force a replacement, which deletes every lineage record or
experiment log they hold. Both are stateful (``stateful_options``): a ``protected``
stack refuses the replacement instead of losing the data.

The metadata store is named ``default``: Vertex AI Pipelines and Experiments write to
the store of that name in the region, and create it (Google-managed key) on first use if
it does not exist. Create this one before the first pipeline run; in a region where
runs already created ``default``, adopt it with ``pulumi import`` (its key cannot be
changed afterwards).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ..retention import stateful_options
from ..settings import Retention
from ._common import checked_key_id, deletion_policy, label_problems, raise_problems

SERVICES = ("aiplatform.googleapis.com",)
"""APIs this block needs enabled (``ProjectServices``)."""

DEFAULT_STORE = "default"
"""The metadata store Vertex AI Pipelines and Experiments use
(https://cloud.google.com/vertex-ai/docs/ml-metadata/configure)."""


@dataclass
class VertexMetadataArgs:
    region: str
    kms_key_id: pulumi.Input[str]
    kms_key_grants: Sequence[pulumi.Resource]
    """Vertex AI's grant on the key (``CmekKey.add_encrypter("aiplatform.googleapis.com")``)."""
    labels: Mapping[str, str]
    tensorboard: bool = True
    """``False``: the metadata store only."""
    retention: Retention = Retention.DESTROYABLE
    display_name: str = ""


class VertexMetadata(pulumi.ComponentResource):
    """The ``default`` metadata store and an optional TensorBoard, CMEK-encrypted."""

    metadata_store: gcp.vertex.AiMetadataStore
    tensorboard: gcp.vertex.AiTensorboard | None
    metadata_store_id: pulumi.Output[str]
    tensorboard_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: VertexMetadataArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:VertexMetadata", name, None, opts)
        problems = label_problems(args.labels)
        if not args.kms_key_grants:
            problems.append("kms_key_grants: Vertex AI's grant on the key is required")
        raise_problems("VertexMetadataArgs", problems)
        key = pulumi.Output.from_input(args.kms_key_id).apply(
            checked_key_id("kms_key_id", args.region)
        )
        stateful = stateful_options(args.retention, self, depends_on=args.kms_key_grants)
        # The store takes no labels (no `labels` argument in the API).
        self.metadata_store = gcp.vertex.AiMetadataStore(
            naming.child(name, "store"),
            name=DEFAULT_STORE,
            region=args.region,
            description="Lineage of pipeline runs and experiments (mlops-iac)",
            encryption_spec={"kms_key_name": key},
            deletion_policy=deletion_policy(args.retention),
            opts=stateful,
        )
        self.tensorboard = None
        if args.tensorboard:
            self.tensorboard = gcp.vertex.AiTensorboard(
                naming.child(name, "tensorboard"),
                display_name=args.display_name or name,
                region=args.region,
                description="Training curves of the pipelines' training jobs (mlops-iac)",
                encryption_spec={"kms_key_name": key},
                deletion_policy=deletion_policy(args.retention),
                labels=dict(args.labels),
                opts=stateful_options(args.retention, self, depends_on=args.kms_key_grants),
            )
        self.metadata_store_id = self.metadata_store.id
        self.tensorboard_id = self.tensorboard.id if self.tensorboard else None
        self.register_outputs(
            {"metadata_store_id": self.metadata_store_id, "tensorboard_id": self.tensorboard_id}
        )

"""Google Cloud rules, one module per service; importing this package registers all of
them.

Project-wide rules live here now (cost-allocation labels over every labelable type in
``data/gcp-labelable-types.json``, with Google's label key and value rules); the service
rules (Vertex AI, GKE, Cloud Storage, Artifact Registry, Cloud KMS, ...) join as modules
beside them, one per service, named ``gcp-<service>-<resource>-<requirement>``."""

from . import labels, stack

__all__ = ["labels", "stack"]

"""Azure rules, one module per service; importing this package registers all of them.

Azure-wide rules live here now (cost-allocation tags over every taggable type in
``data/azure-taggable-types.json``); the service rules (Machine Learning, AKS, Storage,
Key Vault, Container Registry, ...) join as modules beside them, one per service, named
``azure-<service>-<resource>-<requirement>``."""

from . import stack, tags

__all__ = ["stack", "tags"]

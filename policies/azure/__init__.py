"""Azure rules, one module per service; importing this package registers all of them.

Azure-wide rules: cost-allocation tags over every taggable type in
``data/azure-taggable-types.json``. Service rules, named
``azure-<service>-<resource>-<requirement>``: AKS security (``aks``) and cost
(``aks_cost``), Azure ML on Kubernetes (``azureml_kubernetes``: the AzureML extension and
Kubernetes compute)."""

from . import aks, aks_cost, azureml_kubernetes, tags

__all__ = ["aks", "aks_cost", "azureml_kubernetes", "tags"]

"""Azure rules, one module per service; importing this package registers all of them.

Azure-wide rules (cost-allocation tags over every taggable type in
``data/azure-taggable-types.json``) and one module per service, named
``azure-<service>-<resource>-<requirement>``: Machine Learning, Storage, Key Vault,
Container Registry, monitoring (Application Insights, Log Analytics), role
assignments, Azure DevOps service connections, AKS security (``aks``) and cost
(``aks_cost``), Azure ML on Kubernetes (``azureml_kubernetes``: the AzureML extension and
Kubernetes compute)."""

from . import (
    aks,
    aks_cost,
    authorization,
    azureml_kubernetes,
    containerregistry,
    devops,
    keyvault,
    machinelearning,
    monitoring,
    stack,
    storage,
    tags,
)

__all__ = [
    "aks",
    "aks_cost",
    "authorization",
    "azureml_kubernetes",
    "containerregistry",
    "devops",
    "keyvault",
    "machinelearning",
    "monitoring",
    "stack",
    "storage",
    "tags",
]

"""The mlops-security policy pack: assembled from the rule registry, nothing else.

PolicyPack starts the analyzer's gRPC server and blocks; only the Pulumi CLI runs this."""

from mlops_policies.registry import pack_arguments
from pulumi_policy import PolicyPack

PolicyPack(**pack_arguments("mlops-security"))

"""The mlops-iac Pulumi program.

``pulumi up -s aws-dev`` runs this file with the settings of ``Pulumi.aws-dev.yaml``;
``mlops-iac plan aws-dev`` runs the same file offline under mocks. Invalid settings stop
the run before any resource is registered, with one message listing every problem.
"""

from mlops_components.platform import deploy
from mlops_components.settings import load_settings

deploy(load_settings())

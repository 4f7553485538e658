"""Maps the source folders to their import names: ``components/`` is installed as
``mlops_components``, ``policies/`` as ``mlops_policies`` and ``preview/`` as
``mlops_preview`` (every sub-package found).
All other metadata lives in pyproject.toml."""

from setuptools import find_packages, setup

SOURCES = {
    "mlops_components": "components",
    "mlops_policies": "policies",
    "mlops_preview": "preview",
}

packages = []
package_dir = {}
for name, folder in SOURCES.items():
    package_dir[name] = folder
    packages.append(name)
    packages += [f"{name}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=package_dir)

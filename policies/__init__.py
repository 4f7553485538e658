"""Guardrail policies for mlops-iac: a registry of rules (one function each, grouped by
cloud and service: ``mlops_policies.aws``, ``.azure``, ``.gcp``), the two Pulumi policy
packs assembled from it (``mlops-security``, ``mlops-cost``, each covering every cloud),
per-environment policy config, and an offline evaluator.

- :mod:`mlops_policies.registry` — ``all_rules()``, ``rules_by_cloud()``, ``CLOUDS``,
  ``pack_rules(pack)``, ``pack_arguments(pack)``
- :mod:`mlops_policies.evaluation` — ``evaluate(resources, policy_config)`` (indexed by
  resource type), ``evaluate_unindexed`` (the analyzer's order, the reference),
  ``load_policy_config(path)``, ``config_path_for(environment)``
- :mod:`mlops_policies.listing` — ``render("markdown" | "json")``
- :mod:`mlops_policies.testing` — helpers to test a rule the way the analyzer runs it
"""

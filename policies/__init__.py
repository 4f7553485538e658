"""Guardrail policies for mlops-iac: a registry of rules (one function each, grouped by
cloud and service), the two Pulumi policy packs assembled from it (``mlops-security``,
``mlops-cost``), per-environment policy config, and an offline evaluator.

- :mod:`mlops_policies.registry` — ``all_rules()``, ``pack_rules(pack)``, ``pack_arguments(pack)``
- :mod:`mlops_policies.evaluation` — ``evaluate(resources, policy_config)``,
  ``load_policy_config(path)``, ``config_path_for(environment)``
- :mod:`mlops_policies.listing` — ``render("markdown" | "json")``
- :mod:`mlops_policies.testing` — helpers to test a rule the way the analyzer runs it
"""

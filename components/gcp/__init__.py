"""Google Cloud building blocks and the GCP mappings of the vocabulary.

Importing this package imports no SDK: each module imports ``pulumi_gcp`` itself where
it needs it (the mapping modules ``names``, ``retention``, ``capacity``,
``accelerators`` and ``lifecycle`` need none).
"""

"""Azure building blocks and the Azure mappings of the vocabulary.

Importing this package imports no SDK: each module imports ``pulumi_azure_native``
itself where it needs it (the mapping modules ``names``, ``retention``, ``capacity``,
``accelerators`` and ``lifecycle`` need none).
"""

"""The validation function (see handler.py)."""

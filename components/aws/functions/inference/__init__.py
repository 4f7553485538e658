"""The inference function (see handler.py)."""

"""The processing function (see handler.py)."""

"""Lambda handlers of the serverless architecture, one folder per function; each
``handler.py`` is shipped alone (``lambda_function.handler_archive``), so it imports
only the standard library and the runtime's boto3."""

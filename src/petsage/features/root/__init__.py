"""`GET /`: the welcome endpoint."""

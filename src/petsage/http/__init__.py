"""HTTP plumbing shared by every feature: the server and its limits, middleware, errors,
the probe fast path, the OpenAPI document and docs, and request dependencies."""

"""The observability platform: logs in one schema, the request context and its id, the
access log, and Prometheus metrics."""

"""`GET /metrics` (Prometheus) and `GET /system/info` (build and process facts)."""

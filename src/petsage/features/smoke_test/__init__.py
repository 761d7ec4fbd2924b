"""Liveness: `GET /system/health` answers whenever the process can serve."""

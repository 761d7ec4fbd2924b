"""Readiness, every check, one check and the history: `/system/health/...` beyond liveness."""

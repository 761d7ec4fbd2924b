"""Test helpers shared by feature tests and cross-feature tests."""

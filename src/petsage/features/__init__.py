"""Feature packages: one folder per feature, each deletable on its own."""

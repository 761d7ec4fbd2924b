"""The health engine: checks run in the background, endpoints serve their latest snapshot."""

"""PetSage variants for `uvicorn --factory`, built from the environment like a real worker."""

from __future__ import annotations

from fastapi import FastAPI

from petsage.main import create_app
from petsage.settings import load_settings


def petsage() -> FastAPI:
    """PetSage as `petsage serve` builds it."""
    return create_app(load_settings())


def petsage_without_fast_path() -> FastAPI:
    """Every probe through its full FastAPI route: what the probe fast path saves."""
    return create_app(load_settings(), probe_fast_path=False)


def petsage_without_observability() -> FastAPI:
    """No request ids, access log or metrics: the baseline of bench/observability.py."""
    return create_app(load_settings(), observability=False)

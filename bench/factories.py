"""PetSage variants for `uvicorn --factory`, built from the environment like a real worker."""

from __future__ import annotations

import contextlib
import importlib

from fastapi import FastAPI

from petsage.main import AppOptions, assemble_app
from petsage.settings import load_settings


def petsage() -> FastAPI:
    """PetSage as `petsage serve` builds it."""
    return assemble_app(load_settings(), AppOptions(freeze_after_start=True))


def petsage_without_fast_path() -> FastAPI:
    """Every probe through its full FastAPI route: what the probe fast path saves."""
    options = AppOptions(probe_fast_path=False, freeze_after_start=True)
    return assemble_app(load_settings(), options)


def petsage_without_observability() -> FastAPI:
    """No request ids, access log or metrics: the baseline of bench/observability.py."""
    options = AppOptions(observability=False, freeze_after_start=True)
    return assemble_app(load_settings(), options)


def petsage_hand_wired() -> FastAPI:
    """The features imported by hand instead of discovered: what discovery costs. The same set
    as discovery finds: every built-in feature, and the example plug-in where it is installed
    (the development environment the benchmarks run in)."""
    # Imported here, not at the top: the discovering factory above must not get them for free.
    from petsage.features import (  # noqa: PLC0415
        activity_tracker,
        health_checks,
        metrics,
        pet_profile,
        root,
        smoke_test,
        status_page,
        system_info,
        whoami,
    )

    wired = [
        health_checks,
        metrics,
        root,
        smoke_test,
        status_page,
        system_info,
        whoami,
        pet_profile,
        activity_tracker,
    ]
    with contextlib.suppress(ImportError):
        wired.append(importlib.import_module("petsage_example_plugin"))
    features = [f.feature for f in wired]
    options = AppOptions(features=features, freeze_after_start=True)
    return assemble_app(load_settings(), options)

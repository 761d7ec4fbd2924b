"""The refusals of `test_plugin_takeovers.py` in their other forms, in process: each is the
`FeatureError` (one line naming the feature) that `petsage serve` prints with exit code 2."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from petsage.blueprint import AppServices, Configuration, Feature
from petsage.blueprint.discovery import FeatureError, discover_features
from petsage.blueprint.mount import probe_responders
from petsage.health.check import Check
from petsage.http.probes import ProbeResponder, RenderedResponse, constant
from petsage.main import AppOptions, assemble_app, build_services
from petsage.settings import ConfigurationError, Settings
from tests.support.plugins import install_feature, site_on_path

ALIVE = constant(RenderedResponse(200, b'{"status": "ok"}'))


def router_serving(*paths: str) -> APIRouter:
    router = APIRouter()
    for path in paths:

        @router.get(path)
        async def answer() -> dict[str, str]:
            return {}

    return router


def raises(*_: object) -> None:
    raise RuntimeError("boom")


def refusal(settings: Settings, *features: Feature) -> str:
    with pytest.raises(FeatureError) as raised:
        assemble_app(settings, AppOptions(features=(*discover_features(), *features)))
    return str(raised.value)


def test_an_interrupt_at_import_is_one_line(tmp_path: Path) -> None:
    site = install_feature(tmp_path / "site", "interrupted", "raise KeyboardInterrupt\n")

    with site_on_path(site), pytest.raises(FeatureError) as raised:
        discover_features()

    assert (
        str(raised.value) == "feature 'interrupted' failed to import: KeyboardInterrupt: no message"
    )


def checks_raise(_: Settings) -> list[Check]:
    raise RuntimeError("boom")


def checks_refuse_a_setting(_: Settings) -> list[Check]:
    raise ConfigurationError("invalid setting PETSAGE_QUEUE_URL: missing")


def checks_raise_at_length(_: Settings) -> list[Check]:
    raise ValueError("x" * 5000)


def enabled_raises(_: Configuration) -> bool:
    raise SystemExit(3)


def probes_raise(_: AppServices) -> Mapping[str, ProbeResponder]:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("feature", "line"),
    [
        (
            Feature(name="bad_checks", summary="x", health_checks=checks_raise),
            "feature 'bad_checks': health_checks failed: RuntimeError: boom",
        ),
        (
            Feature(name="queue", summary="x", health_checks=checks_refuse_a_setting),
            "feature 'queue': invalid setting PETSAGE_QUEUE_URL: missing",
        ),
        (
            Feature(name="verbose", summary="x", health_checks=checks_raise_at_length),
            "feature 'verbose': health_checks failed: ValueError: " + "x" * 197 + "...",
        ),
        (
            Feature(name="bad_switch", summary="x", enabled_when=enabled_raises),
            "feature 'bad_switch': enabled_when failed: SystemExit: 3",
        ),
        (
            Feature(
                name="bad_probes",
                summary="x",
                routers=(router_serving("/bad-probes"),),
                probes=probes_raise,
            ),
            "feature 'bad_probes': probes failed: KeyboardInterrupt: no message",
        ),
    ],
    ids=["health_checks", "its-own-setting", "long-message", "enabled_when", "probes"],
)
def test_a_raising_provider_is_one_line(
    make_settings: Callable[..., Settings], feature: Feature, line: str
) -> None:
    assert refusal(make_settings(), feature) == line


def test_a_responder_for_liveness_is_refused(make_settings: Callable[..., Settings]) -> None:
    hijack = Feature(
        name="always_alive",
        summary="x",
        routers=(router_serving("/always-alive"),),
        probes=lambda _: {"/system/health": ALIVE},
    )

    assert refusal(make_settings(), hijack) == (
        "feature 'always_alive' gives a probe responder for /system/health, a path none of "
        "its own routes serves (GET)"
    )


def test_two_responders_for_one_path_are_refused(make_settings: Callable[..., Settings]) -> None:
    # Two features cannot both route one path (mounting refuses it first); this is the check
    # behind it, should mounting ever change.
    twins = [
        Feature(
            name=name,
            summary="x",
            routers=(router_serving("/twin"),),
            probes=lambda _: {"/twin": ALIVE},
        )
        for name in ("first_twin", "second_twin")
    ]
    services = build_services(Configuration(make_settings()), (), ())

    with pytest.raises(FeatureError) as raised:
        probe_responders(twins, services)

    assert str(raised.value) == (
        "feature 'second_twin' gives a second probe responder for /twin (feature 'first_twin' "
        "gives one)"
    )


@pytest.mark.parametrize(
    ("routes", "prefix", "line"),
    [
        (("/lonely",), "/elsewhere", "probe path '/elsewhere' covers none of its routes"),
        (
            ("/system/extra",),
            "/system",
            # /system/health is a probe already (its owner's prefix): not hidden by this one.
            "probe path '/system' would hide GET /system/status.json of feature 'status_page' "
            "from the access log and metrics",
        ),
    ],
    ids=["none-of-its-own", "another-features"],
)
def test_a_probe_prefix_beyond_its_own_routes_is_refused(
    make_settings: Callable[..., Settings], routes: tuple[str, ...], prefix: str, line: str
) -> None:
    prober = Feature(
        name="prober", summary="x", routers=(router_serving(*routes),), probe_paths=(prefix,)
    )

    assert refusal(make_settings(), prober) == f"feature 'prober': {line}"


def test_a_route_under_the_docs_mount_is_refused(make_settings: Callable[..., Settings]) -> None:
    shadowed = Feature(name="shadowed", summary="x", routers=(router_serving("/docs-static/x"),))

    assert refusal(make_settings(), shadowed) == (
        "feature 'shadowed': GET /docs-static/x overlaps everything under /docs-static/ of the "
        "platform: a request matching both would go to whichever is mounted first"
    )


@asynccontextmanager
async def never_starts(_: AppServices) -> AsyncIterator[None]:
    await asyncio.Event().wait()
    yield


@asynccontextmanager
async def times_out_itself(_: AppServices) -> AsyncIterator[None]:
    raise TimeoutError("the queue did not answer")
    yield


def test_a_lifespan_timing_out_on_its_own_is_its_failure_not_the_bound(
    make_settings: Callable[..., Settings],
) -> None:
    impatient = Feature(name="impatient", summary="x", lifespan=times_out_itself)
    app = assemble_app(make_settings(), AppOptions(features=[impatient]))

    with pytest.raises(FeatureError) as raised, TestClient(app):
        pass

    assert str(raised.value) == (
        "feature 'impatient' failed to start: TimeoutError: the queue did not answer"
    )


def test_a_lifespan_that_never_starts_is_cut_at_the_timeout(
    make_settings: Callable[..., Settings],
) -> None:
    sleeper = Feature(name="sleeper", summary="x", lifespan=never_starts)
    settings = make_settings(feature_start_timeout_seconds=0.2)
    app = assemble_app(settings, AppOptions(features=[sleeper]))

    with pytest.raises(FeatureError) as raised, TestClient(app):
        pass

    assert str(raised.value) == (
        "feature 'sleeper': its lifespan did not start within 0.2 s "
        "(PETSAGE_FEATURE_START_TIMEOUT_SECONDS)"
    )

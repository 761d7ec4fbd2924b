"""Discovery and mounting, in process: order, the installed plug-in, clashes and disabling."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from petsage.blueprint import Feature
from petsage.blueprint.discovery import (
    FeatureError,
    configure,
    discover_features,
    select_features,
)
from petsage.features.metrics.settings import MetricsSettings
from petsage.health.registry import DuplicateCheckError
from petsage.main import AppOptions, assemble_app, create_app
from petsage.settings import ConfigurationError, Settings
from tests.support.health import Switch

BUILTIN = (
    "activity_tracker",
    "health_checks",
    "metrics",
    "pet_profile",
    "root",
    "smoke_test",
    "status_page",
    "system_info",
    "whoami",
)


def feature_serving(path: str, name: str = "copycat") -> Feature:
    router = APIRouter()

    @router.get(path)
    async def answer() -> dict[str, str]:
        return {"copy": "cat"}

    return Feature(name=name, summary="A feature that clashes", routers=(router,))


def test_built_in_features_come_in_name_order_then_installed_ones() -> None:
    names = tuple(feature.name for feature in discover_features())

    assert names == (*BUILTIN, "example_plugin")


def test_an_installed_feature_is_served_and_documented(client: TestClient) -> None:
    response = client.get("/example-plugin")

    assert response.status_code == 200
    assert response.json() == {"message": "Hello from an installed feature!"}
    assert "/example-plugin" in client.get("/openapi.json").json()["paths"]


def test_a_route_served_by_another_feature_is_refused(
    make_settings: Callable[..., Settings],
) -> None:
    features = (*discover_features(), feature_serving("/system/health"))

    with pytest.raises(FeatureError) as raised:
        assemble_app(make_settings(), AppOptions(features=features))

    assert str(raised.value) == (
        "feature 'copycat': GET /system/health is already served by feature 'smoke_test'"
    )


def test_a_route_served_by_the_platform_is_refused(
    make_settings: Callable[..., Settings],
) -> None:
    with pytest.raises(FeatureError, match=r"GET /docs is already served by the platform"):
        assemble_app(make_settings(), AppOptions(features=[feature_serving("/docs")]))


def test_a_check_name_taken_by_the_platform_is_refused(
    make_settings: Callable[..., Settings],
) -> None:
    disk = Switch(name="disk")
    clash = Feature(name="clash", summary="Watches the disk again", health_checks=disk.provider())

    with pytest.raises(DuplicateCheckError) as raised:
        assemble_app(make_settings(), AppOptions(features=[clash]))

    assert str(raised.value) == (
        "health check 'disk' is registered twice: by the platform and by feature 'clash'"
    )


def test_features_can_be_disabled_by_name(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(features_disabled="root, example_plugin")
    client = TestClient(create_app(settings))

    assert settings.features_disabled == {"root", "example_plugin"}
    assert client.get("/").status_code == 404
    assert client.get("/example-plugin").status_code == 404
    assert client.get("/system/health").status_code == 200


@pytest.mark.parametrize(
    ("disabled", "message"),
    [
        ("smoke_test", "feature 'smoke_test' cannot be disabled: Kubernetes' livenessProbe"),
        ("health_checks", "feature 'health_checks' cannot be disabled: readiness probes"),
        ("no_such_feature", "no feature 'no_such_feature'"),
    ],
)
def test_disabling_a_required_or_unknown_feature_is_refused(
    make_settings: Callable[..., Settings], disabled: str, message: str
) -> None:
    found = discover_features()
    configuration = configure(found, make_settings(features_disabled=disabled))
    with pytest.raises(ConfigurationError) as raised:
        select_features(found, configuration)

    assert str(raised.value).startswith(f"invalid setting PETSAGE_FEATURES_DISABLED: {message}")


def test_a_feature_switched_off_by_its_setting_is_not_mounted(
    make_settings: Callable[..., Settings],
) -> None:
    found = discover_features()
    names = [f.name for f in select_features(found, configure(found, make_settings()))]
    switched_off = configure(found, make_settings(), [MetricsSettings(enabled=False)])
    off = [f.name for f in select_features(found, switched_off)]

    assert "metrics" in names
    assert "metrics" not in off


def test_a_feature_name_must_be_snake_case() -> None:
    with pytest.raises(ValueError, match="not a snake_case identifier"):
        Feature(name="Pet-Profile", summary="x")

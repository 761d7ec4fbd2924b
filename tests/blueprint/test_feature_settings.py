"""A feature's own settings and state, in process: validated at start-up with the core's
one-line errors, reached typed, and a state key its lifespan fails to provide stops start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from fastapi.testclient import TestClient
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from petsage.blueprint import AppServices, Feature, FeatureSettings, StateKey
from petsage.blueprint.discovery import FeatureError
from petsage.cli.serve import app_or_exit
from petsage.main import AppOptions, assemble_app, create_app
from petsage.settings import ConfigurationError, Settings

NEVER_PUT: StateKey[int] = StateKey("forgetful.count")


class QueueSettings(FeatureSettings):
    model_config = SettingsConfigDict(env_prefix="PETSAGE_QUEUE_")

    depth: int = 10
    api_token: str = Field(default="unset-token-0123456789", min_length=16)


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        (
            "PETSAGE_STATUS_MAX_STREAMS",
            "lots",
            "invalid setting PETSAGE_STATUS_MAX_STREAMS: Input should be a valid integer, "
            "unable to parse string as an integer (got 'lots')",
        ),
        (
            "PETSAGE_METRICS_ENABLED",
            "maybe",
            "invalid setting PETSAGE_METRICS_ENABLED: Input should be a valid boolean, "
            "unable to interpret input (got 'maybe')",
        ),
    ],
)
def test_a_bad_feature_setting_stops_start_up_with_one_line(
    make_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    line: str,
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigurationError) as raised:
        create_app(make_settings())

    assert str(raised.value) == line


def test_petsage_serve_stops_on_a_bad_feature_setting_with_one_line(
    make_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # In process: `petsage serve` builds its app through `app_or_exit` before it binds a port.
    monkeypatch.setenv("PETSAGE_STATUS_ROLLUP_DAYS", "30")

    with pytest.raises(SystemExit) as exited:
        app_or_exit(make_settings())

    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "petsage: invalid setting PETSAGE_STATUS_ROLLUP_DAYS: Input should be greater than or "
        "equal to 90 (got '30')"
    ]


def test_a_feature_disabled_by_name_has_its_settings_left_unread(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PETSAGE_STATUS_MAX_STREAMS", "lots")

    client = TestClient(create_app(make_settings(features_disabled="status_page")))

    assert client.get("/system/status.json").status_code == 404


def test_a_secret_looking_feature_setting_is_never_echoed(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PETSAGE_QUEUE_API_TOKEN", "short-secret")
    queue = Feature(name="queue", summary="x", settings=QueueSettings)

    with pytest.raises(ConfigurationError) as raised:
        assemble_app(make_settings(), AppOptions(features=[queue]))

    assert str(raised.value) == (
        "invalid setting PETSAGE_QUEUE_API_TOKEN: String should have at least 16 characters"
    )


def test_a_feature_reads_its_settings_typed(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PETSAGE_QUEUE_DEPTH", "25")
    seen: list[int] = []

    @asynccontextmanager
    async def lifespan(services: AppServices) -> AsyncIterator[None]:
        seen.append(services.settings_of(QueueSettings).depth)
        yield

    queue = Feature(
        name="queue",
        summary="x",
        settings=QueueSettings,
        lifespan=lifespan,
        enabled_when=lambda configuration: configuration.of(QueueSettings).depth > 0,
    )
    with TestClient(assemble_app(make_settings(), AppOptions(features=[queue]))):
        pass

    assert seen == [25]


def test_a_state_key_its_lifespan_did_not_provide_stops_start_up(
    make_settings: Callable[..., Settings],
) -> None:
    @asynccontextmanager
    async def lifespan(_: AppServices) -> AsyncIterator[None]:
        yield

    forgetful = Feature(name="forgetful", summary="x", lifespan=lifespan, provides=(NEVER_PUT,))
    app = assemble_app(make_settings(), AppOptions(features=[forgetful]))

    with pytest.raises(FeatureError) as raised, TestClient(app):
        pass

    assert str(raised.value) == (
        "feature 'forgetful': its lifespan started without providing 'forgetful.count'"
    )


def test_settings_must_be_named_under_the_petsage_prefix() -> None:
    class Stray(FeatureSettings):
        model_config = SettingsConfigDict(env_prefix="QUEUE_")

    with pytest.raises(ValueError, match="must start with PETSAGE_"):
        Feature(name="stray", summary="x", settings=Stray)

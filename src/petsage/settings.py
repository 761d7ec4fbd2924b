"""Typed configuration: every setting is a `PETSAGE_*` environment variable (or `.env` line).

`Settings` is built once, by the CLI or by `create_app`, and passed down; nothing here reads
the environment at import time. `load_settings` turns a validation failure into a one-line
`ConfigurationError` naming the variable, so a bad value stops start-up before anything binds.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from petsage.check_names import HTTP_CHECK_NAME_PATTERN
from petsage.credentials import mask_credentials

ENV_PREFIX = "PETSAGE_"
# Values never echoed in an error message: they may carry credentials.
SECRET_FIELDS = frozenset({"database_url", "health_token"})
# A feature's field is secret when its name says so (`api_token`, `client_secret`).
SECRET_WORDS = ("token", "secret", "password")
# The start of the placeholders shipped in example files (`CHANGE-ME-...`), refused as a token.
PLACEHOLDER_PREFIX = "CHANGE-ME"
MIN_TOKEN_CHARACTERS = 16
# pydantic-settings names the field in its message when a complex value is not valid JSON.
_SETTINGS_ERROR_FIELD = re.compile(r'field "(\w+)"')


class ConfigurationError(Exception):
    """A setting is invalid; the message is one line that names the variable."""


class LogFormat(StrEnum):
    JSON = "json"
    CONSOLE = "console"


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"


class HealthDetails(StrEnum):
    """Who may see check durations, observed values and error text."""

    NEVER = "never"
    AUTHORIZED = "authorized"
    ALWAYS = "always"


class HttpCheckSettings(BaseModel):
    """An external dependency probed by URL (`PETSAGE_HEALTH_HTTP_CHECKS`, a JSON list)."""

    # A mistyped key (`"critcal": true`) would otherwise leave the check silently non-critical.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=HTTP_CHECK_NAME_PATTERN)
    url: AnyHttpUrl
    # At least 0.1 s, as PETSAGE_HEALTH_CHECK_TIMEOUT_SECONDS.
    timeout_seconds: float = Field(default=0.8, ge=0.1, le=30)
    critical: bool = False


class Settings(BaseSettings):
    """The platform's settings. A feature's own live in its `FeatureSettings` class; the
    README's configuration table lists both (tests/test_settings_table.py checks it)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    # --- HTTP server -------------------------------------------------------------------------
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    log_level: LogLevel = LogLevel.INFO
    log_format: LogFormat = LogFormat.JSON
    access_log_probes: bool = False
    # Lower bounds of the timing settings: below them a wait is not what it says. The event
    # loop itself runs callbacks tens of milliseconds late under load (the loop-lag warning is
    # at 200 ms), so a timeout under 0.1 s fails on scheduling noise rather than on what it
    # guards. 0 is allowed only where it means "none": no drain, no wait, no merging.
    #
    # The drain is a plain sleep, honoured to the millisecond (0: readiness never turns 503).
    shutdown_drain_seconds: float = Field(default=5.0, ge=0, le=300)
    # uvicorn waits for the requests in flight in 0.1 s steps: a shorter grace could never see
    # one finish. Fractions are honoured (`asyncio.wait_for` takes it as it is: cli/serve.py).
    shutdown_timeout_seconds: float = Field(default=10.0, ge=0.1, le=300)
    # Limits enforced by petsage.http.protocol before a request reaches the app.
    http_max_header_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    # At least 1 s: the deadline runs from the connection's accept for its first request, and
    # TCP's initial retransmission timeout is 1 s (RFC 6298), so one lost segment delays an
    # honest client's head that long. Below it, requests got 408 before their first byte.
    http_header_timeout_seconds: float = Field(default=10.0, ge=1, le=300)
    http_max_connections: int = Field(default=1000, ge=1, le=100_000)
    # A request's body, as nginx's `client_max_body_size` (1 MiB); a chunked one counts its
    # framing and trailers too. Starlette buffers a body in memory: the cap bounds that.
    http_max_body_bytes: int = Field(default=1024 * 1024, ge=1, le=1024 * 1024 * 1024)
    # From the end of a request's head until the end of its body; trickling does not extend it.
    # At least 1 s, as the head's deadline: one lost segment delays an honest body that long.
    http_body_timeout_seconds: float = Field(default=30.0, ge=1, le=3600)

    # Feature packages to leave out, by name: `PETSAGE_FEATURES_DISABLED=a,b` (not JSON).
    features_disabled: Annotated[frozenset[str], NoDecode] = frozenset()
    # How long a feature's import, providers and lifespan start may take before start-up is
    # stopped with one line (petsage.blueprint.guard): a hung plug-in must not hang serve.
    feature_start_timeout_seconds: float = Field(default=30.0, ge=0.1, le=600)

    # --- OpenAPI contact block (defaults as in the seed) ---------------------------------------
    contact_name: str = "PetSage Development Team"
    contact_url: AnyHttpUrl = AnyHttpUrl("https://example.com/contact")
    contact_email: EmailStr = "dev@example.com"

    # --- Data layer ----------------------------------------------------------------------------
    data_dir: Path = Path("./var")
    database_url: str | None = None
    # At least 0.1 s (100 ms): the note above shutdown_drain_seconds.
    db_connect_timeout_seconds: float = Field(default=0.5, ge=0.1, le=60)
    db_pool_timeout_seconds: float = Field(default=0.5, ge=0.1, le=60)
    db_statement_timeout_ms: int = Field(default=500, ge=100, le=3_600_000)
    db_pool_size: int = Field(default=5, ge=1, le=100)
    db_max_overflow: int = Field(default=5, ge=0, le=100)
    # 0 is SQLite's own default (a locked database fails at once); any other wait is SQLite's.
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0, le=600_000)
    db_migrate_on_start: bool | None = None
    # How long `petsage serve` waits for an unreachable PostgreSQL it must migrate (0: not at all).
    db_startup_wait_seconds: float = Field(default=60.0, ge=0, le=3600)

    # --- Health engine -------------------------------------------------------------------------
    # A round of checks costs milliseconds of the loop: rounds closer than 0.05 s would take it.
    health_interval_seconds: float = Field(default=5.0, ge=0.05, le=3600)
    # At least 0.1 s: the note above shutdown_drain_seconds.
    health_check_timeout_seconds: float = Field(default=0.8, ge=0.1, le=60)
    health_details: HealthDetails = HealthDetails.AUTHORIZED
    # A bearer token guessable by brute force would defeat the detail policy: 16 characters minimum.
    health_token: SecretStr | None = None
    health_failure_threshold: int = Field(default=1, ge=1, le=100)
    health_success_threshold: int = Field(default=1, ge=1, le=100)
    health_history_days: int = Field(default=30, ge=1, le=3650)
    health_disk_warning_mib: int = Field(default=1024, ge=0)
    health_disk_critical_mib: int = Field(default=100, ge=0)
    health_memory_limit_mib: int | None = Field(default=None, ge=1)
    health_memory_warning_ratio: float = Field(default=0.9, gt=0, le=1)
    # At least 10 ms: a healthy loop wakes a few ms late (uvloop's timers have 1 ms steps), and
    # `event_loop` would be degraded all the time below that.
    health_loop_lag_warning_ms: float = Field(default=200.0, ge=10)
    health_http_checks: list[HttpCheckSettings] = Field(default_factory=list)

    # --- Public address -------------------------------------------------------------------------
    # Where readers reach PetSage (`https://status.example.com`): absolute links (the status
    # feed's) start with it. Unset, they are relative; never built from the request's `Host`.
    public_base_url: AnyHttpUrl | None = None

    # --- Observability -------------------------------------------------------------------------
    # (Metrics are the `metrics` feature's: PETSAGE_METRICS_* live in its settings.)
    git_commit: str | None = None
    # FastAPI's native OpenTelemetry, driven by the global OTel providers; off by default.
    otel_enabled: bool = False

    @field_validator("features_disabled", mode="before")
    @classmethod
    def _split_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(name.strip() for name in value.split(",") if name.strip())
        return value

    # A field validator rather than a model validator: the error then carries this field's
    # name, so the one-line message names PETSAGE_HEALTH_DISK_CRITICAL_MIB. The warning level
    # is declared first, so it is validated (and in `info.data`) before this one.
    @field_validator("health_disk_critical_mib")
    @classmethod
    def _critical_below_warning(cls, critical: int, info: ValidationInfo) -> int:
        warning = info.data.get("health_disk_warning_mib")
        if warning is not None and critical > warning:
            raise ValueError(
                f"{critical} MiB is above PETSAGE_HEALTH_DISK_WARNING_MIB ({warning} MiB); "
                "the critical level must be at most the warning level"
            )
        return critical

    @field_validator("public_base_url")
    @classmethod
    def _base_url_is_a_base(cls, url: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if url is not None and (url.query or url.fragment or url.username or url.password):
            raise ValueError("a base URL has no user, password, query or fragment")
        return url

    @field_validator("health_token")
    @classmethod
    def _token_can_match(cls, token: SecretStr | None) -> SecretStr | None:
        # The credential a caller sends is stripped before the comparison, so a token with
        # surrounding whitespace (a secret file's trailing newline) could never match.
        if token is None:
            return None
        value = token.get_secret_value()
        if sum(not char.isspace() for char in value) < MIN_TOKEN_CHARACTERS:
            raise ValueError(
                f"the token needs at least {MIN_TOKEN_CHARACTERS} non-space characters"
            )
        if value != value.strip():
            raise ValueError("the token has leading or trailing whitespace (a trailing newline?)")
        if value.upper().startswith(PLACEHOLDER_PREFIX):
            # deploy/kubernetes/secret.yaml ships one: applied unedited, it would publish a
            # token that everybody who read the repository knows.
            raise ValueError("the token is a placeholder: set a random one (openssl rand -hex 32)")
        return token

    @property
    def sqlite_path(self) -> Path:
        """Where the embedded database lives when no `database_url` is given."""
        return self.data_dir / "petsage.sqlite3"


class FeatureSettings(BaseSettings):
    """The base of a feature's own settings (`Feature(settings=...)`).

    A subclass names its variables by its `env_prefix`, which starts with `PETSAGE_`:
    `model_config = SettingsConfigDict(env_prefix="PETSAGE_STATUS_")`. They are read from the
    environment and `.env` as the core settings are, validated at start-up with the same
    one-line errors, and never echo a field whose name says it is a secret.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    @classmethod
    def env_prefix(cls) -> str:
        return str(cls.model_config.get("env_prefix", "")).upper()

    @classmethod
    def variables(cls) -> tuple[str, ...]:
        """The environment variables this class reads, as the README lists them."""
        return tuple(f"{cls.env_prefix()}{name.upper()}" for name in cls.model_fields)


S = TypeVar("S", bound=FeatureSettings)


def load_settings(**overrides: Any) -> Settings:
    """Build `Settings` from the environment, raising a one-line `ConfigurationError` if invalid."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigurationError(describe_validation_error(exc)) from None
    except SettingsError as exc:
        raise ConfigurationError(describe_settings_error(exc)) from None


def load_feature_settings(cls: type[S], **overrides: Any) -> S:
    """Build a feature's settings from the environment, as `load_settings` does the core's."""
    prefix = cls.env_prefix()
    try:
        return cls(**overrides)
    except ValidationError as exc:
        raise ConfigurationError(describe_validation_error(exc, prefix)) from None
    except SettingsError as exc:
        raise ConfigurationError(describe_settings_error(exc, prefix)) from None


def describe_validation_error(exc: ValidationError, prefix: str = ENV_PREFIX) -> str:
    """Name the first offending variable as the operator typed it: `PETSAGE_PORT: ...`, and
    where in it for a structured one: `PETSAGE_HEALTH_HTTP_CHECKS: entry 0, 'url': ...`.

    Whatever the error, the line never carries a credential: secret settings are not echoed
    at all, and any other value (and the whole line) passes through `mask_credentials`.
    """
    error = exc.errors(include_url=False)[0]
    field, *inside = error["loc"] or ("settings",)
    variable = f"{prefix}{str(field).upper()}"
    received = error.get("input")
    if error["type"] == "extra_forbidden" and inside:
        *inside, key = inside  # the value of a mistyped key says nothing more
        problem = f"unknown key {_shorten(str(key))!r}"
    else:
        secret = _is_secret(str(field)) or isinstance(received, dict | list)
        # Masked before it is cut short, so the cut cannot leave a password without its `@`.
        shown = "" if secret else f" (got {_shorten(mask_credentials(str(received)))!r})"
        problem = f"{error['msg']}{shown}"
    where = ", ".join(_describe_location(part) for part in inside)
    extra = f" and {exc.error_count() - 1} more" if exc.error_count() > 1 else ""
    return mask_credentials(
        f"invalid setting {variable}: {where}{': ' if where else ''}{problem}{extra}"
    )


def _is_secret(field: str) -> bool:
    return field in SECRET_FIELDS or any(word in field for word in SECRET_WORDS)


def _describe_location(part: int | str) -> str:
    return f"entry {part}" if isinstance(part, int) else repr(_shorten(part))


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def describe_settings_error(exc: SettingsError, prefix: str = ENV_PREFIX) -> str:
    """A value pydantic-settings could not decode (bad JSON in a list setting), in one line.

    Only the decoder's position is shown: the value itself may be long, or carry secrets.
    """
    match = _SETTINGS_ERROR_FIELD.search(str(exc))
    variable = f"{prefix}{match.group(1).upper()}" if match else "settings"
    cause = exc.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return f"invalid setting {variable}: not valid JSON ({cause.msg} at position {cause.pos})"
    return f"invalid setting {variable}: the value cannot be decoded"

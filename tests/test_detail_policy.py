"""The detail policy: each mode, with no token, a wrong token and the right one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from petsage.http.detail_policy import may_see_details
from petsage.settings import Settings

TOKEN = "s3cret-token-0123456789"


@pytest.mark.parametrize(
    ("mode", "header", "expected"),
    [
        ("always", None, True),
        ("always", "Bearer wrong-token-000000", True),
        ("never", None, False),
        ("never", f"Bearer {TOKEN}", False),
        ("authorized", None, False),
        ("authorized", "Bearer wrong-token-000000", False),
        ("authorized", f"Bearer {TOKEN}", True),
        ("authorized", f"bearer  {TOKEN}", True),
        ("authorized", f"Basic {TOKEN}", False),
        ("authorized", TOKEN, False),
        ("authorized", f"Bearer {TOKEN}x", False),
        ("authorized", "Bearer ", False),
    ],
)
def test_policy(
    make_settings: Callable[..., Settings], mode: str, header: str | None, expected: bool
) -> None:
    settings = make_settings(health_details=mode, health_token=TOKEN)

    assert may_see_details(settings, header) is expected


def test_authorized_without_a_configured_token_shows_nobody(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(health_details="authorized")

    assert may_see_details(settings, "Bearer ") is False
    assert may_see_details(settings, "Bearer anything-at-all-here") is False

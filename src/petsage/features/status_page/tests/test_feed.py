"""The Atom feed of incidents, parsed by feedparser."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import feedparser
from fastapi.testclient import TestClient

from petsage.features.status_page.models import StatusSummary
from petsage.features.status_page.tests.factories import (
    AUTHORIZED,
    NOW,
    SECRET_REASON,
    TOKEN,
    sample_summary,
    serving,
)
from petsage.main import AppOptions, assemble_app
from petsage.settings import Settings

FEED = "/system/status/feed.atom"


def fetch(
    make_settings: Callable[..., Settings],
    summary: StatusSummary,
    public_base_url: str | None = None,
    **headers: str,
) -> feedparser.FeedParserDict:
    settings = make_settings(health_token=TOKEN, public_base_url=public_base_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = assemble_app(settings, AppOptions(features=[serving(summary)]))
    with TestClient(app) as client:
        response = client.get(FEED, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml"
    # As a reader does: relative links resolve against the address the feed came from.
    received = {**response.headers, "content-location": str(response.url)}
    parsed = feedparser.parse(response.content, response_headers=received)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_feed_lists_incidents_newest_first(make_settings: Callable[..., Settings]) -> None:
    parsed = fetch(make_settings, sample_summary())

    assert parsed.version == "atom10"
    assert parsed.feed.title == "PetSage incidents"
    assert [entry.title for entry in parsed.entries] == [
        "Outage: database (ongoing)",
        "Degraded: http:payments (resolved)",
    ]
    ongoing, resolved = parsed.entries
    assert ongoing.id == "tag:petsage,2026:status:incident:3f9a1c2b7d"
    assert ongoing.link == "http://testserver/system/status#incident-3f9a1c2b7d"
    assert ongoing.updated == (NOW - timedelta(minutes=42)).isoformat()
    assert resolved.updated == (NOW - timedelta(days=3, hours=1, minutes=48)).isoformat()
    assert "Ended 27 Nov 2026, 10:12 UTC, after 12 min." in resolved.summary


def test_links_start_with_the_public_base_url_whatever_the_host(
    make_settings: Callable[..., Settings],
) -> None:
    base = "https://status.example.com/petsage"
    parsed = fetch(make_settings, sample_summary(), public_base_url=base, host="evil.example")

    links = [link.href for link in parsed.feed.links]
    assert links == [f"{base}/system/status/feed.atom", f"{base}/system/status"]
    assert parsed.entries[0].link == f"{base}/system/status#incident-3f9a1c2b7d"
    assert parsed.entries[0].id == "tag:petsage,2026:status:incident:3f9a1c2b7d"


def test_an_incident_keeps_its_id_and_moves_its_updated_time_when_it_ends(
    make_settings: Callable[..., Settings],
) -> None:
    summary = sample_summary()
    before = fetch(make_settings, summary).entries[0]
    ended = summary.incidents[0].model_copy(update={"ended_at": NOW, "duration_seconds": 2520})
    after = fetch(make_settings, summary.model_copy(update={"incidents": [ended]})).entries[0]

    assert after.id == before.id
    assert after.updated_parsed > before.updated_parsed
    assert after.title == "Outage: database (resolved)"


def test_reasons_only_for_authorized_readers(make_settings: Callable[..., Settings]) -> None:
    anonymous = fetch(make_settings, sample_summary())
    authorized = fetch(make_settings, sample_summary(), **AUTHORIZED)

    assert all(SECRET_REASON not in entry.summary for entry in anonymous.entries)
    assert f"Reason: {SECRET_REASON}" in authorized.entries[0].summary


def test_no_incident_is_an_empty_valid_feed(make_settings: Callable[..., Settings]) -> None:
    parsed = fetch(make_settings, sample_summary().model_copy(update={"incidents": []}))

    assert parsed.entries == []
    assert parsed.feed.updated == NOW.isoformat()

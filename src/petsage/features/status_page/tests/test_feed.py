"""The Atom feed of incidents, parsed by feedparser."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import feedparser
from fastapi.testclient import TestClient

from petsage.features.status_page.board import StatusBoard
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
    update = {"ended_at": NOW, "duration_seconds": 2520, "changed_at": NOW}
    ended = summary.incidents[0].model_copy(update=update)
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


def test_a_reopened_incident_moves_the_feed_forward(make_settings: Callable[..., Settings]) -> None:
    # Ended at NOW - 10 min, reopened within the merge gap at NOW - 2 min: the reopening is
    # its last change, later than the end a reader saw, never its start.
    summary = sample_summary()
    reopened = summary.incidents[0].model_copy(update={"changed_at": NOW - timedelta(minutes=2)})
    parsed = fetch(make_settings, summary.model_copy(update={"incidents": [reopened]}))

    assert parsed.entries[0].updated == (NOW - timedelta(minutes=2)).isoformat()
    assert parsed.feed.updated == (NOW - timedelta(minutes=2)).isoformat()


def test_the_feed_updated_time_never_goes_backwards() -> None:
    board = StatusBoard(_same(sample_summary()), sample_summary(), instance_id="test")
    later, earlier = NOW, NOW - timedelta(hours=1)

    assert board.feed_updated(None, default=earlier) == earlier
    assert board.feed_updated(later, default=earlier) == later
    assert board.feed_updated(earlier, default=earlier) == later
    assert board.feed_updated(None, default=NOW + timedelta(hours=1)) == later


def test_a_reader_holding_the_etag_gets_304(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(health_token=TOKEN)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = assemble_app(settings, AppOptions(features=[serving(sample_summary())]))
    with TestClient(app) as client:
        first = client.get(FEED)
        again = client.get(FEED, headers={"if-none-match": first.headers["etag"]})
        other = client.get(FEED, headers={"if-none-match": 'W/"something-else"'})

    assert first.headers["etag"].startswith('W/"')
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]
    assert (other.status_code, other.content) == (200, first.content)


def _same(summary: StatusSummary) -> Callable[[Sequence[Any]], Awaitable[StatusSummary]]:
    async def compute(_: Sequence[Any]) -> StatusSummary:
        return summary

    return compute

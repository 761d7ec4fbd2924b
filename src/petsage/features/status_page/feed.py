"""The Atom feed of incidents (RFC 4287), built with ElementTree so every text is escaped.

Entry ids are tag URIs (RFC 4151) made from the incident's id, which is stable across
recomputes and instances, so a reader never shows one incident twice. An entry's `updated`
is its last change (opening, reopening within the merge gap, a change of severity, its end): a
reader shows a reopening or the resolution as an update of the same entry. The feed's own
`updated` never goes backwards (`StatusBoard.feed_updated`).

Links start with `PETSAGE_PUBLIC_BASE_URL` when it is set, and are otherwise relative
references (`/system/status`), which a reader resolves against the feed's own address: never
built from the request's `Host`, which the client chooses (a poisoned cache would hand every
reader links to another site). Atom wants absolute IRIs only for ids, which the tag URIs are
without knowing any host; `href` may be any IRI reference (RFC 4287, 4.2.7.1).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from petsage.features.status_page import wording
from petsage.features.status_page.models import IncidentPublic, StatusSummary

if TYPE_CHECKING:
    # Imported where a feed is built: most processes never serve one, and ElementTree cost
    # `petsage serve` 0.5 MiB of idle RSS with the badges' xml.sax (bench/startup.py, issue 17).
    from xml.etree import ElementTree

ATOM = "http://www.w3.org/2005/Atom"
FEED_ID = "tag:petsage,2026:status"
MEDIA_TYPE = "application/atom+xml"


def entry_id(incident: IncidentPublic) -> str:
    return f"{FEED_ID}:incident:{incident.id}"


def render_feed(
    summary: StatusSummary, *, page_url: str, feed_url: str, detail: bool, updated: datetime
) -> bytes:
    """The feed; `updated` is the feed's own (`latest_change`, never moved back by the board)."""
    from xml.etree import ElementTree  # noqa: PLC0415 (see the imports)

    feed = ElementTree.Element("feed", xmlns=ATOM)
    _text(feed, "id", FEED_ID)
    _text(feed, "title", "PetSage incidents")
    _text(feed, "updated", updated.isoformat())
    ElementTree.SubElement(feed, "link", rel="self", href=feed_url, type=MEDIA_TYPE)
    ElementTree.SubElement(feed, "link", rel="alternate", href=page_url, type="text/html")
    author = ElementTree.SubElement(feed, "author")
    _text(author, "name", "PetSage")
    for incident in summary.incidents:
        _entry(feed, incident, page_url, detail=detail)
    body: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def latest_change(summary: StatusSummary) -> datetime | None:
    """The last change of any incident listed, if any is."""
    return max((incident.changed_at for incident in summary.incidents), default=None)


def _entry(feed: ElementTree.Element, incident: IncidentPublic, page: str, *, detail: bool) -> None:
    from xml.etree import ElementTree  # noqa: PLC0415 (see the imports)

    entry = ElementTree.SubElement(feed, "entry")
    _text(entry, "id", entry_id(incident))
    _text(entry, "title", _title(incident))
    _text(entry, "published", incident.started_at.isoformat())
    _text(entry, "updated", incident.changed_at.isoformat())
    ElementTree.SubElement(entry, "link", rel="alternate", href=f"{page}#incident-{incident.id}")
    _text(entry, "summary", _summary(incident, detail=detail))


def _title(incident: IncidentPublic) -> str:
    state = "ongoing" if incident.ended_at is None else "resolved"
    severity = wording.SEVERITIES[incident.severity].text
    return f"{severity}: {incident.check} ({state})"


def _summary(incident: IncidentPublic, *, detail: bool) -> str:
    lines = [f"Started {wording.moment(incident.started_at)}."]
    if incident.ended_at is None:
        lines.append(f"Ongoing for {wording.duration(incident.duration_seconds)}.")
    else:
        ended = wording.moment(incident.ended_at)
        lines.append(f"Ended {ended}, after {wording.duration(incident.duration_seconds)}.")
    if detail and incident.reason:
        lines.append(f"Reason: {incident.reason}")
    return " ".join(lines)


def _text(parent: ElementTree.Element, tag: str, text: str) -> None:
    from xml.etree import ElementTree  # noqa: PLC0415 (see the imports)

    ElementTree.SubElement(parent, tag).text = text

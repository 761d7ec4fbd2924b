"""The HTML page, through the app factory: content, accessibility hooks, CSP, detail policy."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from petsage.features.status_page import page
from petsage.features.status_page.models import Banner, StatusSummary
from petsage.features.status_page.service import labelled
from petsage.features.status_page.settings import ComponentLabel, StatusPageSettings
from petsage.features.status_page.tests.factories import (
    AUTHORIZED,
    SECRET_REASON,
    TOKEN,
    sample_summary,
    serving,
)
from petsage.main import AppOptions, assemble_app
from petsage.settings import Settings

PAGE = "/system/status"


def status_client(
    make_settings: Callable[..., Settings], summary: StatusSummary
) -> Iterator[TestClient]:
    settings = make_settings(health_token=TOKEN)
    # A data directory that exists: the platform's history recorder opens SQLite there.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with TestClient(assemble_app(settings, AppOptions(features=[serving(summary)]))) as client:
        yield client


def page_of(make_settings: Callable[..., Settings], summary: StatusSummary) -> str:
    for client in status_client(make_settings, summary):
        return client.get(PAGE).text
    raise AssertionError("no client")


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    yield from status_client(make_settings, sample_summary())


def test_page_shows_the_banner_checks_uptime_and_incidents(client: TestClient) -> None:
    response = client.get(PAGE)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert '<h1 id="banner-title">Partial outage</h1>' in html
    assert "Last updated" in html
    assert 'datetime="2026-11-30T12:00:00+00:00"' in html
    for name in ("database", "disk", "http:<wbr>payments"):
        assert f'<th scope="row">{name}</th>' in html
    assert "99.90\u202f%" in html  # database, 30 days, rounded down from 99.902
    assert '<li class="incident" id="incident-3f9a1c2b7d">' in html
    assert "42 min so far" in html
    assert "12 min" in html


def test_the_banner_names_what_is_down_failing_first(client: TestClient) -> None:
    html = client.get(PAGE).text

    failing = re.search(r'<ul class="failing" id="failing">(.*?)</ul>', html, re.S)
    assert failing is not None
    lines = [re.sub(r"<[^>]+>", "", line).strip() for line in failing[1].split("</li>")[:-1]]
    assert lines == [
        "database: Outage for 42 min, since 30 Nov 2026, 11:18 UTC",
        "http:payments: Degraded for 5 min, since 30 Nov 2026, 11:55 UTC",
    ]
    rows = re.findall(r'<tr><th scope="row">([^<]+)', html)
    assert rows == ["database", "http:", "disk"]  # error, degraded, then the rest


def test_a_merged_incident_says_its_downtime_and_when_it_reopened(
    make_settings: Callable[..., Settings],
) -> None:
    summary = sample_summary()
    ongoing = summary.incidents[0].model_copy(
        update={
            "latest_started_at": summary.incidents[0].started_at + timedelta(minutes=30),
            "downtime_seconds": 12 * 60 + 16,
        }
    )
    merged = summary.model_copy(update={"incidents": [ongoing]})
    html = page_of(make_settings, merged)
    text = re.sub(r"<[^>]+>", "", html)

    assert "Downtime12 min 16 s so far (within 42 min, up in between)" in text.replace("\n", "")
    assert "Down again12 min ago" in text


def test_display_names_and_groups_show_with_the_check_name(
    make_settings: Callable[..., Settings],
) -> None:
    labels = {"http:payments": ComponentLabel(name="Payments", group="Partners")}
    summary = sample_summary()
    checks = [labelled(check, labels) for check in summary.checks]
    html = page_of(make_settings, summary.model_copy(update={"checks": checks}))

    assert '<span class="group">Partners</span> <span class="name">Payments</span>' in html
    assert '<code class="check-id">http:<wbr>payments</code>' in html
    assert "<strong>Payments</strong>: Degraded" in html


def test_the_components_setting_reads_json_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PETSAGE_STATUS_COMPONENTS", '{"http:vetapi": {"name": "Vet API"}}')

    assert StatusPageSettings().components == {"http:vetapi": ComponentLabel(name="Vet API")}


def test_every_row_has_90_focusable_bars_with_names(client: TestClient) -> None:
    html = client.get(PAGE).text

    bars = re.findall(
        r'<li id="bar-[^"]+" class="bar s-(\w+)" tabindex="0" aria-label="([^"]+)"', html
    )

    assert len(bars) == 90 * 4  # overall and three checks
    assert bars[89] == ("error", "Mon 30 Nov 2026&#10;Outage, 97.91\u202f% uptime&#10;1 incident")
    assert bars[0] == ("no_data", "Wed 02 Sep 2026&#10;No data&#10;No incident")


def test_status_is_never_colour_alone(client: TestClient) -> None:
    html = client.get(PAGE).text

    chips = re.findall(
        r'<span class="chip tone-(\w+)"><svg[^>]*><use href="#i-(\w+)"/></svg><span>([^<]+)</span>',
        html,
    )

    assert ("error", "error", "Outage") in chips
    assert ("degraded", "degraded", "Degraded") in chips
    assert ("ok", "ok", "Operational") in chips


def test_without_javascript_the_page_reloads_every_30_seconds(client: TestClient) -> None:
    html = client.get(PAGE).text

    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in html


def test_csp_allows_exactly_the_inline_style_and_script(client: TestClient) -> None:
    response = client.get(PAGE)

    policy = response.headers["content-security-policy"]
    inline = re.findall(r"<(style|script)>(.*?)</\1>", response.text, re.S)
    assert [tag for tag, _ in inline] == ["style", "script"]
    for tag, source in inline:
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy
    assert "://" not in response.text  # nothing is loaded from elsewhere


def test_anonymous_callers_never_see_reasons(client: TestClient) -> None:
    html = client.get(PAGE).text

    assert SECRET_REASON not in html
    assert "10.0.0.7" not in html
    assert "Reason:" not in html


def test_authorized_callers_see_reasons(client: TestClient) -> None:
    html = client.get(PAGE, headers=AUTHORIZED).text

    assert f'<span class="reason-label">Reason:</span> {SECRET_REASON}' in html


def test_text_is_escaped(make_settings: Callable[..., Settings]) -> None:
    summary = sample_summary()
    summary.checks[0].reason = "<script>alert(1)</script>"

    for client in status_client(make_settings, summary):
        html = client.get(PAGE, headers=AUTHORIZED).text

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("banner", "text"),
    [
        (Banner.OPERATIONAL, "All systems operational"),
        (Banner.DEGRADED, "Degraded"),
        (Banner.OUTAGE, "Major outage"),
        (Banner.STARTING, "Starting"),
        (Banner.DRAINING, "Draining"),
    ],
)
def test_each_banner_has_its_words(
    make_settings: Callable[..., Settings], banner: Banner, text: str
) -> None:
    for client in status_client(make_settings, sample_summary(banner)):
        html = client.get(PAGE).text

    assert f'<h1 id="banner-title">{text}</h1>' in html
    assert f"<title>{text} · PetSage status</title>" in html


def test_no_incident_says_so(make_settings: Callable[..., Settings]) -> None:
    summary = sample_summary().model_copy(update={"incidents": []})

    for client in status_client(make_settings, summary):
        html = client.get(PAGE).text

    assert "No incidents in the last 90 days." in html


def test_the_page_is_rendered_once_per_summary_and_detail(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Views read a rendering kept until the next summary: N viewers cost one render each
    for anonymous and authorized callers, and the two never share one."""
    renders: list[bool] = []
    real_render = page.render_page

    def counting(summary: StatusSummary, *, version: int, detail: bool, base: str) -> str:
        renders.append(detail)
        return real_render(summary, version=version, detail=detail, base=base)

    monkeypatch.setattr(page, "render_page", counting)
    anonymous = [client.get(PAGE).content for _ in range(3)]
    authorized = [client.get(PAGE, headers=AUTHORIZED).content for _ in range(3)]

    assert sorted(renders) == [False, True]
    assert len(set(anonymous)) == len(set(authorized)) == 1
    assert SECRET_REASON not in anonymous[0].decode()
    assert SECRET_REASON in authorized[0].decode()

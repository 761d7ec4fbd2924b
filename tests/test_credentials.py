"""`mask_credentials`: a URL's password and secret-looking parameters, masked where they sit."""

from __future__ import annotations

import pytest

from petsage.credentials import mask_credentials
from tests.support.server import run_petsage


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("ftp://admin:S3cret@db.internal/", "ftp://admin:***@db.internal/"),
        ("http://admin:S3 cret@db internal/", "http://admin:***@db internal/"),
        ("http://u:p@ss/w@h/x?api_key=S3cret#top", "http://u:***@h/x?api_key=***#top"),
        ("https://S3cret@github.com/x", "https://***@github.com/x"),
        ("http://x/?a=1&token=S3cret&b=2", "http://x/?a=1&token=***&b=2"),
        ("host=db application_name=pet sage password=S3 cret", "...sage password=***"),
        ("['http://u:S3cret@h', 'x']", "['http://u:***@h', 'x']"),
        ("a http://u:S3cret@h\nthen x@y", "a http://u:***@h\nthen x@y"),
        # Nothing else is touched: a short password's text stays readable around it.
        ('role "app" does not exist', 'role "app" does not exist'),
        ("a=b&password=&c=d", "a=b&password=&c=d"),
    ],
)
def test_only_credentials_are_masked(text: str, masked: str) -> None:
    assert mask_credentials(text).endswith(masked.removeprefix("..."))
    assert "S3" not in mask_credentials(text)


def test_a_huge_value_made_to_backtrack_is_refused_in_one_line() -> None:
    """Masking is linear: with regular expressions that backtracked, this took minutes."""
    result = run_petsage("serve", env={"PETSAGE_PORT": "a.a" * 40_000}, timeout=60)

    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("petsage: invalid setting PETSAGE_PORT: Input should be a valid")
    assert len(line) < 200

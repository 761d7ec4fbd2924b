"""Plain factories for the example resource's tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

PATH = "/example-pets"


def create(api: TestClient, **fields: Any) -> dict[str, Any]:
    """A stored pet (a dog called Rex unless told otherwise), as answered."""
    answer = api.post(PATH, json={"name": "Rex", "species": "dog", **fields})
    assert answer.status_code == 201, answer.text
    stored: dict[str, Any] = answer.json()
    return stored


def problems(answer: Any) -> list[tuple[list[Any], str]]:
    """A 422's problems as (location, type) pairs."""
    assert answer.status_code == 422, answer.text
    return [(each["location"], each["type"]) for each in answer.json()["error"]["problems"]]

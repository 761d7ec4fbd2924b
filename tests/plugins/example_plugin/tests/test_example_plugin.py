"""The plug-in tests itself with PetSage's test kit alone: `client` comes from petsage.testing's
pytest plugin, and the app it starts finds this feature by its entry point, as a user's would.
Run from the plug-in's folder (`pytest`), or as part of PetSage's suite."""

from fastapi.testclient import TestClient


def test_the_installed_feature_greets_and_is_documented(client: TestClient) -> None:
    response = client.get("/example-plugin")
    assert response.status_code == 200
    assert response.json() == {"message": "Hello from an installed feature!"}
    operation = client.get("/openapi.json").json()["paths"]["/example-plugin"]["get"]
    assert operation["tags"] == ["Example Plugin"]

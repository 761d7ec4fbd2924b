from fastapi.testclient import TestClient


def test_root_welcomes(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.json() == {"message": "Welcome to the PetSage API!"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in response.headers


def test_root_answers_head(client: TestClient) -> None:
    response = client.head("/")

    assert response.status_code == 200
    assert response.content == b""

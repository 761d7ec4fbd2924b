"""`GET /me` with the development issuer, in process."""

from pathlib import Path

from fastapi.testclient import TestClient

from petsage.auth.dev_issuer import mint_token
from petsage.auth.settings import AuthSettings
from petsage.main import create_app
from petsage.settings import Settings


def test_me_names_the_caller_of_a_development_token(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    token = mint_token(
        AuthSettings(_env_file=None),
        tmp_path,
        subject="alice",
        scopes=("b", "a"),
        expires_seconds=60,
    )
    with TestClient(create_app(settings)) as client:
        answer = client.get("/me", headers={"authorization": f"Bearer {token}"})
        anonymous = client.get("/me")
    assert answer.json() == {"subject": "alice", "client_id": "petsage-cli", "scopes": ["a", "b"]}
    assert anonymous.status_code == 401

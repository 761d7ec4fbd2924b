#!/usr/bin/env bash
# The README's "Adding a feature" walkthrough, run for real in a throwaway copy of the project:
# generate pet_profile from the issue's request file (tests/blueprint/golden/pet_profile.yaml),
# migrate, lint, type-check, run its tests on SQLite and PostgreSQL, serve it and find it in
# /openapi.json, call it with a token from `petsage auth token` (it is protected: 401 without
# one; another subject's profile is 404); then generate vet_visit, whose `ref` points at pet_profile, check and test both,
# and prove the two migrations chain (one head; up, down to base, up again; `db check` says 0),
# on SQLite and on PostgreSQL. Needs the PostgreSQL server of PETSAGE_TEST_POSTGRES_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/uv/bin:$HOME/.local/bin:$PATH"
export PETSAGE_TEST_POSTGRES_URL="${PETSAGE_TEST_POSTGRES_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}"
export PETSAGE_TEST_REQUIRE_POSTGRES=1
unset PETSAGE_DATABASE_URL PETSAGE_DATA_DIR PETSAGE_FEATURES_DISABLED
started=$SECONDS
work="$(mktemp -d)"
project="$work/project"
server_pid=""
scratch_db="petsage_walkthrough_$$"

step() { echo "-- $* ($((SECONDS - started))s)"; }

# CREATE or DROP the scratch PostgreSQL database, through the maintenance database.
admin() {
  (cd "$project" && uv run --no-sync python - "$1" "$scratch_db" <<'PY'
import asyncio, os, sys
import asyncpg
from sqlalchemy.engine import make_url

verb, name = sys.argv[1], sys.argv[2]
url = make_url(os.environ["PETSAGE_TEST_POSTGRES_URL"]).set(drivername="postgresql", database="postgres")
statement = f'CREATE DATABASE "{name}"' if verb == "create" else f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'

async def main() -> None:
    connection = await asyncpg.connect(url.render_as_string(hide_password=False), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()

asyncio.run(main())
PY
  )
}

cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  if [[ -x "$project/.venv/bin/python" ]]; then admin drop || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step "copy the project to $project (tracked and untracked files, as .gitignore allows)"
mkdir "$project"
git ls-files -z --cached --others --exclude-standard |
  tar --null --files-from=- -cf - | tar -xf - -C "$project"
cd "$project"
uv sync --locked --quiet
export PETSAGE_DATA_DIR="$work/var"

requests=tests/blueprint/golden
step "petsage feature new --from $requests/pet_profile.yaml"
uv run --no-sync petsage feature new --from "$requests/pet_profile.yaml"
step "petsage db upgrade (SQLite, under PETSAGE_DATA_DIR)"
uv run --no-sync petsage db upgrade
step "ruff check, ruff format --check, mypy (strict), lint-imports"
uv run --no-sync ruff check .
uv run --no-sync ruff format --check .
uv run --no-sync mypy
uv run --no-sync lint-imports
step "the new feature's tests, on SQLite and PostgreSQL"
uv run --no-sync pytest src/petsage/features/pet_profile -q -p no:cacheprovider --no-cov

step "petsage serve: /openapi.json and /docs show it; a profile is created with a token"
port="$(uv run --no-sync python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
uv run --no-sync petsage serve --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
# Generous: on a busy two-core machine a cold start takes tens of seconds.
for _ in $(seq 1 300); do
  curl -fs "$base/system/health" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.2
done
curl -fsS "$base/openapi.json" | uv run --no-sync python -c '
import json, sys
schema = json.load(sys.stdin)
assert {"get", "post"} <= set(schema["paths"]["/pet-profiles"]), schema["paths"].keys()
assert {"get", "patch", "delete"} <= set(schema["paths"]["/pet-profiles/{id}"])
assert schema["paths"]["/pet-profiles"]["post"]["tags"] == ["Pet Profile"]
assert schema["paths"]["/pet-profiles"]["post"]["security"] == [{"AccessToken": ["pet_profile:write"]}]
print("/openapi.json: /pet-profiles and /pet-profiles/{id}, tag Pet Profile, scope pet_profile:write")'
curl -fsS "$base/docs" | grep -q "swagger" && echo "/docs: served"
# Protected by default: no token, 401; the development issuer's token (same PETSAGE_DATA_DIR).
status="$(curl -sS -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
  -d '{"name": "Rex", "species": "dog"}' "$base/pet-profiles")"
[[ "$status" == 401 ]] || { echo "POST without a token: $status, not 401" >&2; exit 1; }
echo "POST /pet-profiles without a token: 401"
alice="$(uv run --no-sync petsage auth token --subject alice --scope "pet_profile:read pet_profile:write")"
bob="$(uv run --no-sync petsage auth token --subject bob --scope "pet_profile:read pet_profile:write")"
curl -fsS -D "$work/headers" -o /dev/null -H 'content-type: application/json' \
  -H "authorization: Bearer $alice" -d '{"name": "Rex", "species": "dog"}' "$base/pet-profiles"
grep -qi '^location: /pet-profiles/1' "$work/headers" && echo "POST /pet-profiles (alice): 201, Location /pet-profiles/1"
curl -fsS -o /dev/null -H "authorization: Bearer $alice" "$base/pet-profiles/1" && echo "GET /pet-profiles/1 (alice): 200"
status="$(curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $bob" "$base/pet-profiles/1")"
[[ "$status" == 404 ]] || { echo "bob's GET of alice's profile: $status, not 404" >&2; exit 1; }
echo "GET /pet-profiles/1 (bob): 404, another owner's profile"
kill "$server_pid" && wait "$server_pid" || true
server_pid=""

step "a second resource with a ref to the first: petsage feature new --from $requests/vet_visit.yaml"
uv run --no-sync petsage feature new --from "$requests/vet_visit.yaml"
uv run --no-sync ruff check . && uv run --no-sync ruff format --check .
uv run --no-sync mypy && uv run --no-sync lint-imports
grep -q 'requires=("pet_profile",)' src/petsage/features/vet_visit/__init__.py
step "both features' tests, on SQLite and PostgreSQL"
uv run --no-sync pytest src/petsage/features/pet_profile src/petsage/features/vet_visit \
  -q -p no:cacheprovider --no-cov
uv run --no-sync python -c '
from alembic.script import ScriptDirectory
script = ScriptDirectory("src/petsage/migrations")
heads = script.get_heads()
assert len(heads) == 1, heads
vet = script.get_revision(heads[0])
pet = script.get_revision(vet.down_revision)
assert vet.path.endswith("_vet_visit.py") and pet.path.endswith("_pet_profile.py"), (vet, pet)
print(f"one head: {vet.revision} (vet_visit) -> {pet.revision} (pet_profile) -> {pet.down_revision}")'

alembic=(uv run --no-sync alembic -c src/petsage/migrations/alembic.ini)
# Up to the head, down to base (both tables go), up again; `petsage db check` exits 0 at the end.
round_trip() {
  uv run --no-sync petsage db upgrade
  "${alembic[@]}" downgrade base
  uv run --no-sync petsage db upgrade
  uv run --no-sync petsage db check
}
step "the chain on SQLite: vet_visit is pending over pet_profile, then up, down to base and up again"
if uv run --no-sync petsage db check; then echo "vet_visit should be pending" >&2; exit 1; fi
round_trip
step "the chain on PostgreSQL, from an empty scratch database"
admin create
PETSAGE_DATABASE_URL="$(uv run --no-sync python -c '
import os, sys
from sqlalchemy.engine import make_url
url = make_url(os.environ["PETSAGE_TEST_POSTGRES_URL"]).set(database=sys.argv[1])
print(url.render_as_string(hide_password=False))' "$scratch_db")"
export PETSAGE_DATABASE_URL
round_trip
step "walkthrough passed"

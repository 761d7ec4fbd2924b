"""PetSage's test kit: a pytest plugin for features, built in or installed as plug-ins.

Installing PetSage registers the plugin (`pytest11` entry point, `petsage.testing.plugin`), so
any feature's tests, wherever they live, get these fixtures without importing anything:

- `make_settings(**overrides)`: `Settings` isolated from the environment and `.env`, with data
  under the test's `tmp_path`; `client`: an in-process `TestClient` of the app, lifespan
  included (`petsage.testing.app`).
- `sqlite_url`, `postgres_url`: a fresh, empty database; `database_url`: the same test on both
  (the PostgreSQL case carries the `postgres` mark); `database_settings`, `migrated_settings`:
  settings on `database_url`, the latter at the head revision (`petsage.testing.databases`).

And helpers to import:
- `petsage.testing.server`: a real `petsage serve` on a free port (`petsage_server`), and
  short `petsage` commands (`run_petsage`);
- `petsage.testing.health`: a check whose outcome a test sets (`Switch`), and waiting on the
  health engine's rounds;
- `petsage.testing.stub_http`: a real HTTP dependency answering what a test says.
- `petsage.testing.tokens`: access tokens from the development issuer the app under test
  trusts (`AccessTokens(data_dir).headers("alice", "pet_profile:read")`).
- `petsage.testing.resource_contract`: `ResourceContract`, the parametrised contract suite of
  a `petsage.resources` resource (subclass it in the resource's tests).

Production code never imports this package (an import-linter contract in pyproject.toml).
"""

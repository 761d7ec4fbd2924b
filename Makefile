# Entry points for people and CI alike. `bash scripts/bootstrap.sh` makes uv available first.
UV ?= uv

.PHONY: setup serve test coverage lint typecheck check bench soak

# Bytecode compiled once (see scripts/bootstrap.sh): PYTHONDONTWRITEBYTECODE would otherwise
# make every process compile its imports from source.
setup:
	$(UV) sync --locked --compile-bytecode
	$(UV) run python -m compileall -q src

# Served as the image serves it, without the dev dependencies: the tests' example plug-in
# (one of them) would otherwise be discovered, and its route served and in /openapi.json.
serve:
	$(UV) sync --locked --no-dev --compile-bytecode
	$(UV) run --no-dev python -m compileall -q src
	$(UV) run --no-dev petsage serve

# The same options as scripts/bootstrap.sh test (the README explains them).
PARALLEL = -n auto --dist loadfile --no-loadscope-reorder

test: setup
	$(UV) run pytest $(PARALLEL)

# The same suite under coverage's tracer, with the 90% gate (CI runs it after `test`).
coverage: setup
	$(UV) run pytest $(PARALLEL) --cov --cov-report=term

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run lint-imports

typecheck: setup
	$(UV) run mypy
	MYPYPATH=src:bench $(UV) run mypy --explicit-package-bases bench

check: lint typecheck test coverage

bench: setup
	$(UV) run python bench/run.py

# 30 minutes of mixed load, PostgreSQL (a throwaway cluster) stopped every 5; SOAK_ARGS to change.
soak: setup
	$(UV) run python bench/soak.py --minutes 30 --db-cycle-minutes 5 $(SOAK_ARGS)

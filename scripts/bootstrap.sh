#!/usr/bin/env bash
# Make `uv` available on a machine that has only Python 3.11+ and pip, then run `make TARGET`
# or, without make, the same uv commands. Used by the README's two commands and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

# uv, installed where pip allows: the user site first; else, where the system Python refuses
# (PEP 668, "externally managed", as on Debian), a virtual environment of its own in .tools/.
export PATH="$PWD/.tools/uv/bin:$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --user "uv>=0.5" 2>/dev/null ||
    { python3 -m venv .tools/uv && .tools/uv/bin/python -m pip install --quiet "uv>=0.5"; }
  command -v uv >/dev/null 2>&1 || { echo "bootstrap: could not install uv with pip" >&2; exit 1; }
fi

# The suite on every core (pytest-xdist); see the README's "Two commands" for why these options.
PARALLEL="-n auto --dist loadfile --no-loadscope-reorder"
# Bytecode compiled once, here (a few seconds): where PYTHONDONTWRITEBYTECODE is set, as on CI
# machines, every process would otherwise compile FastAPI, SQLAlchemy and PetSage from source
# again, and the tests start a hundred `petsage serve` processes (the suite on a fresh clone:
# 6 min 7 s without this, 4 min 48 s with it).
compile() { uv sync --locked --compile-bytecode "$@" && uv run "$@" python -m compileall -q src; }
target="${1:-test}"
case "$target" in
  # Served as the image serves it, without the dev dependencies: the tests' example plug-in
  # (one of them) would otherwise be discovered, and its route served and in /openapi.json.
  serve) compile --no-dev && exec uv run --no-dev petsage serve ;;
  # The whole suite, untraced: coverage's tracer nearly doubles the CPU of every test and of
  # every process the tests start (the pet features' contract on SQLite, 242 tests: 10.8 s of
  # CPU without it, 19.2 s with it), and the suite is bound by the machine's two cores.
  test) compile && exec uv run pytest $PARALLEL ;;
  # The same suite, traced, with the 90% gate: CI runs it after `test`.
  coverage) compile && exec uv run pytest $PARALLEL --cov --cov-report=term ;;
  lint) uv sync --locked && uv run ruff check . && uv run ruff format --check . && exec uv run lint-imports ;;
  # The benchmarks too: a call that no longer matches a harness function fails here, not in
  # the middle of a 35-minute `make bench`.
  typecheck) uv sync --locked && uv run mypy && MYPYPATH=src:bench exec uv run mypy --explicit-package-bases bench ;;
  *) echo "usage: scripts/bootstrap.sh [serve|test|coverage|lint|typecheck]" >&2; exit 2 ;;
esac

# syntax=docker/dockerfile:1
# PetSage image. `builder` installs the locked dependencies and the package into a virtual
# environment with uv; `runtime` copies that environment alone onto the same slim Python image
# and runs it as an unprivileged numeric user. No compiler, uv or source tree ships.
#
#   docker build --build-arg PETSAGE_GIT_COMMIT="$(git rev-parse HEAD)" -t petsage:1.0.0 .
#   docker run --rm -p 8000:8000 --stop-timeout 20 -v petsage-data:/var/lib/petsage petsage:1.0.0
#
# tests/deploy/test_container.py checks these rules and replays the builder stage without Docker.

# Both stages must use the same image: the environment's interpreter is a link to its Python.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# The uv that wrote uv.lock.
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

FROM ${PYTHON_IMAGE} AS builder
COPY --from=uv /uv /usr/local/bin/uv
# Bytecode is compiled here because the runtime file system is read-only in Kubernetes.
# Copy mode: the cache mount is another file system, so hard links would fail.
# Never download a Python: use the image's, the one the runtime stage runs.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/petsage
WORKDIR /build
# The dependencies first, in a layer of their own: rebuilt only when the lock file changes.
# --frozen installs exactly what uv.lock pins. CI's `uv sync --locked` proves the lock matches
# pyproject.toml; checking it again here would need the sources of the dev-only example
# plug-in (tests/plugins), which this context leaves out.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
# Then the package itself, installed as a regular wheel: the runtime gets no source tree.
COPY README.md ./
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

FROM ${PYTHON_IMAGE} AS runtime
# A numeric user and group: Kubernetes' runAsNonRoot can verify a number, never a name.
RUN groupadd --system --gid 10001 petsage \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin petsage \
    && install --directory --owner=10001 --group=10001 --mode=0750 /var/lib/petsage
# Owned by root: the service can read its code but never rewrite it.
COPY --from=builder /opt/petsage /opt/petsage
# Production mode: the image serves on every address, so it takes its access tokens from the
# provider named by PETSAGE_AUTH_ISSUER (and PETSAGE_AUTH_AUDIENCE), set at `docker run`.
# Without it `petsage serve` refuses to start (the development issuer is for loopback only)
# unless PETSAGE_AUTH_DEV_ISSUER_ALLOW_REMOTE=true says so (README, "Authentication").
ENV PATH=/opt/petsage/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PETSAGE_HOST=0.0.0.0 \
    PETSAGE_PORT=8000 \
    PETSAGE_DATA_DIR=/var/lib/petsage
# The embedded SQLite database (the default) lives here; mount a volume to keep it.
VOLUME ["/var/lib/petsage"]
USER 10001:10001
EXPOSE 8000
# `petsage check` imports only the standard library: cheap every interval, no curl needed.
# Its own timeout (2 s) is below Docker's (5 s), so a slow answer is reported, not killed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["petsage", "check", "live"]
# Exec form: petsage is PID 1 and receives SIGTERM itself, then drains (see README).
CMD ["petsage", "serve"]
# Last, so that a new commit rebuilds only the metadata layers.
ARG PETSAGE_GIT_COMMIT=unknown
ENV PETSAGE_GIT_COMMIT=${PETSAGE_GIT_COMMIT}
LABEL org.opencontainers.image.title="PetSage" \
      org.opencontainers.image.description="The wise backend for all your pet's needs." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.revision="${PETSAGE_GIT_COMMIT}"

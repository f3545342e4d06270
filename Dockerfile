# One image for every edureg service; the command picks the service:
#   edureg-identity | edureg-contingent | edureg-schedule | edureg-journal |
#   edureg-reporting | edureg-portal | edureg-migrate <service>|streams
# Production dependencies only (`--no-dev`): no embedded PostgreSQL or NATS, no test
# tools (tests/test_deployment.py checks the lock's production set).
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir "uv>=0.5"
WORKDIR /app
# The whole workspace: every member's pyproject is read to resolve the lock; the dev-only
# member (tools/devstack) is present but not installed.
COPY pyproject.toml uv.lock ./
COPY shared shared
COPY services services
COPY tools tools
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev
# Workspace members stay editable: edureg-migrate finds each service's alembic.ini and
# migrations beside its package.

FROM python:3.11-slim
RUN useradd --system --uid 10001 --no-create-home edureg
WORKDIR /app
COPY --from=build --chown=root:root /app /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
USER edureg
EXPOSE 8000 8001 8002 8003 8004 8005
CMD ["edureg-portal"]

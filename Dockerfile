# One image for every edureg service; the command picks the service:
#   edureg-identity | edureg-contingent | edureg-schedule | edureg-journal |
#   edureg-reporting | edureg-portal | edureg-migrate <service>
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir "uv>=0.5"
WORKDIR /app
# Dependencies first (cached while only the code changes).
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/pyproject.toml
COPY tools/devstack/pyproject.toml tools/devstack/pyproject.toml
COPY services/identity/pyproject.toml services/identity/pyproject.toml
COPY services/contingent/pyproject.toml services/contingent/pyproject.toml
COPY services/schedule/pyproject.toml services/schedule/pyproject.toml
COPY services/journal/pyproject.toml services/journal/pyproject.toml
COPY services/reporting/pyproject.toml services/reporting/pyproject.toml
COPY services/portal/pyproject.toml services/portal/pyproject.toml
RUN uv sync --frozen --no-dev --all-packages --no-install-workspace
COPY shared shared
COPY tools tools
COPY services services
# Workspace members stay editable: edureg-migrate finds each service's alembic.ini and
# migrations beside its package.
RUN uv sync --frozen --no-dev --all-packages

FROM python:3.11-slim
RUN useradd --system --uid 10001 --no-create-home edureg
WORKDIR /app
COPY --from=build --chown=edureg:edureg /app /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
USER edureg
EXPOSE 8000 8001 8002 8003 8004 8005
CMD ["edureg-portal"]

"""Settings base shared by every service. Each service subclasses it with its own env prefix."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Common settings; a service sets `model_config = SettingsConfigDict(env_prefix=...)`.

    Environment variables are the only source (plus an optional .env file): no module
    reads os.environ on its own.
    """

    model_config = SettingsConfigDict(env_prefix="EDUREG_", extra="ignore")

    service_name: str = "edureg"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    public_url: str | None = None

    # The application role: neither owner, superuser nor BYPASSRLS.
    database_url: str = "postgresql+asyncpg://app@127.0.0.1:5432/edureg"
    # The relay role: reads and deletes the outbox only.
    relay_database_url: str | None = None
    # (The owner role's credential is never in a running service's settings: only
    # `edureg-migrate` has it. At start a service refuses to run as an owner, a
    # superuser or a BYPASSRLS role.)
    db_pool_size: int = 10
    db_max_overflow: int = 10
    # The database URL is a PgBouncer in transaction mode (docs/citus.md): no prepared
    # statement is kept between transactions.
    db_pgbouncer: bool = False
    # Bearer token a Prometheus scrape of /metrics must carry; open when unset.
    metrics_token: SecretStr | None = None

    nats_url: str = "nats://127.0.0.1:4222"
    # The service's own broker user: it may publish only its own subjects and read only
    # the events it consumes (edureg_admin.broker).
    nats_user: str | None = None
    nats_password: SecretStr | None = None
    # CA bundle for a broker with TLS (compose, k8s); none on loopback in development.
    nats_tls_ca_file: str | None = None
    # Prefix of every subject and stream name: lets tests share one NATS server.
    nats_prefix: str = ""
    nats_stream_replicas: int = 1
    # A node that stops answering (frozen, or cut off by the network) keeps its socket
    # open: the client notices only when pings go unanswered. Every 10 s, three missed:
    # about half a minute to move to another node of the cluster.
    nats_ping_interval_s: int = 10
    nats_max_outstanding_pings: int = 3
    consumer_max_deliver: int = 5
    # An event waiting for another (NotYet) or for the database is retried, not
    # dead-lettered, for this long after it occurred.
    consumer_dependency_wait_s: float = 24 * 3600
    consumer_backoff_base_s: float = 0.5
    consumer_backoff_max_s: float = 30.0
    consumer_ack_wait_s: float = 30.0
    consumer_batch_size: int = 100
    # How long one idle pull request waits on the server: an idle consumer costs one
    # request per this interval, and a new event is handed over the moment it arrives.
    consumer_long_poll_s: float = 30.0
    outbox_batch_size: int = 500
    # The relay is woken by NOTIFY at every commit that wrote events; this is only the
    # safety net for a lost notification (an idle system polls twice a minute).
    outbox_poll_interval_s: float = 30.0

    # JWT verification: every service trusts the issuer's JWKS, whoever the issuer is.
    jwt_issuer: str = "edureg-identity"
    jwt_audience: str = "edureg"
    jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"

    # Largest request body accepted (bytes); a larger one is refused with 413 before any
    # other work. 1 MiB: an enrolment order of 1,000 students is about 300 KiB.
    max_body_bytes: int = 1024 * 1024
    # Paths that take a file (an import), and how large it may be: 10 MiB holds a
    # spreadsheet of well over 10,000 students.
    upload_paths: tuple[str, ...] = ()
    max_upload_bytes: int = 10 * 1024 * 1024

    # /docs and /openapi.json; a deployment turns them off where they would be public.
    expose_docs: bool = True

    log_level: str = "INFO"
    log_format: str = Field(default="json", pattern="^(json|text)$")
    otel_exporter_otlp_endpoint: str | None = None
    # Writes finished spans as JSON lines here (dev and tests); empty disables.
    otel_spans_file: str | None = None

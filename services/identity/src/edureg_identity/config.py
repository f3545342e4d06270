from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from edureg_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDUREG_IDENTITY_", extra="ignore")

    service_name: str = "identity"
    http_port: int = 8001
    public_url: str | None = "http://127.0.0.1:8001"
    database_url: str = "postgresql+asyncpg://edureg_identity_app@127.0.0.1:5432/edureg_identity"
    # Where people sign in: printed on credential slips.
    portal_public_url: str = "http://127.0.0.1:8000"

    # RS256 signing keys: current.pem, next.pem, previous.pem (edureg_identity.keys).
    # Generated on first start when missing and allowed (development); production mounts
    # the directory from a secret and sets jwt_key_autogenerate=false.
    jwt_keys_dir: str = ".edureg/jwt"
    jwt_key_autogenerate: bool = True
    # Short-lived: an access token cannot be revoked before it expires (logout revokes
    # the refresh tokens), so its life is what a stolen one is worth.
    access_token_ttl_s: int = 600
    # A sign-in lasts a school day at most without signing in again.
    refresh_token_ttl_s: int = 12 * 3600
    # A token for an account with a one-time password only allows changing it.
    password_change_token_ttl_s: int = 600

    # Back-off per account and client address (edureg_identity.domain.lockout).
    login_free_failures: int = 3
    login_backoff_base_s: float = 2.0
    login_backoff_max_s: float = 900.0
    # ... per account from any address (a guessing spread over many addresses).
    login_account_free_failures: int = 20
    # ... and per client address across accounts (password spraying). A whole school
    # behind one NAT address shares this, hence the generous default.
    login_address_max_failures: int = 100
    login_address_window_s: int = 600
    # Requests from these addresses may name the client's address in X-Forwarded-For
    # (the portal, a reverse proxy); from anyone else the header is ignored.
    trusted_proxies: list[str] = Field(default_factory=list)

    # Password hashing is memory-hard (64 MiB each): at most budget/64 at once; beyond
    # `login_queue_limit` waiting, a login is refused with 503 at once.
    hash_memory_budget_mib: int = 256
    login_queue_limit: int = 64
    # argon2id cost of new hashes (RFC 9106 low-memory profile by default). Lower only for
    # the test suite's throwaway accounts.
    password_hash_memory_kib: int = 64 * 1024
    password_hash_time_cost: int = 3

    # Who else holds the accounts: "builtin" (identity alone, the default) or "keycloak"
    # (every account, organisation and position also kept in one Keycloak realm, from
    # identity's own events; edureg_identity.keycloak).
    provider: Literal["builtin", "keycloak"] = "builtin"
    keycloak_url: str = ""
    keycloak_realm: str = "edureg"
    keycloak_client_id: str = "edureg-identity"
    keycloak_client_secret: SecretStr | None = None
    keycloak_calls_per_second: float = 20.0

from pydantic_settings import SettingsConfigDict

from edureg_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDUREG_IDENTITY_", extra="ignore")

    service_name: str = "identity"
    http_port: int = 8001
    public_url: str | None = "http://127.0.0.1:8001"
    database_url: str = "postgresql+asyncpg://edureg_identity_app@127.0.0.1:5432/edureg_identity"

    # RS256 signing key (PEM). Generated on first start when missing and allowed (dev);
    # production mounts a secret and sets jwt_key_autogenerate=false.
    jwt_private_key_path: str = ".edureg/jwt_private_key.pem"
    jwt_key_autogenerate: bool = True
    access_token_ttl_s: int = 900

    max_failed_logins: int = 5
    lockout_s: int = 900

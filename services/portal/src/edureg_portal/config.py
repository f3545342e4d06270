from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from edureg_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """The portal has no database of its own: it calls the services with the user's token."""

    model_config = SettingsConfigDict(env_prefix="EDUREG_PORTAL_", extra="ignore")

    service_name: str = "portal"
    http_port: int = 8000
    identity_url: str = "http://127.0.0.1:8001"
    contingent_url: str = "http://127.0.0.1:8002"
    schedule_url: str = "http://127.0.0.1:8003"
    journal_url: str = "http://127.0.0.1:8004"
    reporting_url: str = "http://127.0.0.1:8005"
    portal_url: str = "http://127.0.0.1:8000"
    cookie_secure: bool = False
    # The reverse proxy or Ingress in front of the portal: from these addresses only, the
    # client's address is taken from X-Forwarded-For (identity throttles sign-ins by it).
    trusted_proxies: list[str] = Field(default_factory=list)
    # Key of the CSRF tokens (HMAC). Set it (the same on every replica) in a deployment;
    # when empty a random one is made at start, and open forms expire on a restart.
    csrf_secret: SecretStr = SecretStr("")
    # Spreadsheets of students are uploaded through the portal's import page, homework
    # files through the lesson's page: only these may be larger than `max_body_bytes`.
    upload_paths: tuple[str, ...] = ("/imports", "/homework/")

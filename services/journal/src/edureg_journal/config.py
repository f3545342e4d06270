from pydantic_settings import SettingsConfigDict

from edureg_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDUREG_JOURNAL_", extra="ignore")

    service_name: str = "journal"
    http_port: int = 8004
    database_url: str = "postgresql+asyncpg://edureg_journal_app@127.0.0.1:5432/edureg_journal"
    # Homework files (up to 8 MiB each, domain.files) are uploaded here, and only here
    # may a request be larger than `max_body_bytes` (up to `max_upload_bytes`).
    upload_paths: tuple[str, ...] = ("/api/v1/homework/",)

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from edureg_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDUREG_CONTINGENT_", extra="ignore")

    service_name: str = "contingent"
    http_port: int = 8002
    database_url: str = (
        "postgresql+asyncpg://edureg_contingent_app@127.0.0.1:5432/edureg_contingent"
    )
    # The region's key for comparing guardians across organisations by a keyed hash of
    # their СНИЛС (identity never sees the number). Without it guardians are not matched.
    person_match_key: SecretStr | None = None
    # Spreadsheets of students are uploaded here (up to `max_upload_bytes`).
    upload_paths: tuple[str, ...] = ("/api/v1/imports",)

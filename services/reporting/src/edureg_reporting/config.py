from pydantic_settings import SettingsConfigDict

from edureg_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDUREG_REPORTING_", extra="ignore")

    service_name: str = "reporting"
    http_port: int = 8005
    # The region's clock: which day a lesson was entered on, and what "today" is.
    timezone: str = "Europe/Moscow"
    database_url: str = "postgresql+asyncpg://edureg_reporting_app@127.0.0.1:5432/edureg_reporting"

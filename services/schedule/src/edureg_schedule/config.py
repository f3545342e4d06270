from pydantic_settings import SettingsConfigDict

from edureg_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDUREG_SCHEDULE_", extra="ignore")

    service_name: str = "schedule"
    http_port: int = 8003
    database_url: str = "postgresql+asyncpg://edureg_schedule_app@127.0.0.1:5432/edureg_schedule"

    # The organisations' local time (lesson times in iCalendar feeds).
    timezone: str = "Europe/Moscow"
    # How often the watcher looks for periods that have ended (`period.ended`).
    period_watch_interval_s: float = 300.0

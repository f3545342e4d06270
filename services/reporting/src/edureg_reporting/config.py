from pydantic_settings import SettingsConfigDict

from edureg_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDUREG_REPORTING_", extra="ignore")

    service_name: str = "reporting"
    http_port: int = 8005
    # The region's clock: which day a lesson was entered on, and what "today" is.
    timezone: str = "Europe/Moscow"
    # Background report jobs (docs/reports.md): how long a job may run, how long a silent
    # worker's job waits before another takes it, how many times it is tried.
    report_job_time_limit_s: int = 600
    report_job_lease_s: int = 60
    report_job_max_attempts: int = 2
    report_job_poll_s: float = 1.0
    database_url: str = "postgresql+asyncpg://edureg_reporting_app@127.0.0.1:5432/edureg_reporting"

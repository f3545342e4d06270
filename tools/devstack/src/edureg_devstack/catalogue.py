"""The services of the system: name, default port, where their migrations live."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    port: int
    title: str
    # The portal keeps no data of its own: it calls the other services.
    has_database: bool = True

    @property
    def env_prefix(self) -> str:
        return f"EDUREG_{self.name.upper()}_"

    @property
    def database(self) -> str:
        return f"edureg_{self.name}"

    @property
    def service_dir(self) -> Path:
        """The folder with alembic.ini: found from the installed package (src layout)."""
        spec = importlib.util.find_spec(f"edureg_{self.name}")
        if spec is None or spec.origin is None:
            raise RuntimeError(f"package edureg_{self.name} is not installed")
        return Path(spec.origin).resolve().parents[2]


SERVICES = (
    ServiceInfo("identity", 8001, "Учётные записи и вход"),
    ServiceInfo("contingent", 8002, "Контингент и приказы"),
    ServiceInfo("schedule", 8003, "Учебный год и расписание"),
    ServiceInfo("journal", 8004, "Журнал и списки групп"),
    ServiceInfo("reporting", 8005, "Отчёты и мониторинг"),
    ServiceInfo("portal", 8000, "Веб-портал", has_database=False),
)

BY_NAME = {s.name: s for s in SERVICES}
WITH_DATABASE = tuple(s for s in SERVICES if s.has_database)

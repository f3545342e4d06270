"""Reporting as the rest of the system sees it (see edureg_shared.events.manifest)."""

from edureg_reporting.config import Settings
from edureg_reporting.messaging.subscribers import CONSUMES
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="reporting",
    title="Отчёты и мониторинг",
    settings=Settings,
    permissions=(
        ("reporting.read", "Отчёты и соблюдение сроков организации (все группы)"),
        (
            "reporting.regulations.write",
            "Свои сроки регламента организации (где её положение отличается от регионального)",
        ),
        (
            "region.reports.read",
            "Мониторинг организаций региона: сроки, наполняемость, движение, активность "
            "(без персональных данных)",
        ),
        ("region.regulations.write", "Региональный профиль сроков регламента"),
    ),
    consumes=CONSUMES,
)

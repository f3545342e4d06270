"""Reporting as the rest of the system sees it (see edureg_shared.events.manifest)."""

from edureg_reporting.config import Settings
from edureg_reporting.messaging.subscribers import CONSUMES
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="reporting",
    title="Отчёты и мониторинг",
    settings=Settings,
    permissions=(("reporting.read", "Просмотр отчётов"),),
    consumes=CONSUMES,
)

"""Schedule as the rest of the system sees it (see edureg_shared.events.manifest)."""

from edureg_schedule.config import Settings
from edureg_schedule.contracts.events import PUBLISHES
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="schedule",
    title="Учебный год и расписание",
    settings=Settings,
    permissions=(
        ("schedule.read", "Просмотр учебного года и расписания"),
        ("schedule.write", "Изменение учебного года и расписания"),
    ),
    publishes=PUBLISHES,
)

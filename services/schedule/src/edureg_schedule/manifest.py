"""Schedule as the rest of the system sees it (see edureg_shared.events.manifest)."""

from edureg_schedule.config import Settings
from edureg_schedule.contracts.events import PUBLISHES
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="schedule",
    title="Учебный год и расписание",
    settings=Settings,
    publishes=PUBLISHES,
)

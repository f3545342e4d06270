"""Schedule as the rest of the system sees it (see edureg_shared.events.manifest)."""

from edureg_schedule.config import Settings
from edureg_schedule.contracts.events import PUBLISHES
from edureg_schedule.messaging.subscribers import CONSUMES
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="schedule",
    title="Учебный год и расписание",
    settings=Settings,
    permissions=(
        ("schedule.read", "Просмотр учебного года, планов, нагрузки и расписания"),
        ("schedule.write", "Учебный год, планы, нагрузка, звонки, расписание и его замены"),
        ("region.calendar.write", "Производственный календарь региона (переносы, праздники)"),
    ),
    publishes=PUBLISHES,
    consumes=CONSUMES,
)

"""Contingent as the rest of the system sees it (see edureg_shared.events.manifest)."""

from edureg_contingent.config import Settings
from edureg_contingent.contracts.events import PUBLISHES
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="contingent",
    title="Контингент и приказы",
    settings=Settings,
    publishes=PUBLISHES,
)

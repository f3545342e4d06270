"""The portal as the rest of the system sees it: no database, no events of its own."""

from edureg_portal.config import Settings
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="portal",
    title="Веб-портал",
    settings=Settings,
    has_database=False,
    has_broker=False,
)

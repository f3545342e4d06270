"""Identity as the rest of the system sees it (see edureg_shared.events.manifest)."""

from edureg_identity.config import Settings
from edureg_identity.contracts.events import PUBLISHES
from edureg_identity.messaging.subscribers import CONSUMES
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="identity",
    title="Учётные записи и вход",
    settings=Settings,
    publishes=PUBLISHES,
    consumes=CONSUMES,
)

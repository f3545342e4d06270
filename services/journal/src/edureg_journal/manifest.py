"""Journal as the rest of the system sees it (see edureg_shared.events.manifest)."""

from edureg_journal.config import Settings
from edureg_journal.contracts.events import PUBLISHES
from edureg_journal.messaging.subscribers import CONSUMES
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="journal",
    title="Журнал и списки групп",
    settings=Settings,
    permissions=(
        ("journal.rosters.read", "Просмотр составов групп и журналов уроков"),
        ("journal.marks.write", "Оценки, посещаемость, тема и задание своих уроков"),
        ("journal.read.all", "Просмотр журналов всех групп и предметов"),
        (
            "journal.marks.write.any",
            "Исправление журнала любого урока (если это разрешено настройками организации)",
        ),
        ("journal.settings.write", "Настройки журнала: виды работ, веса, пороги, правила"),
        ("journal.periods.manage", "Открытие закрытого периода для исправлений (с причиной)"),
    ),
    publishes=PUBLISHES,
    consumes=CONSUMES,
)

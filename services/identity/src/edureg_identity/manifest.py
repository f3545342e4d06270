"""Identity as the rest of the system sees it (see edureg_shared.events.manifest)."""

from edureg_identity.config import Settings
from edureg_identity.contracts.events import PUBLISHES
from edureg_identity.messaging.subscribers import CONSUMES
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="identity",
    title="Учётные записи и вход",
    settings=Settings,
    permissions=(
        ("identity.accounts.read", "Просмотр всех учётных записей организации"),
        (
            "identity.accounts.read.own_groups",
            "Просмотр учётных записей обучающихся своих групп и их родителей",
        ),
        (
            "identity.credentials.issue.learners",
            "Выдача одноразовых паролей обучающимся и родителям организации",
        ),
        (
            "identity.credentials.issue.own_groups",
            "Выдача одноразовых паролей обучающимся своих групп и их родителям",
        ),
        ("identity.credentials.issue.staff", "Выдача одноразовых паролей сотрудникам"),
        (
            "identity.accounts.manage",
            "Отключение и включение учётных записей сотрудников, исправление логинов",
        ),
        (
            "identity.positions.manage",
            "Создание должностей с набором прав и назначение их сотрудникам",
        ),
        ("identity.activity.read", "Журнал входов и активности пользователей организации"),
        ("region.accounts.administer", "Реестр организаций региона, доступ их администраторов"),
        (
            "region.monitoring.read",
            "Сводные показатели организаций региона (без персональных данных)",
        ),
    ),
    publishes=PUBLISHES,
    consumes=CONSUMES,
)

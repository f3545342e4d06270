"""Contingent as the rest of the system sees it (see edureg_shared.events.manifest)."""

from edureg_contingent.config import Settings
from edureg_contingent.contracts.events import PUBLISHES
from edureg_contingent.messaging.subscribers import CONSUMES
from edureg_shared.events.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="contingent",
    title="Контингент и приказы",
    settings=Settings,
    permissions=(
        ("contingent.groups.read", "Просмотр групп и классов"),
        ("contingent.groups.write", "Создание и изменение групп, назначение кураторов"),
        ("contingent.students.read", "Просмотр личных дел обучающихся"),
        ("contingent.students.write", "Изменение личных дел обучающихся"),
        ("contingent.orders.read", "Просмотр приказов"),
        ("contingent.orders.write", "Подготовка приказов"),
        ("contingent.orders.sign", "Подписание приказов"),
        ("contingent.admissions.read", "Просмотр приёмной кампании и рейтинга абитуриентов"),
        ("contingent.admissions.write", "Приём заявлений абитуриентов"),
        ("contingent.staff.read", "Просмотр кадровых карточек сотрудников"),
        ("contingent.staff.write", "Кадровые карточки, приказы о приёме и увольнении"),
        ("contingent.profile.read", "Просмотр профиля организации"),
        (
            "contingent.profile.write",
            "Изменение профиля организации (реквизиты, лицензия, аккредитация)",
        ),
    ),
    publishes=PUBLISHES,
    consumes=CONSUMES,
)

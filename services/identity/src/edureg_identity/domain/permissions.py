"""The permission catalogue and the standard positions every organisation starts with.

Permissions are fine-grained strings; positions bundle them per organisation and can be
customised later (003 3.3.2: positions with an individual set of rights).
"""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "contingent.groups.read": "Просмотр групп и классов",
    "contingent.groups.write": "Создание и изменение групп",
    "contingent.students.read": "Просмотр личных дел обучающихся",
    "contingent.orders.read": "Просмотр приказов",
    "contingent.orders.write": "Подготовка приказов",
    "contingent.orders.sign": "Подписание приказов",
    "identity.accounts.read": "Просмотр учётных записей",
    "identity.credentials.issue": "Выдача одноразовых паролей",
    "journal.rosters.read": "Просмотр составов групп",
    "reporting.read": "Просмотр отчётов",
    "schedule.read": "Просмотр учебного года и расписания",
    "schedule.write": "Изменение учебного года и расписания",
}

_TEACHER = ["contingent.groups.read", "journal.rosters.read", "schedule.read"]

STANDARD_POSITIONS: dict[str, tuple[str, list[str]]] = {
    "admin": ("Администратор организации", sorted(PERMISSIONS)),
    "secretary": (
        "Секретарь учебной части",
        sorted(
            [p for p in PERMISSIONS if p.startswith("contingent.")]
            + ["identity.accounts.read", "identity.credentials.issue"]
        ),
    ),
    "teacher": ("Учитель/преподаватель", sorted(_TEACHER)),
    "curator": (
        "Классный руководитель/куратор",
        sorted(
            [
                *_TEACHER,
                "contingent.students.read",
                "identity.accounts.read",
                "identity.credentials.issue",
            ]
        ),
    ),
}

"""The portal's navigation, built from who the user is (pure: no I/O).

An item is shown when the user's kind is among its `kinds` (students, guardians) or the
user holds any of its `permissions` (staff). The same rule decides whether a page may be
opened at all, so a link the menu does not show is a 403 when typed in; the services
behind the pages check again, with the relationships (own group, own child) the portal
cannot see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    href: str
    permissions: frozenset[str] = field(default_factory=frozenset)
    kinds: frozenset[str] = field(default_factory=frozenset)

    def visible(self, kind: str, permissions: Iterable[str]) -> bool:
        if kind in self.kinds:
            return True
        return bool(self.permissions & set(permissions))


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


def _perms(*names: str) -> frozenset[str]:
    return frozenset(names)


SECTIONS: tuple[Section, ...] = (
    Section(
        "Регион",
        (
            Item(
                "organisations",
                "Организации региона",
                "/region/organisations",
                permissions=_perms("region.accounts.administer"),
            ),
            Item(
                "join",
                "Один вход для сотрудника",
                "/region/accounts/join",
                permissions=_perms("region.accounts.administer"),
            ),
            Item(
                "usage",
                "Использование системы",
                "/region/usage",
                permissions=_perms("region.accounts.administer", "region.monitoring.read"),
            ),
            Item(
                "monitoring",
                "Мониторинг региона",
                "/region/monitoring",
                permissions=_perms("region.reports.read"),
            ),
            Item(
                "regulations",
                "Сроки регламента",
                "/region/regulations",
                permissions=_perms("region.reports.read", "region.regulations.write"),
            ),
        ),
    ),
    Section(
        "Организация",
        (
            Item(
                "org_profile",
                "Профиль организации",
                "/organisation/profile",
                permissions=_perms("contingent.profile.read"),
            ),
            Item(
                "structure",
                "Структура организации",
                "/structure",
                permissions=_perms("contingent.groups.write"),
            ),
            Item(
                "groups",
                "Группы и классы",
                "/groups",
                permissions=_perms("contingent.groups.read"),
            ),
            Item(
                "students",
                "Личные дела",
                "/students",
                permissions=_perms("contingent.students.read"),
            ),
            Item(
                "imports",
                "Загрузка из файла",
                "/imports",
                permissions=_perms("contingent.orders.write"),
            ),
            Item(
                "orders",
                "Книга движения",
                "/orders",
                permissions=_perms("contingent.orders.read"),
            ),
            Item(
                "admissions",
                "Приёмная кампания",
                "/admissions",
                permissions=_perms("contingent.admissions.read"),
            ),
            Item(
                "transfers",
                "Переводы между организациями",
                "/transfers",
                permissions=_perms("contingent.orders.write"),
            ),
            Item(
                "staff_files",
                "Кадры",
                "/staff-files",
                permissions=_perms("contingent.staff.read"),
            ),
            Item(
                "accounts",
                "Учётные записи и памятки",
                "/accounts",
                permissions=_perms("identity.accounts.read", "identity.accounts.read.own_groups"),
            ),
            Item(
                "positions",
                "Должности и права",
                "/positions",
                permissions=_perms("identity.positions.manage", "identity.accounts.read"),
            ),
            Item(
                "activity",
                "Активность пользователей",
                "/activity",
                permissions=_perms("identity.activity.read"),
            ),
        ),
    ),
    Section(
        "Расписание",
        (
            Item("diary", "Дневник", "/diary", kinds=frozenset({"student", "guardian"})),
            Item("report_card", "Табель", "/report-card", kinds=frozenset({"student", "guardian"})),
            Item(
                "journal",
                "Журнал уроков",
                "/journal",
                permissions=_perms("journal.marks.write", "journal.marks.write.any"),
            ),
            Item(
                "class_journal",
                "Журнал класса",
                "/journal/class",
                permissions=_perms("journal.read.all", "identity.accounts.read.own_groups"),
            ),
            Item(
                "journal_settings",
                "Настройки журнала",
                "/journal/settings",
                permissions=_perms("journal.settings.write", "journal.periods.manage"),
            ),
            Item(
                "my_timetable",
                "Моё расписание",
                "/my/timetable",
                permissions=_perms("schedule.read"),
                kinds=frozenset({"student", "guardian"}),
            ),
            Item(
                "timetable",
                "Расписание групп",
                "/schedule/timetable",
                permissions=_perms("schedule.read"),
            ),
            Item(
                "schedule_lessons",
                "Расписание по датам",
                "/schedule/lessons",
                permissions=_perms("schedule.read"),
            ),
            Item(
                "schedule_changes",
                "Изменения на день",
                "/schedule/changes",
                permissions=_perms("schedule.read"),
            ),
            Item(
                "schedule_exams",
                "Сессии и экзамены",
                "/schedule/exams",
                permissions=_perms("schedule.read"),
            ),
            Item(
                "schedule_load",
                "Нагрузка и подгруппы",
                "/schedule/load",
                permissions=_perms("schedule.read"),
            ),
            Item(
                "schedule_plans",
                "Кабинеты, предметы, планы",
                "/schedule/plans",
                permissions=_perms("schedule.read"),
            ),
            Item(
                "schedule_year",
                "Учебный год и звонки",
                "/schedule/year",
                permissions=_perms("schedule.read"),
            ),
        ),
    ),
    Section(
        "Отчёты",
        (
            Item(
                "reports",
                "Отчёты групп",
                "/reports",
                # The management's, and the teachers' and curators' of their own groups:
                # reporting narrows by relationship.
                permissions=_perms(
                    "reporting.read",
                    "journal.read.all",
                    "journal.marks.write",
                    "identity.accounts.read.own_groups",
                ),
            ),
            Item(
                "named_reports",
                "Отчёты по положениям",
                "/reports/named",
                # Group, student and teacher reports for staff (reporting narrows by
                # relationship), the organisation's for the management, a student's own.
                permissions=_perms(
                    "reporting.read",
                    "journal.read.all",
                    "journal.marks.write",
                    "identity.accounts.read.own_groups",
                ),
                kinds=frozenset({"student", "guardian"}),
            ),
            Item(
                "report_jobs",
                "Большие отчёты",
                "/reports/jobs",
                permissions=_perms("reporting.read"),
            ),
            Item(
                "constructor",
                "Конструктор отчётов",
                "/reports/constructor",
                permissions=_perms("reporting.read"),
            ),
            Item(
                "compliance",
                "Соблюдение сроков",
                "/reports/compliance",
                permissions=_perms("reporting.read"),
            ),
        ),
    ),
    Section(
        "Семья",
        (Item("children", "Мои дети", "/children", kinds=frozenset({"guardian"})),),
    ),
    Section(
        "Профиль",
        (
            Item(
                "profile",
                "Мой профиль и входы",
                "/profile",
                kinds=frozenset({"staff", "student", "guardian"}),
            ),
            Item(
                "password",
                "Сменить пароль",
                "/password",
                kinds=frozenset({"staff", "student", "guardian"}),
            ),
        ),
    ),
)

ITEMS = {item.key: item for section in SECTIONS for item in section.items}


def menu(kind: str, permissions: Iterable[str]) -> list[Section]:
    """The sections (with only their visible items) a user of `kind` with `permissions`
    sees; empty sections are left out."""
    granted = set(permissions)
    out = []
    for section in SECTIONS:
        items = tuple(i for i in section.items if i.visible(kind, granted))
        if items:
            out.append(Section(section.title, items))
    return out


def may_open(key: str, kind: str, permissions: Iterable[str]) -> bool:
    return ITEMS[key].visible(kind, permissions)

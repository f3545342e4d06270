"""The permission catalogue, the standard positions, and who may issue whose password.

Permissions are fine-grained strings; positions bundle them per organisation and can be
customised later (003 3.3.2: positions with an individual set of rights). Pure: no I/O.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edureg_identity.domain.catalogue import PERMISSIONS, REGION_PERMISSIONS
from edureg_shared.errors import Forbidden, NotFound

__all__ = ["PERMISSIONS", "REGION_PERMISSIONS"]


ISSUE_STAFF = "identity.credentials.issue.staff"
ISSUE_LEARNERS = "identity.credentials.issue.learners"
ISSUE_OWN_GROUPS = "identity.credentials.issue.own_groups"
READ_ALL = "identity.accounts.read"
READ_OWN_GROUPS = "identity.accounts.read.own_groups"
MANAGE_ACCOUNTS = "identity.accounts.manage"
MANAGE_POSITIONS = "identity.positions.manage"
READ_ACTIVITY = "identity.activity.read"
REGION_ADMINISTER = "region.accounts.administer"
REGION_MONITOR = "region.monitoring.read"


def _all(*prefixes: str, but: tuple[str, ...] = ()) -> list[str]:
    return [p for p in PERMISSIONS if p.startswith(prefixes) and p not in but]


def _reads() -> list[str]:
    """Everything an organisation's management reads (never issues or changes)."""
    return [p for p in PERMISSIONS if ".read" in p and not p.endswith(".own_groups")]


_TEACHER = [
    "contingent.groups.read",
    "journal.rosters.read",
    "journal.marks.write",
    "schedule.read",
]
_OFFICE = [
    "contingent.groups.read",
    "contingent.students.read",
    "contingent.orders.read",
    "contingent.orders.write",
    "contingent.students.write",
    READ_ALL,
    ISSUE_LEARNERS,
]

# The positions the regulations name (000 §3, 002 §4, 003 3.3, 004 §4), in every
# organisation, built in: kept in step with this list at every start of identity and
# read-only to the organisation, which creates its own positions for anything else
# (003 3.3.6). The codes are stable; titles are what people see.
STANDARD_POSITIONS: dict[str, tuple[str, list[str]]] = {
    # 003 3.3.2: exclusive rights: users, positions with individual rights, settings.
    "admin": ("Администратор", sorted(PERMISSIONS)),
    "director": (
        "Директор",
        # Corrects a journal only where the organisation's journal settings allow it.
        sorted({*_reads(), "contingent.orders.sign", "journal.marks.write.any"}),
    ),
    # 003 3.3.3: coordinates the year's turnover, calendars, curricula, timetable.
    "deputy_director": (
        "Заместитель директора",
        sorted({*_reads(), "contingent.groups.write", "schedule.write"}),
    ),
    # 004 4.4: movement of students, students' cards, the timetable.
    "academic_office_head": (
        "Заведующий учебной частью",
        sorted({*_OFFICE, *_reads(), "contingent.groups.write", "schedule.write"}),
    ),
    # 003 3.3.4: personal cards, orders of movement within 3 working days.
    "secretary": (
        "Секретарь учебной части",
        # The organisation's card is its administrator's (the contingent issue, item 1).
        # Nor is HR: staff cards and staff orders are the HR specialist's (004 4.3).
        sorted(
            {
                *_all("contingent.", but=("contingent.profile.write", *_all("contingent.staff."))),
                READ_ALL,
                ISSUE_LEARNERS,
            }
        ),
    ),
    # 003 3.3.4, 004 4.3: the staff list, hiring and dismissal.
    "hr_specialist": (
        "Специалист по кадрам",
        sorted(
            {READ_ALL, "contingent.groups.read", "contingent.staff.read", "contingent.staff.write"}
        ),
    ),
    # 002 4.8: the admission campaign: applicants, enrolment orders.
    "admissions_secretary": (
        "Ответственный секретарь приёмной комиссии",
        sorted({*_OFFICE[:4], "contingent.admissions.read", "contingent.admissions.write"}),
    ),
    # 004 4.5: the department's groups, programmes and summary reports.
    "head_of_department": (
        "Заведующий отделением",
        sorted(
            {
                *_TEACHER,
                "contingent.groups.write",
                "contingent.students.read",
                "contingent.orders.read",
                "reporting.read",
            }
        ),
    ),
    # 004 4.6: the programme of a specialty.
    "committee_chair": (
        "Председатель предметно-цикловой комиссии",
        sorted({*_TEACHER, "reporting.read"}),
    ),
    # 004 4.2: groups, calendars, imports, the year's technical turnover.
    "engineer": (
        "Инженер-программист",
        sorted({"contingent.groups.read", "contingent.groups.write", *_all("schedule.")}),
    ),
    "teacher": ("Учитель/преподаватель", sorted(_TEACHER)),
    # 003 3.3.5: the group's accounts and slips, absences, the students' profiles.
    "curator": (
        "Классный руководитель/куратор",
        sorted([*_TEACHER, "contingent.students.read", READ_OWN_GROUPS, ISSUE_OWN_GROUPS]),
    ),
}

# Student and guardian accounts reach their own data (their children's) by relationship,
# never by a permission: these describe the role and are never assigned.
LEARNER_POSITIONS: dict[str, str] = {
    "student": "Обучающийся",
    "guardian": "Родитель (законный представитель)",
}

MINISTRY_POSITIONS: dict[str, tuple[str, list[str]]] = {
    "regional_admin": ("Администратор региона", sorted(REGION_PERMISSIONS)),
    "regional_monitor": (
        "Специалист регионального мониторинга",
        # Every regional reading right (usage, the monitoring of reports), no changes.
        sorted(p for p in REGION_PERMISSIONS if p.endswith(".read")),
    ),
}


def positions_for(kind: str) -> dict[str, tuple[str, list[str]]]:
    return MINISTRY_POSITIONS if kind == "ministry" else STANDARD_POSITIONS


def default_positions(organisation_kind: str) -> dict[str, tuple[str, list[str], str]]:
    """Every built-in position of an organisation of this kind: {code: (title,
    permissions, account_kind)}."""
    staff = {
        code: (title, perms, "staff")
        for code, (title, perms) in positions_for(organisation_kind).items()
    }
    if organisation_kind == "ministry":
        return staff
    return {**staff, **{code: (title, [], code) for code, title in LEARNER_POSITIONS.items()}}


def grantable(organisation_kind: str) -> dict[str, str]:
    """What an organisation's positions may hold: a school's never a regional right, the
    ministry's only regional ones (it holds no children's data to reach)."""
    return REGION_PERMISSIONS if organisation_kind == "ministry" else PERMISSIONS


def token_permissions(kind: str, granted: set[str], organisation_kind: str) -> set[str]:
    """What a token carries: a student or guardian reaches their own data by relationship,
    never by a staff permission, even if a position was assigned by mistake; a school's
    staff never carry a regional right and the ministry's staff carry nothing but regional
    rights (aggregates across organisations, never a child's record), whatever a position
    row says."""
    if kind != "staff":
        return set()
    return set(granted) & set(grantable(organisation_kind))


@dataclass(frozen=True)
class Target:
    """The account a one-time password would be issued for."""

    id: uuid.UUID
    kind: str  # staff | student | guardian
    permissions: frozenset[str]
    # A student of, or a guardian of an active child in, a group the actor curates.
    in_actors_groups: bool


def is_administrator(permissions: frozenset[str] | set[str]) -> bool:
    return ISSUE_STAFF in permissions


def check_credential_issue(
    *, actor_id: uuid.UUID, actor_permissions: frozenset[str], target: Target
) -> None:
    """Who may issue whose one-time password (a credential slip):
    - a student's or guardian's: the academic office (`…issue.learners`) for the whole
      organisation; a curator (`…issue.own_groups`) only for their own groups;
    - a staff member's: only an organisation administrator (`…issue.staff`), never one's
      own (that is a password change), never for an account holding a right the
      administrator lacks; an administrator's therefore only by another administrator
      (or the regional administrator, through the regional endpoint).
    An account the actor may not even see is a 404, as if it did not exist."""
    if actor_id == target.id:
        raise Forbidden("Свой пароль меняют в профиле, одноразовый пароль себе не выдаётся")
    if target.kind in ("student", "guardian"):
        if ISSUE_LEARNERS in actor_permissions:
            return
        if ISSUE_OWN_GROUPS in actor_permissions and target.in_actors_groups:
            return
        if READ_ALL in actor_permissions:
            raise Forbidden("Выдавать пароли этой учётной записи может учебная часть или куратор")
        raise NotFound("Учётная запись не найдена")
    if ISSUE_STAFF not in actor_permissions:
        if READ_ALL in actor_permissions:
            raise Forbidden("Пароли сотрудникам выдаёт только администратор организации")
        raise NotFound("Учётная запись не найдена")
    if not target.permissions <= actor_permissions:
        raise Forbidden(
            "У сотрудника есть права, которых нет у вас: пароль выдаст другой администратор"
        )


def check_regional_issue(*, actor_permissions: frozenset[str], target: Target) -> None:
    """The regional administrator restores access to an organisation whose administrators
    are locked out: only for administrators' accounts; everyone else is the organisation's
    own business."""
    if REGION_ADMINISTER not in actor_permissions:
        raise Forbidden(f"Нужно право «{REGION_ADMINISTER}»")
    if target.kind != "staff" or not is_administrator(target.permissions):
        raise Forbidden("Регион выдаёт пароли только администраторам организаций")

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
REGION_ADMINISTER = "region.accounts.administer"

_TEACHER = ["contingent.groups.read", "journal.rosters.read", "schedule.read"]

STANDARD_POSITIONS: dict[str, tuple[str, list[str]]] = {
    "admin": ("Администратор организации", sorted(PERMISSIONS)),
    "secretary": (
        "Секретарь учебной части",
        sorted(
            [p for p in PERMISSIONS if p.startswith("contingent.")] + [READ_ALL, ISSUE_LEARNERS]
        ),
    ),
    "teacher": ("Учитель/преподаватель", sorted(_TEACHER)),
    "curator": (
        "Классный руководитель/куратор",
        sorted([*_TEACHER, "contingent.students.read", READ_OWN_GROUPS, ISSUE_OWN_GROUPS]),
    ),
}

MINISTRY_POSITIONS: dict[str, tuple[str, list[str]]] = {
    "regional_admin": ("Администратор региона", sorted(REGION_PERMISSIONS)),
}


def positions_for(kind: str) -> dict[str, tuple[str, list[str]]]:
    return MINISTRY_POSITIONS if kind == "ministry" else STANDARD_POSITIONS


def token_permissions(kind: str, granted: set[str]) -> set[str]:
    """A student or guardian reaches their own data by relationship, never by a staff
    permission, even if a position was assigned to their account by mistake."""
    return set(granted) if kind == "staff" else set()


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

"""An organisation's own positions and who holds which: the rules alone. Pure: no I/O.

- Permissions of a position come from the catalogue, and only those the organisation's
  kind may hold (a school's never a regional right).
- Nobody grants what they do not hold: creating, changing or assigning a position needs
  every permission it carries (before and after the change).
- Built-in positions are the regulations' and are read-only; the organisation tailors
  rights by creating its own (003 3.3.6).
- Positions are for staff; nobody changes their own (another administrator does).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from edureg_identity.domain.permissions import grantable
from edureg_shared.errors import Forbidden, InvalidState

TITLE_MAX = 200


def check_title(title: str) -> str:
    clean = " ".join(title.split())
    if not clean:
        raise InvalidState(
            "Укажите название должности",
            errors=[{"field": "title", "message": "Название не может быть пустым"}],
        )
    if len(clean) > TITLE_MAX:
        raise InvalidState(
            "Название должности слишком длинное",
            errors=[{"field": "title", "message": f"Не длиннее {TITLE_MAX} символов"}],
        )
    return clean


def check_permissions(
    requested: Iterable[str], *, organisation_kind: str, actor_permissions: frozenset[str]
) -> list[str]:
    """The permission set of a position being created or changed, sorted and unique."""
    wanted = sorted(set(requested))
    allowed = grantable(organisation_kind)
    unknown = [p for p in wanted if p not in allowed]
    if unknown:
        raise InvalidState(
            "Таких прав нет или их не может иметь должность организации",
            errors=[
                {"field": "permissions", "message": f"Неизвестное право: {p}"} for p in unknown
            ],
        )
    check_not_beyond(actor_permissions, wanted)
    return wanted


def check_not_beyond(actor_permissions: frozenset[str], permissions: Iterable[str]) -> None:
    missing = sorted(set(permissions) - actor_permissions)
    if missing:
        raise Forbidden(
            "Нельзя передать права, которых нет у вас самих: " + ", ".join(missing),
        )


def check_editable(*, builtin: bool) -> None:
    if builtin:
        raise InvalidState(
            "Стандартные должности из регламента не изменяются: создайте свою должность "
            "с нужным набором прав"
        )


def check_deletable(*, builtin: bool, holders: int) -> None:
    check_editable(builtin=builtin)
    if holders:
        raise InvalidState(f"Должность назначена сотрудникам ({holders}): сначала снимите её с них")


def check_assignment(
    *,
    actor_id: uuid.UUID,
    actor_permissions: frozenset[str],
    target_id: uuid.UUID,
    target_kind: str,
    before: frozenset[str],
    after: frozenset[str],
    assignable: bool,
) -> None:
    """Replacing a person's positions: `before` and `after` are the permissions of the
    positions they hold now and will hold; `assignable`: every position asked for is a
    staff position of this organisation."""
    if actor_id == target_id:
        raise Forbidden("Свои должности меняет другой администратор организации")
    if target_kind != "staff":
        raise InvalidState(
            "Должности назначаются только сотрудникам: обучающиеся и родители получают "
            "доступ по связи с группой и ребёнком"
        )
    if not assignable:
        raise InvalidState(
            "Эту должность нельзя назначить сотруднику",
            errors=[{"field": "position_ids", "message": "Не должность сотрудника"}],
        )
    # Taking rights away from someone who holds more than you is as much an escalation as
    # granting them: both need every right involved.
    check_not_beyond(actor_permissions, before | after)


def check_someone_still_manages(managers_left: int) -> None:
    """An organisation must keep at least one active account able to manage positions,
    or it locks itself out (the regional administrator would have to step in)."""
    if managers_left < 1:
        raise InvalidState(
            "В организации не останется ни одного действующего сотрудника, который "
            "управляет должностями и правами"
        )

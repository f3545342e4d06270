"""Creating, changing and assigning positions: the rules alone."""

from __future__ import annotations

import uuid

import pytest

from edureg_identity.domain import positions as rules
from edureg_identity.domain.permissions import MANAGE_POSITIONS, STANDARD_POSITIONS
from edureg_shared.errors import Forbidden, InvalidState

ADMIN = frozenset(STANDARD_POSITIONS["admin"][1])
SECRETARY = frozenset(STANDARD_POSITIONS["secretary"][1])
TEACHER = frozenset(STANDARD_POSITIONS["teacher"][1])


def test_a_position_holds_catalogued_rights_of_the_organisations_kind_only() -> None:
    assert rules.check_permissions(
        ["schedule.read", "schedule.read", "contingent.groups.read"],
        organisation_kind="school",
        actor_permissions=ADMIN,
    ) == ["contingent.groups.read", "schedule.read"]
    for wrong in (["region.accounts.administer"], ["journal.marks.delete_everything"], [""]):
        with pytest.raises(InvalidState) as exc:
            rules.check_permissions(wrong, organisation_kind="school", actor_permissions=ADMIN)
        assert exc.value.extra["errors"][0]["field"] == "permissions"
    with pytest.raises(InvalidState):
        rules.check_permissions(
            ["contingent.students.read"], organisation_kind="ministry", actor_permissions=ADMIN
        )


def test_nobody_grants_a_right_they_do_not_hold() -> None:
    with pytest.raises(Forbidden):
        rules.check_permissions(
            [MANAGE_POSITIONS], organisation_kind="school", actor_permissions=SECRETARY
        )


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_a_title_is_required_and_bounded(title: str) -> None:
    with pytest.raises(InvalidState):
        rules.check_title(title)


def test_titles_are_tidied() -> None:
    assert rules.check_title("  Методист   по  практике ") == "Методист по практике"


def test_built_in_positions_are_read_only_and_held_ones_are_not_deleted() -> None:
    with pytest.raises(InvalidState):
        rules.check_editable(builtin=True)
    rules.check_editable(builtin=False)
    with pytest.raises(InvalidState):
        rules.check_deletable(builtin=False, holders=1)
    rules.check_deletable(builtin=False, holders=0)


def _assign(**overrides: object) -> None:
    me = uuid.uuid4()
    args: dict[str, object] = {
        "actor_id": me,
        "actor_permissions": ADMIN,
        "target_id": uuid.uuid4(),
        "target_kind": "staff",
        "before": TEACHER,
        "after": SECRETARY,
        "assignable": True,
    }
    args.update(overrides)
    if args.pop("self", False):
        args["target_id"] = me
    rules.check_assignment(**args)  # type: ignore[arg-type]


def test_assignment_rules() -> None:
    _assign()
    with pytest.raises(Forbidden):
        _assign(self=True)  # one's own positions: another administrator
    with pytest.raises(InvalidState):
        _assign(target_kind="student")
    with pytest.raises(InvalidState):
        _assign(target_kind="guardian")
    with pytest.raises(InvalidState):
        _assign(assignable=False)  # the student or guardian position
    with pytest.raises(Forbidden):
        _assign(actor_permissions=SECRETARY, after=ADMIN)  # granting more than one holds
    with pytest.raises(Forbidden):
        _assign(actor_permissions=SECRETARY, before=ADMIN, after=frozenset())  # demoting


def test_an_organisation_keeps_someone_who_manages_positions() -> None:
    rules.check_someone_still_manages(1)
    with pytest.raises(InvalidState):
        rules.check_someone_still_manages(0)


def test_keycloak_service_account_names_are_not_logins() -> None:
    from edureg_identity.domain.logins import check_login
    from edureg_shared.errors import InvalidState

    with pytest.raises(InvalidState):
        check_login("service-account-edureg-identity")
    assert check_login("Service.Teacher") == "service.teacher"

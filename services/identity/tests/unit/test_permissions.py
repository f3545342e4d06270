"""Who may issue whose one-time password: the rules alone, over every pairing."""

from __future__ import annotations

import uuid

import pytest

from edureg_identity.domain.permissions import (
    MINISTRY_POSITIONS,
    STANDARD_POSITIONS,
    Target,
    check_credential_issue,
    check_regional_issue,
    token_permissions,
)
from edureg_shared.errors import Forbidden, NotFound

PERMS = {code: frozenset(perms) for code, (_, perms) in STANDARD_POSITIONS.items()}
ADMIN, SECRETARY, CURATOR, TEACHER = (
    PERMS[c] for c in ("admin", "secretary", "curator", "teacher")
)
REGION = frozenset(MINISTRY_POSITIONS["regional_admin"][1])


def target(kind: str, perms: frozenset[str] = frozenset(), *, mine: bool = False) -> Target:
    return Target(id=uuid.uuid4(), kind=kind, permissions=perms, in_actors_groups=mine)


def allowed(actor: frozenset[str], t: Target) -> bool | type[Exception]:
    try:
        check_credential_issue(actor_id=uuid.uuid4(), actor_permissions=actor, target=t)
    except (Forbidden, NotFound) as exc:
        return type(exc)
    return True


@pytest.mark.parametrize(
    ("actor", "target_", "expected"),
    [
        (CURATOR, target("student", mine=True), True),
        (CURATOR, target("guardian", mine=True), True),
        (CURATOR, target("student"), NotFound),
        (CURATOR, target("guardian"), NotFound),
        (CURATOR, target("staff", TEACHER), NotFound),
        (CURATOR, target("staff", ADMIN), NotFound),
        (SECRETARY, target("student"), True),
        (SECRETARY, target("guardian"), True),
        (SECRETARY, target("staff", TEACHER), Forbidden),
        (SECRETARY, target("staff", ADMIN), Forbidden),
        (TEACHER, target("student", mine=True), NotFound),
        (ADMIN, target("staff", TEACHER), True),
        (ADMIN, target("staff", ADMIN), True),  # another administrator
        (ADMIN, target("staff", ADMIN | {"region.accounts.administer"}), Forbidden),
        (ADMIN, target("student"), True),
    ],
)
def test_who_issues_whose_password(
    actor: frozenset[str], target_: Target, expected: bool | type[Exception]
) -> None:
    assert allowed(actor, target_) == expected


def test_nobody_issues_their_own() -> None:
    me = uuid.uuid4()
    with pytest.raises(Forbidden):
        check_credential_issue(
            actor_id=me,
            actor_permissions=ADMIN,
            target=Target(id=me, kind="staff", permissions=ADMIN, in_actors_groups=False),
        )


def test_the_region_restores_only_administrators() -> None:
    check_regional_issue(actor_permissions=REGION, target=target("staff", ADMIN))
    for t in (target("staff", TEACHER), target("student"), target("guardian")):
        with pytest.raises(Forbidden):
            check_regional_issue(actor_permissions=REGION, target=t)
    with pytest.raises(Forbidden):
        check_regional_issue(actor_permissions=ADMIN, target=target("staff", ADMIN))


def test_students_and_guardians_carry_no_staff_permission_in_tokens() -> None:
    assert token_permissions("student", set(ADMIN)) == set()
    assert token_permissions("guardian", set(ADMIN)) == set()
    assert token_permissions("staff", {"x"}) == {"x"}

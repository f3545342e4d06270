"""Who may issue whose one-time password: the rules alone, over every pairing."""

from __future__ import annotations

import uuid

import pytest

from edureg_identity.domain.permissions import (
    MANAGE_ACCOUNTS,
    MANAGE_POSITIONS,
    MINISTRY_POSITIONS,
    STANDARD_POSITIONS,
    Target,
    check_credential_issue,
    check_regional_issue,
    default_positions,
    grantable,
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
    assert token_permissions("student", set(ADMIN), "school") == set()
    assert token_permissions("guardian", set(ADMIN), "school") == set()
    assert token_permissions("staff", set(TEACHER), "school") == set(TEACHER)


def test_a_school_token_never_carries_a_regional_right_nor_a_ministry_token_a_school_one() -> None:
    """Regional staff see aggregates, never a child's record: their tokens hold nothing a
    school endpoint accepts, whatever a position row was made to say."""
    everything = set(ADMIN) | set(REGION) | {"not.in.catalogue"}
    assert token_permissions("staff", everything, "school") == set(ADMIN)
    assert token_permissions("staff", everything, "college") == set(ADMIN)
    assert token_permissions("staff", everything, "ministry") == set(REGION)
    assert not any(p.startswith("region.") for p in ADMIN)


def test_every_default_position_holds_only_catalogued_rights() -> None:
    for kind in ("school", "college", "ministry"):
        for code, (title, perms, account_kind) in default_positions(kind).items():
            assert title
            assert code
            assert set(perms) <= set(grantable(kind)), code
            assert account_kind == "staff" or perms == [], code
    # The positions the regulations name, in every school and college.
    assert {
        "admin",
        "director",
        "deputy_director",
        "academic_office_head",
        "secretary",
        "hr_specialist",
        "admissions_secretary",
        "head_of_department",
        "committee_chair",
        "engineer",
        "teacher",
        "curator",
        "student",
        "guardian",
    } <= set(default_positions("school"))
    assert set(default_positions("ministry")) == {"regional_admin", "regional_monitor"}
    # Only the administrator manages positions and staff accounts (003 3.3.2).
    holders = {
        code
        for code, (_, perms, _) in default_positions("school").items()
        if MANAGE_POSITIONS in perms or MANAGE_ACCOUNTS in perms
    }
    assert holders == {"admin"}

"""The navigation shows each user only what they may open."""

from __future__ import annotations

from edureg_portal.navigation import may_open, menu

ADMIN = [
    "contingent.groups.read",
    "contingent.orders.read",
    "identity.accounts.read",
    "journal.rosters.read",
]
TEACHER = ["contingent.groups.read", "journal.rosters.read", "schedule.read"]
CURATOR = [*TEACHER, "identity.accounts.read.own_groups"]
REGION = ["region.accounts.administer", "region.monitoring.read"]
MONITOR = ["region.monitoring.read"]


def keys(kind: str, perms: list[str]) -> list[str]:
    return [i.key for s in menu(kind, perms) for i in s.items]


def test_each_kind_of_user_sees_its_own_menu() -> None:
    assert keys("staff", ADMIN) == ["groups", "orders", "accounts", "positions", "password"]
    assert keys("staff", [*ADMIN, "identity.activity.read"])[-2:] == ["activity", "password"]
    assert keys("staff", TEACHER) == ["groups", "password"]
    assert keys("staff", CURATOR) == ["groups", "accounts", "password"]
    assert keys("staff", REGION) == ["organisations", "join", "usage", "password"]
    assert keys("staff", MONITOR) == ["usage", "password"]
    assert keys("guardian", []) == ["children", "password"]
    assert keys("student", []) == ["password"]


def test_a_page_not_in_the_menu_cannot_be_opened() -> None:
    assert not may_open("orders", "staff", TEACHER)
    assert not may_open("accounts", "guardian", [])
    assert not may_open("organisations", "staff", ADMIN)
    assert not may_open("usage", "staff", ADMIN)
    assert not may_open("join", "staff", ADMIN)
    assert not may_open("positions", "staff", CURATOR)
    assert not may_open("activity", "staff", TEACHER)
    # A student holding a staff permission by mistake still gets no guardian page.
    assert not may_open("children", "student", ADMIN)
    assert may_open("children", "guardian", [])


def test_empty_sections_are_left_out() -> None:
    assert [s.title for s in menu("student", [])] == ["Профиль"]

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
REGION = ["region.accounts.administer", "region.monitoring.read", "region.regulations.write"]
MONITOR = ["region.monitoring.read", "region.reports.read"]


def keys(kind: str, perms: list[str]) -> list[str]:
    return [i.key for s in menu(kind, perms) for i in s.items]


def test_each_kind_of_user_sees_its_own_menu() -> None:
    assert keys("staff", ADMIN) == [
        "groups",
        "orders",
        "accounts",
        "positions",
        "profile",
        "password",
    ]
    assert keys("staff", [*ADMIN, "identity.activity.read"])[-3:] == [
        "activity",
        "profile",
        "password",
    ]
    schedule = [
        "my_timetable",
        "timetable",
        "schedule_lessons",
        "schedule_changes",
        "schedule_exams",
        "schedule_load",
        "schedule_plans",
        "schedule_year",
    ]
    assert keys("staff", TEACHER) == ["groups", *schedule, "profile", "password"]
    # The class teacher reads the class's journal across subjects; a teacher does not.
    assert keys("staff", CURATOR) == [
        "groups",
        "accounts",
        "class_journal",
        *schedule,
        "reports",
        "named_reports",
        "profile",
        "password",
    ]
    # A group's reports: the management's, and its teachers' and curator's (reporting
    # narrows to their own groups).
    assert "reports" in keys("staff", [*TEACHER, "journal.marks.write"])
    assert "reports" in keys("staff", ["reporting.read"])
    assert keys("staff", REGION) == [
        "organisations",
        "join",
        "usage",
        "regulations",
        "profile",
        "password",
    ]
    assert keys("staff", MONITOR) == ["usage", "monitoring", "regulations", "profile", "password"]
    # A school's management: its own compliance, not the region's.
    management = keys("staff", ["reporting.read"])
    assert "compliance" in management
    assert "monitoring" not in management
    # Students and parents see their own timetable, nothing else of the schedule.
    assert keys("guardian", []) == [
        "diary",
        "report_card",
        "my_timetable",
        "named_reports",
        "children",
        "profile",
        "password",
    ]
    assert keys("student", []) == [
        "diary",
        "report_card",
        "my_timetable",
        "named_reports",
        "profile",
        "password",
    ]


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
    assert not may_open("timetable", "student", [])
    assert not may_open("schedule_lessons", "guardian", [])
    assert may_open("my_timetable", "guardian", [])
    assert not may_open("diary", "staff", TEACHER)
    assert not may_open("reports", "guardian", [])
    assert not may_open("reports", "student", [])
    assert not may_open("reports", "staff", MONITOR)


def test_empty_sections_are_left_out() -> None:
    # A student's own reports (average, dynamics, quality) are under «Отчёты».
    assert [s.title for s in menu("student", [])] == ["Расписание", "Отчёты", "Профиль"]
    assert [s.title for s in menu("staff", MONITOR)] == ["Регион", "Профиль"]


def test_browser_names_for_the_sign_in_log() -> None:
    from edureg_portal.pages import browser_name

    chrome = (
        "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0 Mobile Safari/537.36"
    )
    assert browser_name(chrome) == "Chrome · Android"
    assert browser_name(chrome + " YaBrowser/24.6") == "Яндекс Браузер · Android"
    assert browser_name("Mozilla/5.0 (Windows NT 10.0; rv:128.0) Firefox/128.0") == (
        "Firefox · Windows"
    )
    assert browser_name(None) == "—"
    assert browser_name("curl/8.5") == "curl/8.5"

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from edureg_schedule.domain import ical
from edureg_schedule.domain.bells import DEFAULT_BELLS, Bell, check_bells
from edureg_schedule.domain.calendar import check_holidays, check_scope, scheme_for, shift_year
from edureg_schedule.domain.curriculum import (
    Line,
    LoadItem,
    check_lines,
    check_subject,
    compare_load,
)
from edureg_shared.errors import InvalidState


def test_subject_codes_follow_their_kind_and_module() -> None:
    check_subject(kind="discipline", code=None, parent_kind=None, parent_code=None)
    check_subject(kind="discipline", code="ОП.01", parent_kind=None, parent_code=None)
    check_subject(kind="mdk", code="МДК.01.02", parent_kind="module", parent_code="ПМ.01")
    with pytest.raises(InvalidState, match=r"не относится к модулю ПМ\.02"):
        check_subject(kind="mdk", code="МДК.01.02", parent_kind="module", parent_code="ПМ.02")
    with pytest.raises(InvalidState, match="входят в профессиональный модуль"):
        check_subject(kind="practice", code="УП.01", parent_kind=None, parent_code=None)
    with pytest.raises(InvalidState, match="не подходит"):
        check_subject(kind="module", code="МДК.01", parent_kind=None, parent_code=None)


def test_curriculum_lines_are_checked_and_totalled() -> None:
    s = uuid.uuid4()
    lines = [Line(s, 1, 30, 10, 5, "credit"), Line(s, 2, 20, 20, 0, "exam")]
    assert check_lines(lines, periods=2, max_total=100) == 80
    with pytest.raises(InvalidState, match="больше установленного предела 70"):
        check_lines(lines, periods=2, max_total=70)
    with pytest.raises(InvalidState, match="повторяется"):
        check_lines([lines[0], lines[0]], periods=2, max_total=None)
    with pytest.raises(InvalidState, match="нет периода 2"):
        check_lines(lines, periods=1, max_total=None)


def test_load_against_the_curriculum_lists_under_and_over_planned_hours() -> None:
    g, math, eng, t1, t2, sub_a, sub_b = (uuid.uuid4() for _ in range(7))
    curriculum = {g: [Line(math, 1, 64, 0, 0, "exam"), Line(eng, 1, 32, 0, 0, "credit")]}
    load = [
        # Two teachers taking maths in pairs: 64 hours for the group, not 128.
        LoadItem(t1, math, g, None, 1, 64),
        LoadItem(t2, math, g, None, 1, 64),
        # English split in subgroups: one has its hours, the other too few.
        LoadItem(t1, eng, g, sub_a, 1, 32),
        LoadItem(t2, eng, g, sub_b, 1, 20),
    ]
    [dev] = compare_load(curriculum, load)
    assert (dev.subject_id, dev.subgroup_id, dev.planned, dev.assigned, dev.difference) == (
        eng,
        sub_b,
        32,
        20,
        -12,
    )
    [missing, extra] = sorted(
        compare_load({g: [Line(math, 1, 64, 0, 0, "exam")]}, [LoadItem(t1, eng, g, None, 1, 10)]),
        key=lambda d: d.planned,
        reverse=True,
    )
    assert (missing.subject_id, missing.difference) == (math, -64)
    assert (extra.subject_id, extra.difference) == (eng, 10)


def test_bells_must_not_overlap_and_go_in_order() -> None:
    check_bells(list(DEFAULT_BELLS[1]))
    with pytest.raises(InvalidState, match="Уроки 1 и 2 пересекаются"):
        check_bells([Bell(1, time(8, 30), time(9, 15)), Bell(2, time(9, 10), time(9, 55))])
    with pytest.raises(InvalidState, match="без пропусков"):
        check_bells([Bell(1, time(8, 30), time(9, 15)), Bell(3, time(10, 0), time(10, 45))])
    with pytest.raises(InvalidState, match="окончание не позже начала"):
        check_bells([Bell(1, time(9, 30), time(9, 15))])


def test_holidays_scopes_and_the_next_year() -> None:
    from datetime import date

    a = (date(2026, 10, 26), date(2026, 11, 3), None)
    check_holidays([a, (date(2027, 2, 15), date(2027, 2, 21), frozenset({1}))])
    with pytest.raises(InvalidState, match="пересекаются"):
        check_holidays([a, (date(2026, 11, 2), date(2026, 11, 8), frozenset({1}))])
    g = uuid.uuid4()
    assert check_scope(f"group:{g}") == (None, g)
    assert check_scope("grade:10") == (10, None)
    with pytest.raises(InvalidState):
        check_scope("grade:12")
    assert scheme_for({"all", "grade:10"}, g, 10) == "grade:10"
    assert scheme_for({"all", f"group:{g}", "grade:10"}, g, 10) == f"group:{g}"
    assert scheme_for({"all"}, g, 5) == "all"
    assert shift_year(date(2028, 2, 29)) == date(2029, 2, 28)


def test_the_ical_feed_parses_with_a_real_parser() -> None:
    zone = ZoneInfo("Europe/Moscow")
    start = datetime(2026, 9, 7, 8, 30, tzinfo=zone)
    long_name = (
        "Междисциплинарный курс «Разработка программных модулей; тестирование, отладка» " * 2
    )
    events = [
        ical.CalendarEvent(
            uid=uuid.uuid4(),
            starts=start,
            ends=start + timedelta(minutes=45),
            summary=long_name,
            location="201, корпус 2",
            description="Группа 10А; Иванова И.И.",
            cancelled=i == 1,
            sequence=i + 1,
            stamp=datetime.now(UTC),
        )
        for i in range(2)
    ]
    text = ical.render("Моё расписание", events)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cal = icalendar.Calendar.from_ical(text)
    parsed = list(cal.walk("VEVENT"))
    assert len(parsed) == 2
    assert str(parsed[0]["SUMMARY"]) == long_name
    assert str(parsed[0]["LOCATION"]) == "201, корпус 2"
    assert parsed[0].decoded("DTSTART") == start
    assert str(parsed[1]["STATUS"]) == "CANCELLED"
    assert str(cal["X-WR-CALNAME"]) == "Моё расписание"


def test_inputs_at_the_edges_are_refused_or_handled() -> None:
    from datetime import date

    from edureg_schedule.domain.timetable import Slot, dated_lessons

    with pytest.raises(InvalidState):
        check_scope("group:" + "-" * 36)
    s, t = uuid.uuid4(), uuid.uuid4()
    last = Slot(
        s,
        None,
        5,
        1,
        time(8, 30),
        time(9, 15),
        "every",
        s,
        (t,),
        None,
        date(9999, 12, 1),
        date(9999, 12, 31),
    )
    assert dated_lessons(last, lambda d: True)[-1] == date(9999, 12, 31)
    text = ical.render(
        "x\rDTSTART:19700101T000000Z",
        [],
    )
    assert "\r\nDTSTART" not in text.split("X-WR-CALNAME")[1].split("\r\n")[0]
    cal = icalendar.Calendar.from_ical(text)
    assert "DTSTART" not in cal

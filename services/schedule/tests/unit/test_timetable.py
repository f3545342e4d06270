import uuid
from datetime import date, time

from edureg_schedule.domain.timetable import (
    Facts,
    Slot,
    dated_lessons,
    hard_clashes,
    soft_clashes,
    week_parity,
)

G1, G2, SUB_A, SUB_B = (uuid.uuid4() for _ in range(4))
T1, T2, R1, R2, MATH = (uuid.uuid4() for _ in range(5))
NAMES = {
    G1: "10А",
    G2: "10Б",
    T1: "Иванова И.И.",
    T2: "Петров П.П.",
    R1: "201",
    R2: "305",
    MATH: "Алгебра",
}
SEPT = (date(2026, 9, 1), date(2026, 10, 25))


def slot(
    group: uuid.UUID = G1, teacher: uuid.UUID = T1, room: uuid.UUID | None = R1, **kw: object
) -> Slot:
    values: dict[str, object] = {
        "group_id": group,
        "subgroup_id": None,
        "weekday": 1,
        "lesson_number": 2,
        "starts_at": time(9, 25),
        "ends_at": time(10, 10),
        "parity": "every",
        "subject_id": MATH,
        "teacher_ids": (teacher,),
        "room_id": room,
        "first_day": SEPT[0],
        "last_day": SEPT[1],
    }
    values.update(kw)
    return Slot(**values)  # type: ignore[arg-type]


def test_a_teacher_in_two_groups_at_once_is_named() -> None:
    [clash] = hard_clashes([slot(room=R2)], [slot(group=G2, room=R1)], NAMES)
    assert clash.code == "teacher_busy"
    assert (
        clash.message == "пн, 2-й урок: преподаватель Иванова И.И. уже ведёт занятие у группы 10Б"
    )


def test_a_room_booked_twice_and_a_group_with_two_lessons() -> None:
    clashes = hard_clashes([slot(), slot(teacher=T2)], [], NAMES)
    assert {c.code for c in clashes} == {"room_busy", "group_busy"}
    assert all(c.index == 1 for c in clashes)
    assert "кабинет 201 уже занят в этой же неделе" in clashes[0].message + clashes[1].message


def test_subgroups_of_one_group_may_study_at_once_but_not_twice_each() -> None:
    a = slot(subgroup_id=SUB_A)
    b = slot(subgroup_id=SUB_B, teacher=T2, room=R2)
    assert hard_clashes([a, b], [], NAMES) == []
    [clash] = hard_clashes([a, slot(subgroup_id=SUB_A, teacher=T2, room=R2)], [], NAMES)
    assert clash.code == "subgroup_busy"
    # The whole group and one of its subgroups at once: the group is busy.
    [clash] = hard_clashes([slot(), b], [], NAMES)
    assert clash.code == "group_busy"


def test_numerator_and_denominator_weeks_do_not_meet() -> None:
    odd, even = slot(parity="odd"), slot(parity="even", group=G2)
    assert hard_clashes([odd], [even], NAMES) == []
    assert hard_clashes([slot(group=G2)], [odd], NAMES)


def test_different_times_days_or_periods_do_not_meet() -> None:
    assert (
        hard_clashes([slot()], [slot(group=G2, starts_at=time(10, 20), ends_at=time(11, 5))], NAMES)
        == []
    )
    assert hard_clashes([slot()], [slot(group=G2, weekday=2)], NAMES) == []
    later = slot(group=G2, first_day=date(2026, 11, 5), last_day=date(2026, 12, 28))
    assert hard_clashes([slot()], [later], NAMES) == []
    # Overlapping times of two shifts' bells meet even with other lesson numbers.
    other_shift = slot(group=G2, lesson_number=1, starts_at=time(9, 0), ends_at=time(9, 45))
    assert hard_clashes([slot()], [other_shift], NAMES)[0].code == "teacher_busy"


def test_soft_clashes_room_size_missing_load_and_hours_beyond_plan() -> None:
    facts = Facts(
        names=NAMES,
        room_capacity={R1: 20},
        group_size={G1: 25},
        load_hours={(T1, MATH, G1, None): 8},
        occurrences={0: 8, 1: 8},
    )
    week = [slot(), slot(weekday=3, teacher=T2, room=None)]
    codes = [(c.code, c.index) for c in soft_clashes(week, facts)]
    assert ("room_too_small", 0) in codes
    assert ("teacher_not_assigned", 1) in codes
    assert not any(code == "hours_beyond_plan" for code, _ in codes)
    two = [slot(), slot(weekday=3, room=R2)]
    over = [c for c in soft_clashes(two, facts) if c.code == "hours_beyond_plan"]
    assert over
    assert "16 ч за период при нагрузке 8 ч" in over[0].message


def test_dated_lessons_skip_holidays_and_follow_parity() -> None:
    holidays = {date(2026, 9, 14)}
    monday = slot(first_day=date(2026, 9, 1), last_day=date(2026, 9, 30))
    days = dated_lessons(monday, lambda d: d not in holidays)
    assert days == [date(2026, 9, 7), date(2026, 9, 21), date(2026, 9, 28)]
    odd = slot(parity="odd", first_day=date(2026, 9, 1), last_day=date(2026, 9, 30))
    # 1 September is a Tuesday: its week is odd ("числитель"), so odd Mondays are 14 and 28.
    assert week_parity(date(2026, 9, 1), date(2026, 9, 1)) == "odd"
    assert dated_lessons(odd, lambda d: True) == [date(2026, 9, 14), date(2026, 9, 28)]
    assert dated_lessons(monday, lambda d: True, since=date(2026, 9, 22)) == [date(2026, 9, 28)]

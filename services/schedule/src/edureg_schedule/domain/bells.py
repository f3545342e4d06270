"""Bell schedules: lesson number → start and end, per shift and day type. No I/O."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import time

from edureg_shared.errors import InvalidState

DAY_TYPES = {"weekday": "будни", "saturday": "суббота", "shortened": "сокращённый день"}


@dataclass(frozen=True)
class Bell:
    number: int
    starts_at: time
    ends_at: time


def _t(text: str) -> time:
    return time.fromisoformat(text)


# Used while an organisation has not set its own: 45-minute lessons from 08:30 with
# 10-minute breaks and a 20-minute one after the 3rd lesson (shift 1), from 14:00 (shift 2).
DEFAULT_BELLS: dict[int, tuple[Bell, ...]] = {
    1: tuple(
        Bell(n, _t(a), _t(b))
        for n, (a, b) in enumerate(
            [
                ("08:30", "09:15"),
                ("09:25", "10:10"),
                ("10:20", "11:05"),
                ("11:25", "12:10"),
                ("12:20", "13:05"),
                ("13:15", "14:00"),
                ("14:10", "14:55"),
                ("15:05", "15:50"),
            ],
            start=1,
        )
    ),
    2: tuple(
        Bell(n, _t(a), _t(b))
        for n, (a, b) in enumerate(
            [
                ("14:00", "14:45"),
                ("14:55", "15:40"),
                ("15:50", "16:35"),
                ("16:55", "17:40"),
                ("17:50", "18:35"),
                ("18:45", "19:30"),
            ],
            start=1,
        )
    ),
}


def check_bells(bells: list[Bell]) -> None:
    """Numbers from 1 without gaps, each lesson ends after it starts, no two overlap."""
    if not bells:
        raise InvalidState("В расписании звонков нет ни одного урока")
    ordered = sorted(bells, key=lambda b: b.number)
    if [b.number for b in ordered] != list(range(1, len(ordered) + 1)):
        raise InvalidState("Номера уроков должны идти по порядку с первого, без пропусков")
    for b in ordered:
        if b.ends_at <= b.starts_at:
            raise InvalidState(f"Урок {b.number}: окончание не позже начала")
    for a, b in itertools.pairwise(ordered):
        if b.starts_at < a.ends_at:
            raise InvalidState(f"Уроки {a.number} и {b.number} пересекаются по времени")

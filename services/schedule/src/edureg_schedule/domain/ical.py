"""An iCalendar (RFC 5545) feed of lessons, so people subscribe from their phones. No
I/O: takes events, returns the text (CRLF lines, folded at 75 octets, text escaped)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class CalendarEvent:
    uid: uuid.UUID
    starts: datetime  # aware
    ends: datetime  # aware
    summary: str
    location: str | None
    description: str | None
    cancelled: bool
    sequence: int
    stamp: datetime


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets are split, continuation lines start with a space; a
    UTF-8 character is never cut in two."""
    out: list[str] = []
    current, size = "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        limit = 75 if not out else 74
        if size + n > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += n
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render(name: str, events: Iterable[CalendarEvent]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//edureg//Расписание//RU",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}@edureg",
            f"DTSTAMP:{_utc(e.stamp)}",
            f"DTSTART:{_utc(e.starts)}",
            f"DTEND:{_utc(e.ends)}",
            f"SEQUENCE:{e.sequence}",
            f"SUMMARY:{_escape(('Отменено: ' if e.cancelled else '') + e.summary)}",
            f"STATUS:{'CANCELLED' if e.cancelled else 'CONFIRMED'}",
        ]
        if e.location:
            lines.append(f"LOCATION:{_escape(e.location)}")
        if e.description:
            lines.append(f"DESCRIPTION:{_escape(e.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))

"""A group's summary sheets from the events of contingent, schedule and journal: the
figures, the files, who may see them, and the same figures after a replay."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import openpyxl
import pypdfium2
import pytest

from edureg_admin import replay
from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import assert_problem, eventually, running_app, service_settings
from edureg_devstack.testing.tokens import TestIssuer
from edureg_reporting.bootstrap import create
from edureg_reporting.config import Settings
from edureg_reporting.manifest import MANIFEST
from edureg_shared.events.envelope import Actor, Envelope

VERSIONS = {"contingent.student.enrolled": 2, "contingent.student.expelled": 2}
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
RANGE = {"from": "2026-09-01", "to": "2026-10-31"}


@dataclass
class World:
    tenant: uuid.UUID = field(default_factory=uuid.uuid4)
    group: uuid.UUID = field(default_factory=uuid.uuid4)
    curator: uuid.UUID = field(default_factory=uuid.uuid4)
    teacher: uuid.UUID = field(default_factory=uuid.uuid4)
    maths: uuid.UUID = field(default_factory=uuid.uuid4)
    russian: uuid.UUID = field(default_factory=uuid.uuid4)
    period: uuid.UUID = field(default_factory=uuid.uuid4)
    # Алексеева: 5, 5 → 5; Борисов: 4 (×1), 3 (×3) → 3,25 → 3; Вяземская: 2 → 2.
    students: dict[str, uuid.UUID] = field(
        default_factory=lambda: {
            n: uuid.uuid4() for n in ("Алексеева Анна", "Борисов Борис", "Вяземская Вера")
        }
    )
    lessons: list[uuid.UUID] = field(default_factory=lambda: [uuid.uuid4() for _ in range(3)])


def event(w: World, type_: str, data: dict[str, Any], at: datetime = T0) -> Envelope:
    return Envelope(
        type=type_,
        schema_version=VERSIONS.get(type_, 1),
        tenant_id=w.tenant,
        occurred_at=at,
        actor=Actor(id=w.teacher),
        data=data,
    )


def _lesson(w: World, lesson: uuid.UUID, subject: uuid.UUID, name: str, day: str) -> dict[str, Any]:
    return {
        "lesson_id": str(lesson),
        "group_id": str(w.group),
        "subgroup_id": None,
        "subject_id": str(subject),
        "subject": name,
        "teacher_ids": [str(w.teacher)],
        "day": day,
        "lesson_number": 1,
        "starts_at": "09:00:00",
        "ends_at": "09:45:00",
        "room": None,
        "period_id": str(w.period),
        "status": "scheduled",
        "version": 1,
    }


def _mark(
    w: World,
    lesson: int,
    student: str,
    work: str,
    value: str | None,
    weight: int,
    subject: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {
        "lesson_id": str(w.lessons[lesson]),
        "group_id": str(w.group),
        "subject_id": str(subject or w.maths),
        "day": f"2026-09-0{lesson + 2}",
        "student_id": str(w.students[student]),
        "work_type": work,
        "weight": weight,
        "value": value,
        "previous": None,
    }


def history(w: World) -> list[Envelope]:
    """What the other services would have published, in an order that is not the
    order things happened: a change before the mark it changes, the group after its
    students."""
    a, b, v = w.students
    out = [
        event(
            w,
            "contingent.student.enrolled",
            {
                "order_id": str(uuid.uuid4()),
                "student_id": str(sid),
                "group_id": str(w.group),
                "order_number": "1-к",
                "order_date": "2026-08-30",
                "valid_from": "2026-09-01",
                "display_name": name,
            },
        )
        for name, sid in w.students.items()
    ]
    out.append(
        event(
            w,
            "contingent.group.created",
            {
                "group_id": str(w.group),
                "name": "7Б",
                "grade": 7,
                "academic_year": "2026/2027",
                "curator_user_id": str(w.curator),
            },
        )
    )
    out += [
        event(
            w,
            "journal.roster.changed",
            {
                "group_id": str(w.group),
                "student_id": str(sid),
                "change": "added",
                "date": "2026-09-01",
            },
        )
        for sid in w.students.values()
    ]
    out.append(
        event(
            w,
            "schedule.period.defined",
            {
                "academic_year_id": str(uuid.uuid4()),
                "period": {
                    "period_id": str(w.period),
                    "kind": "quarter",
                    "number": 1,
                    "starts_on": "2026-09-01",
                    "ends_on": "2026-10-26",
                    "scope": "all",
                },
            },
        )
    )
    out.append(
        event(
            w,
            "schedule.load.assigned",
            {
                "load_id": str(uuid.uuid4()),
                "teacher_user_id": str(w.teacher),
                "subject_id": str(w.maths),
                "group_id": str(w.group),
                "subgroup_id": None,
                "period_id": str(w.period),
                "hours": 5,
            },
        )
    )
    out.append(
        event(
            w,
            "schedule.lesson.scheduled",
            {
                "group_id": str(w.group),
                "lessons": [
                    _lesson(w, w.lessons[0], w.maths, "Математика", "2026-09-02"),
                    # A double lesson: two academic hours.
                    {**_lesson(w, w.lessons[1], w.maths, "Математика", "2026-09-03"), "hours": 2},
                    _lesson(w, w.lessons[2], w.russian, "Русский язык", "2026-09-04"),
                ],
            },
        )
    )
    later = T0 + timedelta(hours=1)
    out += [
        # Борисов's 4 was a 2 first; the change comes before the mark it changes.
        event(w, "journal.mark.changed", _mark(w, 0, b, "oral", "4", 1), at=later),
        event(w, "journal.mark.recorded", _mark(w, 0, b, "oral", "2", 1)),
        event(w, "journal.mark.recorded", _mark(w, 1, b, "test", "3", 3)),
        event(w, "journal.mark.recorded", _mark(w, 0, a, "oral", "5", 1)),
        event(w, "journal.mark.recorded", _mark(w, 1, a, "test", "5", 3)),
        event(w, "journal.mark.recorded", _mark(w, 1, v, "test", "2", 3)),
        # A mark given and taken back does not count.
        event(w, "journal.mark.recorded", _mark(w, 0, v, "homework", "5", 1)),
        event(w, "journal.mark.deleted", _mark(w, 0, v, "homework", None, 1), at=later),
        event(w, "journal.mark.recorded", _mark(w, 2, a, "oral", "4", 1, subject=w.russian)),
        event(
            w,
            "journal.period_mark.set",
            {
                "group_id": str(w.group),
                "subject_id": str(w.russian),
                "period_id": str(w.period),
                "kind": "period",
                "student_id": str(w.students[a]),
                "value": "5",
                "previous": None,
            },
        ),
    ]
    for lesson, student, code in (
        (0, v, "ill"),
        (1, v, "absent"),
        (1, b, "late"),
        (2, v, "excused"),
    ):
        out.append(
            event(
                w,
                "journal.attendance.recorded",
                {
                    "lesson_id": str(w.lessons[lesson]),
                    "group_id": str(w.group),
                    "subject_id": str(w.russian if lesson == 2 else w.maths),
                    "day": f"2026-09-0{lesson + 2}",
                    "student_id": str(w.students[student]),
                    "code": code,
                },
            )
        )
    return out


@pytest.fixture
async def world(infra: Infra, nats_prefix: str) -> World:
    w = World()
    for e in history(w):
        await infra.publish(nats_prefix, e, str(e.id))
    return w


def deputy(issuer: TestIssuer, w: World) -> dict[str, str]:
    return issuer.headers(tenant_id=w.tenant, permissions=["reporting.read"])


async def _settled(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    w: World,
    like: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The sheet once every event above is applied (and, with `like`, once it is that)."""

    async def sheet() -> dict[str, Any]:
        r = await client.get(
            f"/api/v1/groups/{w.group}/marks-summary", params=RANGE, headers=headers
        )
        return r.json() if r.status_code == 200 else {}

    def complete(s: dict[str, Any]) -> bool:
        if len(s.get("rows", [])) != 3 or len(s["subjects"]) != 2:
            return False
        if any(x["name"] == "Предмет" for x in s["subjects"]):
            return False  # a subject's name not projected yet (another consumer)
        cells = {r["display_name"]: {c["subject_id"]: c for c in r["cells"]} for r in s["rows"]}
        b = cells["Борисов Борис"].get(str(w.maths))
        v = cells["Вяземская Вера"].get(str(w.maths))
        return bool(b and b["marks"] == 2 and b["average"] == 3.25 and v and v["marks"] == 1)

    return await eventually(
        sheet,
        until=lambda s: complete(s) and (like is None or s == like),
        message="sheet projected" if like is None else "the same sheet",
    )


async def test_the_summary_sheet_of_marks_counts_the_standard_figures(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    s = await _settled(client, deputy(issuer, w), w)
    assert [x["name"] for x in s["subjects"]] == ["Математика", "Русский язык"]
    rows = {r["display_name"]: r for r in s["rows"]}
    assert list(rows) == ["Алексеева Анна", "Борисов Борис", "Вяземская Вера"]
    maths = {n: {c["subject_id"]: c for c in r["cells"]}[str(w.maths)] for n, r in rows.items()}
    assert maths["Алексеева Анна"]["result"] == "5"
    assert (maths["Борисов Борис"]["average"], maths["Борисов Борис"]["result"]) == (3.25, "3")
    assert maths["Вяземская Вера"]["result"] == "2"
    # Without a period, the period mark in Russian is not in a date range's sheet.
    russian = {c["subject_id"]: c for c in rows["Алексеева Анна"]["cells"]}[str(w.russian)]
    assert (russian["period_mark"], russian["result"]) == (None, "4")
    figures = {f["subject_id"]: f for f in s["per_subject"]}[str(w.maths)]
    assert (figures["counted"], figures["success_rate"], figures["quality_rate"]) == (3, 66.7, 33.3)
    assert (s["overall"]["success_rate"], s["overall"]["quality_rate"]) == (66.7, 33.3)
    assert [rows[n]["category"] for n in rows] == ["good", "one_three", "failing"]

    by_period = await client.get(
        f"/api/v1/groups/{w.group}/marks-summary",
        params={"period_id": str(w.period)},
        headers=deputy(issuer, w),
    )
    assert by_period.status_code == 200, by_period.text
    body = by_period.json()
    assert (body["start"], body["end"], body["period"]["title"]) == (
        "2026-09-01",
        "2026-10-26",
        "1 четверть",
    )
    cells = {
        c["subject_id"]: c
        for c in {r["display_name"]: r for r in body["rows"]}["Алексеева Анна"]["cells"]
    }
    assert (cells[str(w.russian)]["period_mark"], cells[str(w.russian)]["result"]) == ("5", "5")
    assert body["rows"][0]["category"] == "excellent"


async def test_the_sheets_as_files_open_with_cyrillic(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    headers = deputy(issuer, w)
    await _settled(client, headers, w)
    url = f"/api/v1/groups/{w.group}/marks-summary"
    x = await client.get(url, params={**RANGE, "format": "xlsx"}, headers=headers)
    assert x.status_code == 200, x.text
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in x.headers["content-disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    flat = [v for row in values for v in row if v is not None]
    assert "Сводная ведомость успеваемости" in flat
    assert "Борисов Борис" in flat
    borisov = next(row for row in values if "Борисов Борис" in row)
    assert 3.25 in borisov  # a number, not text
    assert any(row[1] == "Успеваемость" and "66,7 %" in row for row in values)

    p = await client.get(url, params={**RANGE, "format": "pdf"}, headers=headers)
    assert p.status_code == 200
    assert p.content.startswith(b"%PDF")
    doc = pypdfium2.PdfDocument(p.content)
    try:
        text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        assert doc[0].render(scale=1).to_pil().size[0] > doc[0].render(scale=1).to_pil().size[1]
    finally:
        doc.close()
    for expected in (
        "Сводная ведомость успеваемости",
        "Вяземская Вера",
        "Группа (класс): 7Б",
        "Качество знаний",
    ):
        assert expected in text.replace("\r", "").replace("\n", " ") or expected in text

    a = await client.get(
        f"/api/v1/groups/{w.group}/attendance-summary", params=RANGE, headers=headers
    )
    assert a.status_code == 200, a.text
    body = a.json()
    vera = next(r for r in body["rows"] if r["display_name"] == "Вяземская Вера")
    assert vera["total_missed"] == 3
    assert vera["by_code"]["ill"] == 1
    assert vera["missed"][str(w.maths)] == 2
    assert vera["missed"][str(w.russian)] == 1
    assert body["totals"]["late"] == 1
    assert body["lessons"][str(w.maths)] == 2
    ax = await client.get(
        f"/api/v1/groups/{w.group}/attendance-summary",
        params={**RANGE, "format": "xlsx"},
        headers=headers,
    )
    assert "Сводная ведомость посещаемости" in [
        c.value for c in openpyxl.load_workbook(io.BytesIO(ax.content)).active["A"]
    ]


async def test_who_may_not_see_a_groups_sheets(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    await _settled(client, deputy(issuer, w), w)
    url = f"/api/v1/groups/{w.group}/marks-summary"

    async def get(**token: Any) -> httpx.Response:
        return await client.get(url, params=RANGE, headers=issuer.headers(**token))

    # The group's curator and a teacher whose load is in it see it, without a permission.
    assert (await get(tenant_id=w.tenant, user_id=w.curator)).status_code == 200
    assert (await get(tenant_id=w.tenant, user_id=w.teacher)).status_code == 200
    # Another teacher of the school, a student, a parent: refused in Russian.
    for kind in ("staff", "student", "guardian"):
        body = assert_problem(await get(tenant_id=w.tenant, user_id=uuid.uuid4(), kind=kind), 403)
        assert "куратор" in body["detail"]
    # Their lists of groups are empty; the curator's holds the group.
    mine = await client.get(
        "/api/v1/report-groups", headers=issuer.headers(tenant_id=w.tenant, user_id=w.curator)
    )
    assert [g["name"] for g in mine.json()] == ["7Б"]
    other = await client.get("/api/v1/report-groups", headers=issuer.headers(tenant_id=w.tenant))
    assert other.json() == []
    # Another organisation's deputy: the group does not exist for them.
    body = assert_problem(await get(tenant_id=uuid.uuid4(), permissions=["reporting.read"]), 404)
    assert body["detail"] == "Нет такой группы"


async def test_bad_requests_for_a_sheet_are_russian_problems(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    headers = deputy(issuer, w)
    await _settled(client, headers, w)
    url = f"/api/v1/groups/{w.group}/marks-summary"
    body = assert_problem(
        await client.get(url, params={"period_id": str(uuid.uuid4())}, headers=headers), 404
    )
    assert body["detail"] == "Нет такого учебного периода"
    body = assert_problem(await client.get(url, headers=headers), 422)
    assert {e["field"] for e in body["errors"]} == {"from", "to"}
    body = assert_problem(
        await client.get(url, params={"from": "2016-09-01", "to": "2026-08-31"}, headers=headers),
        422,
    )
    assert "400" in body["detail"]
    assert_problem(await client.get(url, params={**RANGE, "format": "doc"}, headers=headers), 422)
    assert_problem(
        await client.get(
            f"/api/v1/groups/{uuid.uuid4()}/attendance-summary", params=RANGE, headers=headers
        ),
        404,
    )


async def test_a_replay_into_an_empty_database_arrives_at_the_same_figures(
    infra: Infra, db: ServiceDatabase, nats_prefix: str, issuer: TestIssuer, world: World
) -> None:
    w = world
    headers = deputy(issuer, w)
    settings = service_settings(Settings, infra, db, nats_prefix)
    app = create(settings)
    app.state.token_verifier = issuer.verifier()
    async with running_app(app) as client:
        before = await _settled(client, headers, w)
        attendance = (
            await client.get(
                f"/api/v1/groups/{w.group}/attendance-summary", params=RANGE, headers=headers
            )
        ).json()
    emptied = await replay.empty_tables(db.owner_url, replay.entered_tables("reporting"))
    assert {"marks", "inbox", "memberships"} <= set(emptied)
    # What people typed in, the audit trail and the outbox stay.
    assert not {"organisation_rules", "region_rules", "report_jobs", "audit_log", "outbox"} & set(
        emptied
    )
    async with infra.nats_admin() as nc:
        assert await replay.reset_consumers(nc, MANIFEST, nats_prefix) == len(MANIFEST.consumes)
    app = create(settings)
    app.state.token_verifier = issuer.verifier()
    async with running_app(app) as client:
        after = await _settled(client, headers, w, like=before)

        async def attendance_sheet() -> Any:
            r = await client.get(
                f"/api/v1/groups/{w.group}/attendance-summary", params=RANGE, headers=headers
            )
            return r.json()

        # Each event type has its consumer: the figures converge once every one is done
        # (a timeout here is a replay that arrives at other figures).
        again = await eventually(
            attendance_sheet, until=lambda a: a == attendance, message="the same attendance"
        )
    assert after == before
    assert again == attendance


async def test_the_organisations_summary_progress_report(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    h = deputy(issuer, w)
    await _settled(client, h, w)
    r = await client.get("/api/v1/organisation/progress-summary", params=RANGE, headers=h)
    assert r.status_code == 200, r.text
    [line] = r.json()["groups"]
    assert (line["group"]["name"], line["students"]) == ("7Б", 3)
    assert (line["figures"]["success_rate"], line["figures"]["quality_rate"]) == (66.7, 33.3)
    x = await client.get(
        "/api/v1/organisation/progress-summary", params={**RANGE, "format": "xlsx"}, headers=h
    )
    values = [
        v
        for row in openpyxl.load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert "Сводный отчёт об успеваемости" in values
    assert "По организации" in values
    # The group's own teacher and curator see their group's sheets, not the organisation's.
    for user in (w.teacher, w.curator):
        assert_problem(
            await client.get(
                "/api/v1/organisation/progress-summary",
                params=RANGE,
                headers=issuer.headers(tenant_id=w.tenant, user_id=user),
            ),
            403,
        )

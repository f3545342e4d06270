"""Deadline compliance from the events: an organisation's own figures, the region's
monitoring with its drill-down, the regulation profiles — and who may not see them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import Actor, Envelope

MSK = timedelta(hours=3)
RANGE = {"from": "2026-09-01", "to": "2026-12-31"}


def at(day: str, hour: int = 15) -> datetime:
    """A Moscow wall-clock time on `day`, as UTC."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC) - MSK


@dataclass
class Org:
    municipality: str
    tenant: uuid.UUID = field(default_factory=uuid.uuid4)
    group: uuid.UUID = field(default_factory=uuid.uuid4)
    subject: uuid.UUID = field(default_factory=uuid.uuid4)


def event(org: Org, type_: str, data: dict[str, Any], when: datetime | None = None) -> Envelope:
    return Envelope(
        type=type_,
        tenant_id=org.tenant,
        occurred_at=when or datetime.now(UTC),
        actor=Actor(id=uuid.uuid4()),
        data=data,
    )


def lesson(org: Org, day: date, status: str = "scheduled") -> dict[str, Any]:
    return {
        "lesson_id": str(uuid.uuid4()),
        "group_id": str(org.group),
        "subgroup_id": None,
        "subject_id": str(org.subject),
        "subject": "Физика",
        "teacher_ids": [],
        "day": day.isoformat(),
        "lesson_number": 2,
        "starts_at": "10:00:00",
        "ends_at": "10:45:00",
        "room": None,
        "period_id": None,
        "status": status,
        "version": 1,
    }


def conducted(org: Org, x: dict[str, Any], entered: datetime) -> Envelope:
    return event(
        org,
        "journal.lesson.conducted",
        {
            "lesson_id": x["lesson_id"],
            "group_id": x["group_id"],
            "subject_id": x["subject_id"],
            "day": x["day"],
            "entered_at": entered.isoformat(),
        },
    )


@dataclass
class Region:
    a: Org
    b: Org
    ministry: uuid.UUID


@pytest.fixture
async def region(infra: Infra, nats_prefix: str) -> Region:
    a, b = Org("Городской округ Н"), Org("Район Р")
    events: list[Envelope] = []
    for org, code, name in ((a, "sch1", "Школа № 1"), (b, "sch2", "Школа № 2")):
        events.append(
            event(
                org,
                "identity.organisation.registered",
                {
                    "organisation_id": str(org.tenant),
                    "code": code,
                    "kind": "school",
                    "name": f"МБОУ «{name}»",
                    "short_name": name,
                    "municipality": org.municipality,
                },
            )
        )
        events.append(
            event(
                org,
                "contingent.group.created",
                {
                    "group_id": str(org.group),
                    "name": "9А",
                    "grade": 9,
                    "academic_year": "2026/2027",
                },
            )
        )
    # School 1: one lesson entered the same day, one a week late, one never; a cancelled
    # lesson and one still to come do not count.
    on_time, late, never = (lesson(a, date(2026, 10, d)) for d in (5, 6, 7))
    cancelled = lesson(a, date(2026, 10, 8), "cancelled")
    coming = lesson(a, datetime.now(UTC).date() + timedelta(days=20))
    events.append(
        event(
            a,
            "schedule.lesson.scheduled",
            {"group_id": str(a.group), "lessons": [on_time, late, never, cancelled, coming]},
        )
    )
    events += [conducted(a, on_time, at("2026-10-05")), conducted(a, late, at("2026-10-13"))]
    # School 2: its one lesson entered the next working day (Friday's on Monday).
    friday = lesson(b, date(2026, 10, 9))
    events.append(
        event(b, "schedule.lesson.scheduled", {"group_id": str(b.group), "lessons": [friday]})
    )
    events.append(conducted(b, friday, at("2026-10-12", 9)))
    # School 1's year: the timetable by 15 September (in time), the profile complete late.
    year = str(uuid.uuid4())
    events.append(
        event(
            a,
            "schedule.academic_year.opened",
            {
                "academic_year_id": year,
                "title": "2026/2027",
                "starts_on": "2026-09-01",
                "ends_on": "2027-05-31",
                "periods": [],
            },
        )
    )
    events.append(
        event(
            a,
            "schedule.timetable.published",
            {
                "academic_year_id": year,
                "what": "timetable",
                "published_at": at("2026-09-10").isoformat(),
            },
        )
    )
    events.append(
        event(
            a,
            "contingent.organisation.profile_changed",
            {
                "organisation_id": str(a.tenant),
                "version": 1,
                "complete": False,
                "missing_fields": ["inn"],
                "accredited": False,
                "accreditation_valid_until": None,
                "licence_date": None,
            },
            when=at("2026-09-05"),
        )
    )
    events.append(
        event(
            a,
            "contingent.organisation.profile_changed",
            {
                "organisation_id": str(a.tenant),
                "version": 2,
                "complete": True,
                "missing_fields": [],
                "accredited": True,
                "accreditation_valid_until": "2030-01-01",
                "licence_date": "2015-01-01",
            },
            when=at("2026-09-20"),
        )
    )
    # Marks of three pupils of school 1: 5 and 4 (good), 3 (passed), 2 (not passed).
    for value, pupil in (("5", 0), ("4", 0), ("3", 1), ("2", 2)):
        events.append(
            event(
                a,
                "journal.mark.recorded",
                {
                    "lesson_id": on_time["lesson_id"],
                    "group_id": str(a.group),
                    "subject_id": str(a.subject),
                    "day": on_time["day"],
                    "student_id": str(uuid.UUID(int=pupil + 1)),
                    "work_type": "oral" if value != "4" else "test",
                    "weight": 1,
                    "value": value,
                    "previous": None,
                },
            )
        )
    for kind in ("staff", "guardian", "guardian"):
        events.append(
            event(
                a,
                "identity.user.signed_in",
                {"user_id": str(uuid.uuid4()), "kind": kind, "one_time_password": False},
                when=at("2026-10-05", 8),
            )
        )
    for e in events:
        await infra.publish(nats_prefix, e, str(e.id))
    return Region(a, b, uuid.uuid4())


def specialist(issuer: TestIssuer, r: Region, *perms: str) -> dict[str, str]:
    return issuer.headers(tenant_id=r.ministry, permissions=list(perms or ["region.reports.read"]))


def rules_of(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {x["code"]: x for x in figures["rules"]}


async def _monitoring(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    async def get() -> dict[str, Any]:
        r = await client.get("/api/v1/region/monitoring", params=RANGE, headers=headers)
        return r.json() if r.status_code == 200 else {}

    def settled(m: dict[str, Any]) -> bool:
        if len(m.get("organisations", [])) != 2:
            return False
        rs = {o["short_name"]: rules_of(o) for o in m["organisations"]}
        one, two = rs["Школа № 1"], rs["Школа № 2"]
        return (
            one["lesson_entry"]["due"] == 3
            and one["lesson_entry"]["overdue"] == 1
            and one["lesson_entry"]["late"] == 1
            # done, not merely due (an item not done yet counts as due: overdue)
            and one["org_profile"]["late"] == 1
            and one["timetable"]["in_time"] == 1
            and two["lesson_entry"]["in_time"] == 1
            and sum(m["organisations"][0]["sign_ins"].values())
            + sum(m["organisations"][1]["sign_ins"].values())
            == 3
            and m["region"]["groups"] == 2
            and m["region"]["rated_students"] == 3
        )

    return await eventually(get, until=settled, message="the monitoring projected")


async def test_the_region_sees_each_organisations_compliance_and_drills_down(
    client: httpx.AsyncClient, issuer: TestIssuer, region: Region
) -> None:
    r = region
    m = await _monitoring(client, specialist(issuer, r))
    one = rules_of(next(o for o in m["organisations"] if o["short_name"] == "Школа № 1"))
    assert one["lesson_entry"]["rate"] == 33.3
    assert one["lesson_entry"]["pending"] == 0  # the lesson still to come is not counted
    assert (one["timetable"]["in_time"], one["org_profile"]["late"]) == (1, 1)
    assert all(r["computed"] for r in one.values())
    assert one["personal_files"]["rate"] is None  # nobody enrolled there in the dates
    assert rules_of(m["region"])["lesson_entry"]["rate"] == 50.0
    assert [x["municipality"] for x in m["municipalities"]] == ["Городской округ Н", "Район Р"]
    assert {w["week"]: w["rate"] for w in m["trend"]} == {"2026-10-05": 50.0}
    a = next(o for o in m["organisations"] if o["short_name"] == "Школа № 1")
    assert a["sign_ins"] == {"staff": 1, "guardian": 2}
    assert (a["rated_students"], a["success_rate"], a["quality_rate"]) == (3, 66.7, 33.3)
    assert m["region"]["quality_rate"] == 33.3

    h = specialist(issuer, r)
    org = await client.get(
        f"/api/v1/region/organisations/{r.a.tenant}/monitoring", params=RANGE, headers=h
    )
    assert org.status_code == 200, org.text
    assert rules_of(org.json())["lesson_entry"]["rate"] == 33.3
    overdue = await client.get(
        f"/api/v1/region/organisations/{r.a.tenant}/overdue", params=RANGE, headers=h
    )
    body = overdue.json()
    assert body["total"] == 2
    assert [(i["status"], i["day"], i["group"], i["subject"]) for i in body["items"]] == [
        ("overdue", "2026-10-07", "9А", "Физика"),
        ("late", "2026-10-06", "9А", "Физика"),
    ]
    assert body["items"][1]["entered_on"] == "2026-10-13"
    assert "student" not in overdue.text  # counts and lessons, never a child

    # The region gives every organisation ten working days: the late lesson is in time.
    admin = specialist(issuer, r, "region.regulations.write")
    saved = await client.put(
        "/api/v1/region/regulations", json={"rules": {"lesson_entry": 10}}, headers=admin
    )
    assert saved.status_code == 200, saved.text
    m = await client.get("/api/v1/region/monitoring", params=RANGE, headers=h)
    one = rules_of(next(o for o in m.json()["organisations"] if o["short_name"] == "Школа № 1"))
    assert (one["lesson_entry"]["deadline"], one["lesson_entry"]["in_time"]) == (10, 2)


async def test_an_organisation_sees_its_own_figures_and_keeps_its_own_deadline(
    client: httpx.AsyncClient, issuer: TestIssuer, region: Region
) -> None:
    r = region
    await _monitoring(client, specialist(issuer, r))
    deputy = issuer.headers(tenant_id=r.a.tenant, permissions=["reporting.read"])
    own = await client.get("/api/v1/compliance", params=RANGE, headers=deputy)
    assert own.status_code == 200, own.text
    assert rules_of(own.json())["lesson_entry"]["rate"] == 33.3
    assert own.json()["short_name"] == "Школа № 1"
    other = issuer.headers(tenant_id=r.b.tenant, permissions=["reporting.read"])
    theirs = rules_of((await client.get("/api/v1/compliance", params=RANGE, headers=other)).json())
    assert (theirs["lesson_entry"]["due"], theirs["lesson_entry"]["rate"]) == (1, 100.0)
    items = (await client.get("/api/v1/compliance/overdue", params=RANGE, headers=other)).json()
    assert items["total"] == 0

    # School 1's regulation (001 8.4: every two weeks) is its own: ten working days.
    admin = issuer.headers(
        tenant_id=r.a.tenant, permissions=["reporting.read", "reporting.regulations.write"]
    )
    bad = await client.put(
        "/api/v1/regulations", json={"rules": {"lesson_entry": 99, "nonsense": 1}}, headers=admin
    )
    body = assert_problem(bad, 422)
    assert {e["field"] for e in body["errors"]} == {"rules.lesson_entry", "rules.nonsense"}
    body = assert_problem(
        await client.put(
            "/api/v1/regulations", json={"rules": {"lesson_entry": 10}}, headers=admin
        ),
        422,
    )
    assert body["errors"][0]["field"] == "reasons.lesson_entry"
    ok = await client.put(
        "/api/v1/regulations",
        json={"rules": {"lesson_entry": 10}, "reasons": {"lesson_entry": "Положение, п. 8.4"}},
        headers=admin,
    )
    assert ok.status_code == 200, ok.text
    setting = {x["code"]: x for x in ok.json()}["lesson_entry"]
    assert (setting["own"], setting["effective"], setting["reason"]) == (
        10,
        10,
        "Положение, п. 8.4",
    )
    own = rules_of((await client.get("/api/v1/compliance", params=RANGE, headers=deputy)).json())
    assert own["lesson_entry"]["in_time"] == 2
    # School 2 still follows the region.
    theirs = {x["code"]: x for x in (await client.get("/api/v1/regulations", headers=other)).json()}
    assert (theirs["lesson_entry"]["own"], theirs["lesson_entry"]["effective"]) == (None, 1)


async def test_who_may_not_see_or_change_the_monitoring(
    client: httpx.AsyncClient, issuer: TestIssuer, region: Region
) -> None:
    r = region
    await _monitoring(client, specialist(issuer, r))
    school = issuer.headers(
        tenant_id=r.a.tenant, permissions=["reporting.read", "reporting.regulations.write"]
    )
    teacher = issuer.headers(tenant_id=r.a.tenant, permissions=["journal.marks.write"])
    monitor = specialist(issuer, r)
    # A school's management does not reach the region's figures or its profile.
    assert_problem(await client.get("/api/v1/region/monitoring", params=RANGE, headers=school), 403)
    assert_problem(
        await client.get(
            f"/api/v1/region/organisations/{r.b.tenant}/overdue", params=RANGE, headers=school
        ),
        403,
    )
    assert_problem(
        await client.put(
            "/api/v1/region/regulations", json={"rules": {"lesson_entry": 30}}, headers=school
        ),
        403,
    )
    # A teacher sees no organisation figures; a monitoring specialist changes no profile.
    assert_problem(await client.get("/api/v1/compliance", params=RANGE, headers=teacher), 403)
    assert_problem(
        await client.put(
            "/api/v1/region/regulations", json={"rules": {"lesson_entry": 30}}, headers=monitor
        ),
        403,
    )
    # Bad input: an unknown organisation, a range of ten years, dates the wrong way.
    body = assert_problem(
        await client.get(
            f"/api/v1/region/organisations/{uuid.uuid4()}/monitoring", params=RANGE, headers=monitor
        ),
        404,
    )
    assert body["detail"] == "Нет такой организации"
    assert_problem(
        await client.get(
            "/api/v1/region/monitoring",
            params={"from": "2016-09-01", "to": "2026-08-31"},
            headers=monitor,
        ),
        422,
    )
    assert_problem(
        await client.get(
            "/api/v1/compliance", params={"from": "2026-12-01", "to": "2026-09-01"}, headers=school
        ),
        422,
    )


async def test_orders_accounts_and_period_and_year_marks_are_judged_by_their_deadlines(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    """Two orders (one signed in time, one a week after its date); accounts provisioned
    the next day for one student, never for the other; a quarter's marks set for the
    whole roster on its last day in one subject, for half of it in another; the year
    marks set a week after the year's end."""
    org = Org("Городской округ Н")
    other_subject = uuid.uuid4()
    pupils = [uuid.uuid4(), uuid.uuid4()]
    quarter, year = uuid.uuid4(), uuid.uuid4()
    events: list[Envelope] = [
        event(
            org,
            "identity.organisation.registered",
            {
                "organisation_id": str(org.tenant),
                "code": "sch3",
                "kind": "school",
                "name": "МБОУ «Школа № 3»",
                "short_name": "Школа № 3",
                "municipality": org.municipality,
            },
        ),
        event(
            org,
            "contingent.group.created",
            {"group_id": str(org.group), "name": "5А", "grade": 5, "academic_year": "2026/2027"},
        ),
        # Schedule gives the group its curriculum (data completeness).
        event(
            org,
            "schedule.group.plan_set",
            {"group_id": str(org.group), "curriculum_id": str(uuid.uuid4()), "shift": 1},
        ),
        event(
            org,
            "schedule.academic_year.opened",
            {
                "academic_year_id": str(year),
                "title": "2026/2027",
                "starts_on": "2026-09-01",
                "ends_on": "2026-12-31",
                "periods": [
                    {
                        "period_id": str(quarter),
                        "kind": "quarter",
                        "number": 1,
                        "starts_on": "2026-09-01",
                        "ends_on": "2026-10-23",
                        "scope": "all",
                    }
                ],
            },
        ),
    ]
    # Order 1 (dated Monday 7 September) signed that day; order 2 (Tuesday 1 September)
    # signed on 10 September: later than three working days.
    for pupil, number, dated, signed, missing in (
        (pupils[0], "1-к", "2026-09-07", at("2026-09-07"), 0),
        (pupils[1], "2-к", "2026-09-01", at("2026-09-10"), 2),
    ):
        events.append(
            event(
                org,
                "contingent.student.enrolled",
                {
                    "order_id": str(uuid.uuid4()),
                    "student_id": str(pupil),
                    "group_id": str(org.group),
                    "valid_from": dated,
                    "order_number": number,
                    "order_date": dated,
                    "display_name": f"Ученик {number}",
                    "file_missing": missing,
                },
                when=signed,
            )
        )
        events[-1] = events[-1].model_copy(update={"schema_version": 2})
    # The second pupil's file is saved with one part still missing.
    events.append(
        event(
            org,
            "contingent.student.file_completeness",
            {"student_id": str(pupils[1]), "missing": 1},
            when=at("2026-09-20"),
        )
    )
    # Identity provisions the first pupil's account the next day, never the second's.
    events.append(
        event(
            org,
            "identity.accounts.provisioned",
            {
                "student_id": str(pupils[0]),
                "accounts": [
                    {"user_id": str(uuid.uuid4()), "person_id": str(pupils[0]), "kind": "student"}
                ],
            },
            when=at("2026-09-08"),
        )
    )
    # Journal's roster, the quarter's lessons in two subjects, the marks.
    for pupil in pupils:
        events.append(
            event(
                org,
                "journal.roster.changed",
                {
                    "group_id": str(org.group),
                    "student_id": str(pupil),
                    "change": "added",
                    "date": "2026-09-01",
                },
            )
        )
    lessons = [
        {**lesson(org, date(2026, 10, 5)), "period_id": str(quarter)},
        {
            **lesson(org, date(2026, 10, 6)),
            "period_id": str(quarter),
            "subject_id": str(other_subject),
            "subject": "Химия",
        },
    ]
    events.append(
        event(org, "schedule.lesson.scheduled", {"group_id": str(org.group), "lessons": lessons})
    )

    def period_mark(
        subject: uuid.UUID, pupil: uuid.UUID, when: datetime, kind: str = "period"
    ) -> Envelope:
        return event(
            org,
            "journal.period_mark.set",
            {
                "group_id": str(org.group),
                "subject_id": str(subject),
                "period_id": str(quarter if kind == "period" else year),
                "kind": kind,
                "student_id": str(pupil),
                "value": "4",
                "previous": None,
            },
            when=when,
        )

    events += [period_mark(org.subject, p, at("2026-10-23")) for p in pupils]
    # A correction a month later does not make the sheet late.
    events.append(period_mark(org.subject, pupils[0], at("2026-11-20")))
    events.append(period_mark(other_subject, pupils[0], at("2026-10-22")))
    events += [period_mark(org.subject, p, at("2026-10-30"), "year") for p in pupils]
    # Load in both subjects this year; Физика's plan saved on 10 September (by the 15th),
    # Химия's never; an empty plan does not count.
    for subject in (org.subject, other_subject):
        events.append(
            event(
                org,
                "schedule.load.assigned",
                {
                    "load_id": str(uuid.uuid4()),
                    "teacher_user_id": str(uuid.uuid4()),
                    "subject_id": str(subject),
                    "group_id": str(org.group),
                    "subgroup_id": None,
                    "period_id": str(quarter),
                    "hours": 16,
                },
            )
        )
    # Two absences corrected on documents brought on Tuesday 6 October: one on Wednesday
    # (within 2 working days), one the next Monday (late).
    for pupil, corrected in ((pupils[0], at("2026-10-07")), (pupils[1], at("2026-10-12"))):
        events.append(
            event(
                org,
                "journal.absence.documented",
                {
                    "lesson_id": lessons[0]["lesson_id"],
                    "group_id": str(org.group),
                    "student_id": str(pupil),
                    "day": "2026-10-05",
                    "document_on": "2026-10-06",
                    "corrected_at": corrected.isoformat(),
                },
            )
        )
    for subject, topics, when in (
        (org.subject, 12, at("2026-09-10")),
        (other_subject, 0, at("2026-09-03")),
    ):
        events.append(
            event(
                org,
                "journal.plan.saved",
                {
                    "plan_id": str(uuid.uuid4()),
                    "group_id": str(org.group),
                    "subject_id": str(subject),
                    "teacher_user_id": str(uuid.uuid4()),
                    "topics": topics,
                    "hours": topics,
                    "version": 0,
                },
                when=when,
            )
        )
    for e in events:
        await infra.publish(nats_prefix, e, str(e.id))

    deputy = issuer.headers(tenant_id=org.tenant, permissions=["reporting.read"])

    async def own() -> dict[str, dict[str, Any]]:
        r = await client.get("/api/v1/compliance", params=RANGE, headers=deputy)
        return rules_of(r.json()) if r.status_code == 200 else {}

    def settled(rs: dict[str, dict[str, Any]]) -> bool:
        return bool(rs) and (
            rs["orders"]["due"] == 2
            and rs["accounts"]["due"] == 2
            and rs["period_marks"]["due"] == 2
            and rs["year_marks"]["due"] == 2
            and rs["period_marks"]["in_time"] == 1
            and rs["year_marks"]["late"] == 1
            and rs["thematic_plans"]["due"] == 2
            and rs["absence_reasons"]["due"] == 2
            and rs["personal_files"]["due"] == 2
        )

    async def completeness() -> dict[str, dict[str, Any]]:
        r = await client.get("/api/v1/compliance", params=RANGE, headers=deputy)
        return {c["what"]: c for c in r.json()["completeness"]} if r.status_code == 200 else {}

    # One group, with its curriculum and lessons; one of its two subjects planned; the
    # card never saved.
    expected = {
        "curricula": (1, 1, 100.0),
        "timetables": (1, 1, 100.0),
        "thematic_plans": (1, 2, 50.0),
        "profile": (0, 1, 0.0),  # never saved: 0 of 1
        # One file complete, one still lacking a part.
        "personal_files": (1, 2, 50.0),
    }

    def shown(c: dict[str, dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
        return {w: (x["filled"], x["total"], x["rate"]) for w, x in c.items()}

    filled = await eventually(
        completeness, until=lambda c: shown(c) == expected, message="the completeness figures"
    )
    assert shown(filled) == expected

    rs = await eventually(own, until=settled, message="the deadlines judged")
    assert (rs["orders"]["in_time"], rs["orders"]["late"]) == (1, 1)
    # The second pupil's account never came: overdue (3 working days after 10 September).
    assert (rs["accounts"]["in_time"], rs["accounts"]["overdue"]) == (1, 1)
    # Физика: the whole roster marked on the last day; Химия: half the roster — overdue.
    assert (rs["period_marks"]["in_time"], rs["period_marks"]["overdue"]) == (1, 1)
    # The year's marks (the year's last period ended 23 October; two days to set them):
    # Физика's set a week later; Химия's never.
    assert (rs["year_marks"]["late"], rs["year_marks"]["overdue"]) == (1, 1)
    assert (rs["thematic_plans"]["in_time"], rs["thematic_plans"]["overdue"]) == (1, 1)
    assert (rs["absence_reasons"]["in_time"], rs["absence_reasons"]["late"]) == (1, 1)
    # The first pupil's file was complete at enrolment; the second's is still not.
    assert (rs["personal_files"]["in_time"], rs["personal_files"]["overdue"]) == (1, 1)
    assert all(
        rs[c]["computed"]
        for c in (
            "orders",
            "accounts",
            "period_marks",
            "year_marks",
            "thematic_plans",
            "absence_reasons",
        )
    )
    # The region sees the same counts, and no child.
    m = await _monitoring_of(client, issuer, org)
    assert rules_of(m)["accounts"]["overdue"] == 1

    # Drill-down to the items: the late order by its number, the unmarked subject.
    async def items(rule: str, headers: dict[str, str], path: str) -> dict[str, Any]:
        r = await client.get(path, params={**RANGE, "rule": rule}, headers=headers)
        assert r.status_code == 200, r.text
        assert "Ученик" not in r.text
        return dict(r.json())

    own_path = "/api/v1/compliance/items"
    orders = await items("orders", deputy, own_path)
    assert [(i["label"], i["status"], i["done_on"]) for i in orders["items"]] == [
        ("2-к", "late", "2026-09-10")
    ]
    marks = await items("period_marks", deputy, own_path)
    assert [(i["group"], i["subject"], i["status"]) for i in marks["items"]] == [
        ("5А", "Химия", "overdue")
    ]
    ministry = issuer.headers(tenant_id=uuid.uuid4(), permissions=["region.reports.read"])
    region_path = f"/api/v1/region/organisations/{org.tenant}/items"
    plans = await items("thematic_plans", ministry, region_path)
    assert [(i["subject"], i["status"]) for i in plans["items"]] == [("Химия", "overdue")]
    reasons = await items("absence_reasons", deputy, own_path)
    assert [(i["group"], i["status"], i["done_on"]) for i in reasons["items"]] == [
        ("5А", "late", "2026-10-12")
    ]
    # One absence is one child's: the region sees the rule's counts, not its items.
    refused = await client.get(
        region_path, params={**RANGE, "rule": "absence_reasons"}, headers=ministry
    )
    assert assert_problem(refused, 422)["errors"][0]["field"] == "rule"
    # One child's items reach the region counted per group and day.
    accounts = await items("accounts", ministry, region_path)
    assert [(i["group"], i["status"], i["label"]) for i in accounts["items"]] == [
        ("5А", "overdue", "обучающихся: 1")
    ]
    # An unknown rule is named; a teacher, a parent, another organisation's deputy see none.
    bad = await client.get(own_path, params={**RANGE, "rule": "nonsense"}, headers=deputy)
    assert assert_problem(bad, 422)["errors"][0]["field"] == "rule"
    for who in (
        issuer.headers(tenant_id=org.tenant, user_id=uuid.uuid4()),
        issuer.headers(tenant_id=org.tenant, user_id=uuid.uuid4(), kind="guardian"),
    ):
        assert_problem(
            await client.get(own_path, params={**RANGE, "rule": "orders"}, headers=who), 403
        )
        assert_problem(
            await client.get(region_path, params={**RANGE, "rule": "orders"}, headers=who), 403
        )
    stranger = issuer.headers(tenant_id=uuid.uuid4(), permissions=["reporting.read"])
    theirs = await client.get(own_path, params={**RANGE, "rule": "orders"}, headers=stranger)
    assert theirs.status_code == 200
    assert theirs.json()["items"] == []


async def _monitoring_of(client: httpx.AsyncClient, issuer: TestIssuer, org: Org) -> dict[str, Any]:
    headers = issuer.headers(tenant_id=uuid.uuid4(), permissions=["region.reports.read"])
    r = await client.get(
        f"/api/v1/region/organisations/{org.tenant}/monitoring", params=RANGE, headers=headers
    )
    assert r.status_code == 200, r.text
    assert "Ученик" not in r.text
    return dict(r.json())

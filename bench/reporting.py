"""Benchmark of reporting (the reporting issue): building the read models from the
events, the region's monitoring answer, and one group's summary sheet as XLSX and PDF.

    make bench-reporting          (events, a tenth of the region)
    make bench-reporting-full     (the issue's region, its read models written with COPY)
    uv run python bench/reporting.py --orgs 300 --students 500 --days 170 --marks 3 [--bulk]

The synthetic region is generated here, by this command: `--orgs` organisations (in ten
municipalities) of `--students` students each, in classes of 25; each class has five
lessons a school day for `--days` school days from 1 September, `--marks` marks and one
absence per lesson; nine lessons in ten are entered the same day, one in twenty late,
one in twenty never. The issue's region is 300 × 500 = 150,000 students with 15 million
marks (`--orgs 300 --days 170 --marks 3`: 6,000 classes × 850 lessons × 3): hours of
events on this machine, so the event run's default is a tenth of the organisations and a
fraction of the year (events/s), and `--bulk` writes the full region's read models
straight into reporting's tables with COPY — the same rows the projections would keep —
to time the monitoring and the sheets at the issue's size.

The events go into JetStream first (as the other services would have published them);
then reporting starts (in this process, its own database, fsync on) and its consumers
apply them: events/s is the count over the time until every consumer has drained. Then
the monitoring and the sheets are asked for with RS256 tokens verified as in production.
Prints the figures beside the machine's own baseline measured in the same run; asserts
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from machine import measure

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import running_app, service_settings
from edureg_devstack.testing.tokens import TestIssuer
from edureg_reporting.bootstrap import create
from edureg_reporting.config import Settings
from edureg_reporting.manifest import MANIFEST
from edureg_shared.events.envelope import Actor, Envelope, stream_name, subject_for

SERVICE_DIR = Path(__file__).resolve().parents[1] / "services" / "reporting"
CLASS = 25
PER_DAY = 5
VERSIONS = {"contingent.student.enrolled": 2}


def _school_days(n: int) -> list[date]:
    days, d = [], date(2025, 9, 1)
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def _ev(
    tenant: uuid.UUID, type_: str, data: dict[str, Any], at: datetime | None = None
) -> Envelope:
    return Envelope(
        type=type_,
        schema_version=VERSIONS.get(type_, 1),
        tenant_id=tenant,
        occurred_at=at or datetime.now(UTC),
        actor=Actor(),
        data=data,
    )


def region(args: argparse.Namespace) -> tuple[list[Envelope], list[tuple[uuid.UUID, uuid.UUID]]]:
    """Every event of the synthetic region, and (organisation, a group) for the sheets."""
    rnd = random.Random(7)
    days = _school_days(args.days)
    out: list[Envelope] = []
    sample = []
    subjects = [
        (uuid.uuid4(), n) for n in ("Математика", "Русский язык", "История", "Физика", "Биология")
    ]
    for o in range(args.orgs):
        tenant = uuid.uuid4()
        out.append(
            _ev(
                tenant,
                "identity.organisation.registered",
                {
                    "organisation_id": str(tenant),
                    "code": f"s{o}",
                    "kind": "school",
                    "name": f"МБОУ «Школа № {o + 1}»",
                    "short_name": f"Школа № {o + 1}",
                    "municipality": f"Район {o % 10 + 1}",
                },
            )
        )
        for g in range(args.students // CLASS):
            group = uuid.uuid4()
            if g == 0:
                sample.append((tenant, group))
            out.append(
                _ev(
                    tenant,
                    "contingent.group.created",
                    {
                        "group_id": str(group),
                        "name": f"{g % 11 + 1}{'АБВГД'[g // 11 % 5]}",
                        "grade": g % 11 + 1,
                        "academic_year": "2025/2026",
                    },
                )
            )
            pupils = [uuid.uuid4() for _ in range(CLASS)]
            for i, s in enumerate(pupils):
                out.append(
                    _ev(
                        tenant,
                        "contingent.student.enrolled",
                        {
                            "order_id": str(uuid.uuid4()),
                            "student_id": str(s),
                            "group_id": str(group),
                            "order_number": "1-к",
                            "order_date": "2025-08-30",
                            "valid_from": "2025-09-01",
                            "display_name": f"Ученик{i:02d} Имя",
                        },
                    )
                )
                out.append(
                    _ev(
                        tenant,
                        "journal.roster.changed",
                        {
                            "group_id": str(group),
                            "student_id": str(s),
                            "change": "added",
                            "date": "2025-09-01",
                        },
                    )
                )
            lessons = []
            for d in days:
                for n in range(PER_DAY):
                    subject, name = subjects[(n + d.toordinal()) % len(subjects)]
                    lessons.append(
                        {
                            "lesson_id": str(uuid.uuid4()),
                            "group_id": str(group),
                            "subgroup_id": None,
                            "subject_id": str(subject),
                            "subject": name,
                            "teacher_ids": [],
                            "day": d.isoformat(),
                            "lesson_number": n + 1,
                            "starts_at": "09:00:00",
                            "ends_at": "09:45:00",
                            "room": None,
                            "period_id": None,
                            "status": "scheduled",
                            "version": 1,
                        }
                    )
            for i in range(0, len(lessons), 500):
                out.append(
                    _ev(
                        tenant,
                        "schedule.lesson.scheduled",
                        {"group_id": str(group), "lessons": lessons[i : i + 500]},
                    )
                )
            for x in lessons:
                luck = rnd.random()
                if luck < 0.95:
                    day = date.fromisoformat(x["day"]) + timedelta(days=0 if luck < 0.9 else 6)
                    out.append(
                        _ev(
                            tenant,
                            "journal.lesson.conducted",
                            {
                                "lesson_id": x["lesson_id"],
                                "group_id": x["group_id"],
                                "subject_id": x["subject_id"],
                                "day": x["day"],
                                "entered_at": datetime(
                                    day.year, day.month, day.day, 12, tzinfo=UTC
                                ).isoformat(),
                            },
                        )
                    )
                common = {k: x[k] for k in ("lesson_id", "group_id", "subject_id", "day")}
                for s in rnd.sample(pupils, args.marks):
                    out.append(
                        _ev(
                            tenant,
                            "journal.mark.recorded",
                            {
                                **common,
                                "student_id": str(s),
                                "work_type": "oral",
                                "weight": 1,
                                "value": rnd.choice("5554443332"),
                                "previous": None,
                            },
                        )
                    )
                out.append(
                    _ev(
                        tenant,
                        "journal.attendance.recorded",
                        {
                            **common,
                            "student_id": str(rnd.choice(pupils)),
                            "code": rnd.choice(("absent", "ill", "late")),
                        },
                    )
                )
    return out, sample


async def bulk_region(
    dsn: str, args: argparse.Namespace
) -> tuple[list[tuple[uuid.UUID, uuid.UUID]], dict[str, int]]:
    """The same region written straight into reporting's read models with COPY (the
    issue's size — 15 million marks — is hours of events on this machine): for the
    monitoring's and the sheets' timings at full size. Rows as the projections keep
    them; the events/s figure comes from the event run."""
    import asyncpg

    rnd = random.Random(7)
    days = _school_days(args.days)
    subjects = [
        (uuid.uuid4(), n) for n in ("Математика", "Русский язык", "История", "Физика", "Биология")
    ]
    now = datetime.now(UTC)
    counts: dict[str, int] = {}
    sample: list[tuple[uuid.UUID, uuid.UUID]] = []
    conn = await asyncpg.connect(dsn)
    try:

        async def copy(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
            if rows:
                await conn.copy_records_to_table(table, records=rows, columns=columns)
                counts[table] = counts.get(table, 0) + len(rows)

        for o in range(args.orgs):
            tenant = uuid.uuid4()
            await copy(
                "organisations",
                ["organisation_id", "code", "kind", "name", "short_name", "municipality", "as_of"],
                [
                    (
                        tenant,
                        f"s{o}",
                        "school",
                        f"МБОУ «Школа № {o + 1}»",
                        f"Школа № {o + 1}",
                        f"Район {o % 10 + 1}",
                        now,
                    )
                ],
            )
            await copy(
                "subjects",
                ["tenant_id", "subject_id", "name"],
                [(tenant, sid, name) for sid, name in subjects],
            )
            groups, students, members, lessons, entries, marks, absences = ([] for _ in range(7))
            movement: list[tuple[Any, ...]] = []
            for g in range(args.students // CLASS):
                group = uuid.uuid4()
                if g == 0:
                    sample.append((tenant, group))
                groups.append(
                    (
                        tenant,
                        group,
                        f"{g % 11 + 1}{'АБВГД'[g // 11 % 5]}",
                        g % 11 + 1,
                        "2025/2026",
                        CLASS,
                        CLASS,
                        True,
                    )
                )
                pupils = [uuid.uuid4() for _ in range(CLASS)]
                for i, s in enumerate(pupils):
                    students.append((tenant, s, f"Ученик{i:02d} Имя", now))
                    members.append((tenant, group, s, date(2025, 9, 1), None))
                    movement.append(
                        (
                            tenant,
                            uuid.uuid4(),
                            "enrolled",
                            group,
                            s,
                            "1-к",
                            date(2025, 8, 30),
                            date(2025, 9, 1),
                            now,
                        )
                    )
                for d in days:
                    for n in range(PER_DAY):
                        subject = subjects[(n + d.toordinal()) % len(subjects)][0]
                        lesson = uuid.uuid4()
                        lessons.append(
                            (tenant, lesson, group, subject, [], d, n + 1, "scheduled", 1)
                        )
                        luck = rnd.random()
                        if luck < 0.95:
                            when = d + timedelta(days=0 if luck < 0.9 else 6)
                            entries.append(
                                (
                                    tenant,
                                    lesson,
                                    group,
                                    subject,
                                    d,
                                    datetime(when.year, when.month, when.day, 12, tzinfo=UTC),
                                )
                            )
                        for s in rnd.sample(pupils, args.marks):
                            marks.append(
                                (
                                    tenant,
                                    lesson,
                                    s,
                                    "oral",
                                    group,
                                    subject,
                                    d,
                                    rnd.choice("5554443332"),
                                    1,
                                    now,
                                )
                            )
                        absences.append(
                            (
                                tenant,
                                lesson,
                                rnd.choice(pupils),
                                group,
                                subject,
                                d,
                                rnd.choice(("absent", "ill", "late")),
                                now,
                            )
                        )
            await copy(
                "group_occupancy",
                [
                    "tenant_id",
                    "group_id",
                    "name",
                    "grade",
                    "academic_year",
                    "active_students",
                    "enrolled_total",
                    "has_curriculum",
                ],
                groups,
            )
            await copy("students", ["tenant_id", "student_id", "display_name", "as_of"], students)
            await copy(
                "memberships",
                ["tenant_id", "group_id", "student_id", "valid_from", "valid_to"],
                members,
            )
            await copy(
                "movement_log",
                [
                    "tenant_id",
                    "event_id",
                    "kind",
                    "group_id",
                    "student_id",
                    "order_number",
                    "order_date",
                    "effective_date",
                    "recorded_at",
                ],
                movement,
            )
            await copy(
                "lessons",
                [
                    "tenant_id",
                    "lesson_id",
                    "group_id",
                    "subject_id",
                    "teacher_ids",
                    "day",
                    "lesson_number",
                    "status",
                    "version",
                ],
                lessons,
            )
            await copy(
                "lesson_entries",
                ["tenant_id", "lesson_id", "group_id", "subject_id", "day", "entered_at"],
                entries,
            )
            await copy(
                "marks",
                [
                    "tenant_id",
                    "lesson_id",
                    "student_id",
                    "work_type",
                    "group_id",
                    "subject_id",
                    "day",
                    "value",
                    "weight",
                    "as_of",
                ],
                marks,
            )
            await copy(
                "attendance",
                [
                    "tenant_id",
                    "lesson_id",
                    "student_id",
                    "group_id",
                    "subject_id",
                    "day",
                    "code",
                    "as_of",
                ],
                absences,
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return sample, counts


async def _publish(infra: Infra, prefix: str, events: list[Envelope]) -> float:
    started = time.perf_counter()
    async with infra.nats_admin() as nc:
        js = nc.jetstream()
        for i in range(0, len(events), 1000):
            await asyncio.gather(
                *(
                    js.publish(
                        subject_for(e.type, e.schema_version, prefix),
                        e.model_dump_json().encode(),
                        headers={"Nats-Msg-Id": str(e.id)},
                    )
                    for e in events[i : i + 1000]
                )
            )
    return len(events) / (time.perf_counter() - started)


async def _drained(infra: Infra, prefix: str) -> bool:
    async with infra.nats_admin() as nc:
        js = nc.jetstream()
        for event in MANIFEST.consumes:
            try:
                info = await js.consumer_info(
                    stream_name(event.producer, prefix), MANIFEST.consumer_name(event)
                )
            except Exception:
                return False
            if info.num_pending or info.num_ack_pending:
                return False
    return True


async def _timed(n: int, call: Callable[[int], Awaitable[None]]) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        await call(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def _line(kind: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"{kind}: {len(ms)} requests, p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms"


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgs", type=int, default=30)
    ap.add_argument("--students", type=int, default=250, help="per organisation")
    ap.add_argument("--days", type=int, default=20, help="school days from 1 September")
    ap.add_argument("--marks", type=int, default=3, help="per lesson")
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument(
        "--bulk",
        action="store_true",
        help="write the read models with COPY instead of replaying events (the issue's size)",
    )
    args = ap.parse_args()
    os.environ.setdefault("EDUREG_BENCH", "1")
    infra = Infra.start(fsync=True)
    try:
        print((await measure(infra)).line(), flush=True)
        if args.bulk:
            await _bulk(infra, args)
            return
        events, sample = region(args)
        students = args.orgs * (args.students // CLASS) * CLASS
        marks = sum(e.type == "journal.mark.recorded" for e in events)
        print(
            f"region: {args.orgs} organisations, {students:,} students, {args.days} school days, "
            f"{marks:,} marks; {len(events):,} events",
            flush=True,
        )
        prefix = "bench."
        await infra.create_streams(prefix)
        rate = await _publish(infra, prefix, events)
        print(f"published into JetStream: {rate:,.0f} events/s", flush=True)
        db = await infra.fresh_database("reporting", SERVICE_DIR)
        issuer = TestIssuer()
        settings = service_settings(
            Settings, infra, db, prefix, consumer_batch_size=500, db_pool_size=10
        )
        app = create(settings)
        app.state.token_verifier = issuer.verifier()
        started = time.perf_counter()
        async with running_app(app) as client:
            while not await _drained(infra, prefix):
                await asyncio.sleep(0.5)
            took = time.perf_counter() - started
            print(
                f"projections built: {len(events):,} events in {took:.1f} s = "
                f"{len(events) / took:,.0f} events/s",
                flush=True,
            )
            await _requests(client, issuer, sample, args)
    finally:
        infra.stop()


async def _bulk(infra: Infra, args: argparse.Namespace) -> None:
    prefix = "bench."
    await infra.create_streams(prefix)
    db = await infra.fresh_database("reporting", SERVICE_DIR)
    started = time.perf_counter()
    sample, counts = await bulk_region(db.admin_url.replace("+asyncpg", ""), args)
    took = time.perf_counter() - started
    students = args.orgs * (args.students // CLASS) * CLASS
    print(
        f"region written with COPY: {args.orgs} organisations, {students:,} students, "
        f"{args.days} school days; "
        + ", ".join(f"{t} {n:,}" for t, n in counts.items())
        + f" rows in {took:.0f} s (with ANALYZE)",
        flush=True,
    )
    issuer = TestIssuer()
    settings = service_settings(Settings, infra, db, prefix, db_pool_size=10)
    app = create(settings)
    app.state.token_verifier = issuer.verifier()
    async with running_app(app) as client:
        await _requests(client, issuer, sample, args)
    await _breakdown(db.admin_url.replace("+asyncpg", ""))


async def _breakdown(dsn: str) -> None:
    """What the monitoring's answer spends its time on: each regional counting function
    for the same term, once, timed alone."""
    import asyncpg

    calls = {
        "lesson_entry_counts": "'2025-09-01', '2025-12-31', 'Europe/Moscow'",
        "yearly_items": "'2025-09-01', '2025-12-31', 'Europe/Moscow'",
        "deadline_items": "'2025-09-01', '2025-12-31', 'Europe/Moscow'",
        "completeness_counts": "'2025-09-01', '2025-12-31'",
        "occupancy_counts": "",
        "movement_counts": "'2025-09-01', '2025-12-31'",
        "sign_in_counts": "'2025-09-01', '2025-12-31'",
        "quality_counts": "'2025-09-01', '2025-12-31', 4.75, 3.75, 2.75",
    }
    conn = await asyncpg.connect(dsn)
    try:
        parts = []
        for name, args in calls.items():
            started = time.perf_counter()
            await conn.fetch(f"SELECT * FROM region_{name}({args})")
            parts.append(f"{name} {(time.perf_counter() - started) * 1000:,.0f} ms")
        print("the monitoring's counting functions, each alone: " + "; ".join(parts), flush=True)
    finally:
        await conn.close()


async def _requests(
    client: Any,
    issuer: TestIssuer,
    sample: list[tuple[uuid.UUID, uuid.UUID]],
    args: argparse.Namespace,
) -> None:
    monitor = issuer.headers(tenant_id=uuid.uuid4(), permissions=["region.reports.read"])
    quarter = {"from": "2025-09-01", "to": "2025-12-31"}

    async def dashboard(i: int) -> None:
        r = await client.get("/api/v1/region/monitoring", params=quarter, headers=monitor)
        assert r.status_code == 200, r.text

    print(
        _line(
            "regional monitoring (a term, every organisation)",
            await _timed(args.requests, dashboard),
        )
    )

    def sheet(fmt: str) -> Callable[[int], Awaitable[None]]:
        async def one(i: int) -> None:
            tenant, group = sample[i % len(sample)]
            h = issuer.headers(tenant_id=tenant, permissions=["reporting.read"])
            r = await client.get(
                f"/api/v1/groups/{group}/marks-summary",
                params={**quarter, "format": fmt},
                headers=h,
            )
            assert r.status_code == 200, r.text

        return one

    for fmt in ("json", "xlsx", "pdf"):
        print(
            _line(
                f"group summary sheet of marks, {fmt}",
                await _timed(args.requests, sheet(fmt)),
            ),
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())

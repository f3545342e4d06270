"""Importing students from CSV and XLSX (the contingent issue, item 7).

1. Upload: the file is read (CSV in UTF-8 or Windows-1251, `;` or `,`; XLSX's first
   sheet) within limits — 10 MiB (the HTTP layer), 20,000 rows, 200 empty rows in a row
   end the table (a sheet "with 1,000,000 empty rows" is read in a moment) — and every
   row is checked (domain/imports.py) and matched against the students on file (by
   СНИЛС, file number, or surname, name and birth date). The job keeps the rows; the
   answer is the preview: counts and every bad row and field. Nothing is saved.
2. Apply (only a file without errors): in the background, in one transaction, the new
   students are enrolled by draft enrolment orders of up to 1,000 (one or more per
   group), to be signed as any order; students already on file are left as they are, so
   importing the same file again adds no one. Progress is written in its own short
   transactions; a failure rolls everything back and says why.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.domain.imports import (
    STAFF_HEADERS,
    STAFF_REQUIRED,
    STAFF_TITLES,
    TITLES,
    HeaderError,
    columns,
    is_empty,
    row,
    staff_row,
)
from edureg_contingent.domain.orders import check_dates
from edureg_contingent.domain.staff import EmployeeStatus
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import Employee, ImportJob, ImportRow
from edureg_contingent.services.commands import CreateEnrolmentOrder, NewGuardian, NewStudent
from edureg_shared import audit
from edureg_shared.db import Database
from edureg_shared.errors import Conflict, DomainError, InvalidState, NotFound
from edureg_shared.events.envelope import Actor

log = logging.getLogger("edureg.contingent.imports")

MAX_ROWS = 20_000
EMPTY_ROWS_END = 200
ORDER_SIZE = 1_000


class FileRefused(InvalidState):
    pass


def _refuse(message: str) -> FileRefused:
    return FileRefused(message, errors=[{"field": "file", "message": message}])


def read_table(content: bytes, filename: str) -> Iterator[list[Any]]:
    """The file's rows as lists of cells (the header first); FileRefused for what is no
    table: a binary file named .csv, a broken spreadsheet, too many rows."""
    name = filename.lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        yield from _xlsx(content)
    elif name.endswith((".csv", ".txt")):
        yield from _csv(content)
    else:
        raise _refuse("Загрузите файл CSV или XLSX")


def _xlsx(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook  # only an import reads spreadsheets

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as e:  # any way a file fails to be a workbook is the same answer
        raise _refuse("Файл XLSX повреждён или это не таблица Excel") from e
    try:
        sheet = book.worksheets[0]
        yield from _bounded(list(r) for r in sheet.iter_rows(values_only=True))
    except FileRefused:
        raise
    except Exception as e:
        raise _refuse("Файл XLSX повреждён или это не таблица Excel") from e
    finally:
        book.close()


def _csv(content: bytes) -> Iterator[list[Any]]:
    if b"\x00" in content[:65536]:
        raise _refuse("Это не текстовый файл CSV (в нём двоичные данные)")
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes any byte but a few
        raise _refuse("Не удалось прочитать кодировку файла: сохраните его в UTF-8")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        yield from _bounded(list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as e:
        raise _refuse("Файл CSV не читается как таблица") from e


def _bounded(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    empty = 0
    for n, cells in enumerate(rows):
        if is_empty(cells):
            empty += 1
            if empty >= EMPTY_ROWS_END:
                return
            continue
        empty = 0
        if n > MAX_ROWS:
            raise _refuse(f"В файле больше {MAX_ROWS:,} строк: разделите его".replace(",", " "))
        yield cells


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


async def preview(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    filename: str,
    content: bytes,
    kind: str = "students",
) -> ImportJob:
    """Read and check the whole file, match it to the people on file, keep it as a job:
    the preview. Nothing of the people is saved."""
    today = datetime.now(UTC).date()
    rows = read_table(content, filename)
    try:
        header = next(rows)
    except StopIteration:
        raise _refuse("Файл пуст") from None
    staff = kind == "staff"
    try:
        mapping = (
            columns(header, STAFF_HEADERS, STAFF_REQUIRED, STAFF_TITLES)
            if staff
            else columns(header)
        )
    except HeaderError as e:
        raise _refuse(str(e)) from e
    groups = {} if staff else await repo.open_groups_by_name(session, tenant_id)
    known = (
        await repo.employee_keys(session, tenant_id)
        if staff
        else await repo.student_keys(session, tenant_id)
    )
    check = staff_row if staff else row
    job = ImportJob(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        filename=filename[:200],
        kind=kind,
        status="previewed",
        total=0,
        valid=0,
        matched=0,
        created_by=actor.id,
    )
    session.add(job)
    await session.flush()
    batch: list[dict[str, Any]] = []
    seen: set[tuple[str, ...]] = set()
    for n, cells in enumerate(rows, start=2):  # the header is row 1
        data, errors = check(cells, mapping, today)
        group_id = groups.get(data.get("group", ""))
        if not staff and data.get("group") and group_id is None:
            errors.append({"field": "group", "message": f"Группы «{data['group']}» нет"})
        key = _keys(data)
        if key and key[0] in seen:
            errors.append({"field": "surname", "message": "Эта строка повторяет одну из выше"})
        if key:
            seen.add(key[0])
        student_id = next((known[k] for k in key if k in known), None)
        job.total += 1
        job.valid += not errors
        job.matched += student_id is not None and not errors
        batch.append(
            {
                "tenant_id": tenant_id,
                "job_id": job.id,
                "row_no": n,
                "data": _json(data),
                "errors": errors,
                "student_id": student_id,
                "group_id": group_id,
            }
        )
        if len(batch) >= 2000:
            await repo.insert_import_rows(session, batch)
            batch = []
    if batch:
        await repo.insert_import_rows(session, batch)
    if job.total == 0:
        raise _refuse(
            "В файле нет строк с сотрудниками" if staff else "В файле нет строк с обучающимися"
        )
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="import_preview",
        entity="import",
        entity_id=job.id,
        details={"rows": job.total, "valid": job.valid},
    )
    return job


def _keys(data: dict[str, Any]) -> list[tuple[str, ...]]:
    """How a row is recognised as a student on file, most certain first."""
    keys: list[tuple[str, ...]] = []
    if data.get("snils"):
        keys.append(("snils", data["snils"]))
    if data.get("file_number"):
        keys.append(("file", data["file_number"]))
    if data.get("surname") and data.get("name"):
        born = data.get("birth_date") or ""
        keys.append(
            (
                "person",
                data["surname"].casefold(),
                data["name"].casefold(),
                born.isoformat() if isinstance(born, date) else str(born),
            )
        )
    return keys


WRITERS = {"students": "contingent.orders.write", "staff": "contingent.staff.write"}


async def get_job(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    permissions: frozenset[str] | None = None,
) -> ImportJob:
    job = await repo.get_import_job(session, tenant_id, job_id)
    if job is None or (permissions is not None and WRITERS[job.kind] not in permissions):
        raise NotFound("Загрузка не найдена")
    return job


async def errors_of(
    *, session: AsyncSession, tenant_id: uuid.UUID, job_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[ImportRow], int]:
    await get_job(session=session, tenant_id=tenant_id, job_id=job_id)
    return await repo.import_rows_with_errors(session, tenant_id, job_id, limit, offset)


async def start(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    permissions: frozenset[str],
    head: dict[str, Any],
) -> ImportJob:
    """Mark a clean previewed job as running (the caller starts `run` after commit)."""
    job = await repo.get_import_job(session, tenant_id, job_id, for_update=True)
    if job is None or WRITERS[job.kind] not in permissions:
        raise NotFound("Загрузка не найдена")
    if job.kind == "students":
        missing = [f for f in ("number", "order_date", "effective_date") if not head.get(f)]
        if missing:
            raise InvalidState(
                "Укажите номер, дату приказа и дату вступления в силу",
                errors=[{"field": f, "message": "Не заполнено"} for f in missing],
            )
        check_dates(head["order_date"], head["effective_date"])
    if job.status != "previewed":
        raise Conflict("Эта загрузка уже выполнена или выполняется")
    if job.valid != job.total:
        raise InvalidState(
            f"В файле ошибки в {job.total - job.valid} строках: исправьте файл и загрузите "
            "его снова",
            errors=[{"field": "file", "message": "Есть строки с ошибками"}],
        )
    job.status = "running"
    return job


async def run(
    db: Database,
    tenant_id: uuid.UUID,
    actor: Actor,
    job_id: uuid.UUID,
    head: dict[str, Any],
    person_key: bytes | None,
) -> None:
    """The import itself, in one transaction; progress in short ones beside it."""
    from edureg_contingent.services import orders  # builds on the order use cases

    async def progress(**values: Any) -> None:
        async with db.tenant_session(tenant_id) as s:
            await repo.update_import_job(s, tenant_id, job_id, values)

    try:
        order_ids: list[str] = []
        async with db.tenant_session(tenant_id) as session:
            new = await repo.new_import_rows(session, tenant_id, job_id)
            if head.get("kind") == "staff":
                await _staff_cards(session, tenant_id, actor, new)
                await repo.update_import_job(
                    session,
                    tenant_id,
                    job_id,
                    {"status": "done", "processed": len(new), "finished_at": datetime.now(UTC)},
                )
                return
            by_group: dict[uuid.UUID, list[ImportRow]] = {}
            for r in new:
                assert r.group_id is not None
                by_group.setdefault(r.group_id, []).append(r)
            done = 0
            chunks = [
                (g, rows[i : i + ORDER_SIZE])
                for g, rows in by_group.items()
                for i in range(0, len(rows), ORDER_SIZE)
            ]
            for n, (group_id, chunk) in enumerate(chunks, start=1):
                number = head["number"] if len(chunks) == 1 else f"{head['number']}/{n}"
                view = await orders.create_enrolment_order(
                    session=session,
                    tenant_id=tenant_id,
                    actor=actor,
                    cmd=CreateEnrolmentOrder(
                        number=number[:30],
                        order_date=head["order_date"],
                        effective_date=head["effective_date"],
                        group_id=group_id,
                        students=[_student(r.data) for r in chunk],
                    ),
                    person_key=person_key,
                )
                await repo.set_imported_numbers(
                    session,
                    tenant_id,
                    [
                        (item.student_id, r.data.get("snils"), r.data.get("file_number"))
                        for item, r in zip(view.items, chunk, strict=True)
                    ],
                )
                order_ids.append(str(view.order.id))
                done += len(chunk)
                await progress(processed=done)
            await repo.update_import_job(
                session,
                tenant_id,
                job_id,
                {
                    "status": "done",
                    "processed": len(new),
                    "order_ids": order_ids,
                    "finished_at": datetime.now(UTC),
                },
            )
            await audit.record(
                session,
                tenant_id=tenant_id,
                actor=actor,
                action="import",
                entity="import",
                entity_id=job_id,
                details={"students": len(new), "orders": len(order_ids)},
            )
    except DomainError as e:
        await progress(status="failed", error=e.detail[:500], finished_at=datetime.now(UTC))
    except Exception as e:  # the import must end, saying so, whatever broke
        log.error("import failed", extra={"error": type(e).__name__})
        await progress(
            status="failed",
            error="Загрузка не выполнена из-за внутренней ошибки: ничего не сохранено",
            finished_at=datetime.now(UTC),
        )


async def _staff_cards(
    session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, rows: list[ImportRow]
) -> None:
    """New HR cards, one per row not on file; each hired later by a hiring order."""
    cards = [
        Employee(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            status=EmployeeStatus.PENDING.value,
            surname=r.data["surname"],
            name=r.data["name"],
            patronymic=r.data.get("patronymic"),
            birth_date=date.fromisoformat(r.data["birth_date"])
            if r.data.get("birth_date")
            else None,
            job_title=r.data.get("job_title"),
            education=r.data.get("education"),
            qualification=r.data.get("qualification"),
            phone=r.data.get("phone"),
            email=r.data.get("email"),
        )
        for r in rows
    ]
    session.add_all(cards)
    await session.flush()
    await audit.record_many(
        session,
        tenant_id=tenant_id,
        entries=[
            audit.Entry(actor=actor, action="create", entity="employee", entity_id=c.id)
            for c in cards
        ],
    )


def _student(data: dict[str, Any]) -> NewStudent:
    guardians = []
    if data.get("guardian_surname") and data.get("guardian_name"):
        guardians.append(
            NewGuardian(
                surname=data["guardian_surname"],
                name=data["guardian_name"],
                patronymic=data.get("guardian_patronymic"),
                relation=data.get("guardian_relation") or "other",
                phone=data.get("guardian_phone"),
                snils=data.get("guardian_snils"),
            )
        )
    return NewStudent(
        surname=data["surname"],
        name=data["name"],
        patronymic=data.get("patronymic"),
        birth_date=data["birth_date"],
        sex=data["sex"],
        guardians=guardians,
    )


def spawn(app_state: Any, coro: Any) -> None:
    """Run an import after the request that started it, keeping a reference to it."""
    tasks: set[asyncio.Task[None]] = app_state.__dict__.setdefault("import_tasks", set())
    task = asyncio.create_task(coro)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


FIELD_TITLES = {**STAFF_TITLES, **TITLES}

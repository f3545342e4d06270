"""Files attached to a lesson's homework: a teacher of the lesson attaches and removes
them (not on a cancelled lesson, not in a closed period); whoever reads the lesson's
journal, and the students who were in that lesson and their guardians, download them."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.domain import files as rules
from edureg_journal.persistence import lessons as repo
from edureg_journal.persistence.tables import HomeworkFile, Lesson
from edureg_journal.services import diary, org_settings, periods
from edureg_journal.services.lessons import may_keep, may_read
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.errors import InvalidState, NotFound
from edureg_shared.events.envelope import Actor

_NOT_FOUND = "Урок не найден"


def _refused(message: str) -> InvalidState:
    return InvalidState(
        f"Файл не прикреплён: {message[0].lower()}{message[1:]}",
        errors=[{"field": "file", "message": message}],
    )


async def _may_download(session: AsyncSession, principal: Principal, lesson: Lesson) -> None:
    """Staff as for the lesson's journal; a student or guardian only for a lesson the
    student (their child) was in — any other lesson is not found for them."""
    if principal.kind not in ("student", "guardian"):
        await may_read(session, principal, lesson)
        return
    for student in await repo.students_of_user(
        session, principal.tenant_id, principal.user_id, principal.kind
    ):
        memberships = await repo.memberships_between(
            session, principal.tenant_id, student, lesson.day, lesson.day
        )
        if memberships and diary.present(
            lesson, memberships, await repo.subgroups_of(session, principal.tenant_id, student)
        ):
            return
    raise NotFound(_NOT_FOUND)


async def _audit(
    session: AsyncSession,
    principal: Principal,
    action: str,
    entity: str,
    entity_id: uuid.UUID,
    details: dict[str, object] | None = None,
) -> None:
    await audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action=action,
        entity=entity,
        entity_id=entity_id,
        details=details,
    )


async def _readable(session: AsyncSession, principal: Principal, lesson_id: uuid.UUID) -> Lesson:
    lesson = await repo.lesson(session, principal.tenant_id, lesson_id)
    if lesson is None:
        raise NotFound(_NOT_FOUND)
    await _may_download(session, principal, lesson)
    return lesson


async def _writable(session: AsyncSession, principal: Principal, lesson_id: uuid.UUID) -> Lesson:
    lesson = await repo.lesson_for_update(session, principal.tenant_id, lesson_id)
    if lesson is None:
        raise NotFound(_NOT_FOUND)
    settings = await org_settings.current(session, principal.tenant_id)
    await may_keep(session, principal, lesson, settings)
    if lesson.status == "cancelled":
        raise InvalidState("Урок отменён в расписании: к нему не прикрепляют задания")
    await periods.check_open(session, principal.tenant_id, lesson.period_id)
    return lesson


async def attach(
    *,
    session: AsyncSession,
    principal: Principal,
    lesson_id: uuid.UUID,
    name: str | None,
    content: bytes,
) -> HomeworkFile:
    lesson = await _writable(session, principal, lesson_id)
    try:
        accepted = rules.accept(name, content)
    except rules.FileRefused as refused:
        raise _refused(str(refused)) from None
    if len(await repo.homework_files(session, principal.tenant_id, [lesson.id])) >= (
        rules.MAX_FILES_PER_LESSON
    ):
        raise _refused(f"К уроку можно прикрепить не больше {rules.MAX_FILES_PER_LESSON} файлов")
    row = HomeworkFile(
        tenant_id=principal.tenant_id,
        id=uuid.uuid4(),
        lesson_id=lesson.id,
        name=accepted.name,
        media_type=accepted.media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=principal.user_id,
        uploaded_at=datetime.now(UTC),
    )
    session.add(row)
    await session.flush()
    await _audit(
        session,
        principal,
        "attach",
        "homework_file",
        row.id,
        {"lesson_id": str(lesson.id), "size": row.size, "sha256": row.sha256},
    )
    return row


async def remove(
    *, session: AsyncSession, principal: Principal, lesson_id: uuid.UUID, file_id: uuid.UUID
) -> None:
    lesson = await _writable(session, principal, lesson_id)
    row = await repo.homework_file(session, principal.tenant_id, lesson.id, file_id)
    if row is None:
        raise NotFound("Файл не найден")
    await session.delete(row)
    await _audit(
        session,
        principal,
        "detach",
        "homework_file",
        file_id,
        {"lesson_id": str(lesson.id), "size": row.size, "sha256": row.sha256},
    )


async def listed(
    *, session: AsyncSession, principal: Principal, lesson_id: uuid.UUID
) -> list[HomeworkFile]:
    lesson = await _readable(session, principal, lesson_id)
    await _audit(session, principal, "read", "homework_files", lesson.id)
    return await repo.homework_files(session, principal.tenant_id, [lesson.id])


async def download(
    *, session: AsyncSession, principal: Principal, lesson_id: uuid.UUID, file_id: uuid.UUID
) -> HomeworkFile:
    lesson = await _readable(session, principal, lesson_id)
    row = await repo.homework_file(
        session, principal.tenant_id, lesson.id, file_id, with_content=True
    )
    if row is None:
        raise NotFound("Файл не найден")
    await _audit(
        session, principal, "download", "homework_file", row.id, {"lesson_id": str(lesson.id)}
    )
    return row

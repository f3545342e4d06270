from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.contracts.events import (
    FILE_COMPLETENESS,
    STUDENT_RENAMED,
    StudentFileCompletenessV1,
    StudentRenamedV1,
)
from edureg_contingent.domain import snils as snils_rules
from edureg_contingent.domain.access import reads_every_file
from edureg_contingent.domain.orders import display_name
from edureg_contingent.domain.personal_file import (
    FILE_PARTS,
    changes,
    check_documents,
    missing_in_file,
)
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import (
    Guardian,
    GuardianChange,
    Order,
    Student,
    StudentFileChange,
    StudentMovement,
)
from edureg_contingent.services.commands import SaveGuardian, SaveStudentFile
from edureg_shared import audit
from edureg_shared.errors import Conflict, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_event
from edureg_shared.paging import PageRequest


@dataclass
class StudentFile:
    student: Student
    guardians: list[tuple[Guardian, str]]
    history: list[tuple[StudentMovement, Order]] = field(default_factory=list)


async def _curates(
    session: AsyncSession, tenant_id: uuid.UUID, curator_id: uuid.UUID, group_id: uuid.UUID
) -> bool:
    group = await repo.get_group(session, tenant_id, group_id)
    return group is not None and group.curator_user_id == curator_id


async def read_student_file(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    student_id: uuid.UUID,
    permissions: frozenset[str],
) -> StudentFile:
    """A minor's personal file with their history: every read is audited (152-FZ); a
    curator reads only the files of their groups' students."""
    student = await repo.get_student(session, tenant_id, student_id)
    if student is None:
        raise NotFound("Обучающийся не найден")
    if not reads_every_file(permissions) and not (
        actor.id and await _curates(session, tenant_id, actor.id, student.group_id)
    ):
        raise NotFound("Обучающийся не найден")
    guardians = (await repo.guardians_of(session, tenant_id, [student_id])).get(student_id, [])
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="read",
        entity="student",
        entity_id=student_id,
    )
    history = await repo.student_history(session, tenant_id, student_id)
    return StudentFile(student=student, guardians=guardians, history=history)


async def list_students(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    permissions: frozenset[str],
    page: PageRequest,
    group_id: uuid.UUID | None = None,
    statuses: list[str] | None = None,
    query: str | None = None,
) -> tuple[list[Student], int]:
    """Students by name, group and state (no documents): for the office every student,
    for a curator their groups' only."""
    curator = None if reads_every_file(permissions) else actor.id or uuid.UUID(int=0)
    return await repo.list_students(
        session,
        tenant_id,
        page,
        group_id=group_id,
        statuses=statuses or [],
        query=query,
        curator_id=curator,
    )


FILE_FIELDS = [f for f in SaveStudentFile.model_fields if f != "version"]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)[:500]


async def save_student_file(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    student_id: uuid.UUID,
    cmd: SaveStudentFile,
) -> StudentFile:
    """The academic office saves a personal file: documents checked against the
    student's age, every changed field kept (who, when, old → new), a new name
    announced to the services that show it."""
    student = await repo.get_student(session, tenant_id, student_id, for_update=True)
    if student is None:
        raise NotFound("Обучающийся не найден")
    if cmd.version != student.file_version:
        raise Conflict(
            "Личное дело изменили, пока вы его редактировали: откройте его заново, ваши "
            "изменения не сохранены",
            errors=[{"field": "version", "message": "Устаревшая версия"}],
        )
    check_documents(
        cmd.birth_date,
        datetime.now(UTC).date(),
        passport=bool(cmd.passport_series),
        passport_issued=cmd.passport_issued_on,
    )
    new = cmd.model_dump(exclude={"version"})
    old = {f: getattr(student, f) for f in FILE_FIELDS}
    changed = changes(old, new)
    if changed:
        assert actor.id is not None
        renamed = any(f in changed for f in ("surname", "name"))
        student.file_version += 1
        for f in changed:
            setattr(student, f, new[f])
        session.add_all(
            StudentFileChange(
                tenant_id=tenant_id,
                id=uuid.uuid4(),
                student_id=student.id,
                version=student.file_version,
                field=f,
                old_value=_text(old[f]),
                new_value=_text(new[f]),
                changed_by=actor.id,
            )
            for f in changed
        )
        await session.flush()
        await audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="update",
            entity="student",
            entity_id=student.id,
            details={"fields": changed, "version": student.file_version},
        )
        if renamed:
            await add_event(
                session,
                STUDENT_RENAMED.envelope(
                    tenant_id=tenant_id,
                    actor=actor,
                    subject_id=student.id,
                    data=StudentRenamedV1(
                        student_id=student.id,
                        display_name=display_name(student.surname, student.name),
                    ),
                ),
            )
        # How complete the file is now, for the region's monitoring (a count, no content).
        await add_event(
            session,
            FILE_COMPLETENESS.envelope(
                tenant_id=tenant_id,
                actor=actor,
                subject_id=student.id,
                data=StudentFileCompletenessV1(
                    student_id=student.id,
                    missing=len(
                        missing_in_file(
                            {f: getattr(student, f) for f in FILE_PARTS},
                            datetime.now(UTC).date(),
                        )
                    ),
                ),
            ),
        )
    guardians = (await repo.guardians_of(session, tenant_id, [student_id])).get(student_id, [])
    history = await repo.student_history(session, tenant_id, student_id)
    return StudentFile(student=student, guardians=guardians, history=history)


async def file_changes(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    permissions: frozenset[str],
    student_id: uuid.UUID,
    page: PageRequest,
) -> tuple[list[StudentFileChange], int]:
    """What changed in a personal file, newest first (whoever may read the file)."""
    student = await repo.get_student(session, tenant_id, student_id)
    if student is None or not (
        reads_every_file(permissions)
        or (actor.id and await _curates(session, tenant_id, actor.id, student.group_id))
    ):
        raise NotFound("Обучающийся не найден")
    return await repo.student_file_changes(session, tenant_id, student_id, page)


GUARDIAN_FIELDS = ("surname", "name", "patronymic", "phone", "email", "snils")


async def save_guardian(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    guardian_id: uuid.UUID,
    cmd: SaveGuardian,
    person_key: bytes | None,
) -> tuple[Guardian, list[GuardianChange]]:
    """The office corrects a guardian's name or contacts; each change kept. A new СНИЛС
    gets its keyed hash (how identity knows the same parent elsewhere)."""
    guardian = await repo.get_guardian(session, tenant_id, guardian_id, for_update=True)
    if guardian is None:
        raise NotFound("Законный представитель не найден")
    new = cmd.model_dump()
    old = {f: getattr(guardian, f) for f in GUARDIAN_FIELDS}
    changed = changes(old, new)
    if changed:
        assert actor.id is not None
        for f in changed:
            setattr(guardian, f, new[f])
        if "snils" in changed:
            guardian.match_key = (
                snils_rules.match_key(person_key, guardian.snils)
                if person_key and guardian.snils
                else None
            )
        session.add_all(
            GuardianChange(
                tenant_id=tenant_id,
                id=uuid.uuid4(),
                guardian_id=guardian.id,
                field=f,
                old_value=_text(old[f]),
                new_value=_text(new[f]),
                changed_by=actor.id,
            )
            for f in changed
        )
        await session.flush()
        await audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="update",
            entity="guardian",
            entity_id=guardian.id,
            details={"fields": changed},
        )
    return guardian, await repo.guardian_changes(session, tenant_id, guardian_id)


async def read_guardian(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, guardian_id: uuid.UUID
) -> tuple[Guardian, list[GuardianChange]]:
    guardian = await repo.get_guardian(session, tenant_id, guardian_id)
    if guardian is None:
        raise NotFound("Законный представитель не найден")
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="read",
        entity="guardian",
        entity_id=guardian_id,
    )
    return guardian, await repo.guardian_changes(session, tenant_id, guardian_id)

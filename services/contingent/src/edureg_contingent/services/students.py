from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import Guardian, Student
from edureg_shared import audit
from edureg_shared.errors import NotFound
from edureg_shared.events.envelope import Actor


@dataclass
class StudentFile:
    student: Student
    guardians: list[tuple[Guardian, str]]


async def read_student_file(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, student_id: uuid.UUID
) -> StudentFile:
    """A minor's personal file: every read is audited (152-FZ)."""
    student = await repo.get_student(session, tenant_id, student_id)
    if student is None:
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
    return StudentFile(student=student, guardians=guardians)

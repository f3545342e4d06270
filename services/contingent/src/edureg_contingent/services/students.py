from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.domain.access import reads_every_file
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import Guardian, Order, Student, StudentMovement
from edureg_shared import audit
from edureg_shared.errors import NotFound
from edureg_shared.events.envelope import Actor
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

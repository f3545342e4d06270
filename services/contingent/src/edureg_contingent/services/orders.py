"""Orders of the movement book: drafted, then signed. Signing is what moves students and
what the rest of the region hears about (through the outbox, in the same transaction)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.contracts.events import (
    STUDENT_ENROLLED,
    STUDENT_EXPELLED,
    EnrolledGuardian,
    EnrolledStudent,
    StudentEnrolledV1,
    StudentExpelledV1,
)
from edureg_contingent.domain.orders import (
    OrderKind,
    OrderStatus,
    StudentStatus,
    ensure_dates,
    ensure_expellable,
    ensure_signable,
)
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import (
    Guardian,
    Order,
    OrderItem,
    Student,
    StudentGuardian,
)
from edureg_contingent.services.commands import (
    CreateEnrolmentOrder,
    CreateExpulsionOrder,
    ExistingGuardian,
)
from edureg_shared import audit
from edureg_shared.errors import Conflict, InvalidState, NotFound
from edureg_shared.events.envelope import Actor, Envelope
from edureg_shared.events.outbox import add_events


@dataclass
class OrderView:
    order: Order
    items: list[OrderItem]


async def _new_order(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    kind: OrderKind,
    number: str,
    order_date: object,
    effective_date: object,
    reason: str | None = None,
) -> Order:
    if await repo.find_order_by_number(session, tenant_id, number):
        raise Conflict(f"Приказ № {number} уже есть в книге движения")
    assert actor.id is not None
    order = Order(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        kind=kind.value,
        number=number,
        order_date=order_date,
        effective_date=effective_date,
        status=OrderStatus.DRAFT.value,
        reason=reason,
        created_by=actor.id,
    )
    session.add(order)
    return order


async def _drafted(
    session: AsyncSession, actor: Actor, order: Order, items: list[OrderItem]
) -> OrderView:
    """The draft's items are in: record who drafted it."""
    session.add_all(items)
    await session.flush()
    await audit.record(
        session,
        tenant_id=order.tenant_id,
        actor=actor,
        action="create",
        entity="order",
        entity_id=order.id,
        details={"kind": order.kind, "students": len(items)},
    )
    return OrderView(order=order, items=items)


async def create_enrolment_order(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateEnrolmentOrder
) -> OrderView:
    ensure_dates(cmd.order_date, cmd.effective_date)
    if await repo.get_group(session, tenant_id, cmd.group_id) is None:
        raise NotFound("Группа не найдена")
    existing_ids = [
        g.guardian_id for s in cmd.students for g in s.guardians if isinstance(g, ExistingGuardian)
    ]
    known = await repo.guardians_by_ids(session, tenant_id, existing_ids) if existing_ids else {}
    missing = set(existing_ids) - set(known)
    if missing:
        raise NotFound("Законный представитель не найден")
    order = await _new_order(
        session,
        tenant_id,
        actor,
        OrderKind.ENROLMENT,
        cmd.number,
        cmd.order_date,
        cmd.effective_date,
    )
    items: list[OrderItem] = []
    rows: list[object] = []
    links: list[StudentGuardian] = []
    for s in cmd.students:
        student = Student(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            surname=s.surname,
            name=s.name,
            patronymic=s.patronymic,
            birth_date=s.birth_date,
            sex=s.sex,
            status=StudentStatus.PENDING.value,
            group_id=cmd.group_id,
        )
        rows.append(student)
        for g in s.guardians:
            if isinstance(g, ExistingGuardian):
                guardian_id = g.guardian_id
            else:
                guardian = Guardian(
                    tenant_id=tenant_id,
                    id=uuid.uuid4(),
                    surname=g.surname,
                    name=g.name,
                    patronymic=g.patronymic,
                    phone=g.phone,
                )
                rows.append(guardian)
                guardian_id = guardian.id
            links.append(
                StudentGuardian(
                    tenant_id=tenant_id,
                    student_id=student.id,
                    guardian_id=guardian_id,
                    relation=g.relation,
                )
            )
        items.append(
            OrderItem(
                tenant_id=tenant_id, order_id=order.id, student_id=student.id, group_id=cmd.group_id
            )
        )
    session.add_all(rows)
    await session.flush()
    session.add_all(links)
    return await _drafted(session, actor, order, items)


async def create_expulsion_order(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateExpulsionOrder
) -> OrderView:
    ensure_dates(cmd.order_date, cmd.effective_date)
    ids = list(dict.fromkeys(cmd.student_ids))
    students = await repo.students_by_ids(session, tenant_id, ids)
    if len(students) != len(ids):
        raise NotFound("Обучающийся не найден")
    for student in students.values():
        ensure_expellable(StudentStatus(student.status))
    order = await _new_order(
        session,
        tenant_id,
        actor,
        OrderKind.EXPULSION,
        cmd.number,
        cmd.order_date,
        cmd.effective_date,
        reason=cmd.reason,
    )
    await session.flush()
    items = [
        OrderItem(
            tenant_id=tenant_id, order_id=order.id, student_id=sid, group_id=students[sid].group_id
        )
        for sid in ids
    ]
    return await _drafted(session, actor, order, items)


async def get_order(
    *, session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> OrderView:
    order = await repo.get_order(session, tenant_id, order_id)
    if order is None:
        raise NotFound("Приказ не найден")
    return OrderView(order=order, items=list(await repo.order_items(session, tenant_id, order_id)))


async def find_orders(
    *, session: AsyncSession, tenant_id: uuid.UUID, number: str
) -> list[OrderView]:
    order = await repo.find_order_by_number(session, tenant_id, number)
    if order is None:
        return []
    return [
        OrderView(order=order, items=list(await repo.order_items(session, tenant_id, order.id)))
    ]


async def sign_order(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    order_id: uuid.UUID,
    prefix: str = "",
) -> OrderView:
    """Sign a draft order: move its students and announce it, all in one transaction."""
    order = await repo.get_order_for_update(session, tenant_id, order_id)
    if order is None:
        raise NotFound("Приказ не найден")
    ensure_signable(OrderStatus(order.status))
    items = list(await repo.order_items(session, tenant_id, order_id))
    students = await repo.students_by_ids(
        session, tenant_id, [i.student_id for i in items], for_update=True
    )
    events: list[Envelope] = []
    if order.kind == OrderKind.ENROLMENT:
        guardians = await repo.guardians_of(session, tenant_id, list(students))
        for item in items:
            student = students[item.student_id]
            if student.status != StudentStatus.PENDING:
                raise InvalidState("Обучающийся из приказа уже зачислен")
            student.status = StudentStatus.ACTIVE.value
            data = StudentEnrolledV1(
                order_id=order.id,
                order_number=order.number,
                order_date=order.order_date,
                student_id=student.id,
                group_id=item.group_id,
                valid_from=order.effective_date,
                student=EnrolledStudent(
                    surname=student.surname,
                    name=student.name,
                    patronymic=student.patronymic,
                    birth_date=student.birth_date,
                ),
                guardians=[
                    EnrolledGuardian(
                        guardian_id=g.id,
                        surname=g.surname,
                        name=g.name,
                        patronymic=g.patronymic,
                        relation=relation,
                    )
                    for g, relation in guardians.get(student.id, [])
                ],
            )
            events.append(
                Envelope(
                    type=STUDENT_ENROLLED,
                    tenant_id=tenant_id,
                    actor=actor,
                    subject_id=student.id,
                    data=data.model_dump(mode="json"),
                )
            )
    else:
        for item in items:
            student = students[item.student_id]
            ensure_expellable(StudentStatus(student.status))
            student.status = StudentStatus.EXPELLED.value
            expelled = StudentExpelledV1(
                order_id=order.id,
                order_number=order.number,
                order_date=order.order_date,
                student_id=student.id,
                group_id=student.group_id,
                valid_to=order.effective_date,
                reason=order.reason or "",
            )
            events.append(
                Envelope(
                    type=STUDENT_EXPELLED,
                    tenant_id=tenant_id,
                    actor=actor,
                    subject_id=student.id,
                    data=expelled.model_dump(mode="json"),
                )
            )
    order.status = OrderStatus.SIGNED.value
    order.signed_by = actor.id
    order.signed_at = datetime.now(UTC)
    await session.flush()
    await add_events(session, events, prefix=prefix)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="sign",
        entity="order",
        entity_id=order.id,
        details={"kind": order.kind, "students": len(items)},
    )
    return OrderView(order=order, items=items)

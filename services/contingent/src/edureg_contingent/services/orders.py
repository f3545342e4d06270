"""Orders of the movement book: drafted, then signed. Signing is what moves students and
what the rest of the region hears about (through the outbox, in the same transaction)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.contracts.events import (
    ACCOUNTS_REQUESTED,
    STUDENT_ENROLLED,
    STUDENT_EXPELLED,
    AccountHolder,
    AccountsRequestedV1,
    PersonName,
    StudentEnrolledV2,
    StudentExpelledV2,
)
from edureg_contingent.domain import snils
from edureg_contingent.domain.orders import (
    OrderKind,
    OrderStatus,
    StudentStatus,
    apply_order,
    check_dates,
    display_name,
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
    NewGuardian,
)
from edureg_shared import audit
from edureg_shared.errors import Conflict, InvalidState, NotFound
from edureg_shared.events.envelope import Actor, Envelope
from edureg_shared.events.outbox import add_events
from edureg_shared.paging import PageRequest


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
    reason_code: str | None = None,
    reason_comment: str | None = None,
) -> Order:
    if await repo.find_order_by_number(session, tenant_id, number):
        raise Conflict(
            f"Приказ № {number} уже есть в книге движения",
            errors=[{"field": "number", "message": "Значение уже занято"}],
        )
    assert actor.id is not None
    order = Order(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        kind=kind.value,
        number=number,
        order_date=order_date,
        effective_date=effective_date,
        status=OrderStatus.DRAFT.value,
        reason_code=reason_code,
        reason_comment=reason_comment,
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
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    cmd: CreateEnrolmentOrder,
    person_key: bytes | None = None,
) -> OrderView:
    """A draft enrolment order. A new guardian whose СНИЛС the organisation already
    knows (a sibling's parent) is that guardian, not a second record; with the region's
    key, each guardian's СНИЛС is also kept as the keyed hash identity matches people by."""
    check_dates(cmd.order_date, cmd.effective_date)
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
    numbers = sorted(
        {
            g.snils
            for s in cmd.students
            for g in s.guardians
            if isinstance(g, NewGuardian) and g.snils
        }
    )
    known_numbers = await repo.guardians_by_snils(session, tenant_id, numbers) if numbers else {}
    by_snils: dict[str, tuple[uuid.UUID, str, str]] = {
        n: (g.id, g.surname, g.name) for n, g in known_numbers.items()
    }
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
            elif g.snils and g.snils in by_snils:
                guardian_id, surname, name = by_snils[g.snils]
                if (surname.casefold(), name.casefold()) != (
                    g.surname.casefold(),
                    g.name.casefold(),
                ):
                    # A mistyped number must not hand another family's parent a child.
                    raise InvalidState(
                        "Этот СНИЛС уже указан у другого законного представителя: фамилия и "
                        "имя не совпадают. Проверьте номер",
                        errors=[{"field": "snils", "message": "СНИЛС другого человека"}],
                    )
            else:
                guardian = Guardian(
                    tenant_id=tenant_id,
                    id=uuid.uuid4(),
                    surname=g.surname,
                    name=g.name,
                    patronymic=g.patronymic,
                    phone=g.phone,
                    snils=g.snils,
                    match_key=snils.match_key(person_key, g.snils)
                    if person_key and g.snils
                    else None,
                )
                rows.append(guardian)
                guardian_id = guardian.id
                if g.snils:  # the same parent of two children in this order
                    by_snils[g.snils] = (guardian_id, g.surname, g.name)
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
    check_dates(cmd.order_date, cmd.effective_date)
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
        reason_code=cmd.reason_code,
        reason_comment=cmd.reason_comment,
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


async def list_orders(
    *, session: AsyncSession, tenant_id: uuid.UUID, number: str | None, page: PageRequest
) -> tuple[list[OrderView], int]:
    """The movement book, newest first (optionally one order by its number)."""
    orders, total = await repo.list_orders(session, tenant_id, number, page)
    return [
        OrderView(order=o, items=list(await repo.order_items(session, tenant_id, o.id)))
        for o in orders
    ], total


async def sign_order(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    order_id: uuid.UUID,
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
    kind = OrderKind(order.kind)
    for item in items:
        student = students[item.student_id]
        student.status = apply_order(kind, StudentStatus(student.status)).value
    announce = _ANNOUNCEMENTS[kind]
    events = await announce(session, order, items, students, actor)
    order.status = OrderStatus.SIGNED.value
    order.signed_by = actor.id
    order.signed_at = datetime.now(UTC)
    await session.flush()
    await add_events(session, events)
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


async def _enrolment_events(
    session: AsyncSession,
    order: Order,
    items: list[OrderItem],
    students: dict[uuid.UUID, Student],
    actor: Actor,
) -> list[Envelope]:
    """Per student: `student.enrolled` for everyone, and `accounts.requested` with the
    names identity needs (for identity alone)."""
    guardians = await repo.guardians_of(session, order.tenant_id, list(students))
    events: list[Envelope] = []
    for item in items:
        s = students[item.student_id]
        events.append(
            STUDENT_ENROLLED.envelope(
                tenant_id=order.tenant_id,
                actor=actor,
                subject_id=s.id,
                data=StudentEnrolledV2(
                    order_id=order.id,
                    order_number=order.number,
                    order_date=order.order_date,
                    student_id=s.id,
                    group_id=item.group_id,
                    valid_from=order.effective_date,
                    display_name=display_name(s.surname, s.name),
                ),
            )
        )
        events.append(
            ACCOUNTS_REQUESTED.envelope(
                tenant_id=order.tenant_id,
                actor=actor,
                subject_id=s.id,
                data=AccountsRequestedV1(
                    order_id=order.id,
                    student_id=s.id,
                    group_id=item.group_id,
                    valid_from=order.effective_date,
                    student=PersonName(surname=s.surname, name=s.name, patronymic=s.patronymic),
                    guardians=[
                        AccountHolder(
                            guardian_id=g.id,
                            surname=g.surname,
                            name=g.name,
                            patronymic=g.patronymic,
                            relation=relation,
                            match_key=g.match_key,
                        )
                        for g, relation in guardians.get(s.id, [])
                    ],
                ),
            )
        )
    return events


async def _expulsion_events(
    session: AsyncSession,
    order: Order,
    items: list[OrderItem],
    students: dict[uuid.UUID, Student],
    actor: Actor,
) -> list[Envelope]:
    return [
        STUDENT_EXPELLED.envelope(
            tenant_id=order.tenant_id,
            actor=actor,
            subject_id=item.student_id,
            data=StudentExpelledV2(
                order_id=order.id,
                order_number=order.number,
                order_date=order.order_date,
                student_id=item.student_id,
                group_id=students[item.student_id].group_id,
                valid_to=order.effective_date,
                reason_code=order.reason_code or "other",
            ),
        )
        for item in items
    ]


_ANNOUNCEMENTS = {
    OrderKind.ENROLMENT: _enrolment_events,
    OrderKind.EXPULSION: _expulsion_events,
}

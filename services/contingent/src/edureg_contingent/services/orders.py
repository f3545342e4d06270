"""Orders of the movement book: drafted, then signed. Signing is what moves students and
what the rest of the region hears about (through the outbox, in the same transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.contracts.events import (
    ACADEMIC_LEAVE_ENDED,
    ACADEMIC_LEAVE_STARTED,
    ACCOUNTS_REQUESTED,
    GROUP_CLOSED,
    ORDER_CANCELLED,
    STUDENT_ENROLLED,
    STUDENT_EXPELLED,
    STUDENT_GRADUATED,
    STUDENT_PROMOTED,
    STUDENT_REINSTATED,
    STUDENT_RETAINED,
    STUDENT_TRANSFERRED,
    AcademicLeaveStartedV1,
    AccountHolder,
    AccountsRequestedV1,
    GroupClosedV1,
    OrderCancelledV1,
    PersonName,
    RestoredStudent,
    StudentEnrolledV2,
    StudentExpelledV2,
    StudentGraduatedV1,
    StudentMovedV1,
    StudentReturnedV1,
    TransferredFrom,
)
from edureg_contingent.domain import snils
from edureg_contingent.domain.orders import (
    MOVES_GROUP,
    STAFF_KINDS,
    STUDYING,
    GroupFacts,
    Movement,
    OrderKind,
    OrderStatus,
    StudentStatus,
    apply_order,
    check_dates,
    check_history,
    check_leave,
    check_target_group,
    display_name,
    ensure_applicable,
    ensure_cancellable,
    ensure_signable,
    undo,
)
from edureg_contingent.domain.personal_file import FILE_PARTS, check_guardians, missing_in_file
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import (
    Group,
    Guardian,
    Order,
    OrderItem,
    OrderStaffItem,
    Student,
    StudentGuardian,
    StudentMovement,
)
from edureg_contingent.services import admissions, staff, transfers
from edureg_contingent.services.commands import (
    CreateAcademicLeaveOrder,
    CreateCancellationOrder,
    CreateEnrolmentOrder,
    CreateExpulsionOrder,
    CreateGraduationOrder,
    CreateMovementOrder,
    CreatePromotionOrder,
    CreateStaffOrder,
    ExistingGuardian,
    NewGuardian,
)
from edureg_shared import audit
from edureg_shared.errors import Conflict, InvalidState, NotFound
from edureg_shared.events.contract import EventContract
from edureg_shared.events.envelope import Actor, Envelope
from edureg_shared.events.outbox import add_events
from edureg_shared.paging import PageRequest


@dataclass
class OrderView:
    order: Order
    items: list[OrderItem]
    # The students' full names, as the order lists them (for one order, not for lists).
    names: dict[uuid.UUID, str] = field(default_factory=dict)
    # A hiring or dismissal order's people, with their names.
    staff: list[tuple[OrderStaffItem, str]] = field(default_factory=list)


async def _new_order(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    kind: OrderKind,
    number: str,
    order_date: date,
    effective_date: date,
    reason_code: str | None = None,
    reason_comment: str | None = None,
    cancels_order_id: uuid.UUID | None = None,
    transfer_to_organisation_id: uuid.UUID | None = None,
    file_consent: bool = False,
) -> Order:
    assert isinstance(order_date, date)
    if await repo.find_order_by_number(session, tenant_id, number, order_date.year):
        raise Conflict(
            f"Приказ № {number} за {order_date.year} год уже есть в книге движения",
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
        cancels_order_id=cancels_order_id,
        transfer_to_organisation_id=transfer_to_organisation_id,
        file_consent=file_consent,
        created_by=actor.id,
    )
    session.add(order)
    await session.flush()  # the items that follow refer to it
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
    minors = [_minor_alone(s, cmd.effective_date) for s in cmd.students]
    if any(minors):
        raise InvalidState(
            "Несовершеннолетний зачисляется с законным представителем",
            errors=[m for m in minors if m],
        )
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


def _minor_alone(student: Any, on: date) -> dict[str, str] | None:
    try:
        check_guardians(student.birth_date, on, len(student.guardians))
    except InvalidState:
        return {
            "field": "students",
            "message": f"{student.surname} {student.name}: несовершеннолетнему нужен "
            "законный представитель",
        }
    return None


async def create_expulsion_order(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateExpulsionOrder
) -> OrderView:
    check_dates(cmd.order_date, cmd.effective_date)
    ids = list(dict.fromkeys(cmd.student_ids))
    students = await _listed_students(session, tenant_id, ids)
    await _check_students(
        session, tenant_id, OrderKind.EXPULSION, cmd.effective_date, students, None
    )
    if cmd.transfer_to_organisation_id:
        await transfers.ensure_destination(session, tenant_id, cmd.transfer_to_organisation_id)
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
        transfer_to_organisation_id=cmd.transfer_to_organisation_id,
        file_consent=cmd.file_consent,
    )
    items = [
        OrderItem(
            tenant_id=tenant_id, order_id=order.id, student_id=sid, group_id=students[sid].group_id
        )
        for sid in ids
    ]
    return await _drafted(session, actor, order, items)


def _facts(group: Group) -> GroupFacts:
    return GroupFacts(
        id=group.id,
        grade=group.grade,
        academic_year=group.academic_year,
        closed=group.closed_on is not None,
    )


def _problem(student: Student, message: str) -> dict[str, str]:
    """A refusal naming the student it concerns (the office sees whom to take out)."""
    return {"field": "student_ids", "message": f"{student.surname} {student.name}: {message}"}


async def _listed_students(
    session: AsyncSession, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Student]:
    students = await repo.students_by_ids(session, tenant_id, ids)
    if len(students) != len(ids):
        raise NotFound("Обучающийся не найден")
    return {sid: students[sid] for sid in ids}


async def _check_students(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    kind: OrderKind,
    effective_date: date,
    students: dict[uuid.UUID, Student],
    targets: dict[uuid.UUID, uuid.UUID] | None,
    *,
    signing: bool = False,
) -> None:
    """Every student can be in an order of `kind` taking effect on `effective_date`:
    their state, their history, and (for moves) the group each goes to. All refusals at
    once, each naming its student."""
    latest = await repo.latest_movements(session, tenant_id, list(students))
    groups = await repo.groups_by_ids(
        session,
        tenant_id,
        [*(s.group_id for s in students.values()), *(targets or {}).values()],
        share=signing and targets is not None,
    )
    problems: list[dict[str, str]] = []
    for sid, student in students.items():
        try:
            ensure_applicable(kind, StudentStatus(student.status))
            last = latest.get(sid)
            check_history(last.effective_date if last else None, effective_date)
            if targets is not None:
                if targets[sid] not in groups:
                    raise NotFound("Группа не найдена")
                source = None if kind is OrderKind.ENROLMENT else _facts(groups[student.group_id])
                check_target_group(kind, source, _facts(groups[targets[sid]]))
        except InvalidState as refusal:
            problems.append(_problem(student, refusal.detail))
    if problems:
        first = problems[0]["message"] if len(problems) == 1 else "см. список"
        raise InvalidState(f"Приказ нельзя провести: {first}", errors=problems)


async def _group_students(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    excluded: list[uuid.UUID],
) -> dict[uuid.UUID, Student]:
    """Everyone studying in the group now, but those excluded (who must be in it)."""
    group = await repo.get_group(session, tenant_id, group_id)
    if group is None:
        raise NotFound("Группа не найдена")
    members = await repo.students_of_group(session, tenant_id, group_id, [StudentStatus.ACTIVE])
    ids = {s.id for s in members}
    stray = [e for e in excluded if e not in ids]
    if stray:
        raise InvalidState(
            "Среди исключённых из приказа есть те, кто не учится в этой группе",
            errors=[{"field": "except_student_ids", "message": "Не из этой группы"}],
        )
    chosen = {s.id: s for s in members if s.id not in set(excluded)}
    if not chosen:
        raise InvalidState(
            "В группе нет обучающихся, которых касался бы приказ",
            errors=[{"field": "group_id", "message": "Никого, кроме исключённых"}],
        )
    return chosen


async def create_movement_order(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateMovementOrder
) -> OrderView:
    """A draft of any order but enrolment and expulsion: the students it concerns are
    checked now (and again at signing, which is what counts)."""
    check_dates(cmd.order_date, cmd.effective_date)
    kind = OrderKind(cmd.kind)
    if isinstance(cmd, CreateCancellationOrder):
        return await _draft_cancellation(session, tenant_id, actor, cmd)
    if isinstance(cmd, CreateAcademicLeaveOrder):
        check_leave(cmd.effective_date, cmd.leave_until)
    if isinstance(cmd, CreatePromotionOrder):
        students = await _group_students(
            session, tenant_id, cmd.from_group_id, cmd.except_student_ids
        )
    elif isinstance(cmd, CreateGraduationOrder):
        students = await _group_students(session, tenant_id, cmd.group_id, cmd.except_student_ids)
    else:
        students = await _listed_students(session, tenant_id, list(dict.fromkeys(cmd.student_ids)))
    targets: dict[uuid.UUID, uuid.UUID] | None = None
    if kind in MOVES_GROUP:
        to_group = getattr(cmd, "to_group_id", None)
        targets = {sid: to_group or s.group_id for sid, s in students.items()}
    await _check_students(session, tenant_id, kind, cmd.effective_date, students, targets)
    order = await _new_order(
        session,
        tenant_id,
        actor,
        kind,
        cmd.number,
        cmd.order_date,
        cmd.effective_date,
        reason_code=cmd.reason_code,
        reason_comment=cmd.reason_comment,
    )
    leave_until = cmd.leave_until if isinstance(cmd, CreateAcademicLeaveOrder) else None
    items = [
        OrderItem(
            tenant_id=tenant_id,
            order_id=order.id,
            student_id=sid,
            group_id=targets[sid] if targets else s.group_id,
            from_group_id=s.group_id if targets else None,
            leave_until=leave_until,
        )
        for sid, s in students.items()
    ]
    return await _drafted(session, actor, order, items)


def _as_movement(m: StudentMovement) -> Movement:
    return Movement(
        order_id=m.order_id,
        kind=OrderKind(m.kind),
        from_status=StudentStatus(m.from_status),
        to_status=StudentStatus(m.to_status),
        from_group_id=m.from_group_id,
        to_group_id=m.to_group_id,
    )


async def _cancellable(
    session: AsyncSession, tenant_id: uuid.UUID, target: Order
) -> list[StudentMovement]:
    """The movements a cancellation of `target` undoes, once the rules allow it."""
    await transfers.ensure_undoable(session, target)
    movements = await repo.movements_of_order(session, tenant_id, target.id)
    latest = await repo.latest_movements(session, tenant_id, [m.student_id for m in movements])
    ensure_cancellable(
        target.id,
        OrderKind(target.kind),
        OrderStatus(target.status),
        target.cancelled_by_order_id is not None,
        {
            m.student_id: latest[m.student_id].order_id if m.student_id in latest else None
            for m in movements
        },
    )
    return movements


async def _draft_cancellation(
    session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateCancellationOrder
) -> OrderView:
    target = await repo.get_order(session, tenant_id, cmd.cancelled_order_id)
    if target is None:
        raise NotFound("Отменяемый приказ не найден")
    movements = await _cancellable(session, tenant_id, target)
    order = await _new_order(
        session,
        tenant_id,
        actor,
        OrderKind.CANCELLATION,
        cmd.number,
        cmd.order_date,
        cmd.effective_date,
        reason_comment=cmd.reason_comment,
        cancels_order_id=target.id,
    )
    items = []
    for m in movements:
        _, group_id = undo(_as_movement(m))
        items.append(
            OrderItem(
                tenant_id=tenant_id,
                order_id=order.id,
                student_id=m.student_id,
                group_id=group_id,
                from_group_id=m.to_group_id,
            )
        )
    return await _drafted(session, actor, order, items)


async def get_order(
    *, session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> OrderView:
    order = await repo.get_order(session, tenant_id, order_id)
    if order is None:
        raise NotFound("Приказ не найден")
    items = list(await repo.order_items(session, tenant_id, order_id))
    students = await repo.students_by_ids(session, tenant_id, [i.student_id for i in items])
    return OrderView(
        order=order,
        items=items,
        names={
            sid: " ".join(p for p in (s.surname, s.name, s.patronymic) if p)
            for sid, s in students.items()
        },
        staff=await repo.staff_items(session, tenant_id, order_id)
        if OrderKind(order.kind) in STAFF_KINDS
        else [],
    )


async def create_staff_order(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateStaffOrder
) -> OrderView:
    """A draft hiring or dismissal order (the HR specialist's, 004 4.3)."""
    check_dates(cmd.order_date, cmd.effective_date)
    ids = list(dict.fromkeys(cmd.employee_ids))
    await staff.check_staff(session, tenant_id, cmd.kind, ids)
    order = await _new_order(
        session,
        tenant_id,
        actor,
        OrderKind(cmd.kind),
        cmd.number,
        cmd.order_date,
        cmd.effective_date,
    )
    session.add_all(
        OrderStaffItem(
            tenant_id=tenant_id,
            order_id=order.id,
            employee_id=e,
            position_code=cmd.position_code if cmd.kind == "hiring" else None,
        )
        for e in ids
    )
    await _drafted(session, actor, order, [])
    return await get_order(session=session, tenant_id=tenant_id, order_id=order.id)


async def list_orders(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    page: PageRequest,
    number: str | None = None,
    kind: str | None = None,
    group_id: uuid.UUID | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> tuple[list[OrderView], int]:
    """The movement book, newest first: optionally by number, kind, group, dates."""
    orders, total = await repo.list_orders(
        session,
        tenant_id,
        page,
        number=number,
        kind=kind,
        group_id=group_id,
        date_from=date_from,
        date_to=date_to,
    )
    items = await repo.items_of_orders(session, tenant_id, [o.id for o in orders])
    return [OrderView(order=o, items=items.get(o.id, [])) for o in orders], total


async def sign_order(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    order_id: uuid.UUID,
) -> OrderView:
    """Sign a draft order: move its students, keep each move in their history and
    announce it, all in one transaction. Everything is checked again here: the draft
    may be days old and other orders signed since."""
    order = await repo.get_order_for_update(session, tenant_id, order_id)
    if order is None:
        raise NotFound("Приказ не найден")
    ensure_signable(OrderStatus(order.status))
    items = list(await repo.order_items(session, tenant_id, order_id))
    students = await repo.students_by_ids(
        session, tenant_id, [i.student_id for i in items], for_update=True
    )
    kind = OrderKind(order.kind)
    people: list[tuple[OrderStaffItem, str]] = []
    if kind in STAFF_KINDS:
        people = await repo.staff_items(session, tenant_id, order_id)
        events = await staff.sign_staff_order(session, order, [i for i, _ in people], actor)
    elif kind is OrderKind.CANCELLATION:
        events = await _sign_cancellation(session, order, items, students, actor)
    else:
        events = await _sign_movements(session, order, kind, items, students, actor)
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
        details={"kind": order.kind, "students": len(items), "staff": len(people)},
    )
    return OrderView(order=order, items=items, staff=people)


async def _sign_movements(
    session: AsyncSession,
    order: Order,
    kind: OrderKind,
    items: list[OrderItem],
    students: dict[uuid.UUID, Student],
    actor: Actor,
) -> list[Envelope]:
    t = order.tenant_id
    moving = kind in MOVES_GROUP
    if not moving:
        _follow_current_groups(kind, items, students)
    await _check_students(
        session,
        t,
        kind,
        order.effective_date,
        {i.student_id: students[i.student_id] for i in items},
        {i.student_id: i.group_id for i in items} if moving else None,
        signing=True,
    )
    seqs = await repo.next_seqs(session, t, [i.student_id for i in items])
    movements = []
    for item in items:
        student = students[item.student_id]
        after = apply_order(kind, StudentStatus(student.status))
        before_group = None if kind is OrderKind.ENROLMENT else student.group_id
        if moving:
            item.from_group_id = before_group
        movements.append(
            StudentMovement(
                tenant_id=t,
                id=uuid.uuid4(),
                student_id=student.id,
                order_id=order.id,
                kind=kind.value,
                effective_date=order.effective_date,
                from_status=student.status,
                to_status=after.value,
                from_group_id=before_group,
                to_group_id=item.group_id,
                seq=seqs[student.id],
            )
        )
        student.status = after.value
        student.group_id = item.group_id
    session.add_all(movements)
    await session.flush()
    if kind is OrderKind.EXPULSION and order.transfer_to_organisation_id:
        await transfers.file_requests(session, order, items, students)
    if kind is OrderKind.ENROLMENT:
        await transfers.accepted_by(session, order, actor)
        await admissions.enrolled_by(session, order)
    events = await _ANNOUNCEMENTS[kind](session, order, items, students, actor)
    if kind is OrderKind.GRADUATION:
        events += await _close_emptied_groups(session, order, items, actor)
    return events


def _follow_current_groups(
    kind: OrderKind, items: list[OrderItem], students: dict[uuid.UUID, Student]
) -> None:
    """An order that leaves students where they are concerns the group each is in *now*:
    a draft may predate a transfer. A graduation is of one group: whoever has left it
    since the draft is refused, by name."""
    if kind is OrderKind.GRADUATION:
        gone = [
            _problem(students[i.student_id], "уже не в выпускной группе: исключите из приказа")
            for i in items
            if students[i.student_id].group_id != i.group_id
        ]
        if gone:
            raise InvalidState(f"Приказ нельзя провести: {gone[0]['message']}", errors=gone)
        return
    for item in items:
        item.group_id = students[item.student_id].group_id


async def _close_emptied_groups(
    session: AsyncSession, order: Order, items: list[OrderItem], actor: Actor
) -> list[Envelope]:
    """A graduated group with no one left studying in it closes on the order's date."""
    events = []
    for group_id in sorted({i.group_id for i in items}):
        # The group first (a move into it holds it shared until it commits), then who is
        # still in it.
        group = await repo.get_group(session, order.tenant_id, group_id, for_update=True)
        left = await repo.students_of_group(session, order.tenant_id, group_id, list(STUDYING))
        if left or group is None or group.closed_on is not None:
            continue
        group.closed_on = order.effective_date
        events.append(
            GROUP_CLOSED.envelope(
                tenant_id=order.tenant_id,
                actor=actor,
                subject_id=group_id,
                data=GroupClosedV1(group_id=group_id, closed_on=order.effective_date),
            )
        )
    return events


async def _sign_cancellation(
    session: AsyncSession,
    order: Order,
    items: list[OrderItem],
    students: dict[uuid.UUID, Student],
    actor: Actor,
) -> list[Envelope]:
    """Undo every movement of the cancelled order: each student back to their state and
    group before it. Those it had taken out of study (an expulsion, a graduation) are
    students again, and identity hears it as for an enrolment (accounts back, links)."""
    t = order.tenant_id
    assert order.cancels_order_id is not None
    target = await repo.get_order_for_update(session, t, order.cancels_order_id)
    if target is None:  # pragma: no cover - the foreign order cannot vanish
        raise NotFound("Отменяемый приказ не найден")
    movements = await _cancellable(session, t, target)
    await transfers.withdraw(session, target)
    if OrderKind(target.kind) is OrderKind.ENROLMENT:
        await admissions.unenrolled_by(session, target)
    by_student = {i.student_id: i for i in items}
    restored: list[RestoredStudent] = []
    back_to_study: list[OrderItem] = []
    for m in movements:
        status, group_id = undo(_as_movement(m))
        student = students[m.student_id]
        m.cancelled_by_order_id = order.id
        student.status = status.value
        student.group_id = group_id
        item = by_student[m.student_id]
        item.group_id, item.from_group_id = group_id, m.to_group_id
        restored.append(
            RestoredStudent(student_id=student.id, status=status.value, group_id=group_id)
        )
        if status in STUDYING and StudentStatus(m.to_status) not in STUDYING:
            back_to_study.append(item)
    target.cancelled_by_order_id = order.id
    if OrderKind(target.kind) is OrderKind.GRADUATION:
        for group_id in {m.to_group_id for m in movements}:
            group = await repo.get_group(session, t, group_id, for_update=True)
            if group is not None:
                group.closed_on = None
    await session.flush()
    events = [
        ORDER_CANCELLED.envelope(
            tenant_id=t,
            actor=actor,
            subject_id=target.id,
            data=OrderCancelledV1(
                order_id=order.id,
                order_number=order.number,
                order_date=order.order_date,
                cancelled_order_id=target.id,
                cancelled_kind=target.kind,
                students=restored,
            ),
        )
    ]
    return events + await _account_requests(session, order, back_to_study, students, actor)


def _head(order: Order) -> dict[str, Any]:
    return {"order_id": order.id, "order_number": order.number, "order_date": order.order_date}


async def _account_requests(
    session: AsyncSession,
    order: Order,
    items: list[OrderItem],
    students: dict[uuid.UUID, Student],
    actor: Actor,
) -> list[Envelope]:
    """`accounts.requested` for students (re)entering study, with the names identity
    needs (for identity alone): new accounts, or the known ones re-enabled and linked."""
    if not items:
        return []
    guardians = await repo.guardians_of(session, order.tenant_id, [i.student_id for i in items])
    came_from = {
        r.student_id: TransferredFrom(
            organisation_id=r.source_tenant_id, student_id=r.source_student_id
        )
        for r in await repo.transfers_of_enrolment(
            session, order.tenant_id, order.id, for_update=False
        )
        if r.student_id is not None
    }
    events = []
    for item in items:
        s = students[item.student_id]
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
                    transferred_from=came_from.get(s.id),
                ),
            )
        )
    return events


def _name(student: Student) -> str:
    return display_name(student.surname, student.name)


# One event per student: a function of the order, its item and the student gives the
# event's contract and payload.
Announcement = Callable[[Order, OrderItem, Student], tuple[EventContract[Any], BaseModel]]


def _per_item(build: Announcement) -> Callable[..., Awaitable[list[Envelope]]]:
    async def announce(
        session: AsyncSession,
        order: Order,
        items: list[OrderItem],
        students: dict[uuid.UUID, Student],
        actor: Actor,
    ) -> list[Envelope]:
        events = []
        for item in items:
            contract, data = build(order, item, students[item.student_id])
            events.append(
                contract.envelope(
                    tenant_id=order.tenant_id, actor=actor, subject_id=item.student_id, data=data
                )
            )
        return events

    return announce


def _with_account_requests(
    announce: Callable[..., Awaitable[list[Envelope]]],
) -> Callable[..., Awaitable[list[Envelope]]]:
    """The students enter study: after their events, `accounts.requested` for identity."""

    async def both(
        session: AsyncSession,
        order: Order,
        items: list[OrderItem],
        students: dict[uuid.UUID, Student],
        actor: Actor,
    ) -> list[Envelope]:
        return [
            *await announce(session, order, items, students, actor),
            *await _account_requests(session, order, items, students, actor),
        ]

    return both


def _enrolled(order: Order, item: OrderItem, s: Student) -> tuple[EventContract[Any], BaseModel]:
    return STUDENT_ENROLLED, StudentEnrolledV2(
        **_head(order),
        student_id=s.id,
        group_id=item.group_id,
        valid_from=order.effective_date,
        display_name=_name(s),
        file_missing=len(
            missing_in_file({f: getattr(s, f) for f in FILE_PARTS}, datetime.now(UTC).date())
        ),
    )


def _expelled(order: Order, item: OrderItem, s: Student) -> tuple[EventContract[Any], BaseModel]:
    return STUDENT_EXPELLED, StudentExpelledV2(
        **_head(order),
        student_id=s.id,
        group_id=item.group_id,
        valid_to=order.effective_date,
        reason_code=order.reason_code or "other",
    )


def _moved(contract: EventContract[Any]) -> Announcement:
    def build(order: Order, item: OrderItem, s: Student) -> tuple[EventContract[Any], BaseModel]:
        assert item.from_group_id is not None
        return contract, StudentMovedV1(
            **_head(order),
            student_id=s.id,
            from_group_id=item.from_group_id,
            to_group_id=item.group_id,
            valid_from=order.effective_date,
            display_name=_name(s),
        )

    return build


def _returned(contract: EventContract[Any]) -> Announcement:
    def build(order: Order, item: OrderItem, s: Student) -> tuple[EventContract[Any], BaseModel]:
        return contract, StudentReturnedV1(
            **_head(order),
            student_id=s.id,
            group_id=item.group_id,
            valid_from=order.effective_date,
            display_name=_name(s),
        )

    return build


def _graduated(order: Order, item: OrderItem, s: Student) -> tuple[EventContract[Any], BaseModel]:
    return STUDENT_GRADUATED, StudentGraduatedV1(
        **_head(order), student_id=s.id, group_id=item.group_id, valid_to=order.effective_date
    )


def _leave_started(
    order: Order, item: OrderItem, s: Student
) -> tuple[EventContract[Any], BaseModel]:
    assert item.leave_until is not None
    return ACADEMIC_LEAVE_STARTED, AcademicLeaveStartedV1(
        **_head(order),
        student_id=s.id,
        group_id=item.group_id,
        valid_from=order.effective_date,
        valid_until=item.leave_until,
    )


_ANNOUNCEMENTS: dict[OrderKind, Callable[..., Awaitable[list[Envelope]]]] = {
    OrderKind.ENROLMENT: _with_account_requests(_per_item(_enrolled)),
    OrderKind.EXPULSION: _per_item(_expelled),
    OrderKind.TRANSFER: _per_item(_moved(STUDENT_TRANSFERRED)),
    OrderKind.PROMOTION: _per_item(_moved(STUDENT_PROMOTED)),
    OrderKind.RETENTION: _per_item(_moved(STUDENT_RETAINED)),
    OrderKind.GRADUATION: _per_item(_graduated),
    OrderKind.ACADEMIC_LEAVE: _per_item(_leave_started),
    OrderKind.LEAVE_RETURN: _per_item(_returned(ACADEMIC_LEAVE_ENDED)),
    OrderKind.REINSTATEMENT: _with_account_requests(_per_item(_returned(STUDENT_REINSTATED))),
}

"""Staff in contingent (003 3.3.4, 004 4.3): HR cards with qualification courses, and
hiring and dismissal orders. A signed hiring tells identity to open (or re-open) the
person's staff account; a dismissal, to close it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.contracts.events import (
    EMPLOYEE_DISMISSED,
    EMPLOYEE_HIRED,
    EmployeeDismissedV1,
    EmployeeHiredV1,
)
from edureg_contingent.domain.staff import EmployeeStatus, apply_staff_order
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import Employee, EmployeeCourse, Order, OrderStaffItem
from edureg_contingent.services.commands import AddCourse, CreateEmployee
from edureg_contingent.services.common import add_audited
from edureg_shared import audit
from edureg_shared.errors import InvalidState, NotFound
from edureg_shared.events.envelope import Actor, Envelope
from edureg_shared.paging import PageRequest


@dataclass
class EmployeeCard:
    employee: Employee
    courses: list[EmployeeCourse]


async def create_employee(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateEmployee
) -> Employee:
    employee = Employee(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        status=EmployeeStatus.PENDING.value,
        **cmd.model_dump(),
    )
    return await add_audited(session, tenant_id, actor, employee, "employee")


async def list_employees(
    *, session: AsyncSession, tenant_id: uuid.UUID, status: str | None, page: PageRequest
) -> tuple[list[Employee], int]:
    return await repo.list_employees(session, tenant_id, status, page)


async def get_employee(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, employee_id: uuid.UUID
) -> EmployeeCard:
    employee = await repo.get_employee(session, tenant_id, employee_id)
    if employee is None:
        raise NotFound("Сотрудник не найден")
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="read",
        entity="employee",
        entity_id=employee_id,
    )
    return EmployeeCard(employee, await repo.employee_courses(session, tenant_id, employee_id))


async def add_course(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    employee_id: uuid.UUID,
    cmd: AddCourse,
) -> EmployeeCard:
    employee = await repo.get_employee(session, tenant_id, employee_id)
    if employee is None:
        raise NotFound("Сотрудник не найден")
    course = EmployeeCourse(
        tenant_id=tenant_id, id=uuid.uuid4(), employee_id=employee_id, **cmd.model_dump()
    )
    session.add(course)
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="add_course",
        entity="employee",
        entity_id=employee_id,
    )
    return EmployeeCard(employee, await repo.employee_courses(session, tenant_id, employee_id))


async def check_staff(
    session: AsyncSession, tenant_id: uuid.UUID, kind: str, employee_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Employee]:
    """Everyone in a staff order exists here and can be taken on (or let go); every
    refusal at once, each naming the person."""
    employees = await repo.employees_by_ids(session, tenant_id, employee_ids)
    if len(employees) != len(set(employee_ids)):
        raise NotFound("Сотрудник не найден")
    problems = []
    for e in employees.values():
        try:
            apply_staff_order(kind, EmployeeStatus(e.status))
        except InvalidState as refusal:
            problems.append(
                {"field": "employee_ids", "message": f"{e.surname} {e.name}: {refusal.detail}"}
            )
    if problems:
        raise InvalidState(f"Приказ нельзя провести: {problems[0]['message']}", errors=problems)
    return employees


async def sign_staff_order(
    session: AsyncSession, order: Order, items: list[OrderStaffItem], actor: Actor
) -> list[Envelope]:
    """Move each person of a hiring or dismissal order, and announce it."""
    employees = await check_staff(
        session, order.tenant_id, order.kind, [i.employee_id for i in items]
    )
    events = []
    for item in items:
        e = employees[item.employee_id]
        e.status = apply_staff_order(order.kind, EmployeeStatus(e.status)).value
        if order.kind == "hiring":
            e.hired_on, e.dismissed_on = order.effective_date, None
            events.append(_hired(order, item, e, actor))
        else:
            e.dismissed_on = order.effective_date
            events.append(_dismissed(order, e, actor))
    return events


def _head(order: Order) -> dict[str, object]:
    return {"order_id": order.id, "order_number": order.number, "order_date": order.order_date}


def _hired(order: Order, item: OrderStaffItem, e: Employee, actor: Actor) -> Envelope:
    return EMPLOYEE_HIRED.envelope(
        tenant_id=order.tenant_id,
        actor=actor,
        subject_id=e.id,
        data=EmployeeHiredV1(
            **_head(order),
            employee_id=e.id,
            valid_from=order.effective_date,
            surname=e.surname,
            name=e.name,
            patronymic=e.patronymic,
            position_code=item.position_code or "none",
        ),
    )


def _dismissed(order: Order, e: Employee, actor: Actor) -> Envelope:
    return EMPLOYEE_DISMISSED.envelope(
        tenant_id=order.tenant_id,
        actor=actor,
        subject_id=e.id,
        data=EmployeeDismissedV1(
            **_head(order),
            employee_id=e.id,
            valid_to=order.effective_date,
        ),
    )

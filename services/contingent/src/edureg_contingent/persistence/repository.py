"""Queries. Every statement runs inside a tenant-scoped transaction; the explicit
`tenant_id` filters are the application check, RLS is the backstop."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.persistence.tables import (
    Group,
    Guardian,
    Order,
    OrderItem,
    Student,
    StudentGuardian,
)
from edureg_shared.paging import PageRequest, paginate


async def get_group(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, *, for_update: bool = False
) -> Group | None:
    stmt = select(Group).where(Group.tenant_id == tenant_id, Group.id == group_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def list_groups(
    session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Group], int]:
    return await paginate(
        session,
        select(Group)
        .where(Group.tenant_id == tenant_id)
        .order_by(Group.academic_year, Group.name, Group.id),
        page,
    )


async def list_orders(
    session: AsyncSession, tenant_id: uuid.UUID, number: str | None, page: PageRequest
) -> tuple[list[Order], int]:
    stmt = select(Order).where(Order.tenant_id == tenant_id)
    if number:
        stmt = stmt.where(Order.number == number)
    return await paginate(
        session, stmt.order_by(Order.order_date.desc(), Order.number, Order.id), page
    )


async def find_group(
    session: AsyncSession, tenant_id: uuid.UUID, academic_year: str, name: str
) -> Group | None:
    return await session.scalar(
        select(Group).where(
            Group.tenant_id == tenant_id, Group.academic_year == academic_year, Group.name == name
        )
    )


async def get_order(
    session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> Order | None:
    return await session.get(Order, (tenant_id, order_id))


async def get_order_for_update(
    session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> Order | None:
    return await session.scalar(
        select(Order).where(Order.tenant_id == tenant_id, Order.id == order_id).with_for_update()
    )


async def find_order_by_number(
    session: AsyncSession, tenant_id: uuid.UUID, number: str
) -> Order | None:
    return await session.scalar(
        select(Order).where(Order.tenant_id == tenant_id, Order.number == number)
    )


async def order_items(
    session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> Sequence[OrderItem]:
    result = await session.scalars(
        select(OrderItem)
        .where(OrderItem.tenant_id == tenant_id, OrderItem.order_id == order_id)
        .order_by(OrderItem.student_id)
    )
    return result.all()


async def students_by_ids(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    ids: Sequence[uuid.UUID],
    *,
    for_update: bool = False,
) -> dict[uuid.UUID, Student]:
    stmt = select(Student).where(Student.tenant_id == tenant_id, Student.id.in_(ids))
    if for_update:
        stmt = stmt.with_for_update()
    result = await session.scalars(stmt)
    return {s.id: s for s in result.all()}


async def get_student(
    session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID
) -> Student | None:
    return await session.get(Student, (tenant_id, student_id))


async def guardians_of(
    session: AsyncSession, tenant_id: uuid.UUID, student_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Guardian, str]]]:
    rows = await session.execute(
        select(StudentGuardian.student_id, Guardian, StudentGuardian.relation)
        .join(
            Guardian,
            (Guardian.tenant_id == StudentGuardian.tenant_id)
            & (Guardian.id == StudentGuardian.guardian_id),
        )
        .where(StudentGuardian.tenant_id == tenant_id, StudentGuardian.student_id.in_(student_ids))
        .order_by(Guardian.surname, Guardian.name)
    )
    out: dict[uuid.UUID, list[tuple[Guardian, str]]] = {}
    for student_id, guardian, relation in rows.all():
        out.setdefault(student_id, []).append((guardian, relation))
    return out


async def guardians_by_snils(
    session: AsyncSession, tenant_id: uuid.UUID, numbers: Sequence[str]
) -> dict[str, Guardian]:
    rows = await session.scalars(
        select(Guardian).where(Guardian.tenant_id == tenant_id, Guardian.snils.in_(numbers))
    )
    return {str(g.snils): g for g in rows.all()}


async def guardians_by_ids(
    session: AsyncSession, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Guardian]:
    result = await session.scalars(
        select(Guardian).where(Guardian.tenant_id == tenant_id, Guardian.id.in_(ids))
    )
    return {g.id: g for g in result.all()}

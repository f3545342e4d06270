"""Queries. Every statement runs inside a tenant-scoped transaction; the explicit
`tenant_id` filters are the application check, RLS is the backstop."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy import update as sa_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.persistence.tables import (
    AdmissionCampaign,
    Applicant,
    CuratorChange,
    Department,
    Employee,
    EmployeeCourse,
    Group,
    Guardian,
    GuardianChange,
    ImportJob,
    ImportRow,
    Order,
    OrderItem,
    OrderStaffItem,
    Organisation,
    OrganisationProfile,
    ProfileChange,
    Specialty,
    Student,
    StudentFileChange,
    StudentGuardian,
    StudentMovement,
    TransferRequest,
)
from edureg_shared.paging import PageRequest, paginate, paginate_rows


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
    session: AsyncSession,
    tenant_id: uuid.UUID,
    page: PageRequest,
    *,
    number: str | None = None,
    kind: str | None = None,
    group_id: uuid.UUID | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> tuple[list[Order], int]:
    """The book in its order (by date, then number), filtered: by number, kind, a group
    one of its students entered or left, and the order date's range (inclusive)."""
    stmt = select(Order).where(Order.tenant_id == tenant_id)
    if number:
        stmt = stmt.where(Order.number == number)
    if kind:
        stmt = stmt.where(Order.kind == kind)
    if date_from:
        stmt = stmt.where(Order.order_date >= date_from)
    if date_to:
        stmt = stmt.where(Order.order_date <= date_to)
    if group_id:
        stmt = stmt.where(
            select(OrderItem.order_id)
            .where(
                OrderItem.tenant_id == tenant_id,
                OrderItem.order_id == Order.id,
                or_(OrderItem.group_id == group_id, OrderItem.from_group_id == group_id),
            )
            .exists()
        )
    return await paginate(
        session, stmt.order_by(Order.order_date.desc(), Order.number, Order.id), page
    )


async def items_of_orders(
    session: AsyncSession, tenant_id: uuid.UUID, order_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[OrderItem]]:
    """The items of a page of orders in one query."""
    if not order_ids:
        return {}
    result = await session.scalars(
        select(OrderItem)
        .where(OrderItem.tenant_id == tenant_id, OrderItem.order_id.in_(list(order_ids)))
        .order_by(OrderItem.order_id, OrderItem.student_id)
    )
    out: dict[uuid.UUID, list[OrderItem]] = {}
    for item in result.all():
        out.setdefault(item.order_id, []).append(item)
    return out


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
    session: AsyncSession, tenant_id: uuid.UUID, number: str, year: int
) -> Order | None:
    """The order of this number in this calendar year (numbering restarts every year)."""
    return await session.scalar(
        select(Order).where(
            Order.tenant_id == tenant_id,
            Order.number == number,
            func.date_part("year", Order.order_date) == year,
        )
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
    session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID, *, for_update: bool = False
) -> Student | None:
    stmt = select(Student).where(Student.tenant_id == tenant_id, Student.id == student_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


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


async def groups_by_ids(
    session: AsyncSession, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID], *, share: bool = False
) -> dict[uuid.UUID, Group]:
    """`share`: held against a concurrent close (a graduation) until this commits."""
    stmt = select(Group).where(Group.tenant_id == tenant_id, Group.id.in_(list(set(ids))))
    if share:
        stmt = stmt.order_by(Group.id).with_for_update(read=True)
    result = await session.scalars(stmt)
    return {g.id: g for g in result.all()}


async def students_of_group(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    statuses: Sequence[str],
    *,
    for_update: bool = False,
) -> list[Student]:
    stmt = (
        select(Student)
        .where(
            Student.tenant_id == tenant_id,
            Student.group_id == group_id,
            Student.status.in_(list(statuses)),
        )
        .order_by(Student.surname, Student.name, Student.id)
    )
    if for_update:
        stmt = stmt.with_for_update()
    return list((await session.scalars(stmt)).all())


async def latest_movements(
    session: AsyncSession, tenant_id: uuid.UUID, student_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, StudentMovement]:
    """Each student's latest movement not cancelled."""
    result = await session.scalars(
        select(StudentMovement)
        .where(
            StudentMovement.tenant_id == tenant_id,
            StudentMovement.student_id.in_(list(student_ids)),
            StudentMovement.cancelled_by_order_id.is_(None),
        )
        .order_by(StudentMovement.seq)
    )
    return {m.student_id: m for m in result.all()}  # the last one of each wins


async def next_seqs(
    session: AsyncSession, tenant_id: uuid.UUID, student_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """The place of each student's next movement in their history."""
    rows = await session.execute(
        select(StudentMovement.student_id, func.max(StudentMovement.seq))
        .where(
            StudentMovement.tenant_id == tenant_id,
            StudentMovement.student_id.in_(list(student_ids)),
        )
        .group_by(StudentMovement.student_id)
    )
    known = {sid: int(seq) for sid, seq in rows.all()}
    return {sid: known.get(sid, 0) + 1 for sid in student_ids}


async def movements_of_order(
    session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> list[StudentMovement]:
    result = await session.scalars(
        select(StudentMovement)
        .where(StudentMovement.tenant_id == tenant_id, StudentMovement.order_id == order_id)
        .order_by(StudentMovement.student_id)
    )
    return list(result.all())


async def student_history(
    session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID
) -> list[tuple[StudentMovement, Order]]:
    rows = await session.execute(
        select(StudentMovement, Order)
        .join(
            Order,
            (Order.tenant_id == StudentMovement.tenant_id) & (Order.id == StudentMovement.order_id),
        )
        .where(StudentMovement.tenant_id == tenant_id, StudentMovement.student_id == student_id)
        .order_by(StudentMovement.seq)
    )
    return [(m, o) for m, o in rows.all()]


def curated_groups(tenant_id: uuid.UUID, curator_id: uuid.UUID) -> Any:
    return select(Group.id).where(Group.tenant_id == tenant_id, Group.curator_user_id == curator_id)


async def list_students(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    page: PageRequest,
    *,
    group_id: uuid.UUID | None,
    statuses: Sequence[str],
    query: str | None,
    curator_id: uuid.UUID | None,
) -> tuple[list[Student], int]:
    """Personal files in a list (name, group, state): optionally one group's, in given
    states, whose surname starts with `query`; for a curator only their groups'."""
    stmt = select(Student).where(Student.tenant_id == tenant_id)
    if group_id:
        stmt = stmt.where(Student.group_id == group_id)
    if statuses:
        stmt = stmt.where(Student.status.in_(list(statuses)))
    words = (query or "").split()
    if words:
        pattern = words[0].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(
            or_(Student.surname.ilike(pattern + "%"), Student.name.ilike(pattern + "%"))
        )
    if curator_id:
        stmt = stmt.where(Student.group_id.in_(curated_groups(tenant_id, curator_id)))
    return await paginate(session, stmt.order_by(Student.surname, Student.name, Student.id), page)


# -- the region's organisations and transfers between them -----------------------------


async def upsert_organisation(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    *,
    name: str,
    short_name: str,
    kind: str,
    municipality: str,
) -> None:
    values = {"name": name, "short_name": short_name, "kind": kind, "municipality": municipality}
    await session.execute(
        pg_insert(Organisation)
        .values(id=organisation_id, **values)
        .on_conflict_do_update(index_elements=["id"], set_=values)
    )


async def get_organisation(
    session: AsyncSession, organisation_id: uuid.UUID
) -> Organisation | None:
    return await session.get(Organisation, organisation_id)


async def list_organisations(
    session: AsyncSession, page: PageRequest, *, except_id: uuid.UUID
) -> tuple[list[Organisation], int]:
    return await paginate(
        session,
        select(Organisation)
        .where(Organisation.id != except_id)
        .order_by(Organisation.municipality, Organisation.short_name, Organisation.id),
        page,
    )


async def file_transfer_request(
    session: AsyncSession,
    *,
    target: uuid.UUID,
    request_id: uuid.UUID,
    student_id: uuid.UUID,
    order_id: uuid.UUID,
    consent: bool,
    file: dict[str, Any],
) -> None:
    """Into the receiving organisation's requests, through the one function allowed to
    write there (it takes the sender from the transaction's tenant)."""
    await session.execute(
        text(
            "SELECT public.file_transfer_request(:target, :id, :student, :order, :consent, "
            "CAST(:file AS jsonb))"
        ),
        {
            "target": target,
            "id": request_id,
            "student": student_id,
            "order": order_id,
            "consent": consent,
            "file": json.dumps(file, ensure_ascii=False),
        },
    )


def _with_organisation(column: Any) -> Any:
    return select(TransferRequest, func.coalesce(Organisation.short_name, "")).outerjoin(
        Organisation, Organisation.id == column
    )


async def incoming_transfers(
    session: AsyncSession, tenant_id: uuid.UUID, status: str | None, page: PageRequest
) -> tuple[list[tuple[TransferRequest, str]], int]:
    """Requests addressed to this organisation, with the sender's short name."""
    stmt = _with_organisation(TransferRequest.source_tenant_id).where(
        TransferRequest.tenant_id == tenant_id
    )
    if status:
        stmt = stmt.where(TransferRequest.status == status)
    rows, total = await paginate_rows(
        session, stmt.order_by(TransferRequest.created_at.desc(), TransferRequest.id), page
    )
    return [(r, name) for r, name in rows], total


async def outgoing_transfers(
    session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[tuple[TransferRequest, str]], int]:
    """Requests this organisation sent, with the receiver's short name."""
    stmt = _with_organisation(TransferRequest.tenant_id).where(
        TransferRequest.source_tenant_id == tenant_id
    )
    rows, total = await paginate_rows(
        session, stmt.order_by(TransferRequest.created_at.desc(), TransferRequest.id), page
    )
    return [(r, name) for r, name in rows], total


async def incoming_transfer(
    session: AsyncSession, tenant_id: uuid.UUID, request_id: uuid.UUID
) -> tuple[TransferRequest, str] | None:
    row = (
        await session.execute(
            _with_organisation(TransferRequest.source_tenant_id).where(
                TransferRequest.tenant_id == tenant_id, TransferRequest.id == request_id
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


async def incoming_transfer_for_update(
    session: AsyncSession, tenant_id: uuid.UUID, request_id: uuid.UUID
) -> TransferRequest | None:
    return await session.scalar(
        select(TransferRequest)
        .where(TransferRequest.tenant_id == tenant_id, TransferRequest.id == request_id)
        .with_for_update()
    )


async def transfers_of_enrolment(
    session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID, *, for_update: bool = True
) -> list[TransferRequest]:
    stmt = select(TransferRequest).where(
        TransferRequest.tenant_id == tenant_id, TransferRequest.enrolment_order_id == order_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return list((await session.scalars(stmt)).all())


# -- the organisation's profile ----------------------------------------------------------


async def get_profile(
    session: AsyncSession, tenant_id: uuid.UUID, *, for_update: bool = False
) -> OrganisationProfile | None:
    stmt = select(OrganisationProfile).where(OrganisationProfile.tenant_id == tenant_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def profile_changes(
    session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[ProfileChange], int]:
    return await paginate(
        session,
        select(ProfileChange)
        .where(ProfileChange.tenant_id == tenant_id)
        .order_by(ProfileChange.changed_at.desc(), ProfileChange.field, ProfileChange.id),
        page,
    )


async def student_file_changes(
    session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID, page: PageRequest
) -> tuple[list[StudentFileChange], int]:
    return await paginate(
        session,
        select(StudentFileChange)
        .where(StudentFileChange.tenant_id == tenant_id, StudentFileChange.student_id == student_id)
        .order_by(StudentFileChange.changed_at.desc(), StudentFileChange.field),
        page,
    )


# -- staff ---------------------------------------------------------------------------------


async def list_employees(
    session: AsyncSession, tenant_id: uuid.UUID, status: str | None, page: PageRequest
) -> tuple[list[Employee], int]:
    stmt = select(Employee).where(Employee.tenant_id == tenant_id)
    if status:
        stmt = stmt.where(Employee.status == status)
    return await paginate(
        session, stmt.order_by(Employee.surname, Employee.name, Employee.id), page
    )


async def get_employee(
    session: AsyncSession, tenant_id: uuid.UUID, employee_id: uuid.UUID
) -> Employee | None:
    return await session.get(Employee, (tenant_id, employee_id))


async def employees_by_ids(
    session: AsyncSession, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Employee]:
    result = await session.scalars(
        select(Employee)
        .where(Employee.tenant_id == tenant_id, Employee.id.in_(list(ids)))
        .with_for_update()
    )
    return {e.id: e for e in result.all()}


async def employee_courses(
    session: AsyncSession, tenant_id: uuid.UUID, employee_id: uuid.UUID
) -> list[EmployeeCourse]:
    result = await session.scalars(
        select(EmployeeCourse)
        .where(EmployeeCourse.tenant_id == tenant_id, EmployeeCourse.employee_id == employee_id)
        .order_by(EmployeeCourse.finished_on.desc(), EmployeeCourse.id)
    )
    return list(result.all())


async def staff_items(
    session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> list[tuple[OrderStaffItem, str]]:
    """A staff order's people, with their names as the order lists them."""
    rows = await session.execute(
        select(
            OrderStaffItem,
            func.concat_ws(" ", Employee.surname, Employee.name, Employee.patronymic),
        )
        .join(
            Employee,
            (Employee.tenant_id == OrderStaffItem.tenant_id)
            & (Employee.id == OrderStaffItem.employee_id),
        )
        .where(OrderStaffItem.tenant_id == tenant_id, OrderStaffItem.order_id == order_id)
        .order_by(Employee.surname, Employee.name)
    )
    return [(i, name) for i, name in rows.all()]


# -- structure -------------------------------------------------------------------------------


async def get_department(
    session: AsyncSession, tenant_id: uuid.UUID, department_id: uuid.UUID
) -> Department | None:
    return await session.get(Department, (tenant_id, department_id))


async def get_specialty(
    session: AsyncSession, tenant_id: uuid.UUID, specialty_id: uuid.UUID
) -> Specialty | None:
    return await session.get(Specialty, (tenant_id, specialty_id))


async def list_departments(
    session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Department], int]:
    return await paginate(
        session,
        select(Department)
        .where(Department.tenant_id == tenant_id)
        .order_by(Department.name, Department.id),
        page,
    )


async def list_specialties(
    session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Specialty], int]:
    return await paginate(
        session,
        select(Specialty)
        .where(Specialty.tenant_id == tenant_id)
        .order_by(Specialty.code, Specialty.study_form, Specialty.id),
        page,
    )


async def curator_changes(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, page: PageRequest
) -> tuple[list[CuratorChange], int]:
    return await paginate(
        session,
        select(CuratorChange)
        .where(CuratorChange.tenant_id == tenant_id, CuratorChange.group_id == group_id)
        .order_by(CuratorChange.changed_at.desc(), CuratorChange.id),
        page,
    )


async def withdraw_transfer_requests(session: AsyncSession, order_id: uuid.UUID) -> int:
    """Withdraw this organisation's pending requests of an order (a cancelled expulsion);
    returns how many the receiver had already accepted (then none is withdrawn)."""
    return int(
        await session.scalar(
            text("SELECT public.withdraw_transfer_requests(:order)"), {"order": order_id}
        )
        or 0
    )


async def outgoing_accepted(
    session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(TransferRequest)
            .where(
                TransferRequest.source_tenant_id == tenant_id,
                TransferRequest.source_order_id == order_id,
                TransferRequest.status == "accepted",
            )
        )
        or 0
    )


# -- admissions ---------------------------------------------------------------------------


async def campaign_of_year(
    session: AsyncSession, tenant_id: uuid.UUID, year: int
) -> AdmissionCampaign | None:
    return await session.scalar(
        select(AdmissionCampaign).where(
            AdmissionCampaign.tenant_id == tenant_id, AdmissionCampaign.year == year
        )
    )


async def get_campaign(
    session: AsyncSession, tenant_id: uuid.UUID, campaign_id: uuid.UUID
) -> AdmissionCampaign | None:
    return await session.get(AdmissionCampaign, (tenant_id, campaign_id))


async def list_campaigns(
    session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[AdmissionCampaign], int]:
    return await paginate(
        session,
        select(AdmissionCampaign)
        .where(AdmissionCampaign.tenant_id == tenant_id)
        .order_by(AdmissionCampaign.year.desc(), AdmissionCampaign.id),
        page,
    )


async def applicants_of(
    session: AsyncSession, tenant_id: uuid.UUID, campaign_id: uuid.UUID
) -> list[Applicant]:
    result = await session.scalars(
        select(Applicant).where(
            Applicant.tenant_id == tenant_id, Applicant.campaign_id == campaign_id
        )
    )
    return list(result.all())


async def applicants_by_ids(
    session: AsyncSession, tenant_id: uuid.UUID, campaign_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Applicant]:
    result = await session.scalars(
        select(Applicant)
        .where(
            Applicant.tenant_id == tenant_id,
            Applicant.campaign_id == campaign_id,
            Applicant.id.in_(list(ids)),
        )
        .with_for_update()
    )
    return {a.id: a for a in result.all()}


async def mark_applicants_enrolled(
    session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> None:
    await session.execute(
        sa_update(Applicant)
        .where(Applicant.tenant_id == tenant_id, Applicant.enrolment_order_id == order_id)
        .values(status="enrolled")
    )


async def reset_applicants_of(
    session: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> None:
    await session.execute(
        sa_update(Applicant)
        .where(Applicant.tenant_id == tenant_id, Applicant.enrolment_order_id == order_id)
        .values(status="applied", enrolment_order_id=None, student_id=None)
    )


# -- imports -------------------------------------------------------------------------------


async def open_groups_by_name(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Open groups by name (the latest academic year's where a name repeats)."""
    rows = await session.execute(
        select(Group.name, Group.id)
        .where(Group.tenant_id == tenant_id, Group.closed_on.is_(None))
        .order_by(Group.academic_year)
    )
    return {str(name): gid for name, gid in rows.all()}


async def student_keys(
    session: AsyncSession, tenant_id: uuid.UUID
) -> dict[tuple[str, ...], uuid.UUID]:
    """Every student on file by what an import recognises them by."""
    rows = await session.execute(
        select(
            Student.id,
            Student.snils,
            Student.file_number,
            Student.surname,
            Student.name,
            Student.birth_date,
        ).where(Student.tenant_id == tenant_id, Student.status != "annulled")
    )
    keys: dict[tuple[str, ...], uuid.UUID] = {}
    for sid, snils, number, surname, name, born in rows.all():
        if snils:
            keys[("snils", snils)] = sid
        if number:
            keys[("file", number)] = sid
        keys[("person", surname.casefold(), name.casefold(), born.isoformat())] = sid
    return keys


async def insert_import_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(pg_insert(ImportRow), rows)


async def get_import_job(
    session: AsyncSession, tenant_id: uuid.UUID, job_id: uuid.UUID, *, for_update: bool = False
) -> ImportJob | None:
    stmt = select(ImportJob).where(ImportJob.tenant_id == tenant_id, ImportJob.id == job_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def import_rows_with_errors(
    session: AsyncSession, tenant_id: uuid.UUID, job_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[ImportRow], int]:
    cond = (
        (ImportRow.tenant_id == tenant_id)
        & (ImportRow.job_id == job_id)
        & (func.jsonb_array_length(ImportRow.errors) > 0)
    )
    total = await session.scalar(select(func.count()).select_from(ImportRow).where(cond))
    rows = await session.scalars(
        select(ImportRow).where(cond).order_by(ImportRow.row_no).limit(limit).offset(offset)
    )
    return list(rows.all()), int(total or 0)


async def new_import_rows(
    session: AsyncSession, tenant_id: uuid.UUID, job_id: uuid.UUID
) -> list[ImportRow]:
    rows = await session.scalars(
        select(ImportRow)
        .where(
            ImportRow.tenant_id == tenant_id,
            ImportRow.job_id == job_id,
            ImportRow.student_id.is_(None),
        )
        .order_by(ImportRow.row_no)
    )
    return list(rows.all())


async def update_import_job(
    session: AsyncSession, tenant_id: uuid.UUID, job_id: uuid.UUID, values: dict[str, Any]
) -> None:
    await session.execute(
        sa_update(ImportJob)
        .where(ImportJob.tenant_id == tenant_id, ImportJob.id == job_id)
        .values(**values)
    )


async def set_imported_numbers(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    rows: list[tuple[uuid.UUID, str | None, str | None]],
) -> None:
    """The СНИЛС and file numbers an import brought, onto the files it created."""
    rows = [r for r in rows if r[1] or r[2]]
    if not rows:
        return
    await session.execute(
        text("""
            UPDATE students SET snils = r.snils, file_number = r.file_number
            FROM unnest(CAST(:ids AS uuid[]), CAST(:snils AS text[]), CAST(:numbers AS text[]))
                 AS r(id, snils, file_number)
            WHERE students.tenant_id = :tenant_id AND students.id = r.id
        """),
        {
            "tenant_id": tenant_id,
            "ids": [r[0] for r in rows],
            "snils": [r[1] for r in rows],
            "numbers": [r[2] for r in rows],
        },
    )


# -- exports ------------------------------------------------------------------------------


async def group_names(session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    rows = await session.execute(select(Group.id, Group.name).where(Group.tenant_id == tenant_id))
    return {gid: str(name) for gid, name in rows.all()}


async def book_lines(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    kind: str | None,
    group_id: uuid.UUID | None,
    date_from: date | None,
    date_to: date | None,
) -> list[tuple[Order, OrderItem, Student]]:
    """The book's lines in order: each order's students (orders of students only)."""
    stmt = (
        select(Order, OrderItem, Student)
        .join(
            OrderItem, (OrderItem.tenant_id == Order.tenant_id) & (OrderItem.order_id == Order.id)
        )
        .join(
            Student,
            (Student.tenant_id == OrderItem.tenant_id) & (Student.id == OrderItem.student_id),
        )
        .where(Order.tenant_id == tenant_id)
    )
    if kind:
        stmt = stmt.where(Order.kind == kind)
    if group_id:
        stmt = stmt.where(or_(OrderItem.group_id == group_id, OrderItem.from_group_id == group_id))
    if date_from:
        stmt = stmt.where(Order.order_date >= date_from)
    if date_to:
        stmt = stmt.where(Order.order_date <= date_to)
    rows = await session.execute(
        stmt.order_by(Order.order_date, Order.number, Student.surname, Student.name).limit(100_000)
    )
    return [(o, i, s) for o, i, s in rows.all()]


async def register_lines(session: AsyncSession, tenant_id: uuid.UUID) -> list[Any]:
    """Students studying now, with their group, specialty code and enrolment order."""
    enrolment = (
        select(
            StudentMovement.student_id.label("student_id"),
            func.max(Order.effective_date).label("enrolled_on"),
            func.max(Order.number).label("number"),
        )
        .join(
            Order,
            (Order.tenant_id == StudentMovement.tenant_id) & (Order.id == StudentMovement.order_id),
        )
        .where(
            StudentMovement.tenant_id == tenant_id,
            StudentMovement.kind == "enrolment",
            StudentMovement.cancelled_by_order_id.is_(None),
        )
        .group_by(StudentMovement.student_id)
        .subquery()
    )
    rows = await session.execute(
        select(Student, Group, Specialty.code, enrolment.c.enrolled_on, enrolment.c.number)
        .join(Group, (Group.tenant_id == Student.tenant_id) & (Group.id == Student.group_id))
        .outerjoin(
            Specialty,
            (Specialty.tenant_id == Group.tenant_id) & (Specialty.id == Group.specialty_id),
        )
        .outerjoin(enrolment, enrolment.c.student_id == Student.id)
        .where(Student.tenant_id == tenant_id, Student.status.in_(["active", "on_leave"]))
        .order_by(Group.name, Student.surname, Student.name)
    )
    return list(rows.all())


async def employee_keys(
    session: AsyncSession, tenant_id: uuid.UUID
) -> dict[tuple[str, ...], uuid.UUID]:
    """Every staff card by what an import recognises it by: surname, name, birth date."""
    rows = await session.execute(
        select(Employee.id, Employee.surname, Employee.name, Employee.birth_date).where(
            Employee.tenant_id == tenant_id
        )
    )
    return {
        ("person", s.casefold(), n.casefold(), b.isoformat() if b else ""): eid
        for eid, s, n, b in rows.all()
    }


async def get_guardian(
    session: AsyncSession, tenant_id: uuid.UUID, guardian_id: uuid.UUID, *, for_update: bool = False
) -> Guardian | None:
    stmt = select(Guardian).where(Guardian.tenant_id == tenant_id, Guardian.id == guardian_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def guardian_changes(
    session: AsyncSession, tenant_id: uuid.UUID, guardian_id: uuid.UUID
) -> list[GuardianChange]:
    rows = await session.scalars(
        select(GuardianChange)
        .where(GuardianChange.tenant_id == tenant_id, GuardianChange.guardian_id == guardian_id)
        .order_by(GuardianChange.changed_at.desc(), GuardianChange.field)
        .limit(200)
    )
    return list(rows.all())


async def all_employees(session: AsyncSession, tenant_id: uuid.UUID) -> list[Employee]:
    rows = await session.scalars(
        select(Employee)
        .where(Employee.tenant_id == tenant_id)
        .order_by(Employee.surname, Employee.name, Employee.id)
        .limit(100_000)
    )
    return list(rows.all())

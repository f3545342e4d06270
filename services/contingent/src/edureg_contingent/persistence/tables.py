"""Contingent's tables. Every one is tenant-owned: `tenant_id` leads the primary key and
every foreign key, so the data can be distributed by organisation without code changes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from edureg_shared.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _tenant() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True)


class Department(Base):
    """A college's department (отделение) or a school's division."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(String(200))


class Specialty(Base):
    """A specialty or profession the organisation teaches (ОКСО code, qualification,
    level ППССЗ/ППКРС, study form, duration)."""

    __tablename__ = "specialties"
    __table_args__ = (UniqueConstraint("tenant_id", "code", "study_form"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    code: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(300))
    qualification: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(10))
    study_form: Mapped[str] = mapped_column(String(20))
    duration_months: Mapped[int] = mapped_column(Integer)


class Group(Base):
    __tablename__ = "groups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "academic_year", "name"),
        ForeignKeyConstraint(
            ["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "specialty_id"], ["specialties.tenant_id", "specialties.id"]
        ),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(String(50))
    grade: Mapped[int] = mapped_column(Integer)
    academic_year: Mapped[str] = mapped_column(String(9))
    # The curator's (class teacher's) staff account in identity; null until appointed.
    curator_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # Set when the group closed (its graduation order took effect); closed groups take
    # no one in.
    closed_on: Mapped[date | None] = mapped_column(Date)
    department_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    specialty_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    study_form: Mapped[str | None] = mapped_column(String(20))
    funding: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CuratorChange(Base):
    """A group's curator appointed, replaced or removed: who, when (kept)."""

    __tablename__ = "curator_changes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "group_id"], ["groups.tenant_id", "groups.id"]),
        Index(None, "tenant_id", "group_id"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    curator_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    previous_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    changed_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Student(Base):
    """The personal file (личное дело) of a student. `file_version` counts its saves (a
    save from an older version is refused); every change is in `student_file_changes`."""

    __tablename__ = "students"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "group_id"], ["groups.tenant_id", "groups.id"]),
        Index(None, "tenant_id", "group_id"),
        Index(
            "uq_students_snils",
            "tenant_id",
            "snils",
            unique=True,
            postgresql_where=text("snils IS NOT NULL"),
        ),
        Index(
            "uq_students_file_number",
            "tenant_id",
            "file_number",
            unique=True,
            postgresql_where=text("file_number IS NOT NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    surname: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    status: Mapped[str] = mapped_column(String(20))
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    file_number: Mapped[str | None] = mapped_column(String(30))
    citizenship: Mapped[str] = mapped_column(String(3), server_default="RUS", default="RUS")
    registration_address: Mapped[str | None] = mapped_column(String(500))
    residence_address: Mapped[str | None] = mapped_column(String(500))
    birth_certificate_series: Mapped[str | None] = mapped_column(String(10))
    birth_certificate_number: Mapped[str | None] = mapped_column(String(6))
    birth_certificate_issued_on: Mapped[date | None] = mapped_column(Date)
    passport_series: Mapped[str | None] = mapped_column(String(4))
    passport_number: Mapped[str | None] = mapped_column(String(6))
    passport_issued_on: Mapped[date | None] = mapped_column(Date)
    passport_issuer: Mapped[str | None] = mapped_column(String(300))
    snils: Mapped[str | None] = mapped_column(String(11))
    social_statuses: Mapped[list[str]] = mapped_column(
        ARRAY(String(30)), server_default="{}", default=list
    )
    foreign_language: Mapped[str | None] = mapped_column(String(50))
    file_version: Mapped[int] = mapped_column(Integer, server_default="0", default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class StudentFileChange(Base):
    """One field of a personal file changed: who, when, old → new (never edited)."""

    __tablename__ = "student_file_changes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "student_id"], ["students.tenant_id", "students.id"]),
        Index(None, "tenant_id", "student_id"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    version: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(String(500))
    new_value: Mapped[str | None] = mapped_column(String(500))
    changed_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Guardian(Base):
    __tablename__ = "guardians"
    __table_args__ = (
        Index(
            "uq_guardians_snils",
            "tenant_id",
            "snils",
            unique=True,
            postgresql_where=text("snils IS NOT NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    surname: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    # СНИЛС (digits only), and its keyed hash: what identity compares guardians across
    # the region by, so that a parent of children in two organisations keeps one sign-in.
    snils: Mapped[str | None] = mapped_column(String(11))
    match_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StudentGuardian(Base):
    __tablename__ = "student_guardians"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "student_id"], ["students.tenant_id", "students.id"]),
        ForeignKeyConstraint(["tenant_id", "guardian_id"], ["guardians.tenant_id", "guardians.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    guardian_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    relation: Mapped[str] = mapped_column(String(20))


class Order(Base):
    """An order of the movement book. Signed orders are never edited: a cancelling order
    undoes one (`cancels_order_id` on it, `cancelled_by_order_id` on the cancelled one).

    Deadlines as data: `order_date`/`effective_date` are when it happened, `created_at`
    when it was entered and `signed_at` when it was signed."""

    __tablename__ = "orders"
    __table_args__ = (
        # A number is unique in its organisation and calendar year (numbering restarts).
        Index(
            "uq_orders_year_number",
            "tenant_id",
            "number",
            text("(date_part('year', order_date))"),
            unique=True,
        ),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(30))
    order_date: Mapped[date] = mapped_column(Date)
    effective_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    # Expulsion: a code from the catalogue (domain/reasons.py) and an optional comment
    # that never leaves contingent.
    reason_code: Mapped[str | None] = mapped_column(String(30))
    reason_comment: Mapped[str | None] = mapped_column(String(500))
    # An expulsion "in connection with a transfer" to another organisation of the region
    # files a transfer request there; the file goes with the family's consent only.
    transfer_to_organisation_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    file_consent: Mapped[bool] = mapped_column(Boolean, server_default="false", default=False)
    cancels_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    cancelled_by_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    signed_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
        ForeignKeyConstraint(["tenant_id", "student_id"], ["students.tenant_id", "students.id"]),
        ForeignKeyConstraint(["tenant_id", "group_id"], ["groups.tenant_id", "groups.id"]),
        Index(None, "tenant_id", "student_id"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # The group the order concerns: the one entered (enrolment, transfer, promotion,
    # retention, return, reinstatement) or the one left (expulsion, graduation, leave).
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # The group left, for orders that move a student between groups.
    from_group_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    leave_until: Mapped[date | None] = mapped_column(Date)


class StudentMovement(Base):
    """The history of a student: one row per student and signed order, with the state and
    group before and after. A cancelled one is kept, marked by the cancelling order."""

    __tablename__ = "student_movements"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "student_id"], ["students.tenant_id", "students.id"]),
        ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
        UniqueConstraint("tenant_id", "student_id", "order_id"),
        Index(None, "tenant_id", "order_id"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(20))
    effective_date: Mapped[date] = mapped_column(Date)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    from_group_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    to_group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    cancelled_by_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The movement's place in the student's history (signing order), for "the latest".
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Organisation(Base):
    """The region's organisations as identity's registry announces them: names and
    kinds, no people. A reference table, not tenant-owned."""

    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    municipality: Mapped[str] = mapped_column(String(200), server_default="")
    registered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class TransferRequest(Base):
    """A student expelled by one organisation in connection with a transfer to another:
    the receiving organisation's (`tenant_id`) to accept by an enrolment order or to
    refuse. The sending one reads its status only. `file` is what of the personal file
    goes along (all of it with the family's consent, else who the student is)."""

    __tablename__ = "transfer_requests"
    __table_args__ = (
        UniqueConstraint(
            "tenant_id",
            "source_tenant_id",
            "source_order_id",
            "source_student_id",
            name="uq_transfer_requests_source",
        ),
        Index(None, "source_tenant_id"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    source_tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    source_student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    source_order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    status: Mapped[str] = mapped_column(String(10))
    consent: Mapped[bool] = mapped_column(Boolean)
    file: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    enrolment_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The student's file here, once the enrolment order is drafted.
    student_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class OrganisationProfile(Base):
    """The organisation's digital profile (card): names, state registration numbers,
    addresses, head, contacts, licence and state accreditation. `version` counts the
    saves: a save based on an older version is refused (two people editing at once)."""

    __tablename__ = "organisation_profiles"

    tenant_id: Mapped[uuid.UUID] = _tenant()
    full_name: Mapped[str | None] = mapped_column(String(500))
    short_name: Mapped[str | None] = mapped_column(String(200))
    inn: Mapped[str | None] = mapped_column(String(10))
    kpp: Mapped[str | None] = mapped_column(String(9))
    ogrn: Mapped[str | None] = mapped_column(String(13))
    legal_address: Mapped[str | None] = mapped_column(String(500))
    actual_address: Mapped[str | None] = mapped_column(String(500))
    head_name: Mapped[str | None] = mapped_column(String(300))
    head_position: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(200))
    licence_number: Mapped[str | None] = mapped_column(String(50))
    licence_date: Mapped[date | None] = mapped_column(Date)
    licence_issuer: Mapped[str | None] = mapped_column(String(300))
    accredited: Mapped[bool] = mapped_column(Boolean, server_default="false", default=False)
    accreditation_number: Mapped[str | None] = mapped_column(String(50))
    accreditation_date: Mapped[date | None] = mapped_column(Date)
    accreditation_valid_until: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, server_default="0", default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class ProfileChange(Base):
    """One field of the profile changed: who, when, old → new (kept, never edited)."""

    __tablename__ = "profile_changes"
    __table_args__ = (Index(None, "tenant_id", "changed_at"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    version: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(String(500))
    new_value: Mapped[str | None] = mapped_column(String(500))
    changed_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Employee(Base):
    """A staff member's HR card (004 4.3): who they are, their education and
    qualification (the base of a teacher's portfolio), and where hiring and dismissal
    orders left them."""

    __tablename__ = "employees"

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    surname: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    job_title: Mapped[str | None] = mapped_column(String(200))
    education: Mapped[str | None] = mapped_column(String(500))
    qualification: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    hired_on: Mapped[date | None] = mapped_column(Date)
    dismissed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EmployeeCourse(Base):
    """A qualification course a staff member completed (повышение квалификации)."""

    __tablename__ = "employee_courses"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "employee_id"], ["employees.tenant_id", "employees.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    employee_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str | None] = mapped_column(String(300))
    hours: Mapped[int] = mapped_column(Integer)
    finished_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OrderStaffItem(Base):
    """A staff member in a hiring or dismissal order (with the position in the system a
    hiring gives)."""

    __tablename__ = "order_staff_items"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
        ForeignKeyConstraint(["tenant_id", "employee_id"], ["employees.tenant_id", "employees.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    employee_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    position_code: Mapped[str | None] = mapped_column(String(30))


class AdmissionCampaign(Base):
    """The admission campaign of a year (002 4.8)."""

    __tablename__ = "admission_campaigns"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class Applicant(Base):
    """An applicant of a campaign: who, what education, which competition (specialty,
    study form, funding), the certificate's average; `status` applied → in_order (an
    enrolment order drafted for them) → enrolled (signed)."""

    __tablename__ = "applicants"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["admission_campaigns.tenant_id", "admission_campaigns.id"],
        ),
        ForeignKeyConstraint(
            ["tenant_id", "specialty_id"], ["specialties.tenant_id", "specialties.id"]
        ),
        Index(None, "tenant_id", "campaign_id"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    campaign_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    surname: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    citizenship: Mapped[str] = mapped_column(String(3), server_default="RUS", default="RUS")
    education_level: Mapped[str] = mapped_column(String(20))
    specialty_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    study_form: Mapped[str] = mapped_column(String(20))
    funding: Mapped[str] = mapped_column(String(10))
    applied_on: Mapped[date] = mapped_column(Date)
    certificate_average: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    guardian_surname: Mapped[str | None] = mapped_column(String(100))
    guardian_name: Mapped[str | None] = mapped_column(String(100))
    guardian_relation: Mapped[str | None] = mapped_column(String(20))
    guardian_phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), server_default="applied", default="applied")
    enrolment_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    student_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ImportJob(Base):
    """An import of students from a spreadsheet: previewed (every bad row and field
    listed, nothing saved), then applied in the background in one transaction — done,
    or failed with nothing saved. `processed` is the progress the user watches."""

    __tablename__ = "import_jobs"

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    filename: Mapped[str] = mapped_column(String(200))
    # "students" (enrolled by draft orders) or "staff" (HR cards, hired by orders later).
    kind: Mapped[str] = mapped_column(String(10), server_default="students", default="students")
    status: Mapped[str] = mapped_column(String(10))
    total: Mapped[int] = mapped_column(Integer)
    valid: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    processed: Mapped[int] = mapped_column(Integer, server_default="0", default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    order_ids: Mapped[list[str]] = mapped_column(JSONB, server_default="[]", default=list)
    created_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportRow(Base):
    __tablename__ = "import_rows"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "job_id"], ["import_jobs.tenant_id", "import_jobs.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    job_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    row_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    errors: Mapped[list[dict[str, str]]] = mapped_column(JSONB)
    # A student already on file (matched by СНИЛС, file number, or name and birth date).
    student_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    group_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class GuardianChange(Base):
    """One field of a guardian's record changed: who, when, old → new (kept)."""

    __tablename__ = "guardian_changes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "guardian_id"], ["guardians.tenant_id", "guardians.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _uuid_pk()
    guardian_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(String(500))
    new_value: Mapped[str | None] = mapped_column(String(500))
    changed_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

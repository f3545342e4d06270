"""Response schemas (requests are the commands in services/commands.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class GroupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    grade: int
    academic_year: str
    curator_user_id: uuid.UUID | None
    closed_on: date | None = None
    department_id: uuid.UUID | None = None
    specialty_id: uuid.UUID | None = None
    study_form: str | None = None
    funding: str | None = None


class OrderItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    student_id: uuid.UUID
    group_id: uuid.UUID
    from_group_id: uuid.UUID | None = None
    leave_until: date | None = None
    full_name: str | None = None


class StaffItemRead(BaseModel):
    employee_id: uuid.UUID
    full_name: str
    position_code: str | None


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    number: str
    order_date: date
    effective_date: date
    status: str
    reason_code: str | None
    reason_comment: str | None
    cancels_order_id: uuid.UUID | None = None
    cancelled_by_order_id: uuid.UUID | None = None
    transfer_to_organisation_id: uuid.UUID | None = None
    file_consent: bool = False
    # Deadlines as data: when it was entered and signed (order_date: when it happened).
    created_at: datetime | None = None
    signed_at: datetime | None
    items: list[OrderItemRead]
    staff_items: list[StaffItemRead] = []


class GuardianRead(BaseModel):
    id: uuid.UUID
    surname: str
    name: str
    patronymic: str | None
    relation: str


class MovementRead(BaseModel):
    """One step of a student's history: the order and what it changed."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    kind: str
    effective_date: date
    from_status: str
    to_status: str
    from_group_id: uuid.UUID | None
    to_group_id: uuid.UUID
    cancelled_by_order_id: uuid.UUID | None


class StudentRead(BaseModel):
    id: uuid.UUID
    surname: str
    name: str
    patronymic: str | None
    birth_date: date
    sex: str
    status: str
    group_id: uuid.UUID
    guardians: list[GuardianRead]
    version: int = 0
    file_number: str | None = None
    citizenship: str = "RUS"
    registration_address: str | None = None
    residence_address: str | None = None
    birth_certificate_series: str | None = None
    birth_certificate_number: str | None = None
    birth_certificate_issued_on: date | None = None
    passport_series: str | None = None
    passport_number: str | None = None
    passport_issued_on: date | None = None
    passport_issuer: str | None = None
    snils: str | None = None
    social_statuses: list[str] = []
    foreign_language: str | None = None
    history: list[MovementRead] = []
    # When the file was entered (the regulations' deadline counts from the enrolment).
    created_at: datetime | None = None


class StudentBrief(BaseModel):
    """A line of the list of personal files: name, group, state; no documents."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    surname: str
    name: str
    patronymic: str | None
    group_id: uuid.UUID
    status: str


class ReasonRead(BaseModel):
    code: str
    title: str


class OrganisationRead(BaseModel):
    """An organisation of the region, as a transfer's destination."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    short_name: str
    kind: str
    municipality: str


class IncomingTransferRead(BaseModel):
    """A transfer request addressed to this organisation, with what of the file came."""

    id: uuid.UUID
    from_organisation: str
    status: str
    consent: bool
    created_at: datetime
    decided_at: datetime | None
    refusal_reason: str | None
    enrolment_order_id: uuid.UUID | None
    student: dict[str, Any]
    guardians: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []


class OutgoingTransferRead(BaseModel):
    """A request this organisation sent: its status, nothing of the receiver's data."""

    id: uuid.UUID
    to_organisation: str
    student_id: uuid.UUID
    # The sender's own student, as its file names them.
    student_name: str
    order_id: uuid.UUID
    status: str
    created_at: datetime
    decided_at: datetime | None


class ProfileRead(BaseModel):
    """The organisation's card; `missing`: codes of the fields still empty."""

    version: int
    kind: str | None
    missing: list[str]
    accreditation_expires_soon: bool
    updated_at: datetime | None
    full_name: str | None
    short_name: str | None
    inn: str | None
    kpp: str | None
    ogrn: str | None
    legal_address: str | None
    actual_address: str | None
    head_name: str | None
    head_position: str | None
    phone: str | None
    email: str | None
    website: str | None
    licence_number: str | None
    licence_date: date | None
    licence_issuer: str | None
    accredited: bool
    accreditation_number: str | None
    accreditation_date: date | None
    accreditation_valid_until: date | None


class ProfileChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    field: str
    old_value: str | None
    new_value: str | None
    changed_by: uuid.UUID
    changed_at: datetime


class FileChangeRead(BaseModel):
    """One field of a personal file changed: who, when, old → new."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    field: str
    old_value: str | None
    new_value: str | None
    changed_by: uuid.UUID
    changed_at: datetime


class CourseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    provider: str | None
    hours: int
    finished_on: date


class EmployeeRead(BaseModel):
    """A staff member's HR card."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    surname: str
    name: str
    patronymic: str | None
    birth_date: date | None
    status: str
    job_title: str | None
    education: str | None
    qualification: str | None
    phone: str | None
    email: str | None
    hired_on: date | None
    dismissed_on: date | None
    courses: list[CourseRead] = []


class DepartmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str


class SpecialtyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    qualification: str
    level: str
    study_form: str
    duration_months: int


class CuratorChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    curator_user_id: uuid.UUID | None
    previous_user_id: uuid.UUID | None
    changed_by: uuid.UUID
    changed_at: datetime


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    year: int
    title: str
    starts_on: date
    ends_on: date


class ApplicantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    surname: str
    name: str
    patronymic: str | None
    birth_date: date
    education_level: str
    specialty_id: uuid.UUID
    study_form: str
    funding: str
    applied_on: date
    certificate_average: Decimal
    status: str
    enrolment_order_id: uuid.UUID | None


class CompetitionRead(BaseModel):
    """One competition of a campaign, its applicants in ranking order."""

    specialty_id: uuid.UUID
    study_form: str
    funding: str
    applicants: list[ApplicantRead]


class ImportErrorRead(BaseModel):
    row: int
    field: str
    title: str
    message: str


class ImportJobRead(BaseModel):
    """An import: its preview counts, its progress, and where it ended."""

    id: uuid.UUID
    filename: str
    kind: str = "students"
    status: str
    total: int
    valid: int
    matched: int
    new: int
    processed: int
    error: str | None
    order_ids: list[uuid.UUID]
    created_at: datetime
    finished_at: datetime | None
    errors: list[ImportErrorRead] = []
    error_rows: int = 0


class ApplyImport(BaseModel):
    """The enrolment orders an import of students drafts: their number (numbered /1,
    /2… when there are several), date and effective date. An import of staff cards
    drafts no order and needs none of them."""

    model_config = ConfigDict(extra="forbid")

    number: str | None = Field(default=None, min_length=1, max_length=24)
    order_date: date | None = None
    effective_date: date | None = None


class GuardianFileRead(BaseModel):
    """A guardian's record (the office's) with its changes."""

    id: uuid.UUID
    surname: str
    name: str
    patronymic: str | None
    phone: str | None
    email: str | None
    snils: str | None
    changes: list[FileChangeRead] = []

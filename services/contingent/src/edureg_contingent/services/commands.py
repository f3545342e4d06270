"""Commands (what a caller asks contingent to do), validated at the edge."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from edureg_contingent.domain import personal_file as pf
from edureg_contingent.domain import snils
from edureg_contingent.domain.admissions import certificate_average
from edureg_contingent.domain.orders import valid_name
from edureg_contingent.domain.reasons import EXPULSION_REASONS, ensure_order_reason, ensure_reason
from edureg_contingent.domain.requisites import normalise_inn, normalise_kpp, normalise_ogrn
from edureg_contingent.domain.staff import hire_position
from edureg_contingent.domain.structure import check_level, okso_code

Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(valid_name)]
OptionalName = Annotated[
    str | None,
    Field(default=None, max_length=100),
    AfterValidator(lambda v: valid_name(v) if v else None),
]


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CreateGroup(_Command):
    name: Annotated[str, Field(min_length=1, max_length=50, examples=["5А", "ИСП-21"])]
    grade: Annotated[int, Field(ge=1, le=11, description="Класс (1–11) или курс (1–5)")]
    academic_year: Annotated[str, Field(pattern=r"^\d{4}/\d{4}$", examples=["2026/2027"])]
    curator_user_id: Annotated[
        uuid.UUID | None, Field(description="Учётная запись куратора (классного руководителя)")
    ] = None
    department_id: uuid.UUID | None = None
    specialty_id: Annotated[
        uuid.UUID | None, Field(description="Специальность или профессия (колледж)")
    ] = None
    study_form: Literal["full_time", "part_time", "extramural"] | None = None
    funding: Literal["federal", "regional", "municipal", "contract"] | None = None

    @model_validator(mode="after")
    def _consecutive_years(self) -> CreateGroup:
        start, end = (int(x) for x in self.academic_year.split("/"))
        if end != start + 1:
            raise ValueError("Учебный год указывается как два соседних года, например 2026/2027")
        return self


class NewGuardian(_Command):
    surname: Name
    name: Name
    patronymic: OptionalName = None
    relation: Literal["mother", "father", "guardian", "other"]
    phone: Annotated[str | None, Field(default=None, pattern=r"^\+?\d{10,15}$")] = None
    snils: Annotated[
        str | None,
        Field(default=None, max_length=20, examples=["112-233-445 95"]),
        AfterValidator(lambda v: snils.normalise(v) if v else None),
    ] = None


class ExistingGuardian(_Command):
    guardian_id: uuid.UUID
    relation: Literal["mother", "father", "guardian", "other"]


def _guardian_kind(value: object) -> str:
    """A guardian already on file is named by id; anyone else is a new one (so that a
    mistake in a new guardian is reported for that shape alone)."""
    known = isinstance(value, ExistingGuardian) or (
        isinstance(value, dict) and "guardian_id" in value
    )
    return "ExistingGuardian" if known else "NewGuardian"


GuardianEntry = Annotated[
    Annotated[NewGuardian, Tag("NewGuardian")]
    | Annotated[ExistingGuardian, Tag("ExistingGuardian")],
    Discriminator(_guardian_kind),
]


class NewStudent(_Command):
    surname: Name
    name: Name
    patronymic: OptionalName = None
    birth_date: date
    sex: Literal["m", "f"]
    guardians: Annotated[list[GuardianEntry], Field(max_length=4)] = []

    @model_validator(mode="after")
    def _plausible_birth_date(self) -> NewStudent:
        if not date(1930, 1, 1) <= self.birth_date <= datetime.now(UTC).date():
            raise ValueError("Недопустимая дата рождения")
        return self

    @model_validator(mode="after")
    def _each_guardian_once(self) -> NewStudent:
        known = [g.guardian_id for g in self.guardians if isinstance(g, ExistingGuardian)]
        numbers = [g.snils for g in self.guardians if isinstance(g, NewGuardian) and g.snils]
        if len(known) != len(set(known)) or len(numbers) != len(set(numbers)):
            raise ValueError("Один и тот же законный представитель указан дважды")
        return self


class CreateEnrolmentOrder(_Command):
    number: Annotated[str, Field(min_length=1, max_length=30, examples=["12-к"])]
    order_date: date
    effective_date: date
    group_id: uuid.UUID
    students: Annotated[list[NewStudent], Field(min_length=1, max_length=1000)]


ReasonCode = Annotated[
    str,
    Field(json_schema_extra={"enum": list(EXPULSION_REASONS)}),
    AfterValidator(ensure_reason),
]


class CreateExpulsionOrder(_Command):
    number: Annotated[str, Field(min_length=1, max_length=30)]
    order_date: date
    effective_date: date
    reason_code: Annotated[
        ReasonCode,
        Field(description="Основание отчисления (код из справочника /api/v1/expulsion-reasons)"),
    ]
    # Stays in contingent: it may name a diagnosis or a family matter.
    reason_comment: Annotated[str | None, Field(max_length=500)] = None
    student_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=1000)]
    transfer_to_organisation_id: Annotated[
        uuid.UUID | None,
        Field(
            description="Организация региона, куда переводится обучающийся (только при "
            "основании «перевод»): ей направляется запрос о переводе"
        ),
    ] = None
    file_consent: Annotated[
        bool,
        Field(
            description="Согласие обучающегося (родителей) на передачу личного дела: без "
            "него передаются только фамилия, имя, отчество, пол и дата рождения"
        ),
    ] = False

    @model_validator(mode="after")
    def _transfer_needs_its_reason(self) -> CreateExpulsionOrder:
        if self.transfer_to_organisation_id and self.reason_code != "transfer":
            raise ValueError(
                "Организацию, куда переводится обучающийся, указывают только при отчислении "
                "в связи с переводом"
            )
        return self


class AssignCurator(_Command):
    curator_user_id: Annotated[
        uuid.UUID | None, Field(description="Учётная запись куратора; null — снять куратора")
    ]


StudentIds = Annotated[list[uuid.UUID], Field(min_length=1, max_length=1000)]
ExceptIds = Annotated[
    list[uuid.UUID],
    Field(max_length=1000, description="Обучающиеся группы, которых приказ не касается"),
]


class _MovementOrder(_Command):
    number: Annotated[str, Field(min_length=1, max_length=30)]
    order_date: date
    effective_date: date
    reason_code: Annotated[
        str | None, Field(max_length=30, description="Основание (код из /api/v1/order-reasons)")
    ] = None
    # Stays in contingent, like an expulsion's comment.
    reason_comment: Annotated[str | None, Field(max_length=500)] = None

    @model_validator(mode="after")
    def _reason_of_its_kind(self) -> _MovementOrder:
        ensure_order_reason(str(getattr(self, "kind", "")), self.reason_code)
        return self


class CreateTransferOrder(_MovementOrder):
    """Перевод в другую группу (класс) той же организации."""

    kind: Literal["transfer"]
    to_group_id: uuid.UUID
    student_ids: StudentIds


class CreateRetentionOrder(_MovementOrder):
    """Оставление на повторное обучение: в группу того же класса (курса)."""

    kind: Literal["retention"]
    to_group_id: uuid.UUID
    student_ids: StudentIds


class CreatePromotionOrder(_MovementOrder):
    """Перевод группы на следующий курс (в следующий класс): все, кто учится в группе,
    кроме перечисленных в except_student_ids."""

    kind: Literal["promotion"]
    from_group_id: uuid.UUID
    to_group_id: uuid.UUID
    except_student_ids: ExceptIds = []


class CreateGraduationOrder(_MovementOrder):
    """Выпуск группы: все, кто в ней учится (кроме перечисленных); группа закрывается,
    когда в ней никого не остаётся."""

    kind: Literal["graduation"]
    group_id: uuid.UUID
    except_student_ids: ExceptIds = []


class CreateAcademicLeaveOrder(_MovementOrder):
    """Академический отпуск с даты вступления в силу по leave_until (не больше двух лет)."""

    kind: Literal["academic_leave"]
    leave_until: date
    student_ids: StudentIds


class CreateLeaveReturnOrder(_MovementOrder):
    """Выход из академического отпуска: в прежнюю группу или в указанную."""

    kind: Literal["leave_return"]
    to_group_id: uuid.UUID | None = None
    student_ids: StudentIds


class CreateReinstatementOrder(_MovementOrder):
    """Восстановление отчисленного обучающегося в группу."""

    kind: Literal["reinstatement"]
    to_group_id: uuid.UUID
    student_ids: StudentIds


class CreateCancellationOrder(_MovementOrder):
    """Отмена подписанного приказа: его действие отменяется для всех его обучающихся."""

    kind: Literal["cancellation"]
    cancelled_order_id: uuid.UUID


CreateMovementOrder = Annotated[
    CreateTransferOrder
    | CreateRetentionOrder
    | CreatePromotionOrder
    | CreateGraduationOrder
    | CreateAcademicLeaveOrder
    | CreateLeaveReturnOrder
    | CreateReinstatementOrder
    | CreateCancellationOrder,
    Field(discriminator="kind"),
]


class AcceptTransfer(_Command):
    """Принять переведённого: проект приказа о зачислении по запросу о переводе.
    `guardians`: законные представители, если их нет в переданном деле (без согласия
    на передачу дело приходит без них)."""

    number: Annotated[str, Field(min_length=1, max_length=30)]
    order_date: date
    effective_date: date
    group_id: uuid.UUID
    guardians: Annotated[list[GuardianEntry], Field(max_length=4)] = []


class RefuseTransfer(_Command):
    reason: Annotated[str, Field(min_length=1, max_length=500, description="Причина отказа")]


def _optional(check: Callable[[str], str]) -> Any:
    return AfterValidator(lambda v: check(v) if v else None)


Text = Annotated[str | None, Field(default=None, max_length=500)]


class SaveProfile(_Command):
    """The organisation's card as a whole (empty fields may wait); `version` is the one
    the form was opened at."""

    version: Annotated[int, Field(ge=0)]
    full_name: Text = None
    short_name: Annotated[str | None, Field(default=None, max_length=200)] = None
    inn: Annotated[str | None, Field(default=None, max_length=20), _optional(normalise_inn)] = None
    kpp: Annotated[str | None, Field(default=None, max_length=20), _optional(normalise_kpp)] = None
    ogrn: Annotated[str | None, Field(default=None, max_length=20), _optional(normalise_ogrn)] = (
        None
    )
    legal_address: Text = None
    actual_address: Text = None
    head_name: Annotated[str | None, Field(default=None, max_length=300)] = None
    head_position: Annotated[str | None, Field(default=None, max_length=200)] = None
    phone: Annotated[str | None, Field(default=None, pattern=r"^\+?[\d\s()-]{5,30}$")] = None
    email: Annotated[
        str | None, Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    ] = None
    website: Annotated[str | None, Field(default=None, max_length=200)] = None
    licence_number: Annotated[str | None, Field(default=None, max_length=50)] = None
    licence_date: date | None = None
    licence_issuer: Annotated[str | None, Field(default=None, max_length=300)] = None
    accredited: bool = False
    accreditation_number: Annotated[str | None, Field(default=None, max_length=50)] = None
    accreditation_date: date | None = None
    accreditation_valid_until: date | None = None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_empty(cls, data: Any) -> Any:
        """A form's empty field is "not filled in", not an empty string to check."""
        if isinstance(data, dict):
            return {k: (None if v == "" else v) for k, v in data.items()}
        return data


def _blank_to_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: (None if v == "" else v) for k, v in data.items()}
    return data


class SaveStudentFile(_Command):
    """A student's personal file as a whole; `version` is the one the form was opened at.
    The academic office edits it; the group and state change by orders only."""

    version: Annotated[int, Field(ge=0)]
    surname: Name
    name: Name
    patronymic: OptionalName = None
    birth_date: date
    sex: Literal["m", "f"]
    file_number: Annotated[str | None, Field(default=None, max_length=30)] = None
    citizenship: Annotated[
        str, Field(pattern=r"^[A-Z]{3}$", description="Код страны по ОКСМ (RUS, BLR, KAZ…)")
    ] = "RUS"
    registration_address: Annotated[str | None, Field(default=None, max_length=500)] = None
    residence_address: Annotated[str | None, Field(default=None, max_length=500)] = None
    birth_certificate_series: Annotated[
        str | None, Field(default=None, max_length=12), _optional(pf.certificate_series)
    ] = None
    birth_certificate_number: Annotated[
        str | None, Field(default=None, max_length=10), _optional(pf.six_digits)
    ] = None
    birth_certificate_issued_on: date | None = None
    passport_series: Annotated[
        str | None, Field(default=None, max_length=6), _optional(pf.passport_series)
    ] = None
    passport_number: Annotated[
        str | None, Field(default=None, max_length=10), _optional(pf.six_digits)
    ] = None
    passport_issued_on: date | None = None
    passport_issuer: Annotated[str | None, Field(default=None, max_length=300)] = None
    snils: Annotated[
        str | None,
        Field(default=None, max_length=20),
        AfterValidator(lambda v: snils.normalise(v) if v else None),
    ] = None
    social_statuses: Annotated[
        list[Annotated[str, AfterValidator(pf.social_status)]], Field(max_length=8)
    ] = []
    foreign_language: Annotated[str | None, Field(default=None, max_length=50)] = None

    _blanks = model_validator(mode="before")(_blank_to_none)

    @model_validator(mode="after")
    def _passport_whole(self) -> SaveStudentFile:
        if bool(self.passport_series) != bool(self.passport_number):
            raise ValueError("Укажите и серию, и номер паспорта")
        if len(set(self.social_statuses)) != len(self.social_statuses):
            raise ValueError("Социальный статус указан дважды")
        return self


class CreateEmployee(_Command):
    """A staff member's HR card; they are taken on by a hiring order."""

    surname: Name
    name: Name
    patronymic: OptionalName = None
    birth_date: date | None = None
    job_title: Annotated[str | None, Field(default=None, max_length=200)] = None
    education: Annotated[str | None, Field(default=None, max_length=500)] = None
    qualification: Annotated[str | None, Field(default=None, max_length=300)] = None
    phone: Annotated[str | None, Field(default=None, pattern=r"^\+?[\d\s()-]{5,30}$")] = None
    email: Annotated[
        str | None, Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    ] = None

    _blanks = model_validator(mode="before")(_blank_to_none)


class AddCourse(_Command):
    title: Annotated[str, Field(min_length=1, max_length=300)]
    provider: Annotated[str | None, Field(default=None, max_length=300)] = None
    hours: Annotated[int, Field(ge=1, le=2000)]
    finished_on: date


class CreateStaffOrder(_Command):
    """A hiring or dismissal order for one or several staff members."""

    kind: Literal["hiring", "dismissal"]
    number: Annotated[str, Field(min_length=1, max_length=30)]
    order_date: date
    effective_date: date
    employee_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=500)]
    position_code: Annotated[
        str,
        Field(description="Должность в системе при приёме: teacher или none"),
        AfterValidator(hire_position),
    ] = "none"


class CreateDepartment(_Command):
    name: Annotated[str, Field(min_length=1, max_length=200, examples=["Отделение ИТ"])]


class CreateSpecialty(_Command):
    """A specialty or profession of the organisation's programmes."""

    code: Annotated[str, Field(max_length=12, examples=["09.02.07"]), AfterValidator(okso_code)]
    name: Annotated[str, Field(min_length=1, max_length=300)]
    qualification: Annotated[str, Field(min_length=1, max_length=200)]
    level: Literal["ppssz", "ppkrs"]
    study_form: Literal["full_time", "part_time", "extramural"]
    duration_months: Annotated[int, Field(ge=1, le=72, description="Срок обучения, месяцев")]

    @model_validator(mode="after")
    def _level_of_the_code(self) -> CreateSpecialty:
        check_level(self.code, self.level)
        return self


class CreateCampaign(_Command):
    year: Annotated[int, Field(ge=2000, le=2100)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _in_order(self) -> CreateCampaign:
        if self.ends_on < self.starts_on:
            raise ValueError("Приём документов кончается раньше, чем начинается")
        return self


class CreateApplicant(_Command):
    surname: Name
    name: Name
    patronymic: OptionalName = None
    birth_date: date
    sex: Literal["m", "f"]
    citizenship: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "RUS"
    education_level: Literal["basic_general", "secondary_general", "vocational"]
    specialty_id: uuid.UUID
    study_form: Literal["full_time", "part_time", "extramural"]
    funding: Literal["budget", "contract"]
    applied_on: date
    certificate_average: Annotated[
        Decimal, Field(max_digits=3, decimal_places=2), AfterValidator(certificate_average)
    ]
    guardian_surname: OptionalName = None
    guardian_name: OptionalName = None
    guardian_relation: Literal["mother", "father", "guardian", "other"] | None = None
    guardian_phone: Annotated[str | None, Field(default=None, pattern=r"^\+?\d{10,15}$")] = None

    _blanks = model_validator(mode="before")(_blank_to_none)


class EnrolApplicants(_Command):
    """One enrolment order for the selected applicants, into one group."""

    number: Annotated[str, Field(min_length=1, max_length=30)]
    order_date: date
    effective_date: date
    group_id: uuid.UUID
    applicant_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=1000)]


class SaveGuardian(_Command):
    """A guardian's name and contacts as the office corrects them."""

    surname: Name
    name: Name
    patronymic: OptionalName = None
    phone: Annotated[str | None, Field(default=None, pattern=r"^\+?\d{10,15}$")] = None
    email: Annotated[
        str | None, Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    ] = None
    snils: Annotated[
        str | None,
        Field(default=None, max_length=20),
        AfterValidator(lambda v: snils.normalise(v) if v else None),
    ] = None

    _blanks = model_validator(mode="before")(_blank_to_none)

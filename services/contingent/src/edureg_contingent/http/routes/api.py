"""Contingent's HTTP API. Thin: each route translates into one service call."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, UploadFile, status

from edureg_contingent.domain.orders import OrderKind, StudentStatus
from edureg_contingent.domain.personal_file import SOCIAL_STATUSES
from edureg_contingent.domain.reasons import EXPULSION_REASONS, ORDER_REASONS
from edureg_contingent.http.schemas import (
    ApplicantRead,
    ApplyImport,
    CampaignRead,
    CompetitionRead,
    CourseRead,
    CuratorChangeRead,
    DepartmentRead,
    EmployeeRead,
    FileChangeRead,
    GroupRead,
    GuardianFileRead,
    GuardianRead,
    ImportErrorRead,
    ImportJobRead,
    IncomingTransferRead,
    MovementRead,
    OrderItemRead,
    OrderRead,
    OrganisationRead,
    OutgoingTransferRead,
    ProfileChangeRead,
    ProfileRead,
    ReasonRead,
    SpecialtyRead,
    StaffItemRead,
    StudentBrief,
    StudentRead,
)
from edureg_contingent.persistence.tables import ImportJob, ImportRow, TransferRequest
from edureg_contingent.services import (
    admissions,
    exports,
    groups,
    imports,
    orders,
    profile,
    staff,
    students,
    transfers,
)
from edureg_contingent.services.commands import (
    AcceptTransfer,
    AddCourse,
    AssignCurator,
    CreateApplicant,
    CreateCampaign,
    CreateDepartment,
    CreateEmployee,
    CreateEnrolmentOrder,
    CreateExpulsionOrder,
    CreateGroup,
    CreateMovementOrder,
    CreateSpecialty,
    CreateStaffOrder,
    EnrolApplicants,
    RefuseTransfer,
    SaveGuardian,
    SaveProfile,
    SaveStudentFile,
)
from edureg_shared import audit
from edureg_shared.http import Context, unit_of_work
from edureg_shared.paging import Page, PageDep, PageRequest, page_slice

router = APIRouter(prefix="/api/v1")

GroupsRead = Annotated[Context, unit_of_work("contingent.groups.read")]
GroupsWrite = Annotated[Context, unit_of_work("contingent.groups.write")]
OrdersRead = Annotated[Context, unit_of_work("contingent.orders.read")]
OrdersWrite = Annotated[Context, unit_of_work("contingent.orders.write")]
OrdersSign = Annotated[Context, unit_of_work("contingent.orders.sign")]
StudentsRead = Annotated[Context, unit_of_work("contingent.students.read")]
StudentsWrite = Annotated[Context, unit_of_work("contingent.students.write")]


def _order(view: orders.OrderView) -> OrderRead:
    o = view.order
    return OrderRead(
        id=o.id,
        kind=o.kind,
        number=o.number,
        order_date=o.order_date,
        effective_date=o.effective_date,
        status=o.status,
        reason_code=o.reason_code,
        reason_comment=o.reason_comment,
        cancels_order_id=o.cancels_order_id,
        transfer_to_organisation_id=o.transfer_to_organisation_id,
        file_consent=o.file_consent,
        cancelled_by_order_id=o.cancelled_by_order_id,
        created_at=o.created_at,
        signed_at=o.signed_at,
        items=[
            OrderItemRead.model_validate(i).model_copy(
                update={"full_name": view.names.get(i.student_id)}
            )
            for i in view.items
        ],
        staff_items=[
            StaffItemRead(employee_id=i.employee_id, full_name=name, position_code=i.position_code)
            for i, name in view.staff
        ],
    )


@router.post(
    "/groups",
    status_code=status.HTTP_201_CREATED,
    response_model=GroupRead,
    tags=["groups"],
    summary="Создать группу (класс)",
)
async def create_group(cmd: CreateGroup, ctx: GroupsWrite) -> GroupRead:
    group = await groups.create_group(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        cmd=cmd,
    )
    return GroupRead.model_validate(group)


@router.get(
    "/groups", response_model=Page[GroupRead], tags=["groups"], summary="Группы организации"
)
async def list_groups(ctx: GroupsRead, page: PageDep) -> Page[GroupRead]:
    found, total = await groups.list_groups(session=ctx.session, tenant_id=ctx.tenant_id, page=page)
    return Page.of([GroupRead.model_validate(g) for g in found], total, page)


@router.put(
    "/groups/{group_id}/curator",
    response_model=GroupRead,
    tags=["groups"],
    summary="Назначить или снять куратора (классного руководителя)",
)
async def assign_curator(group_id: uuid.UUID, cmd: AssignCurator, ctx: GroupsWrite) -> GroupRead:
    group = await groups.assign_curator(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, group_id=group_id, cmd=cmd
    )
    return GroupRead.model_validate(group)


@router.get(
    "/expulsion-reasons",
    response_model=Page[ReasonRead],
    tags=["orders"],
    summary="Справочник оснований отчисления",
)
async def expulsion_reasons(ctx: OrdersRead, page: PageDep) -> Page[ReasonRead]:
    reasons = [ReasonRead(code=code, title=title) for code, title in EXPULSION_REASONS.items()]
    return Page.of(*page_slice(reasons, page), page)


@router.get(
    "/order-reasons",
    response_model=Page[ReasonRead],
    tags=["orders"],
    summary="Справочник оснований приказов данного вида",
)
async def order_reasons(
    ctx: OrdersRead,
    page: PageDep,
    kind: Annotated[str, Query(pattern=r"^[a-z_]{1,30}$", description="Вид приказа")],
) -> Page[ReasonRead]:
    reasons = [
        ReasonRead(code=code, title=title) for code, title in ORDER_REASONS.get(kind, {}).items()
    ]
    return Page.of(*page_slice(reasons, page), page)


@router.get("/groups/{group_id}", response_model=GroupRead, tags=["groups"], summary="Группа")
async def get_group(group_id: uuid.UUID, ctx: GroupsRead) -> GroupRead:
    group = await groups.get_group(session=ctx.session, tenant_id=ctx.tenant_id, group_id=group_id)
    return GroupRead.model_validate(group)


@router.post(
    "/orders/enrolment",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderRead,
    tags=["orders"],
    summary="Проект приказа о зачислении",
)
async def create_enrolment_order(
    cmd: CreateEnrolmentOrder, ctx: OrdersWrite, request: Request
) -> OrderRead:
    key = request.app.state.runtime.settings.person_match_key
    view = await orders.create_enrolment_order(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        cmd=cmd,
        person_key=key.get_secret_value().encode() if key else None,
    )
    return _order(view)


@router.post(
    "/orders/expulsion",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderRead,
    tags=["orders"],
    summary="Проект приказа об отчислении",
)
async def create_expulsion_order(cmd: CreateExpulsionOrder, ctx: OrdersWrite) -> OrderRead:
    view = await orders.create_expulsion_order(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
    )
    return _order(view)


@router.post(
    "/orders/movement",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderRead,
    tags=["orders"],
    summary="Проект приказа о движении: перевод, перевод на следующий курс, повторное "
    "обучение, выпуск, академический отпуск, выход из него, восстановление, отмена приказа",
)
async def create_movement_order(cmd: CreateMovementOrder, ctx: OrdersWrite) -> OrderRead:
    view = await orders.create_movement_order(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
    )
    return _order(view)


@router.get(
    "/orders",
    response_model=Page[OrderRead],
    tags=["orders"],
    summary="Книга движения: приказы, новые первыми; по номеру, виду, группе, датам",
)
async def list_orders(
    ctx: OrdersRead,
    page: PageDep,
    number: Annotated[str | None, Query(min_length=1, max_length=30)] = None,
    kind: Annotated[OrderKind | None, Query(description="Вид приказа")] = None,
    group_id: Annotated[
        uuid.UUID | None, Query(description="Группа, в которую или из которой")
    ] = None,
    date_from: Annotated[date | None, Query(description="Дата приказа с")] = None,
    date_to: Annotated[date | None, Query(description="Дата приказа по")] = None,
) -> Page[OrderRead]:
    views, total = await orders.list_orders(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        page=page,
        number=number,
        kind=kind.value if kind else None,
        group_id=group_id,
        date_from=date_from,
        date_to=date_to,
    )
    return Page.of([_order(v) for v in views], total, page)


@router.get("/orders/{order_id}", response_model=OrderRead, tags=["orders"], summary="Приказ")
async def get_order(order_id: uuid.UUID, ctx: OrdersRead) -> OrderRead:
    return _order(
        await orders.get_order(session=ctx.session, tenant_id=ctx.tenant_id, order_id=order_id)
    )


@router.post(
    "/orders/{order_id}/sign", response_model=OrderRead, tags=["orders"], summary="Подписать приказ"
)
async def sign_order(order_id: uuid.UUID, ctx: OrdersSign) -> OrderRead:
    view = await orders.sign_order(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        order_id=order_id,
    )
    return _order(view)


@router.get(
    "/students/{student_id}",
    response_model=StudentRead,
    tags=["students"],
    summary="Личное дело обучающегося",
)
async def get_student(student_id: uuid.UUID, ctx: StudentsRead) -> StudentRead:
    f = await students.read_student_file(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        student_id=student_id,
        permissions=ctx.principal.permissions,
    )
    return _file(f)


def _file(f: students.StudentFile) -> StudentRead:
    s = f.student
    return StudentRead(
        id=s.id,
        status=s.status,
        group_id=s.group_id,
        version=s.file_version,
        **{name: getattr(s, name) for name in students.FILE_FIELDS},
        guardians=[
            GuardianRead(
                id=g.id, surname=g.surname, name=g.name, patronymic=g.patronymic, relation=r
            )
            for g, r in f.guardians
        ],
        history=[
            MovementRead(
                order_id=o.id,
                order_number=o.number,
                order_date=o.order_date,
                kind=m.kind,
                effective_date=m.effective_date,
                from_status=m.from_status,
                to_status=m.to_status,
                from_group_id=m.from_group_id,
                to_group_id=m.to_group_id,
                cancelled_by_order_id=m.cancelled_by_order_id,
            )
            for m, o in f.history
        ],
        created_at=s.created_at,
    )


@router.put(
    "/students/{student_id}",
    response_model=StudentRead,
    tags=["students"],
    summary="Сохранить личное дело (version — та, с которой открыта форма); группа и "
    "состояние меняются только приказами",
)
async def save_student(
    student_id: uuid.UUID, cmd: SaveStudentFile, ctx: StudentsWrite
) -> StudentRead:
    f = await students.save_student_file(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        student_id=student_id,
        cmd=cmd,
    )
    return _file(f)


@router.get(
    "/students/{student_id}/changes",
    response_model=Page[FileChangeRead],
    tags=["students"],
    summary="История изменений личного дела: кто, когда, было → стало",
)
async def student_changes(
    student_id: uuid.UUID, ctx: StudentsRead, page: PageDep
) -> Page[FileChangeRead]:
    found, total = await students.file_changes(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        permissions=ctx.principal.permissions,
        student_id=student_id,
        page=page,
    )
    return Page.of([FileChangeRead.model_validate(c) for c in found], total, page)


@router.get(
    "/social-statuses",
    response_model=Page[ReasonRead],
    tags=["students"],
    summary="Справочник социальных статусов",
)
async def social_statuses(ctx: StudentsRead, page: PageDep) -> Page[ReasonRead]:
    items = [ReasonRead(code=c, title=t) for c, t in SOCIAL_STATUSES.items()]
    return Page.of(*page_slice(items, page), page)


@router.get(
    "/students",
    response_model=Page[StudentBrief],
    tags=["students"],
    summary="Обучающиеся: поиск по фамилии или имени, по группе и состоянию "
    "(куратору — только его групп)",
)
async def list_students(
    ctx: StudentsRead,
    page: PageDep,
    group_id: uuid.UUID | None = None,
    status: Annotated[list[StudentStatus] | None, Query(description="Состояния")] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Начало фамилии или имени")
    ] = None,
) -> Page[StudentBrief]:
    found, total = await students.list_students(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        permissions=ctx.principal.permissions,
        page=page,
        group_id=group_id,
        statuses=[s.value for s in status or []],
        query=q,
    )
    return Page.of([StudentBrief.model_validate(s) for s in found], total, page)


# -- transfers between organisations ---------------------------------------------------------


def _incoming(request: TransferRequest, sender: str) -> IncomingTransferRead:
    return IncomingTransferRead(
        id=request.id,
        from_organisation=sender,
        status=request.status,
        consent=request.consent,
        created_at=request.created_at,
        decided_at=request.decided_at,
        refusal_reason=request.refusal_reason,
        enrolment_order_id=request.enrolment_order_id,
        student=request.file.get("student", {}),
        guardians=request.file.get("guardians", []),
        history=request.file.get("history", []),
    )


@router.get(
    "/organisations",
    response_model=Page[OrganisationRead],
    tags=["transfers"],
    summary="Организации региона (куда можно перевести обучающегося)",
)
async def list_organisations(ctx: OrdersWrite, page: PageDep) -> Page[OrganisationRead]:
    found, total = await transfers.destinations(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([OrganisationRead.model_validate(o) for o in found], total, page)


@router.get(
    "/transfers/incoming",
    response_model=Page[IncomingTransferRead],
    tags=["transfers"],
    summary="Запросы о переводе в эту организацию (без личных дел — их видно в запросе)",
)
async def incoming_transfers(
    ctx: OrdersWrite,
    page: PageDep,
    status: Annotated[str | None, Query(pattern="^(pending|accepted|refused)$")] = None,
) -> Page[IncomingTransferRead]:
    found, total = await transfers.incoming(
        session=ctx.session, tenant_id=ctx.tenant_id, status=status, page=page
    )
    return Page.of(
        [
            _incoming(r, sender).model_copy(update={"guardians": [], "history": []})
            for r, sender in found
        ],
        total,
        page,
    )


@router.get(
    "/transfers/incoming/{request_id}",
    response_model=IncomingTransferRead,
    tags=["transfers"],
    summary="Запрос о переводе с переданным личным делом",
)
async def incoming_transfer(request_id: uuid.UUID, ctx: OrdersWrite) -> IncomingTransferRead:
    request, sender = await transfers.get_incoming(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, request_id=request_id
    )
    return _incoming(request, sender)


@router.post(
    "/transfers/incoming/{request_id}/enrolment",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderRead,
    tags=["transfers"],
    summary="Принять: проект приказа о зачислении по запросу (запрос принят при подписании)",
)
async def accept_transfer(
    request_id: uuid.UUID, cmd: AcceptTransfer, ctx: OrdersWrite, request: Request
) -> OrderRead:
    key = request.app.state.runtime.settings.person_match_key
    view = await transfers.accept(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        request_id=request_id,
        cmd=cmd,
        person_key=key.get_secret_value().encode() if key else None,
    )
    return _order(view)


@router.post(
    "/transfers/incoming/{request_id}/refuse",
    response_model=IncomingTransferRead,
    tags=["transfers"],
    summary="Отказать в переводе (с причиной)",
)
async def refuse_transfer(
    request_id: uuid.UUID, cmd: RefuseTransfer, ctx: OrdersWrite
) -> IncomingTransferRead:
    await transfers.refuse(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        request_id=request_id,
        cmd=cmd,
    )
    request, sender = await transfers.get_incoming(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, request_id=request_id
    )
    return _incoming(request, sender)


@router.get(
    "/transfers/outgoing",
    response_model=Page[OutgoingTransferRead],
    tags=["transfers"],
    summary="Запросы о переводе, отправленные из этой организации: только их состояние",
)
async def outgoing_transfers(ctx: OrdersWrite, page: PageDep) -> Page[OutgoingTransferRead]:
    found, total = await transfers.outgoing(session=ctx.session, tenant_id=ctx.tenant_id, page=page)
    return Page.of(
        [
            OutgoingTransferRead(
                id=r.id,
                to_organisation=receiver,
                student_id=r.source_student_id,
                student_name=" ".join(
                    str(r.file.get("student", {}).get(k) or "") for k in ("surname", "name")
                ).strip(),
                order_id=r.source_order_id,
                status=r.status,
                created_at=r.created_at,
                decided_at=r.decided_at,
            )
            for r, receiver in found
        ],
        total,
        page,
    )


# -- the organisation's profile --------------------------------------------------------------

ProfileRead_ = Annotated[Context, unit_of_work("contingent.profile.read")]
ProfileWrite = Annotated[Context, unit_of_work("contingent.profile.write")]


def _profile(view: profile.ProfileView) -> ProfileRead:
    return ProfileRead(
        version=view.version,
        kind=view.kind,
        missing=view.missing,
        accreditation_expires_soon=view.accreditation_expires_soon,
        updated_at=view.updated_at,
        **view.values,
    )


@router.get("/profile", response_model=ProfileRead, tags=["profile"], summary="Профиль организации")
async def read_profile(ctx: ProfileRead_) -> ProfileRead:
    return _profile(await profile.read(session=ctx.session, tenant_id=ctx.tenant_id))


@router.put(
    "/profile",
    response_model=ProfileRead,
    tags=["profile"],
    summary="Сохранить профиль организации (version — та, с которой открыта форма)",
)
async def save_profile(cmd: SaveProfile, ctx: ProfileWrite) -> ProfileRead:
    view = await profile.save(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
    )
    return _profile(view)


@router.get(
    "/profile/history",
    response_model=Page[ProfileChangeRead],
    tags=["profile"],
    summary="История изменений профиля: кто, когда, было → стало",
)
async def profile_history(ctx: ProfileRead_, page: PageDep) -> Page[ProfileChangeRead]:
    found, total = await profile.history(session=ctx.session, tenant_id=ctx.tenant_id, page=page)
    return Page.of([ProfileChangeRead.model_validate(c) for c in found], total, page)


# -- staff: HR cards and hiring/dismissal orders ------------------------------------------

StaffRead = Annotated[Context, unit_of_work("contingent.staff.read")]
StaffWrite = Annotated[Context, unit_of_work("contingent.staff.write")]


def _card(card: staff.EmployeeCard) -> EmployeeRead:
    return EmployeeRead.model_validate(card.employee).model_copy(
        update={"courses": [CourseRead.model_validate(c) for c in card.courses]}
    )


@router.post(
    "/employees",
    status_code=status.HTTP_201_CREATED,
    response_model=EmployeeRead,
    tags=["staff"],
    summary="Карточка сотрудника (принимается на работу приказом о приёме)",
)
async def create_employee(cmd: CreateEmployee, ctx: StaffWrite) -> EmployeeRead:
    employee = await staff.create_employee(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
    )
    return EmployeeRead.model_validate(employee)


@router.get("/employees", response_model=Page[EmployeeRead], tags=["staff"], summary="Сотрудники")
async def list_employees(
    ctx: StaffRead,
    page: PageDep,
    status: Annotated[str | None, Query(pattern="^(pending|active|dismissed)$")] = None,
) -> Page[EmployeeRead]:
    found, total = await staff.list_employees(
        session=ctx.session, tenant_id=ctx.tenant_id, status=status, page=page
    )
    return Page.of([EmployeeRead.model_validate(e) for e in found], total, page)


@router.get(
    "/employees/{employee_id}",
    response_model=EmployeeRead,
    tags=["staff"],
    summary="Карточка сотрудника с курсами повышения квалификации",
)
async def get_employee(employee_id: uuid.UUID, ctx: StaffRead) -> EmployeeRead:
    return _card(
        await staff.get_employee(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, employee_id=employee_id
        )
    )


@router.post(
    "/employees/{employee_id}/courses",
    status_code=status.HTTP_201_CREATED,
    response_model=EmployeeRead,
    tags=["staff"],
    summary="Добавить курс повышения квалификации",
)
async def add_course(employee_id: uuid.UUID, cmd: AddCourse, ctx: StaffWrite) -> EmployeeRead:
    return _card(
        await staff.add_course(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            employee_id=employee_id,
            cmd=cmd,
        )
    )


@router.post(
    "/orders/staff",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderRead,
    tags=["staff"],
    summary="Проект приказа о приёме на работу или об увольнении",
)
async def create_staff_order(cmd: CreateStaffOrder, ctx: StaffWrite) -> OrderRead:
    return _order(
        await orders.create_staff_order(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


# -- structure: departments, specialties, curators' history ---------------------------------


@router.post(
    "/departments",
    status_code=status.HTTP_201_CREATED,
    response_model=DepartmentRead,
    tags=["structure"],
    summary="Создать отделение",
)
async def create_department(cmd: CreateDepartment, ctx: GroupsWrite) -> DepartmentRead:
    return DepartmentRead.model_validate(
        await groups.create_department(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


@router.get(
    "/departments", response_model=Page[DepartmentRead], tags=["structure"], summary="Отделения"
)
async def list_departments(ctx: GroupsRead, page: PageDep) -> Page[DepartmentRead]:
    found, total = await groups.list_departments(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([DepartmentRead.model_validate(d) for d in found], total, page)


@router.post(
    "/specialties",
    status_code=status.HTTP_201_CREATED,
    response_model=SpecialtyRead,
    tags=["structure"],
    summary="Добавить специальность или профессию (код по ОКСО)",
)
async def create_specialty(cmd: CreateSpecialty, ctx: GroupsWrite) -> SpecialtyRead:
    return SpecialtyRead.model_validate(
        await groups.create_specialty(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


@router.get(
    "/specialties",
    response_model=Page[SpecialtyRead],
    tags=["structure"],
    summary="Специальности и профессии",
)
async def list_specialties(ctx: GroupsRead, page: PageDep) -> Page[SpecialtyRead]:
    found, total = await groups.list_specialties(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([SpecialtyRead.model_validate(s) for s in found], total, page)


@router.get(
    "/groups/{group_id}/curators",
    response_model=Page[CuratorChangeRead],
    tags=["groups"],
    summary="История кураторов группы",
)
async def curator_history(
    group_id: uuid.UUID, ctx: GroupsRead, page: PageDep
) -> Page[CuratorChangeRead]:
    found, total = await groups.curator_history(
        session=ctx.session, tenant_id=ctx.tenant_id, group_id=group_id, page=page
    )
    return Page.of([CuratorChangeRead.model_validate(c) for c in found], total, page)


# -- admissions --------------------------------------------------------------------------

AdmissionsRead = Annotated[Context, unit_of_work("contingent.admissions.read")]
AdmissionsWrite = Annotated[Context, unit_of_work("contingent.admissions.write")]


@router.post(
    "/admissions",
    status_code=status.HTTP_201_CREATED,
    response_model=CampaignRead,
    tags=["admissions"],
    summary="Приёмная кампания года",
)
async def create_campaign(cmd: CreateCampaign, ctx: AdmissionsWrite) -> CampaignRead:
    return CampaignRead.model_validate(
        await admissions.create_campaign(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


@router.get(
    "/admissions",
    response_model=Page[CampaignRead],
    tags=["admissions"],
    summary="Приёмные кампании",
)
async def list_campaigns(ctx: AdmissionsRead, page: PageDep) -> Page[CampaignRead]:
    found, total = await admissions.list_campaigns(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([CampaignRead.model_validate(c) for c in found], total, page)


@router.post(
    "/admissions/{campaign_id}/applicants",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicantRead,
    tags=["admissions"],
    summary="Заявление абитуриента",
)
async def add_applicant(
    campaign_id: uuid.UUID, cmd: CreateApplicant, ctx: AdmissionsWrite
) -> ApplicantRead:
    return ApplicantRead.model_validate(
        await admissions.add_applicant(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            campaign_id=campaign_id,
            cmd=cmd,
        )
    )


@router.get(
    "/admissions/{campaign_id}/ranking",
    response_model=list[CompetitionRead],
    tags=["admissions"],
    summary="Рейтинг абитуриентов по конкурсам (специальность, форма, финансирование)",
)
async def campaign_ranking(campaign_id: uuid.UUID, ctx: AdmissionsRead) -> list[CompetitionRead]:
    found = await admissions.competitions(
        session=ctx.session, tenant_id=ctx.tenant_id, campaign_id=campaign_id
    )
    return [
        CompetitionRead(
            specialty_id=c.specialty_id,
            study_form=c.study_form,
            funding=c.funding,
            applicants=[ApplicantRead.model_validate(a) for a in c.applicants],
        )
        for c in found
    ]


@router.post(
    "/admissions/{campaign_id}/enrolment",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderRead,
    tags=["admissions"],
    summary="Проект приказа о зачислении выбранных абитуриентов",
)
async def enrol_applicants(
    campaign_id: uuid.UUID, cmd: EnrolApplicants, ctx: OrdersWrite, request: Request
) -> OrderRead:
    key = request.app.state.runtime.settings.person_match_key
    view = await admissions.enrol(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        campaign_id=campaign_id,
        cmd=cmd,
        person_key=key.get_secret_value().encode() if key else None,
    )
    return _order(view)


# -- imports and exports of students ---------------------------------------------------

# An import of students is the office's (it drafts orders), of staff cards the HR
# specialist's: each may open and run its own kind only (checked by the use case).
ImportsAny = Annotated[
    Context, unit_of_work(None, any_of=("contingent.orders.write", "contingent.staff.write"))
]


def _job(job: ImportJob, rows: list[ImportRow] | None = None, error_rows: int = 0) -> ImportJobRead:
    return ImportJobRead(
        id=job.id,
        filename=job.filename,
        kind=job.kind,
        status=job.status,
        total=job.total,
        valid=job.valid,
        matched=job.matched,
        new=job.valid - job.matched,
        processed=job.processed,
        error=job.error,
        order_ids=[uuid.UUID(o) for o in job.order_ids],
        created_at=job.created_at,
        finished_at=job.finished_at,
        errors=[
            ImportErrorRead(
                row=r.row_no,
                field=e["field"],
                title=imports.FIELD_TITLES.get(e["field"], e["field"]),
                message=e["message"],
            )
            for r in rows or []
            for e in r.errors
        ],
        error_rows=error_rows,
    )


@router.post(
    "/imports/students",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportJobRead,
    tags=["imports"],
    summary="Загрузить обучающихся из CSV или XLSX: проверка и предпросмотр (ничего не "
    "сохраняется)",
)
async def upload_students(file: UploadFile, ctx: OrdersWrite) -> ImportJobRead:
    return await _upload(ctx, file, "students")


@router.post(
    "/imports/staff",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportJobRead,
    tags=["imports"],
    summary="Загрузить карточки сотрудников из CSV или XLSX: проверка и предпросмотр",
)
async def upload_staff(file: UploadFile, ctx: StaffWrite) -> ImportJobRead:
    return await _upload(ctx, file, "staff")


async def _upload(ctx: Context, file: UploadFile, kind: str) -> ImportJobRead:
    content = await file.read()
    job = await imports.preview(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        filename=file.filename or "file",
        content=content,
        kind=kind,
    )
    await ctx.session.flush()
    rows, total = await imports.errors_of(
        session=ctx.session, tenant_id=ctx.tenant_id, job_id=job.id, limit=200, offset=0
    )
    return _job(job, rows, total)


@router.get(
    "/imports/{job_id}",
    response_model=ImportJobRead,
    tags=["imports"],
    summary="Загрузка: предпросмотр, ход выполнения, итог (первые 200 строк с ошибками)",
)
async def get_import(job_id: uuid.UUID, ctx: ImportsAny) -> ImportJobRead:
    job = await imports.get_job(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        job_id=job_id,
        permissions=ctx.principal.permissions,
    )
    rows, total = await imports.errors_of(
        session=ctx.session, tenant_id=ctx.tenant_id, job_id=job_id, limit=200, offset=0
    )
    return _job(job, rows, total)


@router.post(
    "/imports/{job_id}/apply",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportJobRead,
    tags=["imports"],
    summary="Выполнить загрузку без ошибок: проекты приказов о зачислении новых обучающихся "
    "(в фоне; ход — GET /imports/{id})",
)
async def apply_import(
    job_id: uuid.UUID, cmd: ApplyImport, ctx: ImportsAny, request: Request
) -> ImportJobRead:
    job = await imports.start(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        job_id=job_id,
        permissions=ctx.principal.permissions,
        head=cmd.model_dump(),
    )
    runtime = request.app.state.runtime
    key = runtime.settings.person_match_key
    imports.spawn(
        request.app.state,
        imports.run(
            runtime.db,
            ctx.tenant_id,
            ctx.actor,
            job_id,
            {**cmd.model_dump(), "kind": job.kind},
            key.get_secret_value().encode() if key else None,
        ),
    )
    return _job(job)


EXPORT_COLUMNS = [
    ("Фамилия", "surname"),
    ("Имя", "name"),
    ("Отчество", "patronymic"),
    ("Дата рождения", "birth_date"),
    ("Пол", "sex"),
    ("СНИЛС", "snils"),
    ("Номер личного дела", "file_number"),
    ("Группа", "group"),
    ("Представитель: фамилия", "guardian_surname"),
    ("Представитель: имя", "guardian_name"),
    ("Представитель: кем приходится", "guardian_relation"),
    ("Представитель: телефон", "guardian_phone"),
]
RELATION_WORDS = {"mother": "мать", "father": "отец", "guardian": "опекун", "other": "другое"}


@router.get(
    "/exports/students.csv",
    tags=["imports"],
    summary="Выгрузка обучающихся в CSV (те же столбцы, что у загрузки; куратору — его групп)",
    response_class=Response,
)
async def export_students(ctx: StudentsRead, group_id: uuid.UUID | None = None) -> Response:
    page = PageRequest(limit=100_000, offset=0)
    found, _ = await students.list_students(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        permissions=ctx.principal.permissions,
        page=page,
        group_id=group_id,
        statuses=["active", "on_leave"],
    )
    names = await exports.group_names(session=ctx.session, tenant_id=ctx.tenant_id)
    guardians = await exports.first_guardians(
        session=ctx.session, tenant_id=ctx.tenant_id, student_ids=[s.id for s in found]
    )

    def guardian(sid: uuid.UUID) -> list[str]:
        g = guardians.get(sid)
        if g is None:
            return ["", "", "", ""]
        person, relation = g
        return [person.surname, person.name, RELATION_WORDS.get(relation, ""), person.phone or ""]

    content = exports.csv_bytes(
        [title for title, _ in EXPORT_COLUMNS],
        (
            [
                s.surname,
                s.name,
                s.patronymic or "",
                s.birth_date,
                "м" if s.sex == "m" else "ж",
                s.snils or "",
                s.file_number or "",
                names.get(s.group_id, ""),
                *guardian(s.id),
            ]
            for s in found
        ),
    )
    await audit.record(
        ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        action="export",
        entity="students",
        entity_id=ctx.tenant_id,
        details={"students": len(found)},
    )
    return _csv_file(content, "students.csv")


@router.get(
    "/exports/orders.csv",
    tags=["orders"],
    summary="Книга движения в CSV: строка на обучающегося в каждом приказе (отбор как у книги)",
    response_class=Response,
)
async def export_book(
    ctx: OrdersRead,
    kind: Annotated[OrderKind | None, Query()] = None,
    group_id: uuid.UUID | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Response:
    content = await exports.movement_book(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        kind=kind.value if kind else None,
        group_id=group_id,
        date_from=date_from,
        date_to=date_to,
    )
    return _csv_file(content, "movement-book.csv")


@router.get(
    "/exports/contingent-register.csv",
    tags=["students"],
    summary="Контингент для федерального реестра: обучающиеся сейчас, поля реестра "
    "(сопоставление — docs/contingent-register.md)",
    response_class=Response,
)
async def export_register(ctx: OrdersWrite) -> Response:
    content = await exports.contingent_register(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor
    )
    return _csv_file(content, "contingent-register.csv")


def _csv_file(content: bytes, name: str) -> Response:
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- guardians ------------------------------------------------------------------------


def _guardian(guardian: Any, changed: list[Any]) -> GuardianFileRead:
    return GuardianFileRead(
        id=guardian.id,
        surname=guardian.surname,
        name=guardian.name,
        patronymic=guardian.patronymic,
        phone=guardian.phone,
        email=guardian.email,
        snils=guardian.snils,
        changes=[
            FileChangeRead(
                version=0,
                field=c.field,
                old_value=c.old_value,
                new_value=c.new_value,
                changed_by=c.changed_by,
                changed_at=c.changed_at,
            )
            for c in changed
        ],
    )


@router.get(
    "/guardians/{guardian_id}",
    response_model=GuardianFileRead,
    tags=["students"],
    summary="Законный представитель: ФИО, контакты, история изменений (академическая часть)",
)
async def get_guardian(guardian_id: uuid.UUID, ctx: StudentsWrite) -> GuardianFileRead:
    return _guardian(
        *await students.read_guardian(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, guardian_id=guardian_id
        )
    )


@router.put(
    "/guardians/{guardian_id}",
    response_model=GuardianFileRead,
    tags=["students"],
    summary="Исправить ФИО или контакты законного представителя",
)
async def save_guardian(
    guardian_id: uuid.UUID, cmd: SaveGuardian, ctx: StudentsWrite, request: Request
) -> GuardianFileRead:
    key = request.app.state.runtime.settings.person_match_key
    return _guardian(
        *await students.save_guardian(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            guardian_id=guardian_id,
            cmd=cmd,
            person_key=key.get_secret_value().encode() if key else None,
        )
    )


@router.get(
    "/exports/staff.csv",
    tags=["staff"],
    summary="Карточки сотрудников в CSV (те же столбцы, что у загрузки)",
    response_class=Response,
)
async def export_staff(ctx: StaffRead) -> Response:
    content = await exports.staff_cards(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor
    )
    return _csv_file(content, "staff.csv")

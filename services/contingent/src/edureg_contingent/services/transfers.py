"""Transfers between organisations of the region (001 V, 004 4.3).

Organisation A expels a student "in connection with a transfer" to organisation B: on
signing, A files a transfer request into B's requests (a database function: the one
write that crosses organisations), carrying the personal file with the family's consent
and, without it, only who the student is. B's admissions staff accept it by an
enrolment order drafted from the request (the file becomes B's own) or refuse it with a
reason. A reads its requests' status and nothing of B's; B reads the transferred file
and nothing else of A's. On signing B's enrolment, identity hears where the student came
from and gives the new account the sign-in of the old one (the same login)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.contracts.events import ORGANISATION_REGISTERED
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import (
    Order,
    OrderItem,
    Organisation,
    Student,
    TransferRequest,
)
from edureg_contingent.services.commands import (
    AcceptTransfer,
    CreateEnrolmentOrder,
    NewGuardian,
    NewStudent,
    RefuseTransfer,
)
from edureg_shared import audit
from edureg_shared.errors import Conflict, InvalidState, NotFound
from edureg_shared.events.envelope import Actor, Envelope
from edureg_shared.paging import PageRequest

PENDING, ACCEPTED, REFUSED = "pending", "accepted", "refused"


def _who_only(file: dict[str, Any]) -> dict[str, Any]:
    """A decided request keeps who the student was, not their family or history: the
    receiver has its own copy once enrolled (152-FZ: nothing kept longer than needed)."""
    return {"student": file.get("student", {}), "guardians": [], "history": []}


async def on_organisations_registered(*, session: AsyncSession, events: list[Envelope]) -> None:
    """The region's registry, as far as transfers need it: who may be a transfer's
    destination."""
    for event in events:
        data = ORGANISATION_REGISTERED.parse(event.data)
        await repo.upsert_organisation(
            session,
            data.organisation_id,
            name=data.name[:300],
            short_name=(data.short_name or data.name)[:100],
            kind=data.kind[:20],
            municipality=data.municipality[:200],
        )


async def ensure_destination(
    session: AsyncSession, tenant_id: uuid.UUID, organisation_id: uuid.UUID
) -> None:
    if organisation_id == tenant_id:
        raise InvalidState(
            "Перевод внутри своей организации оформляется приказом о переводе в другую группу",
            errors=[{"field": "transfer_to_organisation_id", "message": "Своя организация"}],
        )
    if await repo.get_organisation(session, organisation_id) is None:
        raise InvalidState(
            "Такой организации нет в реестре региона",
            errors=[{"field": "transfer_to_organisation_id", "message": "Не найдена"}],
        )


def _file(
    student: Student, guardians: list[Any], history: list[Any], consent: bool
) -> dict[str, Any]:
    """What of the personal file goes to the receiving organisation. Without consent:
    who the student is (enough to find them and enrol them), nothing more."""
    who: dict[str, Any] = {
        "surname": student.surname,
        "name": student.name,
        "patronymic": student.patronymic,
        "birth_date": student.birth_date.isoformat(),
        "sex": student.sex,
    }
    if not consent:
        return {"student": who, "guardians": [], "history": []}
    return {
        "student": who,
        "guardians": [
            {
                "surname": g.surname,
                "name": g.name,
                "patronymic": g.patronymic,
                "relation": relation,
                "phone": g.phone,
                "snils": g.snils,
            }
            for g, relation in guardians
        ],
        "history": [
            {
                "kind": m.kind,
                "order_number": o.number,
                "order_date": o.order_date.isoformat(),
                "effective_date": m.effective_date.isoformat(),
            }
            for m, o in history
            if m.cancelled_by_order_id is None
        ],
    }


async def file_requests(
    session: AsyncSession, order: Order, items: list[OrderItem], students: dict[uuid.UUID, Student]
) -> None:
    """On signing an expulsion by transfer: one request per student, into the receiving
    organisation's requests (through `file_transfer_request`, which checks the sender)."""
    assert order.transfer_to_organisation_id is not None
    await ensure_destination(session, order.tenant_id, order.transfer_to_organisation_id)
    guardians = await repo.guardians_of(session, order.tenant_id, [i.student_id for i in items])
    for item in items:
        student = students[item.student_id]
        history = await repo.student_history(session, order.tenant_id, student.id)
        await repo.file_transfer_request(
            session,
            target=order.transfer_to_organisation_id,
            request_id=uuid.uuid4(),
            student_id=student.id,
            order_id=order.id,
            consent=order.file_consent,
            file=_file(student, guardians.get(student.id, []), history, order.file_consent),
        )


async def destinations(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Organisation], int]:
    """The region's other organisations: where a student may be transferred."""
    return await repo.list_organisations(session, page, except_id=tenant_id)


async def incoming(
    *, session: AsyncSession, tenant_id: uuid.UUID, status: str | None, page: PageRequest
) -> tuple[list[tuple[TransferRequest, str]], int]:
    return await repo.incoming_transfers(session, tenant_id, status, page)


async def outgoing(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[tuple[TransferRequest, str]], int]:
    return await repo.outgoing_transfers(session, tenant_id, page)


async def get_incoming(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, request_id: uuid.UUID
) -> tuple[TransferRequest, str]:
    """A request addressed to this organisation, with the file it carries (a read of a
    minor's personal data: audited)."""
    found = await repo.incoming_transfer(session, tenant_id, request_id)
    if found is None:
        raise NotFound("Запрос о переводе не найден")
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="read",
        entity="transfer_request",
        entity_id=request_id,
    )
    return found


async def _pending(
    session: AsyncSession, tenant_id: uuid.UUID, request_id: uuid.UUID
) -> TransferRequest:
    request = await repo.incoming_transfer_for_update(session, tenant_id, request_id)
    if request is None:
        raise NotFound("Запрос о переводе не найден")
    if request.status == "withdrawn":
        raise Conflict("Запрос отозван отправившей организацией: она отменила отчисление")
    if request.status != PENDING:
        raise Conflict("По этому запросу решение уже принято")
    if request.enrolment_order_id is not None:
        order = await repo.get_order(session, tenant_id, request.enrolment_order_id)
        if order is not None and order.status == "draft":
            raise Conflict(
                f"По этому запросу уже подготовлен приказ № {order.number}: подпишите его "
                "или подготовьте новый после его удаления"
            )
    return request


async def accept(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    request_id: uuid.UUID,
    cmd: AcceptTransfer,
    person_key: bytes | None,
) -> Any:
    """Draft the enrolment order that accepts the student: their file here from the
    request. The request is accepted when the order is signed."""
    from edureg_contingent.services import orders  # the order use cases build on this one

    request = await _pending(session, tenant_id, request_id)
    who = request.file["student"]
    student = NewStudent(
        surname=who["surname"],
        name=who["name"],
        patronymic=who.get("patronymic"),
        birth_date=who["birth_date"],
        sex=who["sex"],
        guardians=[NewGuardian(**g) for g in request.file.get("guardians", [])] + cmd.guardians,
    )
    view = await orders.create_enrolment_order(
        session=session,
        tenant_id=tenant_id,
        actor=actor,
        cmd=CreateEnrolmentOrder(
            number=cmd.number,
            order_date=cmd.order_date,
            effective_date=cmd.effective_date,
            group_id=cmd.group_id,
            students=[student],
        ),
        person_key=person_key,
    )
    request.enrolment_order_id = view.order.id
    request.student_id = view.items[0].student_id
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="accept_draft",
        entity="transfer_request",
        entity_id=request.id,
        details={"order_id": str(view.order.id)},
    )
    return view


async def refuse(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    request_id: uuid.UUID,
    cmd: RefuseTransfer,
) -> TransferRequest:
    request = await _pending(session, tenant_id, request_id)
    request.status = REFUSED
    request.file = _who_only(request.file)
    request.refusal_reason = cmd.reason
    request.decided_at = datetime.now(UTC)
    request.decided_by = actor.id
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="refuse",
        entity="transfer_request",
        entity_id=request.id,
    )
    return request


async def ensure_undoable(session: AsyncSession, order: Order) -> None:
    """A transfer the receiver accepted is not undone by cancelling either side's order:
    the student is already the receiver's (they expel by a new order)."""
    if order.kind == "enrolment" and await repo.transfers_of_enrolment(
        session, order.tenant_id, order.id, for_update=False
    ):
        raise InvalidState(
            "Зачисление по переводу из другой организации не отменяется: оформите "
            "отчисление новым приказом"
        )
    if order.kind == "expulsion" and order.transfer_to_organisation_id:
        accepted = await repo.outgoing_accepted(session, order.tenant_id, order.id)
        if accepted:
            raise InvalidState(
                "Перевод уже принят другой организацией: отчисление в связи с ним не отменяется"
            )


async def withdraw(session: AsyncSession, order: Order) -> None:
    """Cancelling an expulsion by transfer withdraws its pending requests."""
    if (
        order.kind == "expulsion"
        and order.transfer_to_organisation_id
        and await repo.withdraw_transfer_requests(session, order.id)
    ):
        raise InvalidState(
            "Перевод уже принят другой организацией: отчисление в связи с ним не отменяется"
        )


async def accepted_by(
    session: AsyncSession, order: Order, actor: Actor
) -> dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]]:
    """An enrolment order signed: the requests it accepts are accepted now. Returns, per
    student enrolled here, (organisation, student) they came from."""
    requests = await repo.transfers_of_enrolment(session, order.tenant_id, order.id)
    now = datetime.now(UTC)
    came_from = {}
    withdrawn = [r for r in requests if r.status != PENDING]
    if withdrawn:
        raise InvalidState(
            "Запрос о переводе отозван отправившей организацией: зачисление по нему невозможно",
            errors=[{"field": "students", "message": "Запрос отозван"}],
        )
    for request in requests:
        request.status = ACCEPTED
        request.file = _who_only(request.file)
        request.decided_at = now
        request.decided_by = actor.id
        if request.student_id is not None:
            came_from[request.student_id] = (request.source_tenant_id, request.source_student_id)
    return came_from

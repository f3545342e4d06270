"""Admissions (002 4.8): a campaign per year, its applicants, the ranking per
competition (specialty, study form, funding), and one enrolment order for those
selected, carrying their personal files. Signed, the applicants are enrolled."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.domain.admissions import Candidate, ranking
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import AdmissionCampaign, Applicant, Order
from edureg_contingent.services.commands import (
    CreateApplicant,
    CreateCampaign,
    CreateEnrolmentOrder,
    EnrolApplicants,
    NewGuardian,
    NewStudent,
)
from edureg_contingent.services.common import add_audited
from edureg_shared.errors import Conflict, InvalidState, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.paging import PageRequest


@dataclass
class Competition:
    specialty_id: uuid.UUID
    study_form: str
    funding: str
    applicants: list[Applicant]


async def create_campaign(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateCampaign
) -> AdmissionCampaign:
    if await repo.campaign_of_year(session, tenant_id, cmd.year):
        raise Conflict(
            f"Приёмная кампания {cmd.year} года уже есть",
            errors=[{"field": "year", "message": "Значение уже занято"}],
        )
    campaign = AdmissionCampaign(tenant_id=tenant_id, id=uuid.uuid4(), **cmd.model_dump())
    return await add_audited(session, tenant_id, actor, campaign, "admission_campaign")


async def list_campaigns(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[AdmissionCampaign], int]:
    return await repo.list_campaigns(session, tenant_id, page)


async def _campaign(
    session: AsyncSession, tenant_id: uuid.UUID, campaign_id: uuid.UUID
) -> AdmissionCampaign:
    campaign = await repo.get_campaign(session, tenant_id, campaign_id)
    if campaign is None:
        raise NotFound("Приёмная кампания не найдена")
    return campaign


async def add_applicant(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    campaign_id: uuid.UUID,
    cmd: CreateApplicant,
) -> Applicant:
    campaign = await _campaign(session, tenant_id, campaign_id)
    if await repo.get_specialty(session, tenant_id, cmd.specialty_id) is None:
        raise NotFound("Специальность не найдена")
    if not campaign.starts_on <= cmd.applied_on <= campaign.ends_on:
        raise InvalidState(
            "Заявление подано вне сроков приёмной кампании",
            errors=[{"field": "applied_on", "message": "Вне сроков приёма"}],
        )
    applicant = Applicant(
        tenant_id=tenant_id, id=uuid.uuid4(), campaign_id=campaign_id, **cmd.model_dump()
    )
    return await add_audited(session, tenant_id, actor, applicant, "applicant")


async def competitions(
    *, session: AsyncSession, tenant_id: uuid.UUID, campaign_id: uuid.UUID
) -> list[Competition]:
    """The campaign's ranking: each competition with its applicants in order."""
    await _campaign(session, tenant_id, campaign_id)
    applicants = {a.id: a for a in await repo.applicants_of(session, tenant_id, campaign_id)}
    lists = ranking(
        Candidate(
            id=a.id,
            specialty_id=a.specialty_id,
            study_form=a.study_form,
            funding=a.funding,
            average=a.certificate_average,
            applied_on=a.applied_on,
            surname=a.surname,
        )
        for a in applicants.values()
    )
    return [
        Competition(spec, form, funding, [applicants[c.id] for c in entries])
        for (spec, form, funding), entries in sorted(
            lists.items(), key=lambda kv: (str(kv[0][0]), kv[0][1], kv[0][2])
        )
    ]


async def enrol(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    campaign_id: uuid.UUID,
    cmd: EnrolApplicants,
    person_key: bytes | None,
) -> Any:
    """One draft enrolment order for the selected applicants: their files from their
    applications (a minor with the guardian given there). Signed, they are enrolled."""
    from edureg_contingent.services import orders  # builds on the order use cases

    await _campaign(session, tenant_id, campaign_id)
    ids = list(dict.fromkeys(cmd.applicant_ids))
    found = await repo.applicants_by_ids(session, tenant_id, campaign_id, ids)
    if len(found) != len(ids):
        raise NotFound("Абитуриент не найден")
    group = await repo.get_group(session, tenant_id, cmd.group_id)
    if group is None:
        raise NotFound("Группа не найдена")
    problems = []
    for a in (found[i] for i in ids):
        name = f"{a.surname} {a.name}"
        if a.status != "applied":
            problems.append({"field": "applicant_ids", "message": f"{name}: уже в приказе"})
        elif group.specialty_id and group.specialty_id != a.specialty_id:
            problems.append(
                {"field": "applicant_ids", "message": f"{name}: поступает на другую специальность"}
            )
    if problems:
        raise InvalidState(f"Приказ нельзя подготовить: {problems[0]['message']}", errors=problems)
    students = [
        NewStudent(
            surname=a.surname,
            name=a.name,
            patronymic=a.patronymic,
            birth_date=a.birth_date,
            sex=a.sex,
            guardians=[
                NewGuardian(
                    surname=a.guardian_surname,
                    name=a.guardian_name,
                    relation=a.guardian_relation or "other",
                    phone=a.guardian_phone,
                )
            ]
            if a.guardian_surname and a.guardian_name
            else [],
        )
        for a in (found[i] for i in ids)
    ]
    view = await orders.create_enrolment_order(
        session=session,
        tenant_id=tenant_id,
        actor=actor,
        cmd=CreateEnrolmentOrder(
            number=cmd.number,
            order_date=cmd.order_date,
            effective_date=cmd.effective_date,
            group_id=cmd.group_id,
            students=students,
        ),
        person_key=person_key,
    )
    for applicant_id, item in zip(ids, view.items, strict=True):
        found[applicant_id].status = "in_order"
        found[applicant_id].enrolment_order_id = view.order.id
        found[applicant_id].student_id = item.student_id
    return await orders.get_order(session=session, tenant_id=tenant_id, order_id=view.order.id)


async def enrolled_by(session: AsyncSession, order: Order) -> None:
    """An enrolment order signed: the applicants it carried are enrolled."""
    await repo.mark_applicants_enrolled(session, order.tenant_id, order.id)


async def unenrolled_by(session: AsyncSession, order: Order) -> None:
    """An enrolment order cancelled: its applicants apply again (their files stay,
    annulled, with the order's history)."""
    await repo.reset_applicants_of(session, order.tenant_id, order.id)

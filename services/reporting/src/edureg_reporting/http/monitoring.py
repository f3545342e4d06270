"""Deadline compliance of an organisation (its management), the regulation profiles, and
the region's monitoring (the ministry): counts, rates and overdue items, never a child."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from edureg_reporting.domain import regulations as rules
from edureg_reporting.domain.regulations import Tally
from edureg_reporting.services import compliance
from edureg_reporting.services.compliance import Figures
from edureg_shared import audit
from edureg_shared.errors import InvalidState
from edureg_shared.http import Context, unit_of_work

router = APIRouter(prefix="/api/v1", tags=["monitoring"])
OrgReports = Annotated[Context, unit_of_work("reporting.read")]
OwnRules = Annotated[Context, unit_of_work(compliance.OWN_RULES)]
RegionRead = Annotated[Context, unit_of_work(compliance.REGION_MONITOR)]
RegionRules = Annotated[Context, unit_of_work(compliance.REGION_RULES)]
RegionAny = Annotated[
    Context, unit_of_work(None, any_of=(compliance.REGION_MONITOR, compliance.REGION_RULES))
]
From = Annotated[date, Query(alias="from", description="Начало периода")]
To = Annotated[date, Query(alias="to", description="Конец периода, включительно")]


class RuleFigures(BaseModel):
    code: str
    title: str
    reference: str
    computed: bool
    unit: str
    deadline: int
    in_time: int
    late: int
    overdue: int
    pending: int
    due: int
    rate: float | None
    # Its late and overdue items can be listed (`…/items?rule=`); the lessons' rule has its
    # own list (`…/overdue`).
    has_items: bool = False


class Completeness(BaseModel):
    what: str
    title: str
    filled: int
    total: int
    rate: float | None


class WeekRate(BaseModel):
    week: date
    due: int
    in_time: int
    rate: float | None


class FiguresRead(BaseModel):
    rules: list[RuleFigures]
    # Data filled in: the organisation's card, groups' curricula and timetables, plans.
    completeness: list[Completeness]
    groups: int
    students: int
    enrolled: int
    expelled: int
    sign_ins: dict[str, int]
    # Students with a result (their weighted averages) in the range; the success rate
    # (without a 2) and quality of knowledge (only 4s and 5s), in per cent.
    rated_students: int
    success_rate: float | None
    quality_rate: float | None


class OrganisationFigures(FiguresRead):
    organisation_id: uuid.UUID
    short_name: str
    municipality: str
    kind: str
    status: str


class MunicipalityFigures(FiguresRead):
    municipality: str
    organisations: int


class RegionMonitoring(BaseModel):
    start: date
    end: date
    region: FiguresRead
    municipalities: list[MunicipalityFigures]
    organisations: list[OrganisationFigures]
    trend: list[WeekRate]


class OrganisationMonitoring(FiguresRead):
    start: date
    end: date
    organisation_id: uuid.UUID
    short_name: str
    name: str
    municipality: str
    trend: list[WeekRate]


class OverdueRead(BaseModel):
    lesson_id: uuid.UUID
    group_id: uuid.UUID
    group: str
    subject: str
    day: date
    lesson_number: int
    due: date
    status: str
    entered_on: date | None


class OverduePage(BaseModel):
    rule: str
    deadline: int
    total: int
    items: list[OverdueRead]


class ItemRead(BaseModel):
    group: str | None
    subject: str | None
    # An order's number (the orders rule).
    label: str | None
    starts_on: date
    due: date
    status: str
    done_on: date | None


class ItemsPage(BaseModel):
    rule: str
    title: str
    deadline: int
    unit_title: str
    total: int
    items: list[ItemRead]


class RuleSetting(BaseModel):
    code: str
    title: str
    reference: str
    unit: str
    unit_title: str
    computed: bool
    default: int
    region: int | None
    own: int | None
    reason: str | None
    effective: int


RULE_COUNT = len(rules.RULES)


class SaveRegion(BaseModel):
    rules: dict[str, int] = Field(max_length=RULE_COUNT)


class SaveOwn(BaseModel):
    rules: dict[str, int] = Field(max_length=RULE_COUNT)
    reasons: dict[str, str] = Field(default_factory=dict, max_length=RULE_COUNT)


def _today(request: Request) -> tuple[date, str]:
    zone = request.app.state.runtime.settings.timezone
    return datetime.now(ZoneInfo(zone)).date(), zone


def _rules(f: Figures, deadlines: dict[str, int]) -> list[RuleFigures]:
    out = []
    for code, r in rules.RULES.items():
        t = f.rules[code]
        out.append(
            RuleFigures(
                code=code,
                title=r.title,
                reference=r.reference,
                computed=r.computed,
                unit=r.unit,
                deadline=deadlines[code],
                in_time=t.in_time,
                late=t.late,
                overdue=t.overdue,
                pending=t.pending,
                due=t.due,
                rate=t.rate if r.computed else None,
                has_items=code in compliance.ITEM_RULES,
            )
        )
    return out


def _figures(f: Figures, deadlines: dict[str, int]) -> dict[str, Any]:
    return {
        "rules": _rules(f, deadlines),
        "completeness": [
            Completeness(
                what=what,
                title=title,
                filled=f.completeness.get(what, (0, 0))[0],
                total=f.completeness.get(what, (0, 0))[1],
                rate=round(100 * f.completeness[what][0] / f.completeness[what][1], 1)
                if f.completeness.get(what, (0, 0))[1]
                else None,
            )
            for what, title in compliance.COMPLETENESS.items()
        ],
        "groups": f.groups,
        "students": f.students,
        "enrolled": f.enrolled,
        "expelled": f.expelled,
        "sign_ins": f.sign_ins,
        "rated_students": f.rated,
        "success_rate": f.success_rate,
        "quality_rate": f.quality_rate,
    }


def _trend(
    trend: dict[tuple[uuid.UUID, date], Tally], only: uuid.UUID | None = None
) -> list[WeekRate]:
    weeks: dict[date, Tally] = defaultdict(Tally)
    for (tenant, week), t in trend.items():
        if only is None or tenant == only:
            weeks[week].merge(t)
    return [
        WeekRate(week=w, due=t.due, in_time=t.in_time, rate=t.rate)
        for w, t in sorted(weeks.items())
    ]


@router.get(
    "/compliance",
    response_model=OrganisationMonitoring,
    summary="Соблюдение сроков регламента организацией",
)
async def own_compliance(
    ctx: OrgReports, request: Request, start: From, end: To
) -> OrganisationMonitoring:
    compliance.check(start, end)
    today, zone = _today(request)
    per_org, trend = await compliance.figures(
        ctx.session, start=start, end=end, today=today, zone=zone, region=False
    )
    mine = per_org.get(ctx.tenant_id, Figures())
    deadlines = rules.effective(
        await compliance.region_profile(ctx.session),
        {c: r.value for c, r in (await compliance.own_profile(ctx.session, ctx.tenant_id)).items()},
    )
    org = await ctx.session.get(compliance.Organisation, ctx.tenant_id)
    return OrganisationMonitoring(
        start=start,
        end=end,
        organisation_id=ctx.tenant_id,
        short_name=org.short_name if org else "",
        name=org.name if org else "",
        municipality=org.municipality if org else "",
        trend=_trend(trend, ctx.tenant_id),
        **_figures(mine, deadlines),
    )


async def _overdue(
    ctx: Context, request: Request, tenant_id: uuid.UUID, start: date, end: date
) -> OverduePage:
    compliance.check(start, end)
    today, zone = _today(request)
    deadline = rules.effective(
        await compliance.region_profile(ctx.session),
        {c: r.value for c, r in (await compliance.own_profile(ctx.session, tenant_id)).items()},
    )["lesson_entry"]
    items, total = await compliance.overdue_lessons(
        ctx.session, tenant_id, start=start, end=end, today=today, zone=zone, deadline=deadline
    )
    return OverduePage(
        rule="lesson_entry",
        deadline=deadline,
        total=total,
        items=[OverdueRead(**vars(i)) for i in items],
    )


# Rules whose items are one child each: the region sees them counted per group and day.
PER_CHILD = ("accounts", "personal_files")


def _counted(items: list[compliance.Item]) -> list[ItemRead]:
    """Items of one child each, as (group, day, status) with how many."""
    groups: dict[tuple[Any, ...], list[compliance.Item]] = defaultdict(list)
    for i in items:
        groups[(i.group, i.starts_on, i.due, i.status, i.done_on)].append(i)
    return [
        ItemRead(
            group=group,
            subject=None,
            label=f"обучающихся: {len(same)}",
            starts_on=starts_on,
            due=due,
            status=status,
            done_on=done_on,
        )
        for (group, starts_on, due, status, done_on), same in groups.items()
    ]


async def _items(
    ctx: Context,
    request: Request,
    tenant_id: uuid.UUID,
    rule: str,
    start: date,
    end: date,
    *,
    regional: bool = False,
) -> ItemsPage:
    compliance.check(start, end)
    if rule not in compliance.ITEM_RULES:
        raise InvalidState(
            "Нет такого правила",
            errors=[
                {
                    "field": "rule",
                    "message": "Правило: " + ", ".join(compliance.ITEM_RULES),
                }
            ],
        )
    today, zone = _today(request)
    deadline = rules.effective(
        await compliance.region_profile(ctx.session),
        {c: r.value for c, r in (await compliance.own_profile(ctx.session, tenant_id)).items()},
    )[rule]
    items, total = await compliance.overdue_items(
        ctx.session,
        tenant_id,
        rule=rule,
        start=start,
        end=end,
        today=today,
        zone=zone,
        deadline=deadline,
    )
    return ItemsPage(
        rule=rule,
        title=rules.RULES[rule].title,
        deadline=deadline,
        unit_title=rules.UNIT_TITLES[rules.RULES[rule].unit],
        total=total,
        items=_counted(items)
        if regional and rule in PER_CHILD
        else [ItemRead(**vars(i)) for i in items],
    )


Rule = Annotated[str, Query(description="Правило: orders, accounts, period_marks, …")]


@router.get(
    "/compliance/items",
    response_model=ItemsPage,
    summary="Что сделано с опозданием или не сделано по правилу (группа, предмет, приказ)",
)
async def own_items(
    ctx: OrgReports, request: Request, rule: Rule, start: From, end: To
) -> ItemsPage:
    return await _items(ctx, request, ctx.tenant_id, rule, start, end)


@router.get(
    "/compliance/overdue",
    response_model=OverduePage,
    summary="Уроки, не внесённые в журнал в срок",
)
async def own_overdue(ctx: OrgReports, request: Request, start: From, end: To) -> OverduePage:
    return await _overdue(ctx, request, ctx.tenant_id, start, end)


def _settings(
    region: dict[str, int], own: dict[str, compliance.OrganisationRule] | None
) -> list[RuleSetting]:
    own = own or {}
    effective = rules.effective(region, {c: r.value for c, r in own.items()})
    return [
        RuleSetting(
            code=code,
            title=r.title,
            reference=r.reference,
            unit=r.unit,
            unit_title=rules.UNIT_TITLES[r.unit],
            computed=r.computed,
            default=r.default,
            region=region.get(code),
            own=own[code].value if code in own else None,
            reason=own[code].reason if code in own else None,
            effective=effective[code],
        )
        for code, r in rules.RULES.items()
    ]


@router.get(
    "/regulations", response_model=list[RuleSetting], summary="Сроки регламента организации"
)
async def own_regulations(ctx: OrgReports) -> list[RuleSetting]:
    return _settings(
        await compliance.region_profile(ctx.session),
        await compliance.own_profile(ctx.session, ctx.tenant_id),
    )


@router.put(
    "/regulations",
    response_model=list[RuleSetting],
    summary="Свои сроки организации (где её положение отличается от регионального)",
    description="Правила, которых нет в запросе, следуют региональному профилю.",
)
async def save_own_regulations(ctx: OwnRules, cmd: SaveOwn) -> list[RuleSetting]:
    await compliance.save_own_profile(ctx.session, ctx.principal, cmd.rules, cmd.reasons)
    await audit.record(
        ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        action="update",
        entity="regulation_profile",
        entity_id=ctx.tenant_id,
        details={"rules": cmd.rules},
    )
    return _settings(
        await compliance.region_profile(ctx.session),
        await compliance.own_profile(ctx.session, ctx.tenant_id),
    )


@router.get(
    "/region/regulations", response_model=list[RuleSetting], summary="Региональный профиль сроков"
)
async def region_regulations(ctx: RegionAny) -> list[RuleSetting]:
    return _settings(await compliance.region_profile(ctx.session), None)


@router.put(
    "/region/regulations", response_model=list[RuleSetting], summary="Изменить региональный профиль"
)
async def save_region_regulations(ctx: RegionRules, cmd: SaveRegion) -> list[RuleSetting]:
    await compliance.save_region_profile(ctx.session, ctx.principal, cmd.rules)
    await audit.record(
        ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        action="update",
        entity="region_regulation_profile",
        entity_id=None,
        details={"rules": cmd.rules},
    )
    return _settings(await compliance.region_profile(ctx.session), None)


@router.get(
    "/region/monitoring",
    response_model=RegionMonitoring,
    summary="Региональный мониторинг: сроки, наполняемость, движение, активность",
    description=f"Период не длиннее {compliance.MAX_DAYS} дней. Только показатели, без персональных данных.",
)
async def region_monitoring(
    ctx: RegionRead, request: Request, start: From, end: To
) -> RegionMonitoring:
    compliance.check(start, end)
    today, zone = _today(request)
    per_org, trend = await compliance.figures(
        ctx.session, start=start, end=end, today=today, zone=zone, region=True
    )
    orgs = await compliance.organisations(ctx.session)
    regional = await compliance.region_profile(ctx.session)
    own: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for tenant, code, value in await compliance._call(ctx.session, "region_rule_values", ""):
        own[tenant][code] = value
    region_total = Figures()
    by_municipality: dict[str, tuple[Figures, int]] = {}
    listed = []
    for org_id, org in sorted(orgs.items(), key=lambda x: (x[1].municipality, x[1].short_name)):
        if not org.name:
            continue
        f = per_org.get(org_id, Figures())
        region_total.merge(f)
        m, n = by_municipality.get(org.municipality, (Figures(), 0))
        m.merge(f)
        by_municipality[org.municipality] = (m, n + 1)
        listed.append(
            OrganisationFigures(
                organisation_id=org_id,
                short_name=org.short_name,
                municipality=org.municipality,
                kind=org.kind,
                status=org.status,
                **_figures(f, rules.effective(regional, own.get(org_id, {}))),
            )
        )
    region_deadlines = rules.effective(regional, {})
    return RegionMonitoring(
        start=start,
        end=end,
        region=FiguresRead(**_figures(region_total, region_deadlines)),
        municipalities=[
            MunicipalityFigures(
                municipality=name,
                organisations=n,
                **_figures(f, region_deadlines),
            )
            for name, (f, n) in sorted(by_municipality.items())
        ],
        organisations=listed,
        trend=_trend({k: v for k, v in trend.items() if k[0] in orgs}),
    )


@router.get(
    "/region/organisations/{organisation_id}/monitoring",
    response_model=OrganisationMonitoring,
    summary="Показатели одной организации для региона",
)
async def region_organisation(
    ctx: RegionRead, request: Request, organisation_id: uuid.UUID, start: From, end: To
) -> OrganisationMonitoring:
    compliance.check(start, end)
    org = await compliance.organisation(ctx.session, organisation_id)
    today, zone = _today(request)
    db = request.app.state.runtime.db
    # Read in that organisation's own scope: its counts, under its row-level security.
    async with db.tenant_session(organisation_id) as session:
        per_org, trend = await compliance.figures(
            session, start=start, end=end, today=today, zone=zone, region=False
        )
        deadlines = rules.effective(
            await compliance.region_profile(session),
            {
                c: r.value
                for c, r in (await compliance.own_profile(session, organisation_id)).items()
            },
        )
    return OrganisationMonitoring(
        start=start,
        end=end,
        organisation_id=organisation_id,
        short_name=org.short_name,
        name=org.name,
        municipality=org.municipality,
        trend=_trend(trend, organisation_id),
        **_figures(per_org.get(organisation_id, Figures()), deadlines),
    )


@router.get(
    "/region/organisations/{organisation_id}/items",
    response_model=ItemsPage,
    summary="Просрочки организации по правилу (группа, предмет, приказ — без обучающихся)",
)
async def region_items(
    ctx: RegionRead,
    request: Request,
    organisation_id: uuid.UUID,
    rule: Rule,
    start: From,
    end: To,
) -> ItemsPage:
    await compliance.organisation(ctx.session, organisation_id)
    if rule == "absence_reasons":
        # One item is one child's absence (and a medical certificate, usually): the
        # region sees this rule's counts, the organisation its items.
        raise InvalidState(
            "Подробности по причинам пропусков видит только сама организация",
            errors=[{"field": "rule", "message": "Региону доступны только показатели"}],
        )
    async with request.app.state.runtime.db.tenant_session(organisation_id) as session:
        scoped = Context(session=session, principal=ctx.principal, nats_prefix=ctx.nats_prefix)
        await audit.record(
            session,
            tenant_id=organisation_id,
            actor=ctx.actor,
            action="read",
            entity="region_overdue_items",
            entity_id=organisation_id,
            details={
                "rule": rule[:40],
                "from": start.isoformat(),
                "to": end.isoformat(),
                "by_tenant": str(ctx.tenant_id),
            },
        )
        return await _items(scoped, request, organisation_id, rule, start, end, regional=True)


@router.get(
    "/region/organisations/{organisation_id}/overdue",
    response_model=OverduePage,
    summary="Просроченные уроки организации (группа, предмет, дата — без обучающихся)",
)
async def region_overdue(
    ctx: RegionRead, request: Request, organisation_id: uuid.UUID, start: From, end: To
) -> OverduePage:
    await compliance.organisation(ctx.session, organisation_id)
    async with request.app.state.runtime.db.tenant_session(organisation_id) as session:
        scoped = Context(session=session, principal=ctx.principal, nats_prefix=ctx.nats_prefix)
        # In the organisation's own audit trail: the region looked at its lessons.
        await audit.record(
            session,
            tenant_id=organisation_id,
            actor=ctx.actor,
            action="read",
            entity="region_overdue_lessons",
            entity_id=organisation_id,
            details={
                "from": start.isoformat(),
                "to": end.isoformat(),
                "by_tenant": str(ctx.tenant_id),
            },
        )
        return await _overdue(scoped, request, organisation_id, start, end)

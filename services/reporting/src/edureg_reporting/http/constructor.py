"""The report constructor (001 10.6): datasets and fields to choose from, a definition run
to screen or XLSX, definitions saved for the organisation. For the management
(`reporting.read`); no SQL from users."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from edureg_reporting import render
from edureg_reporting.domain import constructor as c
from edureg_reporting.http.group_reports import Format, FormatQ
from edureg_reporting.services import constructor
from edureg_shared import audit
from edureg_shared.downloads import disposition
from edureg_shared.http import Context, unit_of_work

router = APIRouter(prefix="/api/v1", tags=["report constructor"])
# A printable file stops here; the spreadsheet takes every row.
PDF_ROWS = 1000


def _pdf(table: render.Table) -> bytes:
    return render.pdf(table, created=datetime.now(UTC))


Management = Annotated[Context, unit_of_work("reporting.read")]


class FieldRead(BaseModel):
    key: str
    title: str
    kind: str


class DatasetRead(BaseModel):
    key: str
    title: str
    available: bool
    note: str
    dated_by: str | None
    fields: list[FieldRead]


class Catalogue(BaseModel):
    datasets: list[DatasetRead]
    aggregates: dict[str, str]
    ops: dict[str, str]
    max_rows: int
    max_days: int


class FilterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(max_length=40)
    op: str = Field(max_length=10)
    value: Any


class AggregateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fn: str = Field(max_length=20)
    field: str | None = Field(default=None, max_length=40)


class Definition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(max_length=40)
    fields: list[str] = Field(default_factory=list, max_length=20)
    filters: list[FilterIn] = Field(default_factory=list, max_length=20)
    group_by: list[str] = Field(default_factory=list, max_length=10)
    aggregates: list[AggregateIn] = Field(default_factory=list, max_length=10)
    limit: int = c.MAX_ROWS


class Column(BaseModel):
    key: str
    title: str


class Result(BaseModel):
    columns: list[Column]
    rows: list[list[Any]]
    truncated: bool


class SaveDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=200)
    definition: Definition


class SavedRead(BaseModel):
    id: uuid.UUID
    title: str
    definition: dict[str, Any]
    created_by: uuid.UUID
    created_at: datetime


@router.get("/constructor/datasets", response_model=Catalogue, summary="Наборы данных и поля")
async def datasets(ctx: Management) -> Catalogue:
    return Catalogue(
        datasets=[
            DatasetRead(
                key=d.key,
                title=d.title,
                available=d.available,
                note=d.note,
                dated_by=d.dated_by,
                fields=[FieldRead(key=f.key, title=f.title, kind=f.kind) for f in d.fields],
            )
            for d in c.DATASETS.values()
        ],
        aggregates=c.AGGREGATES,
        ops=c.OPS,
        max_rows=c.MAX_ROWS,
        max_days=c.MAX_DAYS,
    )


async def _run(ctx: Context, body: dict[str, Any], fmt: Format, title: str) -> Any:
    plan = c.check(body)
    columns, rows = await constructor.run(ctx.session, ctx.tenant_id, plan)
    await audit.record(
        ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        action="read" if fmt is Format.json else "export",
        entity="constructor_report",
        entity_id=None,
        details={"dataset": plan.dataset.key, "fields": plan.fields, "format": fmt.value},
    )
    if fmt is Format.json:
        return Result(
            columns=[Column(key=k, title=t) for k, t in columns],
            rows=rows,
            truncated=len(rows) >= plan.limit,
        )
    table = render.Table(
        title=title,
        subtitle=[
            f"Набор данных: {plan.dataset.title}",
            f"Сформирован {render.stamp()}",
        ],
        columns=[t for _, t in columns],
        rows=[[render.number(v) if isinstance(v, float) else v for v in r] for r in rows]
        if fmt is Format.pdf
        else rows,
        sheet="Отчёт",
    )
    if fmt is Format.pdf and len(table.rows) > PDF_ROWS:
        table.rows = table.rows[:PDF_ROWS]
        table.notes.append(f"Показаны первые {PDF_ROWS} строк: все строки — в XLSX.")
    # Built off the event loop: a large file does not hold up other requests.
    if fmt is Format.xlsx:
        body_bytes = await asyncio.to_thread(render.xlsx, table)
    else:
        body_bytes = await asyncio.to_thread(_pdf, table)
    return Response(
        body_bytes,
        media_type=render.XLSX_TYPE if fmt is Format.xlsx else render.PDF_TYPE,
        headers={"Content-Disposition": disposition(f"{title}.{fmt.value}")},
    )


@router.post(
    "/constructor/run",
    response_model=Result,
    summary="Построить отчёт конструктора",
    description=f"Не больше {c.MAX_ROWS} строк; оценки, посещаемость и движение — не больше "
    f"{c.MAX_DAYS} дней.",
)
async def run(ctx: Management, cmd: Definition, format: FormatQ = Format.json) -> Any:
    return await _run(ctx, cmd.model_dump(), format, "Отчёт конструктора")


@router.get("/report-definitions", response_model=list[SavedRead], summary="Сохранённые отчёты")
async def saved(ctx: Management) -> list[SavedRead]:
    return [
        SavedRead(
            id=d.id,
            title=d.title,
            definition=d.definition,
            created_by=d.created_by,
            created_at=d.created_at,
        )
        for d in await constructor.definitions(ctx.session, ctx.tenant_id)
    ]


@router.post(
    "/report-definitions", response_model=SavedRead, status_code=201, summary="Сохранить отчёт"
)
async def save(ctx: Management, cmd: SaveDefinition) -> SavedRead:
    d = await constructor.save(ctx.session, ctx.principal, cmd.title, cmd.definition.model_dump())
    await ctx.session.refresh(d)
    return SavedRead(
        id=d.id,
        title=d.title,
        definition=d.definition,
        created_by=d.created_by,
        created_at=d.created_at,
    )


@router.post(
    "/report-definitions/{definition_id}/run",
    response_model=Result,
    summary="Построить сохранённый отчёт",
)
async def run_saved(
    ctx: Management, definition_id: uuid.UUID, format: FormatQ = Format.json
) -> Any:
    d = await constructor.definition(ctx.session, ctx.tenant_id, definition_id)
    return await _run(ctx, d.definition, format, d.title)


@router.delete("/report-definitions/{definition_id}", status_code=204, summary="Удалить отчёт")
async def delete(ctx: Management, definition_id: uuid.UUID) -> Response:
    await constructor.delete(ctx.session, ctx.principal, definition_id)
    return Response(status_code=204)

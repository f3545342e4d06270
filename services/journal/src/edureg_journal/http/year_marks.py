"""The year's marks of a group in a subject: year, exam, final, coursework and the
qualification exam, with the year and final marks the system suggests."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel

from edureg_journal.services import periods, year_marks
from edureg_journal.services.year_marks import SetYearMarks
from edureg_shared.http import Context, unit_of_work

router = APIRouter(prefix="/api/v1", tags=["year, exam and final marks"])
Read = Annotated[Context, unit_of_work(None, any_of=("journal.rosters.read", "journal.read.all"))]
Write = Annotated[Context, unit_of_work("journal.marks.write")]


class AcademicYearRead(BaseModel):
    academic_year_id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date


class YearPeriodRead(BaseModel):
    period_id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date


class YearRowRead(BaseModel):
    student_id: uuid.UUID
    display_name: str
    # The marks of the year's periods, in the order of `periods` (null: not set).
    periods: list[str | None]
    suggested_year: str | None
    suggested_final: str | None
    marks: dict[str, str]


class YearSheetRead(BaseModel):
    academic_year: AcademicYearRead
    periods: list[YearPeriodRead]
    rows: list[YearRowRead]


def _year(y: object) -> AcademicYearRead:
    return AcademicYearRead.model_validate(y, from_attributes=True)


def _sheet(s: year_marks.YearSheet) -> YearSheetRead:
    return YearSheetRead(
        academic_year=_year(s.year),
        periods=[
            YearPeriodRead(
                period_id=p.period_id,
                title=periods.named(p.kind, p.number),
                starts_on=p.starts_on,
                ends_on=p.ends_on,
            )
            for p in s.periods
        ],
        rows=[
            YearRowRead(
                student_id=r.student_id,
                display_name=r.display_name,
                periods=r.periods,
                suggested_year=r.suggested_year,
                suggested_final=r.suggested_final,
                marks=r.marks,
            )
            for r in s.rows
        ],
    )


@router.get(
    "/year-marks",
    response_model=YearSheetRead,
    summary="Ведомость года: оценки за периоды, предлагаемые годовая и итоговая, выставленные",
)
async def year_sheet(
    ctx: Read, group_id: uuid.UUID, subject_id: uuid.UUID, academic_year_id: uuid.UUID
) -> YearSheetRead:
    return _sheet(
        await year_marks.sheet(
            session=ctx.session,
            principal=ctx.principal,
            group_id=group_id,
            subject_id=subject_id,
            academic_year_id=academic_year_id,
        )
    )


@router.put(
    "/year-marks",
    response_model=YearSheetRead,
    summary="Выставить годовые, экзаменационные, итоговые оценки (и курсовые, квалификационные)",
    description="Всё или ничего; меняются только отличающиеся оценки, каждая с историей.",
)
async def set_year_marks(cmd: SetYearMarks, ctx: Write) -> YearSheetRead:
    return _sheet(await year_marks.set_marks(session=ctx.session, principal=ctx.principal, cmd=cmd))

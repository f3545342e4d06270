"""Lists are paged, date ranges bounded: one helper for every service.

A list endpoint takes `limit` (1…`MAX_LIMIT`, default `DEFAULT_LIMIT`) and `offset`, and
answers a `Page`: the items, the total, and the offset of the next page (null on the
last). A query over dates takes a range no longer than its endpoint's documented maximum
(`check_range`); longer is a 422 naming the fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_shared.errors import InvalidState

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Deep offsets cost a scan each: past this, narrow the query instead.
MAX_OFFSET = 100_000


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int


def _page_request(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Размер страницы (не больше {MAX_LIMIT})")
    ] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="Сколько записей пропустить")
    ] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)


PageDep = Annotated[PageRequest, Depends(_page_request)]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None

    @classmethod
    def of(cls, items: Sequence[T], total: int, req: PageRequest) -> Page[T]:
        following = req.offset + len(items)
        return cls(
            items=list(items),
            total=total,
            limit=req.limit,
            offset=req.offset,
            next_offset=following if following < total else None,
        )


def page_slice(rows: Sequence[T], req: PageRequest) -> tuple[list[T], int]:
    """For lists that are short by nature (a guardian's children, the catalogue of
    reasons): the page cut from the whole list, and its length."""
    return list(rows[req.offset : req.offset + req.limit]), len(rows)


def check_range(
    start: date, end: date, *, max_days: int, start_field: str = "start", end_field: str = "end"
) -> None:
    if end < start:
        raise InvalidState(
            "Дата окончания периода раньше даты начала",
            errors=[{"field": end_field, "message": "Раньше даты начала"}],
        )
    if (end - start).days > max_days:
        raise InvalidState(
            f"Период длиннее {max_days} дней: разбейте запрос на части",
            errors=[
                {"field": start_field, "message": f"Период не длиннее {max_days} дней"},
                {"field": end_field, "message": f"Период не длиннее {max_days} дней"},
            ],
        )


async def paginate(
    session: AsyncSession, stmt: Select[Any], req: PageRequest
) -> tuple[list[Any], int]:
    """One page of an ordered SELECT of ORM rows, and how many rows the whole query has."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = await session.scalars(stmt.limit(req.limit).offset(req.offset))
    return list(rows.all()), int(total or 0)


async def paginate_rows(
    session: AsyncSession, stmt: Select[Any], req: PageRequest
) -> tuple[list[Any], int]:
    """`paginate` for a SELECT of several columns: the page's rows as tuples."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = await session.execute(stmt.limit(req.limit).offset(req.offset))
    return [tuple(r) for r in rows.all()], int(total or 0)

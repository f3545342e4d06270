"""The region's production calendar as identity counts working days with it (the
federal decrees and the Labour Code, with the region's corrections schedule announces)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.contracts.events import CALENDAR_CHANGED
from edureg_identity.persistence.tables import CalendarDay
from edureg_shared.events.envelope import Envelope
from edureg_shared.workdays import ProductionCalendar


async def production_calendar(session: AsyncSession) -> ProductionCalendar:
    rows = await session.execute(select(CalendarDay.day, CalendarDay.working))
    return ProductionCalendar(dict(rows.all()))


async def on_calendar_changed(*, session: AsyncSession, events: list[Envelope]) -> None:
    for e in events:
        d = CALENDAR_CHANGED.parse(e.data)
        if d.working is None:
            await session.execute(delete(CalendarDay).where(CalendarDay.day == d.day))
            continue
        stmt = insert(CalendarDay).values(day=d.day, working=d.working)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[CalendarDay.day], set_={"working": stmt.excluded.working}
            )
        )

"""Composition root: settings → runtime (subscribers, the period watcher) → app."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from edureg_schedule.config import Settings
from edureg_schedule.http.routes import routers
from edureg_schedule.manifest import MANIFEST
from edureg_schedule.messaging.subscribers import register
from edureg_schedule.persistence.tables import Base
from edureg_schedule.services.calendar import watch_period_ends
from edureg_shared.service import Runtime, build_runtime, create_app


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings, MANIFEST)
    register(runtime)

    async def start_watch(rt: Runtime) -> None:
        rt.background.append(
            asyncio.create_task(
                watch_period_ends(rt.db, settings.period_watch_interval_s), name="period-watch"
            )
        )

    runtime.on_start.append(start_watch)
    return create_app(
        runtime,
        title="edureg: учебный год и расписание",
        description=(
            "Учебные годы и периоды, каникулы, производственный календарь, кабинеты, "
            "предметы и учебные планы, нагрузка и подгруппы, звонки, расписание с "
            "проверкой накладок, занятия по датам и замены, сессии, календари iCalendar."
        ),
        routers=routers,
        tables=Base.metadata,
    )

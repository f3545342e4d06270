"""An organisation's journal settings: its work types and their weights, the thresholds of
the suggested period mark, and the two rules the regulations settle differently — whether
the management corrects any journal, whether a class teacher sets the period marks of
every subject of their class (001 8.5). Until the organisation sets its own, the
defaults of the domain apply."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.domain import marks as rules
from edureg_journal.persistence.tables import JournalSettings, Mark, WorkType
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.errors import Conflict, InvalidState
from edureg_shared.events.envelope import Actor

WRITE = "journal.settings.write"
# Correcting any lesson's journal: only where the organisation's settings allow it.
EDIT_ANY = "journal.marks.write.any"

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


@dataclass(frozen=True)
class WorkTypeRule:
    code: str
    title: str
    weight: int
    active: bool


@dataclass(frozen=True)
class OrgSettings:
    work_types: tuple[WorkTypeRule, ...]
    thresholds: tuple[float, float, float]
    management_edits: bool
    curator_sets_period_marks: bool
    customised: bool
    # Raised by every save: a save of what was read before another's is refused.
    version: int = 0

    def weight(self, code: str) -> int:
        return next((w.weight for w in self.work_types if w.code == code), 1)

    def title(self, code: str) -> str:
        return next((w.title for w in self.work_types if w.code == code), code)

    def active(self) -> set[str]:
        return {w.code for w in self.work_types if w.active}


DEFAULTS = OrgSettings(
    work_types=tuple(
        WorkTypeRule(code, title, weight, True)
        for code, (title, weight) in rules.DEFAULT_WORK_TYPES.items()
    ),
    thresholds=rules.DEFAULT_THRESHOLDS,
    management_edits=False,
    curator_sets_period_marks=False,
    customised=False,
)


async def share_lock(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Held by a grid save: the settings do not change under it."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock_shared(hashtext('journal.settings:' || :t))"),
        {"t": str(tenant_id)},
    )


async def current(session: AsyncSession, tenant_id: uuid.UUID) -> OrgSettings:
    row = await session.get(JournalSettings, tenant_id)
    types = (
        await session.scalars(
            select(WorkType)
            .where(WorkType.tenant_id == tenant_id)
            .order_by(WorkType.position, WorkType.code)
        )
    ).all()
    if row is None and not types:
        return DEFAULTS
    return OrgSettings(
        work_types=tuple(WorkTypeRule(t.code, t.title, t.weight, t.active) for t in types)
        or DEFAULTS.work_types,
        thresholds=(row.threshold_five, row.threshold_four, row.threshold_three)
        if row
        else DEFAULTS.thresholds,
        management_edits=row.management_edits if row else False,
        curator_sets_period_marks=row.curator_sets_period_marks if row else False,
        customised=True,
        version=row.version if row else 0,
    )


class WorkTypeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(min_length=1, max_length=30)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    weight: Annotated[int, Field(ge=1, le=10)]
    active: bool = True


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    five: Annotated[float, Field(ge=1, le=5)]
    four: Annotated[float, Field(ge=1, le=5)]
    three: Annotated[float, Field(ge=1, le=5)]

    @field_validator("five", "four", "three")
    @classmethod
    def _hundredths(cls, v: float) -> float:
        # Kept to hundredths: checked as they are stored (3.751 and 3.749 are both 3.75).
        return round(v, 2)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    work_types: Annotated[list[WorkTypeIn], Field(min_length=1, max_length=30)]
    thresholds: Thresholds
    management_edits: bool = False
    curator_sets_period_marks: bool = False
    # The version read (409 if someone saved since); None: whatever is there.
    version: int | None = None


def check(cmd: SettingsIn, used: set[str]) -> None:
    """Codes of Latin letters, each once; titles unique; at least one type in use; a type
    that has marks is never dropped (made inactive instead); thresholds falling."""
    errors: list[dict[str, str]] = []
    codes: set[str] = set()
    titles: set[str] = set()
    for i, w in enumerate(cmd.work_types):
        if not _CODE.match(w.code):
            errors.append(
                {
                    "field": f"work_types.{i}.code",
                    "message": "Код — латинские строчные буквы, цифры и _",
                }
            )
        if w.code in codes:
            errors.append({"field": f"work_types.{i}.code", "message": "Такой код уже есть"})
        if w.title.strip().casefold() in titles:
            errors.append({"field": f"work_types.{i}.title", "message": "Такое название уже есть"})
        codes.add(w.code)
        titles.add(w.title.strip().casefold())
    if not any(w.active for w in cmd.work_types):
        errors.append({"field": "work_types", "message": "Нужен хотя бы один вид работы"})
    for code in sorted(used - codes):
        errors.append(
            {
                "field": "work_types",
                "message": f"Вид работы «{code}» уже есть в оценках: его можно отключить, но не удалить",
            }
        )
    t = cmd.thresholds
    if not t.five > t.four > t.three:
        errors.append(
            {
                "field": "thresholds",
                "message": "Пороги должны убывать: для «5» больше, чем для «4», для «4» — чем для «3»",
            }
        )
    if errors:
        raise InvalidState(
            "Настройки журнала не сохранены: исправьте отмеченные поля", errors=errors
        )


async def put(*, session: AsyncSession, principal: Principal, cmd: SettingsIn) -> OrgSettings:
    """The whole settings at once (the form shows them whole); who and when recorded."""
    tenant_id = principal.tenant_id
    # One writer of the settings at a time, and never while a grid is being saved (grids
    # take the same lock shared): a type is not dropped while marks of it are written.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('journal.settings:' || :t))"),
        {"t": str(tenant_id)},
    )
    used = set(
        (
            await session.scalars(
                select(Mark.work_type).where(Mark.tenant_id == tenant_id).distinct()
            )
        ).all()
    )
    check(cmd, used)
    before = await current(session, tenant_id)
    if cmd.version is not None and cmd.version != before.version:
        raise Conflict(
            "Настройки журнала уже изменил другой пользователь: обновите страницу, "
            "ваши изменения не сохранены"
        )
    existing = {
        t.code: t
        for t in (
            await session.scalars(
                select(WorkType).where(WorkType.tenant_id == tenant_id).with_for_update()
            )
        ).all()
    }
    wanted = {w.code for w in cmd.work_types}
    for code, row in existing.items():
        if code not in wanted:
            await session.delete(row)
    for i, w in enumerate(cmd.work_types):
        row = existing.get(w.code)
        if row is None:
            session.add(
                WorkType(
                    tenant_id=tenant_id,
                    code=w.code,
                    title=w.title,
                    weight=w.weight,
                    active=w.active,
                    position=i,
                )
            )
        else:
            row.title, row.weight, row.active, row.position = w.title, w.weight, w.active, i
    row = await session.get(JournalSettings, tenant_id, with_for_update=True)
    values = {
        "threshold_five": cmd.thresholds.five,
        "threshold_four": cmd.thresholds.four,
        "threshold_three": cmd.thresholds.three,
        "management_edits": cmd.management_edits,
        "curator_sets_period_marks": cmd.curator_sets_period_marks,
        "updated_by": principal.user_id,
        "updated_at": datetime.now(UTC),
        "version": before.version + 1,
    }
    if row is None:
        session.add(JournalSettings(tenant_id=tenant_id, **values))
    else:
        for k, v in values.items():
            setattr(row, k, v)
    await session.flush()
    after = await current(session, tenant_id)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="update",
        entity="journal_settings",
        entity_id=tenant_id,
        details={
            "before": _summary(before),
            "after": _summary(after),
        },
    )
    return after


def _summary(s: OrgSettings) -> dict[str, object]:
    return {
        "work_types": {w.code: [w.weight, w.active] for w in s.work_types},
        "thresholds": list(s.thresholds),
        "management_edits": s.management_edits,
        "curator_sets_period_marks": s.curator_sets_period_marks,
    }

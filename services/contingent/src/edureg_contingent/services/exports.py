"""Exports: the movement book for a period (one line per student of each order), and
the contingent register in the fields a federal contingent register asks for (the
mapping: docs/contingent-register.md). Both are CSV for Excel (UTF-8 with a BOM, `;`),
every cell a spreadsheet would run as a formula written as text, every export audited
(they carry personal data)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.persistence import repository as repo
from edureg_shared import audit
from edureg_shared.events.envelope import Actor

KIND_TITLES = {
    "enrolment": "о зачислении",
    "expulsion": "об отчислении",
    "transfer": "о переводе в другую группу",
    "promotion": "о переводе на следующий курс (в следующий класс)",
    "retention": "об оставлении на повторное обучение",
    "graduation": "о выпуске",
    "academic_leave": "о предоставлении академического отпуска",
    "leave_return": "о выходе из академического отпуска",
    "reinstatement": "о восстановлении",
    "cancellation": "об отмене приказа",
    "hiring": "о приёме на работу",
    "dismissal": "об увольнении",
}
STATUS_TITLES = {"draft": "проект", "signed": "подписан"}
FORM_CODES = {"full_time": "1", "part_time": "2", "extramural": "3"}
FUNDING_CODES = {"federal": "1", "regional": "2", "municipal": "3", "contract": "4"}
STUDENT_STATES = {"active": "обучается", "on_leave": "академический отпуск"}


def _safe(value: Any) -> str:
    text = (
        ""
        if value is None
        else value.strftime("%d.%m.%Y")
        if isinstance(value, date)
        else str(value)
    )
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for r in rows:
        writer.writerow([_safe(v) for v in r])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


async def movement_book(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    kind: str | None,
    group_id: uuid.UUID | None,
    date_from: date | None,
    date_to: date | None,
) -> bytes:
    rows = await repo.book_lines(session, tenant_id, kind, group_id, date_from, date_to)
    names = await repo.group_names(session, tenant_id)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="export",
        entity="movement_book",
        entity_id=tenant_id,
        details={"lines": len(rows)},
    )
    return csv_bytes(
        [
            "№ приказа",
            "Дата приказа",
            "Вид",
            "Вступает в силу",
            "ФИО",
            "Из группы",
            "Группа",
            "Состояние",
            "Внесён",
            "Подписан",
        ],
        (
            [
                o.number,
                o.order_date,
                KIND_TITLES.get(o.kind, o.kind),
                o.effective_date,
                " ".join(p for p in (s.surname, s.name, s.patronymic) if p),
                names.get(i.from_group_id, "") if i.from_group_id else "",
                names.get(i.group_id, ""),
                STATUS_TITLES.get(o.status, o.status)
                + (", отменён" if o.cancelled_by_order_id else ""),
                o.created_at.date(),
                o.signed_at.date() if o.signed_at else "",
            ]
            for o, i, s in rows
        ),
    )


REGISTER_HEADER = [
    "СНИЛС",
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Пол",
    "Гражданство (ОКСМ)",
    "Вид документа",
    "Серия документа",
    "Номер документа",
    "Дата выдачи документа",
    "ОГРН организации",
    "ИНН организации",
    "КПП организации",
    "Код специальности (ОКСО)",
    "Форма обучения",
    "Источник финансирования",
    "Курс (класс)",
    "Группа",
    "Дата зачисления",
    "Номер приказа о зачислении",
    "Статус",
]


async def contingent_register(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor
) -> bytes:
    """Everyone studying now, one line each, in the register's fields."""
    profile = await repo.get_profile(session, tenant_id)
    rows = await repo.register_lines(session, tenant_id)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="export",
        entity="contingent_register",
        entity_id=tenant_id,
        details={"students": len(rows)},
    )

    def document(s: Any) -> list[Any]:
        if s.passport_series:
            return ["паспорт", s.passport_series, s.passport_number, s.passport_issued_on]
        if s.birth_certificate_number:
            return [
                "свидетельство о рождении",
                s.birth_certificate_series,
                s.birth_certificate_number,
                s.birth_certificate_issued_on,
            ]
        return ["", "", "", ""]

    return csv_bytes(
        REGISTER_HEADER,
        (
            [
                s.snils,
                s.surname,
                s.name,
                s.patronymic,
                s.birth_date,
                "1" if s.sex == "m" else "2",
                s.citizenship,
                *document(s),
                profile.ogrn if profile else "",
                profile.inn if profile else "",
                profile.kpp if profile else "",
                code or "",
                FORM_CODES.get(g.study_form or "", ""),
                FUNDING_CODES.get(g.funding or "", ""),
                g.grade,
                g.name,
                enrolled_on or "",
                enrolment_number or "",
                STUDENT_STATES.get(s.status, s.status),
            ]
            for s, g, code, enrolled_on, enrolment_number in rows
        ),
    )


async def group_names(*, session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    return await repo.group_names(session, tenant_id)


async def first_guardians(
    *, session: AsyncSession, tenant_id: uuid.UUID, student_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[Any, str]]:
    """Each student's first guardian (as the import's columns hold one)."""
    found = await repo.guardians_of(session, tenant_id, student_ids) if student_ids else {}
    return {sid: rows[0] for sid, rows in found.items() if rows}


async def staff_cards(*, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor) -> bytes:
    cards = await repo.all_employees(session, tenant_id)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="export",
        entity="staff",
        entity_id=tenant_id,
        details={"cards": len(cards)},
    )
    return csv_bytes(
        [
            "Фамилия",
            "Имя",
            "Отчество",
            "Дата рождения",
            "Должность",
            "Образование",
            "Квалификационная категория",
            "Телефон",
            "Электронная почта",
        ],
        (
            [
                e.surname,
                e.name,
                e.patronymic,
                e.birth_date,
                e.job_title,
                e.education,
                e.qualification,
                e.phone,
                e.email,
            ]
            for e in cards
        ),
    )

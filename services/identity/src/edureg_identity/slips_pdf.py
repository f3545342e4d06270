"""Credential slips as a printable PDF: A4, three slips a page with cut lines, Cyrillic in
an embedded font (DejaVu, its licence beside it), the one-time password in a monospace
face. Rendering only: who gets a slip and the passwords themselves come from
services/slips.py. The PDF is built in memory and never stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from edureg_shared import fonts

SLIPS_PER_PAGE = 3
KINDS = {
    "student": "обучающийся",
    "guardian": "родитель (законный представитель)",
    "staff": "сотрудник",
}


@dataclass(frozen=True)
class Slip:
    full_name: str
    kind: str
    login: str
    password: str
    # For a guardian: the child (or children) in this group, so the slip finds its family.
    note: str = ""


@dataclass(frozen=True)
class Batch:
    organisation: str
    title: str  # e.g. "Группа 5А" or "Сотрудники"
    portal_url: str
    issued_by: str
    issued_at: datetime
    slips: list[Slip]


def render(batch: Batch) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(15, 12, 15)
    pdf.add_font("DejaVu", "", str(fonts.REGULAR))
    pdf.add_font("DejaVu", "B", str(fonts.BOLD))
    pdf.add_font("DejaVuMono", "", str(fonts.MONO))
    pdf.set_title(f"Памятки для входа: {batch.title}")
    pdf.set_author(batch.organisation)
    pdf.set_creator("edureg")
    pdf.set_creation_date(batch.issued_at)
    height = (297 - 24) / SLIPS_PER_PAGE
    for i, slip in enumerate(batch.slips):
        if i % SLIPS_PER_PAGE == 0:
            pdf.add_page()
        top = 12 + (i % SLIPS_PER_PAGE) * height
        _slip(pdf, batch, slip, top, height)
    if not batch.slips:
        pdf.add_page()
        pdf.set_font("DejaVu", "", 12)
        pdf.multi_cell(0, 7, f"{batch.title}: все учётные записи уже активированы.")
    return bytes(pdf.output())


def _slip(pdf: FPDF, batch: Batch, slip: Slip, top: float, height: float) -> None:
    left, width = 15.0, 180.0
    if top > 12:  # a dashed cut line between slips
        pdf.set_draw_color(150, 150, 150)
        pdf.set_dash_pattern(dash=2, gap=2)
        pdf.line(5, top - 1, 205, top - 1)
        pdf.set_dash_pattern()
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(left, top + 3)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(width, 5, f"{batch.organisation} · {batch.title}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(
        width, 8, "Памятка для входа в электронный дневник", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(width, 7, slip.full_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    role = KINDS.get(slip.kind, slip.kind)
    pdf.cell(
        width,
        6,
        f"{role}{' · ' + slip.note if slip.note else ''}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(2)
    for label, value in (
        ("Адрес:", batch.portal_url),
        ("Логин:", slip.login),
        ("Пароль:", slip.password),
    ):
        pdf.set_x(left)
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(28, 8, label)
        pdf.set_font("DejaVuMono", "", 14 if label != "Адрес:" else 11)
        pdf.cell(width - 28, 8, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_x(left)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        width,
        4.5,
        "Пароль одноразовый: при первом входе система попросит придумать свой (не короче "
        "8 символов). Никому не сообщайте пароль и не передавайте памятку. Если пароль "
        "потерян, новую памятку выдаст "
        + (
            "администратор организации."
            if slip.kind == "staff"
            else "классный руководитель (куратор)."
        ),
    )
    pdf.set_x(left)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(
        width,
        5,
        f"Выдал(а): {batch.issued_by} · {batch.issued_at:%d.%m.%Y %H:%M} UTC",
    )

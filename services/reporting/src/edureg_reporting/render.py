"""A report's table as a file: XLSX (numbers stay numbers) and a printable PDF (A4
landscape, Cyrillic in the embedded DejaVu font, the heading repeated on every page).
Rendering only: what a report holds is built in services/ and domain/."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from edureg_shared import fonts

Value = str | int | float | None

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


@dataclass
class Table:
    title: str
    subtitle: list[str]
    columns: list[str]
    rows: list[list[Value]]
    footer: list[list[Value]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Relative widths of the columns (the PDF), e.g. a wide name column.
    widths: list[float] = field(default_factory=list)
    sheet: str = "Отчёт"


def stamp() -> str:
    """When a report was made, as its heading says it: 02.12.2026 17:25 UTC."""
    return f"{datetime.now(UTC).strftime('%d.%m.%Y %H:%M')} UTC"


def number(value: float | None, digits: int = 2) -> str:
    """A figure as a Russian reader writes it: a decimal comma; a dash for none."""
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",")


def _text(value: Value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return number(value)
    return str(value)


def xlsx(*tables: Table) -> bytes:
    """One sheet per table (a sheet's name: the table's, made unique)."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    used: set[str] = set()
    for table in tables:
        base = re.sub(r"[\[\]:*?/\\]", " ", table.sheet).strip() or "Отчёт"
        name, n = base[:31], 1
        while name in used:
            n += 1
            name = f"{base[: 31 - len(str(n)) - 1]} {n}"
        used.add(name)
        _sheet(wb.create_sheet(name), table)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet(ws: Any, table: Table) -> None:
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=13)
    for line in table.subtitle:
        ws.append([line])
    ws.append([])
    head = ws.max_row + 1
    ws.append(table.columns)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in ws[head]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = border
    for row in table.rows:
        ws.append(list(row))
    for row in table.footer:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    for r in ws.iter_rows(min_row=head + 1, max_row=ws.max_row):
        for cell in r:
            cell.border = border
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
    for r in ws.iter_rows():
        for cell in r:
            # A name from an event that looks like a formula stays text (no formula runs
            # when the file is opened).
            if isinstance(cell.value, str) and cell.value[:1] in FORMULA_STARTS:
                cell.data_type = "s"
    if table.notes:
        ws.append([])
        for line in table.notes:
            ws.append([line])
    ws.freeze_panes = ws.cell(row=head + 1, column=3 if len(table.columns) > 2 else 1)
    ws.row_dimensions[head].height = 45
    for i, title in enumerate(table.columns, start=1):
        longest = max([len(_text(r[i - 1])) for r in table.rows if len(r) >= i] + [0])
        width = max(longest + 2, 6 if i > 2 else 5, min(len(title), 14))
        ws.column_dimensions[get_column_letter(i)].width = min(width, 40)


def pdf(*tables: Table, created: datetime) -> bytes:
    """Each table from a new page."""
    doc = FPDF(orientation="L", unit="mm", format="A4")
    doc.set_margins(10, 10, 10)
    doc.set_auto_page_break(auto=True, margin=12)
    doc.add_font("DejaVu", "", str(fonts.REGULAR))
    doc.add_font("DejaVu", "B", str(fonts.BOLD))
    doc.set_title(tables[0].title if len(tables) == 1 else "Отчёт edureg")
    doc.set_creator("edureg")
    doc.set_creation_date(created)
    for table in tables:
        _page(doc, table)
    return bytes(doc.output())


def _page(doc: FPDF, table: Table) -> None:
    doc.add_page()
    doc.set_font("DejaVu", "B", 13)
    doc.multi_cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 9)
    for line in table.subtitle:
        doc.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    many = len(table.columns) > 12
    doc.set_font("DejaVu", "", 6.5 if many else 8)
    widths = table.widths or [1.0] * len(table.columns)
    with doc.table(
        col_widths=tuple(widths),
        # The name column reads from the left; figures are centred.
        text_align=tuple("LEFT" if i == 1 else "CENTER" for i in range(len(table.columns))),
        line_height=3.4 if many else 4.2,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        repeat_headings=1,
    ) as grid:
        grid.row(list(table.columns))
        for row in table.rows:
            grid.row([_text(v) for v in row])
        for row in table.footer:
            grid.row([_text(v) for v in row], style=FontFace(emphasis="BOLD"))
    if table.notes:
        doc.ln(3)
        doc.set_font("DejaVu", "", 8)
        for line in table.notes:
            doc.multi_cell(0, 4.2, line, new_x="LMARGIN", new_y="NEXT")

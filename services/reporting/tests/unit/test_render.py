"""The files: a name that looks like a formula stays text; an attachment's name cannot
break the header."""

from __future__ import annotations

import io

import openpyxl

from edureg_reporting import render
from edureg_shared.downloads import disposition


def test_a_formula_from_an_event_stays_text() -> None:
    table = render.Table(
        title="T",
        subtitle=[],
        columns=["№", "=SUM(1)"],
        rows=[[1, '=HYPERLINK("http://evil","x")'], [2, "+7 999"], [3, 4.5]],
    )
    ws = openpyxl.load_workbook(io.BytesIO(render.xlsx(table))).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert next(c for c in cells if c.value == 4.5).data_type == "n"


def test_sheet_names_are_unique_and_valid() -> None:
    tables = [
        render.Table(title="T", subtitle=[], columns=["a"], rows=[], sheet=name)
        for name in ("5/А", "5/А", "x" * 40)
    ]
    book = openpyxl.load_workbook(io.BytesIO(render.xlsx(*tables)))
    assert book.sheetnames == ["5 А", "5 А 2", "x" * 31]


def test_the_attachment_name_has_no_control_characters_or_quotes() -> None:
    header = disposition('Ведомость "5А"\r\nSet-Cookie: x.xlsx')
    assert "\r" not in header
    assert "\n" not in header
    plain = header.split("filename=", 1)[1].split(";", 1)[0]
    assert plain.count('"') == 2  # only its own quotes

"""The regulations' named reports of a group, a student, a teacher and the organisation,
from the same events as the summary sheets (test_group_sheets.World): their figures, the
files, and who may not open them."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import openpyxl
import pypdfium2

from edureg_devstack.testing.plugin import assert_problem
from edureg_devstack.testing.tokens import TestIssuer

from .test_group_sheets import RANGE, World, _settled, deputy, world

__all__ = ["world"]


def _rows(report: dict[str, Any], table: int = 0) -> dict[str, list[Any]]:
    """A table's rows by their second cell (a name)."""
    return {row[1]: row for row in report["tables"][table]["rows"]}


async def _get(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: str
) -> dict[str, Any]:
    r = await client.get(url, params=params or RANGE, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _pdf_text(content: bytes) -> tuple[int, str]:
    assert content.startswith(b"%PDF")
    doc = pypdfium2.PdfDocument(content)
    try:
        assert doc[0].render(scale=1).to_pil().size[0] > 0
        text = " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        return len(doc), text.replace("\r", " ").replace("\n", " ")
    finally:
        doc.close()


async def test_a_groups_named_reports(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    headers = deputy(issuer, w)
    await _settled(client, headers, w)
    base = f"/api/v1/groups/{w.group}/reports"

    attendance = await _get(client, f"{base}/attendance", headers)
    assert attendance["title"] == "Отчёт о посещаемости группы"
    vera = _rows(attendance)["Вяземская Вера"]
    # held, missed, ill, excused, without reason, late, attended
    assert vera[2:] == [3, 3, 1, 1, 1, 0, "0,0 %"]
    assert _rows(attendance)["Борисов Борис"][2:] == [3, 0, 0, 0, 0, 1, "100,0 %"]

    curator = await _get(client, f"{base}/curator", headers)
    rows = _rows(curator)
    assert rows["Вяземская Вера"][3:] == ["неуспевающий", "Математика", 3, 1, 0]
    assert rows["Борисов Борис"][2] == 3.25
    assert rows["Алексеева Анна"][2:4] == [4.5, "хорошист"]
    assert rows["Алексеева Анна"][4] is None
    assert curator["tables"][0]["footer"][0][3] == "66,7 % / 33,3 %"

    # Every two weeks by default: the last fourteen days up to today.
    preliminary = await client.get(f"{base}/curator_preliminary", headers=headers)
    assert preliminary.status_code == 200, preliminary.text
    today = datetime.now(UTC).date()
    assert preliminary.json()["start"] == (today - timedelta(days=13)).isoformat()
    assert preliminary.json()["end"] == today.isoformat()

    results = await _get(client, f"{base}/group_results", headers)
    maths = _rows(results)["Математика"]
    # counted, 5, 4, 3, 2, pass, fail, success, quality, average
    assert maths[2:] == [3, 1, 0, 1, 1, 0, 0, "66,7 %", "33,3 %", 3.42]

    letters = await _get(client, f"{base}/parent_letter", headers)
    assert len(letters["tables"]) == 3
    borisov = next(t for t in letters["tables"] if "Обучающийся: Борисов Борис" in t["subtitle"])
    assert {row[1]: row[2] for row in borisov["rows"]} == {"Математика": "4 3"}
    pdf = await client.get(
        f"{base}/parent_letter", params={**RANGE, "format": "pdf"}, headers=headers
    )
    assert pdf.status_code == 200, pdf.text
    pages, text = _pdf_text(pdf.content)
    assert pages == 3  # a letter a page
    assert "Информационное письмо родителям" in text
    assert "Вяземская Вера" in text

    xlsx = await client.get(f"{base}/curator", params={**RANGE, "format": "xlsx"}, headers=headers)
    assert xlsx.status_code == 200, xlsx.text
    values = [
        list(r)
        for r in openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
    ]
    assert "Отчёт куратора за период" in [r[0] for r in values]
    assert 3.25 in next(r for r in values if "Борисов Борис" in r)  # a number, not text


async def test_a_students_named_reports(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    headers = deputy(issuer, w)
    await _settled(client, headers, w)
    borisov = f"/api/v1/students/{w.students['Борисов Борис']}/reports"
    vera = f"/api/v1/students/{w.students['Вяземская Вера']}/reports"

    average = await _get(client, f"{borisov}/average", headers)
    assert _rows(average)["Математика"][2:] == [2, 3.25, "3"]

    dynamics = await _get(client, f"{borisov}/dynamics", headers)
    assert dynamics["tables"][0]["columns"][2:] == ["сен 2026", "окт 2026", "За период"]
    assert _rows(dynamics)["Математика"][2:] == [3.25, None, 3.25]

    progress = await _get(client, f"{vera}/progress", headers)
    rows = _rows(progress)
    # marks, average, result, missed, of them with a reason, late
    assert rows["Математика"][2:] == ["2", 2.0, "2", 2, 1, 0]
    assert rows["Русский язык"][2:] == [None, None, None, 1, 1, 0]

    quality = await _get(
        client, f"/api/v1/students/{w.students['Алексеева Анна']}/reports/quality", headers
    )
    assert _rows(quality)["Математика"][2:7] == [2, 0, 0, 0, "100,0 %"]
    assert quality["tables"][0]["footer"][0][-1] == "хорошист"  # a 4 in Russian

    pdf = await client.get(
        f"{borisov}/dynamics", params={**RANGE, "format": "pdf"}, headers=headers
    )
    _, text = _pdf_text(pdf.content)
    assert "Динамика среднего балла" in text
    assert "Борисов Борис" in text


async def test_a_teachers_named_reports(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    await _settled(client, deputy(issuer, w), w)
    teacher = issuer.headers(tenant_id=w.tenant, user_id=w.teacher)

    subject = await _get(client, "/api/v1/teachers/me/reports/subject", teacher)
    (row,) = subject["tables"][0]["rows"]
    # group, subject, students, lessons given, marks, average, success, quality
    assert row[1:9] == ["7Б", "Математика", 3, 2, 5, 3.42, "66,7 %", "33,3 %"]

    hours = await _get(client, "/api/v1/teachers/me/reports/hours", teacher)
    (row,) = hours["tables"][0]["rows"]
    # planned 5 for the quarter, 3 hours given (one lesson a double), none still
    # scheduled, none cancelled, 2 to give
    assert row[4:] == [5, 3, 0, 0, 2, "60,0 %"]

    results = await _get(client, "/api/v1/teachers/me/reports/results", teacher)
    assert results["tables"][0]["rows"][0][3:8] == [3, 1, 0, 1, 1]

    # The management opens a teacher's by their id; nobody else does.
    by_id = f"/api/v1/teachers/{w.teacher}/reports/hours"
    assert (await client.get(by_id, params=RANGE, headers=deputy(issuer, w))).status_code == 200
    other_teacher = issuer.headers(tenant_id=w.tenant, user_id=uuid.uuid4())
    assert_problem(await client.get(by_id, params=RANGE, headers=other_teacher), 403)
    # ...and the other teacher's own report holds none of this load.
    theirs = await _get(client, "/api/v1/teachers/me/reports/hours", other_teacher)
    assert theirs["tables"][0]["rows"] == []
    student = issuer.headers(
        tenant_id=w.tenant, user_id=w.students["Борисов Борис"], kind="student"
    )
    assert_problem(
        await client.get("/api/v1/teachers/me/reports/hours", params=RANGE, headers=student), 403
    )
    # A teacher of another organisation does not exist here.
    assert_problem(
        await client.get(
            f"/api/v1/teachers/{uuid.uuid4()}/reports/hours",
            params=RANGE,
            headers=deputy(issuer, w),
        ),
        404,
    )


async def test_the_organisations_named_reports(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    headers = deputy(issuer, w)
    await _settled(client, headers, w)
    base = "/api/v1/organisation/reports"

    summary = await _get(client, f"{base}/curator_summary", headers)
    # curator, students, average, success, quality, excellent, failing, missed, no reason
    assert _rows(summary)["7Б"][2:] == ["назначен", 3, 3.25, "66,7 %", "33,3 %", 0, 1, 3, 1]

    subjects = await _get(client, f"{base}/subject_results", headers)
    assert _rows(subjects)["Математика"][2:7] == [3, 1, 0, 1, 1]

    occupancy = await client.get(f"{base}/occupancy", headers=headers)  # no dates needed
    assert occupancy.status_code == 200, occupancy.text
    assert _rows(occupancy.json())["7Б"][2:] == [7, "2026/2027", 3, 3, 0]

    movement = await _get(client, f"{base}/movement", headers)
    rows = movement["tables"][0]["rows"]
    assert sorted(r[1] for r in rows) == sorted(w.students)
    assert {r[2] for r in rows} == {"зачислен(а)"}
    assert rows[0][5] == "№ 1-к от 30.08.2026"

    form = await _get(client, f"{base}/state_form", headers)
    table = form["tables"][0]
    assert table["rows"] == [[1, 7, 1, 3]]
    assert ["", "Зачислено за период", "", 3] in table["footer"]
    assert any("Вносится в форму вручную" in n for n in table["notes"])

    pdf = await client.get(f"{base}/state_form", params={**RANGE, "format": "pdf"}, headers=headers)
    _, text = _pdf_text(pdf.content)
    assert "ОШ-1" in text


async def test_who_may_not_open_the_named_reports(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    await _settled(client, deputy(issuer, w), w)
    group = f"/api/v1/groups/{w.group}/reports/curator"
    student = f"/api/v1/students/{w.students['Борисов Борис']}/reports/progress"
    organisation = "/api/v1/organisation/reports/curator_summary"

    async def status(url: str, **token: Any) -> int:
        return (await client.get(url, params=RANGE, headers=issuer.headers(**token))).status_code

    # The curator and the group's teacher see the group's and its students' reports...
    for user in (w.curator, w.teacher):
        assert await status(group, tenant_id=w.tenant, user_id=user) == 200
        assert await status(student, tenant_id=w.tenant, user_id=user) == 200
        # ...but not the organisation's.
        assert await status(organisation, tenant_id=w.tenant, user_id=user) == 403
    # Another teacher, a student, a parent of someone else: refused.
    for kind in ("staff", "student", "guardian"):
        assert await status(group, tenant_id=w.tenant, user_id=uuid.uuid4(), kind=kind) == 403
        assert await status(student, tenant_id=w.tenant, user_id=uuid.uuid4(), kind=kind) == 403
    # Another organisation's deputy: neither the group nor the student exists.
    stranger = {"tenant_id": uuid.uuid4(), "permissions": ["reporting.read"]}
    assert await status(group, **stranger) == 404
    assert await status(student, **stranger) == 404


async def test_bad_requests_for_a_named_report(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    headers = deputy(issuer, w)
    await _settled(client, headers, w)
    base = f"/api/v1/groups/{w.group}/reports"
    body = assert_problem(await client.get(f"{base}/nonsense", params=RANGE, headers=headers), 404)
    assert body["detail"] == "Нет такого отчёта"
    # A student's report asked of a group.
    assert_problem(await client.get(f"{base}/average", params=RANGE, headers=headers), 404)
    # No period and no dates; ten years; a period that does not exist.
    assert_problem(await client.get(f"{base}/curator", headers=headers), 422)
    ten_years = {"from": "2016-09-01", "to": "2026-08-31"}
    assert_problem(await client.get(f"{base}/curator", params=ten_years, headers=headers), 422)
    missing = {"period_id": str(uuid.uuid4())}
    body = assert_problem(await client.get(f"{base}/curator", params=missing, headers=headers), 404)
    assert body["detail"] == "Нет такого учебного периода"
    assert_problem(
        await client.get("/api/v1/teachers/not-an-id/reports/hours", params=RANGE, headers=headers),
        404,
    )
    kinds = await client.get("/api/v1/named-reports", headers=headers)
    assert {k["scope"] for k in kinds.json()} == {"group", "student", "teacher", "organisation"}
    assert len(kinds.json()) == 17

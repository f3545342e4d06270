"""A student's report card: for the student, their guardians, the teachers and curator of
their group, and the management — nobody else; on screen and as a file."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
import openpyxl

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer

from .test_group_sheets import World, _settled, deputy, event


async def test_a_report_card_for_the_student_their_guardian_and_teachers_only(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str, world: World
) -> None:
    w = world
    await _settled(client, deputy(issuer, w), w)
    anna = w.students["Алексеева Анна"]
    pupil, mother, year = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for e in (
        event(
            w,
            "identity.accounts.provisioned",
            {
                "student_id": str(anna),
                "accounts": [
                    {"user_id": str(pupil), "person_id": str(anna), "kind": "student"},
                    {"user_id": str(mother), "person_id": str(uuid.uuid4()), "kind": "guardian"},
                ],
            },
        ),
        event(
            w,
            "schedule.academic_year.opened",
            {
                "academic_year_id": str(year),
                "title": "2026/2027",
                "starts_on": "2026-09-01",
                "ends_on": "2027-05-31",
                "periods": [
                    {
                        "period_id": str(w.period),
                        "kind": "quarter",
                        "number": 1,
                        "starts_on": "2026-09-01",
                        "ends_on": "2026-10-26",
                        "scope": "all",
                    }
                ],
            },
        ),
        # Journal keys the year's marks by the academic year.
        event(
            w,
            "journal.period_mark.set",
            {
                "group_id": str(w.group),
                "subject_id": str(w.russian),
                "period_id": str(year),
                "kind": "year",
                "student_id": str(anna),
                "value": "5",
                "previous": None,
            },
        ),
    ):
        await infra.publish(nats_prefix, e, str(e.id))
    url = f"/api/v1/students/{anna}/report-card"
    as_mother = issuer.headers(tenant_id=w.tenant, user_id=mother, kind="guardian")

    async def card() -> dict[str, Any]:
        r = await client.get(url, params={"on": "2026-10-01"}, headers=as_mother)
        return r.json() if r.status_code == 200 else {}

    body = await eventually(
        card,
        until=lambda c: bool(c.get("periods")) and any(x["final"] for x in c["subjects"]),
        message="the mother's view of the card",
    )
    assert body["display_name"] == "Алексеева Анна"
    assert body["academic_year"] == "2026/2027"
    assert [p["title"] for p in body["periods"]] == ["1 четверть"]
    subjects = {s["name"]: s for s in body["subjects"]}
    assert subjects["Русский язык"]["by_period"] == {str(w.period): "5"}
    assert subjects["Русский язык"]["final"] == {"year": "5"}
    assert (subjects["Математика"]["average"], subjects["Математика"]["marks"]) == (5.0, 2)
    mine = await client.get(
        "/api/v1/my/students",
        headers=issuer.headers(tenant_id=w.tenant, user_id=pupil, kind="student"),
    )
    assert [s["display_name"] for s in mine.json()] == ["Алексеева Анна"]

    async def get(student: uuid.UUID, **token: Any) -> httpx.Response:
        return await client.get(
            f"/api/v1/students/{student}/report-card", headers=issuer.headers(**token)
        )

    assert (await get(anna, tenant_id=w.tenant, user_id=pupil, kind="student")).status_code == 200
    assert (await get(anna, tenant_id=w.tenant, user_id=w.teacher)).status_code == 200
    assert (await get(anna, tenant_id=w.tenant, user_id=w.curator)).status_code == 200
    # The mother does not see another child; a classmate does not see Anna; nor does a
    # teacher of another class; another organisation does not find her.
    boris = w.students["Борисов Борис"]
    body = assert_problem(
        await get(boris, tenant_id=w.tenant, user_id=mother, kind="guardian"), 403
    )
    assert "родители" in body["detail"]
    assert_problem(await get(anna, tenant_id=w.tenant, user_id=uuid.uuid4(), kind="student"), 403)
    assert_problem(await get(anna, tenant_id=w.tenant, user_id=uuid.uuid4()), 403)
    assert_problem(await get(anna, tenant_id=uuid.uuid4(), permissions=["reporting.read"]), 404)

    assert_problem(await client.get(url, params={"on": "0001-01-01"}, headers=as_mother), 422)
    x = await client.get(url, params={"format": "xlsx", "on": "2026-10-01"}, headers=as_mother)
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    values = [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "Табель успеваемости" in values
    assert "Обучающийся: Алексеева Анна" in values

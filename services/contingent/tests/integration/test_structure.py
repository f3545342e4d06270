"""The organisation's structure: departments, specialties by their ОКСО codes, groups
with specialty, department, study form and funding, and who curated a group when;
another organisation's department or specialty is not found."""

from __future__ import annotations

import uuid

import httpx

from edureg_devstack.testing.plugin import assert_problem

SPECIALTY = {
    "code": "09.02.07",
    "name": "Информационные системы и программирование",
    "qualification": "Программист",
    "level": "ppssz",
    "study_form": "full_time",
    "duration_months": 46,
}


async def test_a_college_s_structure_and_its_groups(
    client: httpx.AsyncClient, admin_a: dict[str, str], admin_b: dict[str, str]
) -> None:
    r = await client.post("/api/v1/departments", headers=admin_a, json={"name": "Отделение ИТ"})
    assert r.status_code == 201, r.text
    department = r.json()["id"]
    assert_problem(
        await client.post("/api/v1/departments", headers=admin_a, json={"name": "Отделение ИТ"}),
        409,
    )
    for bad, field in (({"code": "09.2.07"}, "code"), ({"level": "ppkrs"}, "body")):
        r = await client.post("/api/v1/specialties", headers=admin_a, json={**SPECIALTY, **bad})
        assert assert_problem(r, 422)["errors"][0]["field"].startswith(field)
    r = await client.post("/api/v1/specialties", headers=admin_a, json=SPECIALTY)
    assert r.status_code == 201, r.text
    specialty = r.json()["id"]
    first, second = uuid.uuid4(), uuid.uuid4()
    r = await client.post(
        "/api/v1/groups",
        headers=admin_a,
        json={
            "name": "ИСП-21",
            "grade": 1,
            "academic_year": "2026/2027",
            "department_id": department,
            "specialty_id": specialty,
            "funding": "regional",
            "curator_user_id": str(first),
        },
    )
    assert r.status_code == 201, r.text
    group = r.json()
    assert (group["study_form"], group["funding"], group["specialty_id"]) == (
        "full_time",  # from the specialty
        "regional",
        specialty,
    )
    await client.put(
        f"/api/v1/groups/{group['id']}/curator",
        headers=admin_a,
        json={"curator_user_id": str(second)},
    )
    history = (await client.get(f"/api/v1/groups/{group['id']}/curators", headers=admin_a)).json()
    assert [(h["curator_user_id"], h["previous_user_id"]) for h in history["items"]] == [
        (str(second), str(first)),
        (str(first), None),
    ]
    # Organisation B cannot use A's department or specialty, nor see A's history.
    r = await client.post(
        "/api/v1/groups",
        headers=admin_b,
        json={"name": "X", "grade": 1, "academic_year": "2026/2027", "specialty_id": specialty},
    )
    assert_problem(r, 404)
    assert_problem(await client.get(f"/api/v1/groups/{group['id']}/curators", headers=admin_b), 404)
    assert (await client.get("/api/v1/specialties", headers=admin_b)).json()["total"] == 0

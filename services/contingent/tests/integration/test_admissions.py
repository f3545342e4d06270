"""Admissions: a campaign, applications checked (dates, average, specialty), the ranking
per competition, one enrolment order for the selected carrying their files — signed,
they are students and the applicants enrolled; another organisation sees none of it."""

from __future__ import annotations

from typing import Any

import httpx

from edureg_devstack.testing.plugin import assert_problem

from .test_structure import SPECIALTY


def _applicant(
    specialty: str, surname: str, average: str, day: int, **extra: Any
) -> dict[str, Any]:
    return {
        "surname": surname,
        "name": "Абитуриент",
        "birth_date": "2011-04-01",
        "sex": "m",
        "education_level": "basic_general",
        "specialty_id": specialty,
        "study_form": "full_time",
        "funding": "budget",
        "applied_on": f"2027-06-{day:02d}",
        "certificate_average": average,
        "guardian_surname": surname,
        "guardian_name": "Мать",
        "guardian_relation": "mother",
        **extra,
    }


async def test_a_campaign_from_applications_to_students(
    client: httpx.AsyncClient, admin_a: dict[str, str], admin_b: dict[str, str]
) -> None:
    specialty = (await client.post("/api/v1/specialties", headers=admin_a, json=SPECIALTY)).json()
    r = await client.post(
        "/api/v1/admissions",
        headers=admin_a,
        json={
            "year": 2027,
            "title": "Приём 2027",
            "starts_on": "2027-06-20",
            "ends_on": "2027-08-15",
        },
    )
    assert r.status_code == 201, r.text
    campaign = r.json()["id"]
    base = f"/api/v1/admissions/{campaign}"
    # Outside the campaign's dates, or an average no certificate has: refused by field.
    r = await client.post(
        f"{base}/applicants", headers=admin_a, json=_applicant(specialty["id"], "Ранний", "4.00", 1)
    )
    assert assert_problem(r, 422)["errors"][0]["field"] == "applied_on"
    r = await client.post(
        f"{base}/applicants",
        headers=admin_a,
        json=_applicant(specialty["id"], "Ошибкин", "5.50", 21),
    )
    assert assert_problem(r, 422)["errors"][0]["field"] == "certificate_average"
    ids = {}
    for surname, average, day in (
        ("Третьев", "4.10", 21),
        ("Первов", "4.90", 25),
        ("Вторев", "4.10", 20),
    ):
        r = await client.post(
            f"{base}/applicants",
            headers=admin_a,
            json=_applicant(specialty["id"], surname, average, day),
        )
        assert r.status_code == 201, r.text
        ids[surname] = r.json()["id"]
    [competition] = (await client.get(f"{base}/ranking", headers=admin_a)).json()
    assert [a["surname"] for a in competition["applicants"]] == ["Первов", "Вторев", "Третьев"]

    group = (
        await client.post(
            "/api/v1/groups",
            headers=admin_a,
            json={
                "name": "ИСП-11",
                "grade": 1,
                "academic_year": "2027/2028",
                "specialty_id": specialty["id"],
            },
        )
    ).json()
    body = {
        "number": "100-к",
        "order_date": "2027-08-20",
        "effective_date": "2027-09-01",
        "group_id": group["id"],
        "applicant_ids": [ids["Первов"], ids["Вторев"]],
    }
    r = await client.post(f"{base}/enrolment", headers=admin_a, json=body)
    assert r.status_code == 201, r.text
    order = r.json()
    assert sorted(i["full_name"].split()[0] for i in order["items"]) == ["Вторев", "Первов"]
    again = await client.post(
        f"{base}/enrolment", headers=admin_a, json={**body, "number": "101-к"}
    )
    assert "уже в приказе" in assert_problem(again, 422)["errors"][0]["message"]
    assert (await client.post(f"/api/v1/orders/{order['id']}/sign", headers=admin_a)).is_success
    ranking = (await client.get(f"{base}/ranking", headers=admin_a)).json()[0]["applicants"]
    assert {a["surname"]: a["status"] for a in ranking} == {
        "Первов": "enrolled",
        "Вторев": "enrolled",
        "Третьев": "applied",
    }
    file = (
        await client.get(f"/api/v1/students/{order['items'][0]['student_id']}", headers=admin_a)
    ).json()
    assert (file["status"], file["group_id"], len(file["guardians"])) == ("active", group["id"], 1)

    # Another organisation: not found.
    assert_problem(await client.get(f"{base}/ranking", headers=admin_b), 404)
    assert (await client.get("/api/v1/admissions", headers=admin_b)).json()["total"] == 0
    assert_problem(
        await client.post(
            f"{base}/applicants",
            headers=admin_b,
            json=_applicant(specialty["id"], "Чужой", "4.00", 21),
        ),
        404,
    )

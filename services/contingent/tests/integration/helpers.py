from __future__ import annotations

from typing import Any

import httpx


def student(surname: str = "Иванов", name: str = "Пётр", **extra: Any) -> dict[str, Any]:
    return {
        "surname": surname,
        "name": name,
        "patronymic": "Сергеевич",
        "birth_date": "2015-03-14",
        "sex": "m",
        "guardians": [
            {"surname": surname, "name": "Сергей", "relation": "father"},
            {"surname": surname + "а", "name": "Анна", "relation": "mother"},
        ],
        **extra,
    }


async def make_group(client: httpx.AsyncClient, headers: dict[str, str], name: str = "5А") -> str:
    r = await client.post(
        "/api/v1/groups",
        headers=headers,
        json={"name": name, "grade": 5, "academic_year": "2026/2027"},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def enrol(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    group_id: str,
    students: list[dict[str, Any]],
    number: str = "1-к",
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/orders/enrolment",
        headers=headers,
        json={
            "number": number,
            "order_date": "2026-09-01",
            "effective_date": "2026-09-01",
            "group_id": group_id,
            "students": students,
        },
    )
    assert r.status_code == 201, r.text
    order = r.json()
    r = await client.post(f"/api/v1/orders/{order['id']}/sign", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())

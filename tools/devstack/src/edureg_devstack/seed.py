"""Seed the demo region through the services themselves (idempotent).

Organisations and staff go through identity's admin CLI (the tenant registry is
identity's); groups and enrolment orders go through contingent's HTTP API as the
organisation's admin, so accounts and rosters appear by the normal event flow.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from edureg_devstack import demo_region


def seed_identity(env: dict[str, str]) -> dict[str, str]:
    spec = {"organisations": demo_region.ORGANISATIONS}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(spec, fh, ensure_ascii=False)
        path = fh.name
    try:
        out = subprocess.run(
            [sys.executable, "-m", "edureg_identity.cli", "seed", "--file", path],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        Path(path).unlink(missing_ok=True)
    return dict(json.loads(out.stdout)["organisations"])


def login(
    identity_url: str, login_: str, password: str, organisation_id: str | None = None
) -> dict[str, str]:
    body = {"login": login_, "password": password}
    if organisation_id:  # a person with accounts in several organisations chooses one
        body["organisation_id"] = organisation_id
    r = httpx.post(f"{identity_url}/api/v1/auth/token", json=body, timeout=10)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _check(r: httpx.Response) -> Any:
    if r.status_code >= 400:
        raise RuntimeError(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}")
    return r.json()


def seed_contingent(identity_url: str, contingent_url: str) -> int:
    """Create the demo groups and sign their enrolment orders; returns students enrolled now."""
    enrolled = 0
    with httpx.Client(base_url=contingent_url, timeout=30) as client:
        for org in demo_region.ORGANISATIONS:
            if org["code"] not in demo_region.GROUPS:
                continue
            admin = next(s for s in org["staff"] if "admin" in s["positions"])
            headers = login(identity_url, admin["login"], admin["password"])
            curator = next(s for s in org["staff"] if "curator" in s["positions"])
            curator_id = _check(
                httpx.get(
                    f"{identity_url}/api/v1/me",
                    headers=login(identity_url, curator["login"], curator["password"]),
                    timeout=10,
                )
            )["id"]
            groups = {
                g["name"]: g
                for g in _check(
                    client.get("/api/v1/groups", headers=headers, params={"limit": 200})
                )["items"]
            }
            for spec in demo_region.GROUPS[org["code"]]:
                group = groups.get(spec["name"]) or _check(
                    client.post(
                        "/api/v1/groups",
                        headers=headers,
                        json={
                            **{k: spec[k] for k in ("name", "grade", "academic_year")},
                            "curator_user_id": curator_id if spec.get("curated") else None,
                        },
                    )
                )
                found = _check(
                    client.get("/api/v1/orders", headers=headers, params={"number": spec["order"]})
                )["items"]
                order = (
                    found[0]
                    if found
                    else _check(
                        client.post(
                            "/api/v1/orders/enrolment",
                            headers=headers,
                            json={
                                "number": spec["order"],
                                "order_date": "2026-08-28",
                                "effective_date": "2026-09-01",
                                "group_id": group["id"],
                                "students": spec["students"],
                            },
                        )
                    )
                )
                if order["status"] == "draft":
                    _check(client.post(f"/api/v1/orders/{order['id']}/sign", headers=headers))
                    enrolled += len(order["items"])
    return enrolled


def demo_student_credentials(identity_url: str, store: Path) -> dict[str, Any]:
    """One-time credentials for one demo student and a guardian, issued once and kept in
    the local data folder, as a curator would hand them over."""
    if store.exists():
        return dict(json.loads(store.read_text(encoding="utf-8")))
    org = demo_region.ORGANISATIONS[0]
    curator = next(s for s in org["staff"] if "curator" in s["positions"])
    headers = login(identity_url, curator["login"], curator["password"])
    result: dict[str, Any] = {}
    with httpx.Client(base_url=identity_url, timeout=10, headers=headers) as client:
        deadline = time.monotonic() + 60
        while True:
            students = _check(
                client.get("/api/v1/accounts", params={"kind": "student", "limit": 1})
            )
            guardians = _check(
                client.get("/api/v1/accounts", params={"kind": "guardian", "limit": 1})
            )
            if students["items"] and guardians["items"]:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("student accounts did not appear in 60 s")
            time.sleep(0.5)
        for kind, account in (
            ("student", students["items"][0]),
            ("guardian", guardians["items"][0]),
        ):
            slip = _check(client.post(f"/api/v1/accounts/{account['id']}/credentials"))
            result[kind] = {
                "login": slip["login"],
                "password": slip["password"],
                "name": account["full_name"],
            }
    store.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    store.chmod(0o600)
    return result


def _me(identity_url: str, login_: str, password: str, organisation_id: str) -> dict[str, Any]:
    headers = login(identity_url, login_, password, organisation_id)
    me: dict[str, Any] = _check(httpx.get(f"{identity_url}/api/v1/me", headers=headers, timeout=10))
    return me


def seed_schedule(identity_url: str, schedule_url: str, organisations: dict[str, str]) -> int:
    """The gymnasium's year in quarters with holidays, rooms, subjects, teachers' load, a
    week for 5А and its dated lessons; the college's year in semesters. Returns the
    lessons generated now (0 when the demo was seeded before)."""
    created = 0
    for org in demo_region.ORGANISATIONS:
        spec = demo_region.SCHEDULE.get(org["code"])
        if spec is None:
            continue
        admin = next(s for s in org["staff"] if "admin" in s["positions"])
        headers = login(identity_url, admin["login"], admin["password"])
        with httpx.Client(base_url=schedule_url, timeout=30, headers=headers) as client:
            years = _check(client.get("/api/v1/academic-years"))["items"]
            if any(y["title"] == spec["year"]["title"] for y in years):
                continue
            deadline = time.monotonic() + 60
            while True:  # the groups come from contingent's events
                groups = {g["name"]: g for g in _check(client.get("/api/v1/groups"))["items"]}
                if all(name in groups for name in spec.get("weeks", {})):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("groups did not reach the schedule service in 60 s")
                time.sleep(0.5)
            year = _check(client.post("/api/v1/academic-years", json=spec["year"]))
            for holiday in spec.get("holidays", []):
                _check(client.post(f"/api/v1/academic-years/{year['id']}/holidays", json=holiday))
            rooms = {
                r["number"]: _check(client.post("/api/v1/rooms", json=r))["id"]
                for r in spec["rooms"]
            }
            subjects = {
                s["name"]: _check(client.post("/api/v1/subjects", json=s))["id"]
                for s in spec["subjects"]
            }
            people = {
                s["login"]: _me(identity_url, s["login"], s["password"], organisations[org["code"]])
                for s in org["staff"]
                if s["login"] in {item[0] for item in spec.get("load", [])}
            }
            first = next(p for p in year["periods"] if p["number"] == 1)
            for login_, subject, group, hours in spec.get("load", []):
                _check(
                    client.post(
                        "/api/v1/load",
                        json={
                            "teacher_user_id": people[login_]["id"],
                            "teacher_name": people[login_]["full_name"],
                            "subject_id": subjects[subject],
                            "group_id": groups[group]["id"],
                            "period_id": first["id"],
                            "hours": hours,
                        },
                    )
                )
            for group, lessons in spec.get("weeks", {}).items():
                gid = groups[group]["id"]
                week = [
                    {
                        "weekday": day,
                        "lesson_number": number,
                        "subject_id": subjects[subject],
                        "teacher_ids": [people[login_]["id"]],
                        "room_id": rooms[room],
                    }
                    for day, number, subject, login_, room in lessons
                ]
                _check(
                    client.put(
                        f"/api/v1/groups/{gid}/timetable/{first['id']}", json={"lessons": week}
                    )
                )
                done = _check(
                    client.post(f"/api/v1/groups/{gid}/timetable/{first['id']}/lessons", json={})
                )
                created += int(done["created"])
            _check(
                client.post(
                    f"/api/v1/academic-years/{year['id']}/publications", json={"what": "timetable"}
                )
            )
    return created

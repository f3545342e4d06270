"""A stand-in for exactly the Keycloak endpoints identity's adapter calls, as Keycloak's
Admin REST API documents them (https://www.keycloak.org/docs-api/26.0/rest-api/): the
client-credentials token endpoint, users (search by exact username, create with 409 on
a taken username, read, update), a user's groups, groups and sub-groups (409 on a taken
name among siblings, lookup by path), organizations (search by alias, create with 409 on
a taken alias or name, add a member with 409 if already one). Every admin call needs the
bearer token (401 otherwise, which is how python-keycloak learns to fetch one); a
password is set through reset-password (temporary or not). It keeps
the log of calls so tests can see the throttle and the 409 paths.

Keycloak itself cannot run on this machine; when `KEYCLOAK_URL` is set the same tests run
against a real one instead (see test_keycloak_adapter.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Form, HTTPException, Request, Response
from fastapi.responses import JSONResponse


@dataclass
class Realm:
    client_id: str
    client_secret: str
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → {name, parent, path}
    memberships: dict[str, set[str]] = field(default_factory=dict)  # user id → group ids
    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)  # org id → user ids
    tokens: set[str] = field(default_factory=set)
    # user id → (SHA-256 of the password, temporary): what a reset-password stored.
    passwords: dict[str, tuple[str, bool]] = field(default_factory=dict)
    # Answer 503 to admin calls (Keycloak down), for the tests of what identity does then.
    down: bool = False
    calls: list[tuple[float, str, str, int]] = field(default_factory=list)


def _conflict(message: str) -> JSONResponse:
    return JSONResponse({"errorMessage": message}, status_code=409)


def _created(request: Request, new_id: str) -> Response:
    return Response(status_code=201, headers={"Location": f"{request.url}/{new_id}"})


def create_app(realm_name: str, realm: Realm) -> FastAPI:
    app = FastAPI()
    admin = f"/admin/realms/{realm_name}"

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if request.url.path.startswith("/admin/"):
            header = request.headers.get("authorization", "")
            if realm.down:
                response: Response = JSONResponse({"error": "unavailable"}, 503)
            elif not header.startswith("Bearer ") or header[7:] not in realm.tokens:
                response = JSONResponse({"error": "HTTP 401 Unauthorized"}, 401)
            else:
                response = await call_next(request)
        else:
            response = await call_next(request)
        realm.calls.append(
            (time.monotonic(), request.method, request.url.path, response.status_code)
        )
        return response

    @app.post(f"/realms/{realm_name}/protocol/openid-connect/token")
    async def token(
        grant_type: str = Form(), client_id: str = Form(), client_secret: str = Form("")
    ) -> dict[str, Any]:
        if (grant_type, client_id, client_secret) != (
            "client_credentials",
            realm.client_id,
            realm.client_secret,
        ):
            raise HTTPException(401, "invalid_client")
        issued = secrets.token_urlsafe(24)
        realm.tokens.add(issued)
        return {"access_token": issued, "expires_in": 300, "token_type": "Bearer"}

    def _page(items: list[dict[str, Any]], first: int, max_: int) -> list[dict[str, Any]]:
        return items[first : first + max_]

    # -- users ---------------------------------------------------------------------
    @app.get(f"{admin}/users")
    async def users(
        username: str | None = None,
        exact: bool = False,
        q: str | None = None,
        first: int = 0,
        max: int = 100,
    ) -> list[dict[str, Any]]:
        found = list(realm.users.values())
        if q is not None:  # "key:value key2:value2": exact attribute values
            for term in q.split():
                key, _, value = term.partition(":")
                found = [u for u in found if value in (u.get("attributes") or {}).get(key, [])]
        if username is not None:
            wanted = username.lower()
            found = [
                u for u in found if (u["username"] == wanted if exact else wanted in u["username"])
            ]
        return _page(found, first, max)

    @app.post(f"{admin}/users")
    async def create_user(request: Request) -> Response:
        body = await request.json()
        username = str(body["username"]).lower()
        if any(u["username"] == username for u in realm.users.values()):
            return _conflict("User exists with same username")
        new_id = str(uuid.uuid4())
        realm.users[new_id] = {
            "id": new_id,
            "username": username,
            "enabled": bool(body.get("enabled", False)),
            "firstName": body.get("firstName"),
            "lastName": body.get("lastName"),
            "attributes": body.get("attributes") or {},
        }
        return _created(request, new_id)

    def _user(user_id: str) -> dict[str, Any]:
        if user_id not in realm.users:
            raise HTTPException(404, "User not found")
        return realm.users[user_id]

    @app.get(f"{admin}/users/{{user_id}}")
    async def get_user(user_id: str) -> dict[str, Any]:
        return _user(user_id)

    @app.put(f"{admin}/users/{{user_id}}")
    async def update_user(user_id: str, request: Request) -> Response:
        user = _user(user_id)
        body = await request.json()
        if "username" in body:
            wanted = str(body["username"]).lower()
            if any(u["username"] == wanted and i != user_id for i, u in realm.users.items()):
                return _conflict("User exists with same username")
            user["username"] = wanted
        for key in ("enabled", "firstName", "lastName", "attributes"):
            if key in body:
                user[key] = body[key]
        return Response(status_code=204)

    @app.put(f"{admin}/users/{{user_id}}/reset-password")
    async def reset_password(user_id: str, request: Request) -> Response:
        _user(user_id)
        body = await request.json()
        if body.get("type") != "password" or not body.get("value"):
            return JSONResponse({"error": "invalid credential"}, 400)
        digest = hashlib.sha256(str(body["value"]).encode()).hexdigest()
        realm.passwords[user_id] = (digest, bool(body.get("temporary", True)))
        return Response(status_code=204)

    @app.get(f"{admin}/users/{{user_id}}/groups")
    async def user_groups(user_id: str, first: int = 0, max: int = 100) -> list[dict[str, Any]]:
        _user(user_id)
        ids = sorted(realm.memberships.get(user_id, set()))
        return _page([_group_rep(g) for g in ids], first, max)

    @app.put(f"{admin}/users/{{user_id}}/groups/{{group_id}}")
    async def join_group(user_id: str, group_id: str) -> Response:
        _user(user_id)
        _group(group_id)
        realm.memberships.setdefault(user_id, set()).add(group_id)
        return Response(status_code=204)

    @app.delete(f"{admin}/users/{{user_id}}/groups/{{group_id}}")
    async def leave_group(user_id: str, group_id: str) -> Response:
        realm.memberships.get(user_id, set()).discard(group_id)
        return Response(status_code=204)

    # -- groups --------------------------------------------------------------------
    def _group(group_id: str) -> dict[str, Any]:
        if group_id not in realm.groups:
            raise HTTPException(404, "Could not find group by id")
        return realm.groups[group_id]

    def _group_rep(group_id: str) -> dict[str, Any]:
        g = _group(group_id)
        return {"id": group_id, "name": g["name"], "path": g["path"]}

    def _new_group(request: Request, name: str, parent: str | None) -> Response:
        siblings = [g for g in realm.groups.values() if g["parent"] == parent]
        if any(g["name"] == name for g in siblings):
            where = "Top level group" if parent is None else "Sibling group"
            return _conflict(f"{where} named '{name}' already exists.")
        path = ("" if parent is None else realm.groups[parent]["path"]) + "/" + name
        new_id = str(uuid.uuid4())
        realm.groups[new_id] = {"name": name, "parent": parent, "path": path}
        return Response(
            status_code=201, headers={"Location": f"{request.base_url}{admin[1:]}/groups/{new_id}"}
        )

    @app.post(f"{admin}/groups")
    async def create_group(request: Request) -> Response:
        return _new_group(request, (await request.json())["name"], None)

    @app.post(f"{admin}/groups/{{group_id}}/children")
    async def create_child(group_id: str, request: Request) -> Response:
        _group(group_id)
        return _new_group(request, (await request.json())["name"], group_id)

    @app.get(f"{admin}/group-by-path/{{path:path}}")
    async def group_by_path(path: str) -> dict[str, Any]:
        wanted = "/" + path.strip("/")
        for group_id, g in realm.groups.items():
            if g["path"] == wanted:
                return _group_rep(group_id)
        raise HTTPException(404, "Group path does not exist")

    # -- organizations -------------------------------------------------------------
    @app.get(f"{admin}/organizations")
    async def organizations(
        search: str | None = None, exact: bool = False, first: int = 0, max: int = 100
    ) -> list[dict[str, Any]]:
        found = list(realm.organizations.values())
        if search is not None:
            found = [
                o
                for o in found
                if (
                    search in (o["name"], o["alias"])
                    if exact
                    else search.lower() in (o["name"] + o["alias"]).lower()
                )
            ]
        return _page(found, first, max)

    @app.post(f"{admin}/organizations")
    async def create_organization(request: Request) -> Response:
        body = await request.json()
        if not body.get("domains"):
            return JSONResponse({"errorMessage": "You must provide at least one domain"}, 400)
        for o in realm.organizations.values():
            if o["alias"] == body.get("alias") or o["name"] == body["name"]:
                return _conflict("A organization with the same name or alias already exists")
        new_id = str(uuid.uuid4())
        realm.organizations[new_id] = {
            "id": new_id,
            "name": body["name"],
            "alias": body.get("alias") or body["name"],
            "enabled": body.get("enabled", True),
            "attributes": body.get("attributes") or {},
            "domains": body["domains"],
        }
        return _created(request, new_id)

    @app.post(f"{admin}/organizations/{{org_id}}/members")
    async def add_member(org_id: str, request: Request) -> Response:
        if org_id not in realm.organizations:
            raise HTTPException(404, "Organization not found")
        user_id = (await request.body()).decode().strip().strip('"')
        _user(user_id)
        members = realm.members.setdefault(org_id, set())
        if user_id in members:
            return _conflict("User is already a member of the organization")
        members.add(user_id)
        return Response(status_code=201)

    @app.delete(f"{admin}/organizations/{{org_id}}/members/{{user_id}}")
    async def remove_member(org_id: str, user_id: str) -> Response:
        members = realm.members.get(org_id, set())
        if user_id not in members:
            raise HTTPException(404, "User is not a member of the organization")
        members.discard(user_id)
        return Response(status_code=204)

    @app.get(f"{admin}/organizations/{{org_id}}/members")
    async def list_members(org_id: str, first: int = 0, max: int = 100) -> list[dict[str, Any]]:
        ids = sorted(realm.members.get(org_id, set()))
        return _page([realm.users[i] for i in ids], first, max)

    return app


@asynccontextmanager
async def serving(realm_name: str = "edureg") -> AsyncIterator[tuple[str, Realm]]:
    """The stand-in on a free port of this host: (its URL, the realm's state)."""
    from edureg_devstack.embedded import free_port

    realm = Realm(client_id="edureg-identity", client_secret=secrets.token_hex(12))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(realm_name, realm), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", realm
    finally:
        server.should_exit = True
        await task

"""The portal's calls to identity, on behalf of the signed-in user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class IdentityUnavailable(Exception):
    """identity did not answer (down, timeout, 5xx)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


class IdentityClient:
    def __init__(self, base_url: str, client: httpx.AsyncClient) -> None:
        self._base = base_url.rstrip("/")
        self._http = client

    async def _call(self, method: str, path: str, **kwargs: Any) -> Answer:
        try:
            r = await self._http.request(method, f"{self._base}{path}", timeout=10.0, **kwargs)
        except httpx.HTTPError as exc:
            raise IdentityUnavailable(type(exc).__name__) from exc
        if r.status_code >= 500:
            raise IdentityUnavailable(f"HTTP {r.status_code}")
        body = r.json() if r.content and "json" in r.headers.get("content-type", "") else {}
        return Answer(status=r.status_code, body=body)

    async def token(self, login: str, password: str, *, client: str | None = None) -> Answer:
        """Sign in; `client` is the user's address (identity records it and throttles by
        it; it trusts the header only from the portal's own address)."""
        headers = {"X-Forwarded-For": client} if client else {}
        return await self._call(
            "POST",
            "/api/v1/auth/token",
            json={"login": login, "password": password},
            headers=headers,
        )

    async def me(self, token: str) -> Answer:
        return await self._call("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    async def change_password(self, token: str, current: str, new: str) -> Answer:
        return await self._call(
            "POST",
            "/api/v1/me/password",
            headers={"Authorization": f"Bearer {token}"},
            json={"current_password": current, "new_password": new},
        )

    async def ready(self) -> bool:
        try:
            return (await self._call("GET", "/health/live")).status == 200
        except IdentityUnavailable:
            return False

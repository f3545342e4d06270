"""The portal's calls to the services, on behalf of the signed-in user (with the user's
own token: the portal holds no rights of its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class IdentityUnavailable(Exception):
    """A service did not answer (down, timeout, 5xx)."""


ServiceUnavailable = IdentityUnavailable


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class ServiceClient:
    def __init__(self, base_url: str, client: httpx.AsyncClient) -> None:
        self._base = base_url.rstrip("/")
        self._http = client

    async def _request(
        self, method: str, path: str, token: str | None, timeout: float, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            r = await self._http.request(
                method, f"{self._base}{path}", timeout=timeout, headers=headers, **kwargs
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(type(exc).__name__) from exc
        if r.status_code >= 500:
            raise ServiceUnavailable(f"HTTP {r.status_code}")
        return r

    async def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Answer:
        r = await self._request(method, path, token, 10.0, **kwargs)
        return self._answer(r)

    async def download(self, method: str, path: str, token: str) -> tuple[Answer, httpx.Response]:
        """A file (a PDF): the answer for errors, the response for its bytes and headers.
        A batch of slips hashes a password per account, hence the longer wait."""
        r = await self._request(method, path, token, 60.0)
        return self._answer(r), r

    async def download_json(
        self, method: str, path: str, token: str, json: Any
    ) -> tuple[Answer, httpx.Response]:
        """A file made from a JSON request (a constructor's report as XLSX)."""
        r = await self._request(method, path, token, 60.0, json=json)
        return self._answer(r), r

    @staticmethod
    def _answer(r: httpx.Response) -> Answer:
        body = r.json() if r.content and "json" in r.headers.get("content-type", "") else {}
        if isinstance(body, list):  # a plain list answer, as a page of it
            body = {"items": body}
        return Answer(status=r.status_code, body=body if isinstance(body, dict) else {})

    async def get(self, path: str, token: str, **params: Any) -> Answer:
        return await self.call("GET", path, token, params=params)

    async def post(self, path: str, token: str, json: Any = None) -> Answer:
        return await self.call("POST", path, token, json=json)

    async def ready(self) -> bool:
        try:
            return (await self.call("GET", "/health/live")).status == 200
        except ServiceUnavailable:
            return False


class IdentityClient(ServiceClient):
    async def token(
        self,
        login: str,
        password: str,
        *,
        client: str | None = None,
        organisation_id: str | None = None,
        user_agent: str | None = None,
    ) -> Answer:
        """Sign in; `client` is the user's address (identity records it and throttles by
        it; it trusts the header only from the portal's own address); `organisation_id`
        for a person with accounts in several organisations."""
        headers = {"X-Forwarded-For": client} if client else {}
        if user_agent:  # the person's browser, for their sign-in log
            headers["User-Agent"] = user_agent[:300]
        body = {"login": login, "password": password}
        if organisation_id:
            body["organisation_id"] = organisation_id
        return await self.call("POST", "/api/v1/auth/token", json=body, headers=headers)

    async def me(self, token: str) -> Answer:
        return await self.get("/api/v1/me", token)

    async def change_password(
        self,
        token: str,
        current: str,
        new: str,
        *,
        client: str | None = None,
        user_agent: str | None = None,
    ) -> Answer:
        headers = {"X-Forwarded-For": client} if client else {}
        if user_agent:
            headers["User-Agent"] = user_agent[:300]
        return await self.call(
            "POST",
            "/api/v1/me/password",
            token,
            json={"current_password": current, "new_password": new},
            headers=headers,
        )

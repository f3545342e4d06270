"""Token verification by JWKS and per-endpoint permission checks.

Every service trusts whatever issuer its settings name (built-in identity or Keycloak),
verifying RS256 signatures against the issuer's JWKS. The tenant of a request comes only
from the verified token, never from a request parameter.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from edureg_shared.errors import Forbidden, Unauthorized


class Principal(BaseModel):
    """The verified caller. Holds ids and permissions, no personal data."""

    model_config = ConfigDict(frozen=True)

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    permissions: frozenset[str]
    kind: str = "staff"

    def has(self, permission: str) -> bool:
        return permission in self.permissions


class TokenVerifier:
    def __init__(self, *, jwks_url: str, issuer: str, audience: str, cache_s: float = 300) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._cache_s = cache_s
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def _refresh(self, *, force: bool = False) -> None:
        async with self._lock:
            if not force and time.monotonic() - self._fetched_at < self._cache_s and self._keys:
                return
            async with httpx.AsyncClient(timeout=5.0) as client:
                resp = await client.get(self._jwks_url)
                resp.raise_for_status()
            keys = {}
            for jwk in resp.json().get("keys", []):
                keys[jwk["kid"]] = jwt.PyJWK.from_dict(jwk).key
            self._keys = keys
            self._fetched_at = time.monotonic()

    async def _key(self, kid: str) -> Any:
        try:
            await self._refresh()
            if kid not in self._keys:  # rotated: fetch once more
                await self._refresh(force=True)
        except httpx.HTTPError as exc:
            raise Unauthorized("Не удалось проверить токен: сервис входа недоступен") from exc
        if kid not in self._keys:
            raise Unauthorized("Токен подписан неизвестным ключом")
        return self._keys[kid]

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("Некорректный токен доступа") from exc
        if header.get("alg") != "RS256" or "kid" not in header:
            raise Unauthorized("Некорректный токен доступа")
        key = await self._key(header["kid"])
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "sub", "tid"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Срок действия токена истёк, войдите снова") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("Некорректный токен доступа") from exc
        try:
            return Principal(
                user_id=uuid.UUID(claims["sub"]),
                tenant_id=uuid.UUID(claims["tid"]),
                permissions=frozenset(claims.get("perms", [])),
                kind=claims.get("kind", "staff"),
            )
        except (ValueError, TypeError) as exc:
            raise Unauthorized("Некорректный токен доступа") from exc


def _bearer(request: Request) -> str:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    return token


async def current_principal(request: Request) -> Principal:
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(_bearer(request))
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(permission: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller, who must hold `permission` (e.g. `contingent.orders.sign`)."""

    async def dependency(principal: PrincipalDep) -> Principal:
        if not principal.has(permission):
            raise Forbidden(f"Нужно право «{permission}»")
        return principal

    dependency.__name__ = f"require_{permission.replace('.', '_')}"
    return dependency

"""Token verification by JWKS and per-endpoint permission checks.

Every service trusts whatever issuer its settings name (built-in identity or Keycloak),
verifying RS256 signatures against the issuer's JWKS. The tenant of a request comes only
from the verified token, never from a request parameter.

A token issued for an account that must change its password carries no permissions and
the claim `restricted: password_change`; every endpoint refuses it with 403 except the
one that changes the password (`current_principal(allow_password_change=True)`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from edureg_shared.errors import DomainError, Forbidden, Unauthorized

log = logging.getLogger("edureg.auth")

PASSWORD_CHANGE = "password_change"  # noqa: S105 - a claim value, not a secret


class PasswordChangeRequired(DomainError):
    status = 403
    type = "password-change-required"
    title = "Нужно сменить пароль"


class Principal(BaseModel):
    """The verified caller. Holds ids and permissions, no personal data."""

    model_config = ConfigDict(frozen=True)

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    permissions: frozenset[str]
    kind: str = "staff"
    # The account signed in with a one-time password: it may only change it.
    must_change_password: bool = False

    def has(self, permission: str) -> bool:
        return permission in self.permissions


KeyFetcher = Callable[[], Awaitable[list[dict[str, Any]]]]


def parse_jwks(jwks: list[dict[str, Any]]) -> dict[str, Any]:
    """Usable RS256 signing keys by kid. A key without a kid, of another type or use, or
    that does not parse is skipped: one bad entry must not make every token invalid."""
    keys: dict[str, Any] = {}
    for jwk in jwks:
        if not isinstance(jwk, dict):
            continue
        kid = jwk.get("kid")
        if not isinstance(kid, str) or not kid or jwk.get("kty") != "RSA":
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            continue
        try:
            keys[kid] = jwt.PyJWK.from_dict(jwk).key
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            continue
    return keys


class TokenVerifier:
    """Verifies RS256 tokens against the issuer's key set.

    Keys are cached for `cache_s`; a stale cache is refreshed in the background while the
    cached keys keep answering. A token with an unknown `kid` (a key rotated in) causes at
    most one refresh per `min_refresh_s`: requests with known keys never wait for it, and
    concurrent requests with the unknown kid share the one refresh in flight.
    """

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        fetch: KeyFetcher | None = None,
        cache_s: float = 300,
        min_refresh_s: float = 30,
    ) -> None:
        if fetch is None:
            if not jwks_url:
                raise ValueError("a JWKS URL or a key fetcher is required")
            fetch = _http_fetcher(jwks_url)
        self._fetch = fetch
        self._issuer = issuer
        self._audience = audience
        self._cache_s = cache_s
        self._min_refresh_s = min_refresh_s
        self._keys: dict[str, Any] = {}
        self._fetched_at = -float("inf")
        self._attempted_at = -float("inf")
        self._inflight: asyncio.Task[None] | None = None
        self.refreshes = 0

    @classmethod
    def static(cls, keys: dict[str, Any], *, issuer: str, audience: str) -> TokenVerifier:
        """A verifier of a fixed key set (tests; identity verifying its own tokens)."""

        async def fetch() -> list[dict[str, Any]]:
            raise RuntimeError("static key set")

        verifier = cls(issuer=issuer, audience=audience, fetch=fetch)
        verifier._keys = dict(keys)
        verifier._fetched_at = float("inf")
        verifier._attempted_at = float("inf")
        return verifier

    async def _do_refresh(self) -> None:
        self.refreshes += 1
        keys = parse_jwks(await self._fetch())
        self._keys = keys
        self._fetched_at = time.monotonic()

    def _start_refresh(self) -> asyncio.Task[None]:
        if self._inflight is None or self._inflight.done():
            self._attempted_at = time.monotonic()
            self._inflight = asyncio.create_task(self._do_refresh())
            self._inflight.add_done_callback(_consume_error)
        return self._inflight

    async def _key(self, kid: str) -> Any:
        now = time.monotonic()
        if kid in self._keys:
            if now - self._fetched_at > self._cache_s and now - self._attempted_at > 1.0:
                self._start_refresh()  # stale: refresh behind the scenes, answer now
            return self._keys[kid]
        idle = self._inflight is None or self._inflight.done()
        if idle and now - self._attempted_at < self._min_refresh_s:
            raise Unauthorized("Токен подписан неизвестным ключом")
        task = self._start_refresh()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=5.0)
        except Exception as exc:
            if kid in self._keys:
                return self._keys[kid]
            raise Unauthorized("Не удалось проверить токен: сервис входа недоступен") from exc
        if kid not in self._keys:
            raise Unauthorized("Токен подписан неизвестным ключом")
        return self._keys[kid]

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("Некорректный токен доступа") from exc
        kid = header.get("kid")
        if header.get("alg") != "RS256" or not isinstance(kid, str) or not kid:
            raise Unauthorized("Некорректный токен доступа")
        key = await self._key(kid)
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
            restricted = claims.get("restricted") == PASSWORD_CHANGE
            perms = claims.get("perms", [])
            if not isinstance(perms, list):
                raise TypeError("perms")
            return Principal(
                # Keycloak's `sub` is its own user id: the realm maps ours to `uid`
                # (deploy/keycloak); the built-in provider's `sub` is ours already.
                user_id=uuid.UUID(claims.get("uid") or claims["sub"]),
                tenant_id=uuid.UUID(claims["tid"]),
                # A restricted token grants nothing, whatever else it says.
                permissions=frozenset() if restricted else frozenset(map(str, perms)),
                kind=str(claims.get("kind", "staff")),
                must_change_password=restricted,
            )
        except (ValueError, TypeError) as exc:
            raise Unauthorized("Некорректный токен доступа") from exc


def _consume_error(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("JWKS refresh failed: %s", type(task.exception()).__name__)


def _http_fetcher(url: str) -> KeyFetcher:
    async def fetch() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=5.0) as client:
            resp = await client.get(url)
            resp.raise_for_status()
        body = resp.json()
        keys = body.get("keys", []) if isinstance(body, dict) else []
        return keys if isinstance(keys, list) else []

    return fetch


def _bearer(request: Request) -> str:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    return token


async def _verified(request: Request) -> Principal:
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(_bearer(request))
    request.state.principal = principal
    return principal


async def current_principal(request: Request) -> Principal:
    """The signed-in caller; a token that only allows a password change is refused."""
    principal = await _verified(request)
    if principal.must_change_password:
        raise PasswordChangeRequired(
            "Вы вошли с одноразовым паролем: смените пароль, чтобы продолжить работу"
        )
    return principal


async def principal_changing_password(request: Request) -> Principal:
    """The signed-in caller, also with a token that only allows the password change."""
    return await _verified(request)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(permission: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller, who must hold `permission` (e.g. `contingent.orders.sign`)."""

    async def dependency(principal: PrincipalDep) -> Principal:
        if not principal.has(permission):
            raise Forbidden(f"Нужно право «{permission}»")
        return principal

    dependency.__name__ = f"require_{permission.replace('.', '_')}"
    dependency.required_permissions = (permission,)  # type: ignore[attr-defined]
    return dependency


def require_any(*permissions: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller must hold at least one of `permissions`; the use case then
    narrows what each of them allows (e.g. a curator: only their own groups)."""

    async def dependency(principal: PrincipalDep) -> Principal:
        if not any(principal.has(p) for p in permissions):
            raise Forbidden("Нужно одно из прав: " + ", ".join(f"«{p}»" for p in permissions))
        return principal

    dependency.__name__ = "require_any_" + "_".join(p.replace(".", "_") for p in permissions)
    dependency.required_permissions = permissions  # type: ignore[attr-defined]
    return dependency

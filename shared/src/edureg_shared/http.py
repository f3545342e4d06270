"""Request-scoped unit of work: the verified caller, a permission check, and one
transaction scoped to the caller's tenant that commits when the handler succeeds."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_shared.auth import (
    Principal,
    current_principal,
    principal_changing_password,
    require,
    require_any,
)
from edureg_shared.events.envelope import Actor


@dataclass(frozen=True)
class Context:
    session: AsyncSession
    principal: Principal
    nats_prefix: str

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.principal.tenant_id

    @property
    def actor(self) -> Actor:
        return Actor(kind="user", id=self.principal.user_id)


def unit_of_work(
    permission: str | None, *, any_of: tuple[str, ...] = (), password_change: bool = False
) -> Any:
    """`Annotated[Context, unit_of_work("…")]` on a route parameter: the caller must hold `permission`
    (None: any signed-in user, for endpoints about the caller themself; `any_of`: at least
    one of several permissions, the use case narrowing what each allows); the Context's
    session is one transaction scoped to the caller's tenant. `password_change=True` only
    for the endpoint that changes the caller's password: it alone accepts a token issued
    for a one-time password.

    The transaction commits *before* the response is sent (`scope="function"`): a client
    that got 201 can rely on the next request seeing the object, and a failed commit is an
    error response, never a success that was not saved."""

    async def dependency(
        request: Request,
        principal: Principal = Depends(_principal(permission, any_of, password_change)),
    ) -> AsyncIterator[Context]:
        runtime = request.app.state.runtime
        async with runtime.db.tenant_session(principal.tenant_id) as session:
            yield Context(
                session=session, principal=principal, nats_prefix=runtime.settings.nats_prefix
            )

    name = permission or (any_of[0] if any_of else "self")
    dependency.__name__ = f"uow_{name.replace('.', '_')}"
    # What the route requires, for the convention test that every permission a route
    # asks for is one identity can grant.
    dependency.required_permissions = (permission,) if permission else any_of  # type: ignore[attr-defined]
    return Depends(dependency, scope="function")


def _principal(permission: str | None, any_of: tuple[str, ...], password_change: bool) -> Any:
    if password_change:
        return principal_changing_password
    if permission:
        return require(permission)
    if any_of:
        return require_any(*any_of)
    return current_principal

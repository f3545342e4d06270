"""Request-scoped unit of work: the verified caller, a permission check, and one
transaction scoped to the caller's tenant that commits when the handler succeeds."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_shared.auth import Principal, current_principal, require
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


def unit_of_work(permission: str | None) -> Any:
    """`Annotated[Context, unit_of_work("…")]` on a route parameter: the caller must hold `permission`
    (None: any signed-in user, for endpoints about the caller themself); the Context's
    session is one transaction scoped to the caller's tenant.

    The transaction commits *before* the response is sent (`scope="function"`): a client
    that got 201 can rely on the next request seeing the object, and a failed commit is an
    error response, never a success that was not saved."""

    async def dependency(
        request: Request,
        principal: Principal = Depends(require(permission) if permission else current_principal),
    ) -> AsyncIterator[Context]:
        runtime = request.app.state.runtime
        async with runtime.db.tenant_session(principal.tenant_id) as session:
            yield Context(
                session=session, principal=principal, nats_prefix=runtime.settings.nats_prefix
            )

    dependency.__name__ = f"uow_{(permission or 'self').replace('.', '_')}"
    return Depends(dependency, scope="function")

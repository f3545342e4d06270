"""Composition root: settings → signing keys, runtime (subscribers) → app."""

from __future__ import annotations

from fastapi import FastAPI

from edureg_identity import keys
from edureg_identity.config import Settings
from edureg_identity.http.routes import router
from edureg_identity.manifest import MANIFEST
from edureg_identity.messaging.subscribers import register
from edureg_identity.persistence.tables import Base
from edureg_identity.services import passwords, registry
from edureg_shared.auth import TokenVerifier
from edureg_shared.service import Runtime, build_runtime, create_app


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    keyset = keys.load_keyset(settings.jwt_keys_dir, autogenerate=settings.jwt_key_autogenerate)
    passwords.configure(
        memory_budget_mib=settings.hash_memory_budget_mib,
        queue_limit=settings.login_queue_limit,
        memory_kib=settings.password_hash_memory_kib,
        time_cost=settings.password_hash_time_cost,
    )
    runtime = build_runtime(settings, MANIFEST)
    register(runtime)

    async def keep_defaults(rt: Runtime) -> None:
        await registry.keep_default_positions(rt.db)

    runtime.on_start.append(keep_defaults)
    app = create_app(
        runtime,
        title="edureg: учётные записи",
        description="Организации региона, учётные записи, вход, токены (JWT, JWKS), "
        "связи законных представителей с детьми.",
        routers=[router],
        tables=Base.metadata,
        # Sign-in is throttled (429) and refuses a flood at once (503).
        extra_errors={"/api/v1/auth/token": (429, 503)},
    )
    app.state.keys = keyset
    # Identity verifies its own tokens with the keys it holds (no HTTP to itself).
    app.state.token_verifier = TokenVerifier.static(
        keyset.public_keys(), issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    return app

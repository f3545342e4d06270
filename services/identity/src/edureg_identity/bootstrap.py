"""Composition root: settings → signing key, runtime (subscribers) → app."""

from __future__ import annotations

from fastapi import FastAPI

from edureg_identity import keys
from edureg_identity.config import Settings
from edureg_identity.contracts.events import (
    ACCOUNT_DISABLED,
    ACCOUNT_PROVISIONED,
    AccountDisabledV1,
    AccountProvisionedV1,
)
from edureg_identity.http.routes import router
from edureg_identity.messaging.subscribers import register
from edureg_shared.auth import TokenVerifier
from edureg_shared.service import build_runtime, create_app, document_event


class LocalKeyVerifier(TokenVerifier):
    """Identity verifies its own tokens with the key it holds (no HTTP to itself)."""

    def __init__(self, settings: Settings, key: keys.SigningKey) -> None:
        super().__init__(jwks_url="", issuer=settings.jwt_issuer, audience=settings.jwt_audience)
        self._keys = {key.kid: key.private_key.public_key()}
        self._fetched_at = float("inf")


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    key = keys.load_or_create(
        settings.jwt_private_key_path, autogenerate=settings.jwt_key_autogenerate
    )
    runtime = build_runtime(settings, produces=True)
    register(runtime, settings)
    document_event(runtime, ACCOUNT_PROVISIONED, AccountProvisionedV1)
    document_event(runtime, ACCOUNT_DISABLED, AccountDisabledV1)
    app = create_app(
        runtime,
        title="edureg: учётные записи",
        description="Организации региона, учётные записи, вход, токены (JWT, JWKS), "
        "связи законных представителей с детьми.",
        routers=[router],
    )
    app.state.signing_key = key
    app.state.token_verifier = LocalKeyVerifier(settings, key)
    return app

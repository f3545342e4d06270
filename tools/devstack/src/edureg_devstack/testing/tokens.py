"""A test token issuer for one service's own tests.

Cross-service tests use the real identity service; a single service's tests sign tokens
with a key generated here and verify them with the same code path (`TokenVerifier`),
fed the issuer's public key instead of fetching it over HTTP.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from edureg_shared.auth import TokenVerifier


class TestIssuer:
    __test__ = False  # not a test class

    def __init__(self, issuer: str = "edureg-identity", audience: str = "edureg") -> None:
        self.issuer = issuer
        self.audience = audience
        self.kid = uuid.uuid4().hex
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def token(
        self,
        *,
        tenant_id: uuid.UUID,
        permissions: Iterable[str] = (),
        user_id: uuid.UUID | None = None,
        kind: str = "staff",
        ttl: int = 600,
        **extra: Any,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user_id or uuid.uuid4()),
            "tid": str(tenant_id),
            "perms": sorted(permissions),
            "kind": kind,
            "iat": now,
            "exp": now + ttl,
            **extra,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def headers(self, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**kwargs)}"}

    def verifier(self) -> TokenVerifier:
        return TokenVerifier.static(
            {self.kid: self._key.public_key()}, issuer=self.issuer, audience=self.audience
        )

"""The JWKS cache: one refresh for an unknown key per interval, shared by concurrent
requests; known keys never wait; malformed key entries are skipped, not a 500."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from edureg_shared.auth import TokenVerifier, parse_jwks
from edureg_shared.errors import Unauthorized


def _key() -> tuple[rsa.RSAPrivateKey, dict[str, Any]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return private, {**jwk, "kid": uuid.uuid4().hex, "use": "sig", "alg": "RS256"}


def _token(private: rsa.RSAPrivateKey, kid: str) -> str:
    now = int(time.time())
    claims = {
        "iss": "i",
        "aud": "a",
        "sub": str(uuid.uuid4()),
        "tid": str(uuid.uuid4()),
        "exp": now + 60,
    }
    return jwt.encode(claims, private, algorithm="RS256", headers={"kid": kid})


class Issuer:
    """A JWKS endpoint that counts its callers and can be slow."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.calls = 0
        self.delay = 0.0

    async def fetch(self) -> list[dict[str, Any]]:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return list(self.keys)


async def test_an_unknown_kid_refreshes_at_most_once_per_interval() -> None:
    issuer = Issuer()
    known, known_jwk = _key()
    issuer.keys = [known_jwk]
    verifier = TokenVerifier(issuer="i", audience="a", fetch=issuer.fetch, min_refresh_s=30)
    await verifier.verify(_token(known, known_jwk["kid"]))
    assert issuer.calls == 1
    stranger, stranger_jwk = _key()
    bogus = _token(stranger, stranger_jwk["kid"])
    issuer.calls = 0
    for _ in range(20):
        with pytest.raises(Unauthorized):
            await verifier.verify(bogus)
    assert issuer.calls == 0  # the first fetch was just now: no refresh for a while
    verifier._attempted_at -= 31
    with pytest.raises(Unauthorized):
        await verifier.verify(bogus)
    assert issuer.calls == 1


async def test_concurrent_requests_share_one_refresh_and_known_keys_never_wait() -> None:
    issuer = Issuer()
    old, old_jwk = _key()
    new, new_jwk = _key()
    issuer.keys = [old_jwk]
    verifier = TokenVerifier(issuer="i", audience="a", fetch=issuer.fetch, min_refresh_s=0)
    await verifier.verify(_token(old, old_jwk["kid"]))
    issuer.keys = [old_jwk, new_jwk]  # rotated in at the issuer
    issuer.delay = 0.5
    issuer.calls = 0
    rotated = [verifier.verify(_token(new, new_jwk["kid"])) for _ in range(50)]
    started = time.monotonic()
    pending = asyncio.gather(*rotated)
    await asyncio.sleep(0)  # the refresh is in flight now
    await verifier.verify(_token(old, old_jwk["kid"]))
    assert time.monotonic() - started < 0.4, "a known key waited for the refresh"
    await pending
    assert issuer.calls == 1


def test_malformed_key_entries_are_skipped() -> None:
    _, good = _key()
    keys = parse_jwks(
        [
            {k: v for k, v in good.items() if k != "kid"},  # no kid
            {**good, "kid": "ec", "kty": "EC"},
            {**good, "kid": "enc", "use": "enc"},
            {**good, "kid": "broken", "n": "!!!"},
            "not a key",  # type: ignore[list-item]
            good,
        ]
    )
    assert list(keys) == [good["kid"]]


async def test_an_unreachable_issuer_is_a_401_not_a_500() -> None:
    async def down() -> list[dict[str, Any]]:
        raise OSError("connection refused")

    verifier = TokenVerifier(issuer="i", audience="a", fetch=down)
    private, jwk = _key()
    with pytest.raises(Unauthorized):
        await verifier.verify(_token(private, jwk["kid"]))


async def test_a_keycloak_token_is_verified_by_its_jwks_with_our_ids() -> None:
    """What the realm in deploy/keycloak issues: Keycloak's own `sub`, our account id in
    `uid`, the tenant, kind and permissions from the admin-only user attributes."""
    private, jwk = _key()
    issuer = Issuer()
    issuer.keys = [jwk]
    realm = "https://login.example.ru/realms/edureg"
    verifier = TokenVerifier(issuer=realm, audience="edureg", fetch=issuer.fetch)
    ours, tenant = uuid.uuid4(), uuid.uuid4()
    now = int(time.time())
    claims = {
        "iss": realm,
        "aud": ["edureg", "account"],
        "sub": str(uuid.uuid4()),  # Keycloak's id of the user
        "typ": "Bearer",
        "azp": "edureg-portal",
        "preferred_username": "petrova1001",
        "uid": str(ours),
        "tid": str(tenant),
        "kind": "staff",
        "pos": ["teacher"],
        "perms": ["journal.rosters.read"],
        "exp": now + 60,
        "iat": now,
    }
    token = jwt.encode(claims, private, algorithm="RS256", headers={"kid": jwk["kid"]})
    principal = await verifier.verify(token)
    assert principal.user_id == ours
    assert principal.tenant_id == tenant
    assert principal.permissions == frozenset({"journal.rosters.read"})
    # Another realm's token (another issuer) is refused.
    other = jwt.encode(
        {**claims, "iss": "https://login.example.ru/realms/other"},
        private,
        algorithm="RS256",
        headers={"kid": jwk["kid"]},
    )
    with pytest.raises(Unauthorized):
        await verifier.verify(other)

"""Signing-key rotation: tokens of the previous key stay valid, the next key is known to
verifiers before it signs anything."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import jwt
import pytest

from edureg_identity import keys
from edureg_shared.auth import TokenVerifier
from edureg_shared.errors import Unauthorized


def _token(key: keys.SigningKey) -> str:
    now = int(time.time())
    claims = {
        "iss": "edureg-identity",
        "aud": "edureg",
        "sub": str(uuid.uuid4()),
        "tid": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 60,
    }
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def _verifier(keyset: keys.KeySet) -> TokenVerifier:
    return TokenVerifier.static(keyset.public_keys(), issuer="edureg-identity", audience="edureg")


async def test_a_rotation_keeps_both_keys_tokens_valid(tmp_path: Path) -> None:
    before = keys.load_keyset(tmp_path, autogenerate=True)
    assert before.next is not None
    assert [k["kid"] for k in before.jwks()["keys"]] == [before.current.kid, before.next.kid]
    old_token = _token(before.current)
    # A verifier that fetched the JWKS before the rotation already knows the next key ...
    cached_before = _verifier(before)
    after = keys.rotate(tmp_path)
    assert after.current.kid == before.next.kid
    assert after.previous is not None
    assert after.previous.kid == before.current.kid
    new_token = _token(after.current)
    await cached_before.verify(new_token)
    # ... and one that fetches after it accepts the tokens of both keys.
    fresh = _verifier(after)
    await fresh.verify(old_token)
    await fresh.verify(new_token)
    # The rotation after that drops the key of two rotations ago.
    later = keys.rotate(tmp_path)
    with pytest.raises(Unauthorized):
        await _verifier(later).verify(old_token)


def test_production_never_generates_a_key(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        keys.load_keyset(tmp_path / "missing", autogenerate=False)
    keys.load_keyset(tmp_path, autogenerate=True)
    assert oct((tmp_path / "current.pem").stat().st_mode)[-3:] == "600"

"""RS256 signing keys with rotation.

A key directory holds up to three PEM files:
- `current.pem`  signs every token;
- `next.pem`     published in the JWKS before it signs anything, so every verifier has
                 it cached by the time it becomes current (the rotation overlap);
- `previous.pem` the key that signed until the last rotation: still published, so
                 tokens it signed stay valid until they expire.
`rotate()` moves next → current → previous and creates a new next (docs/security.md
gives the procedure). A kid is the RFC 7638 thumbprint, so every replica derives the
same one from the same file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CURRENT, NEXT, PREVIOUS = "current.pem", "next.pem", "previous.pem"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str
    public_jwk: dict[str, Any]


@dataclass(frozen=True)
class KeySet:
    current: SigningKey
    next: SigningKey | None = None
    previous: SigningKey | None = None

    @property
    def published(self) -> list[SigningKey]:
        return [k for k in (self.current, self.next, self.previous) if k is not None]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk for k in self.published]}

    def public_keys(self) -> dict[str, Any]:
        return {k.kid: k.private_key.public_key() for k in self.published}


def _write_new_key(file: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    tmp.replace(file)


def load_key(file: Path) -> SigningKey:
    loaded = serialization.load_pem_private_key(file.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise TypeError("the JWT signing key must be an RSA key")
    numbers = loaded.public_key().public_numbers()
    members = {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}
    thumbprint = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
    kid = base64.urlsafe_b64encode(thumbprint.digest()).rstrip(b"=").decode()
    return SigningKey(
        private_key=loaded,
        kid=kid,
        public_jwk={**members, "kid": kid, "use": "sig", "alg": "RS256"},
    )


def load_keyset(directory: str | Path, *, autogenerate: bool) -> KeySet:
    """The keys in `directory`; current and next are created when missing and allowed
    (development). Production mounts the directory from a secret."""
    folder = Path(directory)
    if autogenerate:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name in (CURRENT, NEXT):
            if not (folder / name).exists():
                _write_new_key(folder / name)
    if not (folder / CURRENT).exists():
        raise FileNotFoundError(f"JWT signing key not found: {folder / CURRENT}")

    def optional(name: str) -> SigningKey | None:
        return load_key(folder / name) if (folder / name).exists() else None

    return KeySet(
        current=load_key(folder / CURRENT), next=optional(NEXT), previous=optional(PREVIOUS)
    )


def rotate(directory: str | Path) -> KeySet:
    """next → current, current → previous, a new next. Run once, then restart (or roll)
    identity's replicas; verifiers already know the new current key from the JWKS."""
    folder = Path(directory)
    if not (folder / NEXT).exists():
        raise FileNotFoundError(f"no next key to promote in {folder}")
    if (folder / CURRENT).exists():
        (folder / CURRENT).replace(folder / PREVIOUS)
    (folder / NEXT).replace(folder / CURRENT)
    _write_new_key(folder / NEXT)
    return load_keyset(folder, autogenerate=False)

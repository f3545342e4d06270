"""Argon2id hashing, bounded.

Each hash or verification takes `MEMORY_KIB` of memory and tens of milliseconds of CPU
by design. It runs off the event loop, and at most `concurrency` at a time (sized from a
memory budget), so a login flood queues instead of exhausting the process; when more
than `queue_limit` are already waiting, the next one is refused at once (503) rather
than holding a connection and memory for a wait that would end in a timeout anyway.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from edureg_shared.errors import DomainError

# argon2-cffi's defaults (RFC 9106 low-memory profile): 64 MiB, 3 passes, 4 lanes.
MEMORY_KIB = 64 * 1024
TIME_COST = 3
_hasher = PasswordHasher(memory_cost=MEMORY_KIB, time_cost=TIME_COST, parallelism=4)
# Verified when the login does not exist or the account cannot sign in, so every path
# costs the same time.
_DUMMY = _hasher.hash("edureg-timing-equaliser")


class Overloaded(DomainError):
    status = 503
    type = "login-overloaded"
    title = "Сервис входа перегружен"


@dataclass
class _Gate:
    semaphore: asyncio.Semaphore
    queue_limit: int
    waiting: int = 0


_gate: _Gate | None = None


def configure(
    *,
    memory_budget_mib: int,
    queue_limit: int,
    memory_kib: int = MEMORY_KIB,
    time_cost: int = TIME_COST,
) -> int:
    """Set the hashing cost of new hashes (existing hashes keep theirs) and size the
    gate: as many hashes at once as the budget holds (at least one). Returns that number."""
    global _gate, _hasher, _DUMMY
    if (memory_kib, time_cost) != (_hasher.memory_cost, _hasher.time_cost):
        _hasher = PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=4)
        _DUMMY = _hasher.hash("edureg-timing-equaliser")
    concurrency = max(1, memory_budget_mib * 1024 // memory_kib)
    _gate = _Gate(asyncio.Semaphore(concurrency), queue_limit)
    return concurrency


async def _bounded(fn: object, *args: str | None) -> object:
    gate = _gate
    if gate is None:  # not configured (a CLI): one at a time is always safe
        configure(memory_budget_mib=MEMORY_KIB // 1024, queue_limit=1_000_000)
        gate = _gate
    assert gate is not None
    if gate.semaphore.locked() and gate.waiting >= gate.queue_limit:
        raise Overloaded("Слишком много одновременных входов, повторите через несколько секунд")
    gate.waiting += 1
    try:
        await gate.semaphore.acquire()
    finally:
        gate.waiting -= 1
    try:
        return await asyncio.to_thread(fn, *args)  # type: ignore[arg-type]
    finally:
        gate.semaphore.release()


async def hash_password(password: str) -> str:
    return str(await _bounded(_hasher.hash, password))


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True only for a real hash that matches; a missing hash still costs a verification."""
    return bool(await _bounded(_verify, password_hash, password))

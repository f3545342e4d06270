"""Login throttling rules (pure).

- Per account and client address: after `free` failures since the last successful
  login, each further attempt waits an exponentially growing delay (capped). Another
  address is not affected: an attacker who knows a login slows only themselves.
- Per account, whatever the address: the same back-off with a higher threshold, against
  a guessing spread over many addresses.
- Per client address: at most `max_failures` failed attempts in a window, across all
  accounts (password spraying).
"""

from __future__ import annotations

from datetime import datetime, timedelta


def backoff_s(failures: int, *, free: int, base_s: float, cap_s: float) -> float:
    """Seconds to wait after `failures` consecutive failures (0 while within `free`)."""
    if failures <= free:
        return 0.0
    return float(min(cap_s, base_s * 2 ** min(failures - free - 1, 32)))


def locked_until(
    failures: int, last_failure: datetime | None, *, free: int, base_s: float, cap_s: float
) -> datetime | None:
    delay = backoff_s(failures, free=free, base_s=base_s, cap_s=cap_s)
    if not delay or last_failure is None:
        return None
    return last_failure + timedelta(seconds=delay)


def outcome(*, exists: bool, active: bool, password_ok: bool, locked: bool) -> str:
    """One of ok, unknown, disabled, locked, wrong_password. Every outcome but ok gets the
    same answer; the difference is only recorded."""
    if not exists:
        return "unknown"
    if not active:
        return "disabled"
    if locked:
        return "locked"
    return "ok" if password_ok else "wrong_password"

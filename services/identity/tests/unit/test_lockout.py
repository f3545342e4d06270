"""Login throttling rules alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from edureg_identity.domain import lockout


def test_back_off_starts_after_the_free_failures_and_doubles_to_a_cap() -> None:
    delays = [lockout.backoff_s(n, free=3, base_s=2, cap_s=60) for n in range(1, 10)]
    assert delays == [0, 0, 0, 2, 4, 8, 16, 32, 60]


@given(st.integers(min_value=0, max_value=10_000))
def test_back_off_never_exceeds_the_cap(failures: int) -> None:
    assert 0 <= lockout.backoff_s(failures, free=3, base_s=2, cap_s=900) <= 900


def test_locked_until_counts_from_the_last_failure() -> None:
    last = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert lockout.locked_until(3, last, free=3, base_s=2, cap_s=900) is None
    assert lockout.locked_until(5, last, free=3, base_s=2, cap_s=900) == last + timedelta(seconds=4)


def test_every_failure_reason_is_distinguished_only_in_the_record() -> None:
    assert lockout.outcome(exists=False, active=True, password_ok=True, locked=False) == "unknown"
    assert lockout.outcome(exists=True, active=False, password_ok=True, locked=False) == "disabled"
    assert lockout.outcome(exists=True, active=True, password_ok=True, locked=True) == "locked"
    assert (
        lockout.outcome(exists=True, active=True, password_ok=False, locked=False)
        == "wrong_password"
    )
    assert lockout.outcome(exists=True, active=True, password_ok=True, locked=False) == "ok"

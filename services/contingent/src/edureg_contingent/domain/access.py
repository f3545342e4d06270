"""Who reads which personal files (001 IV, 003 3.3.4): pure rules, no I/O.

The academic office, which drafts or signs orders, reads every student's file; anyone
else holding the right to read files (a curator, a class teacher) reads those of the
groups they curate only — another group's student is "not found", like another
organisation's."""

from __future__ import annotations

from collections.abc import Iterable

OFFICE_RIGHTS = frozenset({"contingent.orders.write", "contingent.orders.sign"})


def reads_every_file(permissions: Iterable[str]) -> bool:
    return not OFFICE_RIGHTS.isdisjoint(permissions)

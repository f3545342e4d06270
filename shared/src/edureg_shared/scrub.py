"""Error descriptions safe to keep in dead letters, spans and logs.

A database error repeats the values it choked on (`Key (login)=(ivanov1000)`,
`invalid input syntax for type uuid: "Иванов"`); a dead letter or a trace is no place for
them (152-FZ). What is kept: the error class and its first line, with quoted values and
key values replaced; SQL identifiers (constraint, table, column names) stay, they are
what an operator needs.
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_KEY_VALUE = re.compile(r"=\([^)]*\)")


def _quoted(match: re.Match[str]) -> str:
    inner = match.group(1) if match.group(1) is not None else match.group(2)
    return match.group(0) if _IDENTIFIER.match(inner) else "«…»"


def scrub(text: str) -> str:
    text = _KEY_VALUE.sub("=(…)", text)
    return _QUOTED.sub(_quoted, text)


def describe(exc: BaseException) -> str:
    """The error's class and scrubbed first line; never SQL parameters or values."""
    raw = str(getattr(exc, "orig", None) or exc).split("[SQL:", 1)[0].strip().splitlines()
    first = scrub(raw[0][:300]) if raw else ""
    return f"{type(exc).__name__}: {first}".rstrip(": ")

"""A file handed to the browser as a download: its name kept in Cyrillic (RFC 5987) and
never rendered in the service's origin (a file someone uploaded must not run there)."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import Response


def disposition(filename: str) -> str:
    """An attachment's name, Cyrillic kept for browsers that read RFC 5987."""
    plain = re.sub(r'[\x00-\x1f\x7f"\\]', "_", filename)
    plain = plain.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


def attachment(content: bytes, *, filename: str, media_type: str) -> Response:
    """Always saved, never shown inline; the type as given, never sniffed; and were it
    opened anyway, sandboxed with nothing allowed to load."""
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": disposition(filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )

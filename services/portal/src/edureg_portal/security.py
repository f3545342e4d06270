"""Headers on every portal response: pages show children's names and hold password
forms, so they are never framed, never cached, never run a script from elsewhere or
inline, and never leak the address of the page to another site."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

CSP = b"content-security-policy"
SANDBOXED = b"default-src 'none'; sandbox"
HEADERS = {
    CSP: CONTENT_SECURITY_POLICY.encode(),
    b"x-frame-options": b"DENY",
    b"cache-control": b"no-store",
    b"referrer-policy": b"same-origin",
    b"x-content-type-options": b"nosniff",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() not in HEADERS
                ]
                ours = list(HEADERS.items())
                if any(
                    k.lower() == b"content-disposition" and v.lower().startswith(b"attachment")
                    for k, v in headers
                ):
                    # A file passed on (a teacher's upload among them) never runs a thing
                    # in the portal's origin, even if a browser were to show it.
                    ours = [(k, SANDBOXED if k == CSP else v) for k, v in ours]
                message["headers"] = headers + ours
            await send(message)

        await self.app(scope, receive, with_headers)

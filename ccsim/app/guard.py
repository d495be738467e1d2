"""What the web app refuses before a request reaches it: strangers, other sites, big bodies.

The app runs on the planner's own machine and can write scenario files, so it is
guarded like a local tool should be:

* **Loopback names only.** Bound to 127.0.0.1 (the default), it answers only requests
  whose ``Host`` is ``127.0.0.1``, ``localhost`` or ``[::1]``. A web page elsewhere
  that points a name of its own at 127.0.0.1 (DNS rebinding) gets 403.
* **No requests from other sites.** A request that changes something (anything but
  GET and HEAD) carrying an ``Origin`` other than the app's own is refused, so a page
  open in another tab cannot post to the app.
* **Small bodies.** A request body over the limit (1 MB by default; a scenario file is
  a few KB) is refused with 413 and a sentence saying so, before it is read whole.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["DEFAULT_MAX_BODY", "LOOPBACK_NAMES", "Guard", "size_text"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BODY = 1_000_000
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def size_text(n: float) -> str:
    """``1.2 MB``, ``340 KB``, ``12 bytes``."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB".replace(".0 ", " ")
    if n >= 1_000:
        return f"{n / 1_000:.0f} KB"
    return f"{int(n)} bytes"


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.split(":", 1)[0]


class Guard:
    """ASGI middleware: host names, origin and body size (see the module docstring).

    Parameters
    ----------
    app : ASGI application
    hosts : set of str or None
        Host names the app answers to; None for any (when bound to another address).
    max_body : int
        Largest request body in bytes.
    """

    def __init__(self, app: ASGIApp, hosts: frozenset[str] | None, max_body: int):
        self.app = app
        self.hosts = hosts
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse or pass the request (buffering a body of at most ``max_body``)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if self.hosts is not None and _host_name(host) not in self.hosts:
            names = ", ".join(sorted(n for n in self.hosts if not n.startswith(":")))
            await _refuse(send, 403, f"this app answers only to {names}")
            return
        if scope["method"] in _SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        origin = headers.get("origin")
        if origin is not None and origin not in (f"http://{host}", f"https://{host}"):
            await _refuse(send, 403, f"requests from {origin} are not accepted")
            return
        limit = f"the app takes at most {size_text(self.max_body)} (a scenario file is a few KB)"
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await _refuse(send, 413, f"too large: {size_text(int(length))}; {limit}")
            return
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                await _refuse(send, 413, f"too large: over {size_text(self.max_body)}; {limit}")
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""textual-serve's ``Server``, fitted to Margin (``margin serve``, see ``tui/serve.py``).

textual-serve starts the served command once per websocket, under Textual's web driver, and
relays it: the browser sends ``["stdin", keys]``, ``["resize", {"width", "height"}]``,
``["ping", data]``, ``["focus"]``/``["blur"]`` as JSON text, and gets the app's terminal
output as binary messages. What this subclass changes:

- The page points the browser at the address it asked for (its ``Host``), so a tunnel to
  another local port (``ssh -L 9000:127.0.0.1:8000``) works; ``--public-url`` overrides it.
- A server on the loopback address only answers requests addressed to a loopback name, and
  a websocket opened from another site's page (its ``Origin`` is not this server) is
  refused: a web page the user happens to visit cannot drive their Margin (websockets are
  not bound by the same-origin policy) nor reach it by DNS rebinding.
- Quitting (Ctrl+C, SIGTERM) closes every tab's websocket, which tells each Margin to quit,
  so each checkpoints its database and releases its lock before the server exits.
- Start-up says one line through ``say`` instead of a logo, and logs only warnings, each
  line made terminal-safe.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from ..core.text import terminal_safe

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


class SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return terminal_safe(super().format(record))


class MarginServer(Server):
    def __init__(self, command: str, *, host: str, port: int, public_url: str | None,
                 loopback_only: bool, announce: Callable[[], None]) -> None:
        super().__init__(command, host=host, port=port, title="Margin", public_url=public_url)
        self.fixed_public_url = public_url.rstrip("/") if public_url else None
        self.loopback_only = loopback_only
        self.announce = announce
        self.sockets: set[web.WebSocketResponse] = set()

    def initialize_logging(self) -> None:
        handler = logging.StreamHandler()
        handler.setFormatter(SafeFormatter("margin serve: %(levelname)s: %(message)s"))
        logging.basicConfig(level=logging.DEBUG if self.debug else logging.WARNING, handlers=[handler])

    async def on_startup(self, app: web.Application) -> None:
        self.announce()

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every tab: its Margin is told to quit and saves before the server ends."""
        for websocket in list(self.sockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"Margin server stopped")

    def addressed_here(self, request: web.Request) -> bool:
        """Whether the request names this server: any name when it listens beyond this
        machine, else a loopback name (or the public URL's), never a name that a rebinding
        DNS points at 127.0.0.1."""
        if not self.loopback_only:
            return True
        name = urlsplit(f"//{request.host}").hostname or ""
        public = urlsplit(self.fixed_public_url or "").hostname
        return name in LOOPBACK_NAMES or name == public or is_loopback_address(name)

    def same_origin(self, request: web.Request) -> bool:
        """A browser's websocket from this server's own page (no Origin: not a browser)."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        netloc = urlsplit(origin).netloc
        public = urlsplit(self.fixed_public_url or "").netloc
        return netloc == request.host or (bool(public) and netloc == public)

    def base_url(self, request: web.Request) -> str:
        return self.fixed_public_url or f"{request.scheme}://{request.host}"

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's page (its own template), pointing at this request's address."""
        if not self.addressed_here(request):
            raise web.HTTPForbidden(text="Margin serves this machine's own addresses only\n")
        base = self.base_url(request)
        router = request.app.router
        websocket = base + str(router["websocket"].url_for())
        websocket = ("wss:" if websocket.startswith("https:") else "ws:") + websocket.split(":", 1)[1]
        context: dict[str, Any] = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": websocket,
            "config": {"static": {"url": base + str(router["static"].url_for(filename="/")).rstrip("/") + "/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self.addressed_here(request) or not self.same_origin(request):
            raise web.HTTPForbidden(text="a Margin tab opens from Margin's own page\n")
        return await super().handle_websocket(request)

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        self.sockets.add(websocket)
        try:
            await super()._process_messages(websocket, app_service)
        finally:
            self.sockets.discard(websocket)


def is_loopback_address(name: str) -> bool:
    """A loopback address written as one (127.0.0.2), not a name to resolve: resolving the
    Host header would let a rebinding DNS answer 127.0.0.1."""
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


__all__ = ["MarginServer"]

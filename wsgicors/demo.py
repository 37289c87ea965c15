"""``wsgicors demo``: a two-origin CORS playground on the standard library's server.

Placeholder: the server helper is used by the browser tests; the page follows.
"""

from __future__ import annotations

import socketserver
import threading
from typing import Any, Callable, Iterable, Optional
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

__all__ = ["BackgroundServer"]

WSGIApp = Callable[..., Iterable[bytes]]


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per connection (a browser opens several)."""

    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - wsgiref's signature
        pass


class BackgroundServer:
    """A WSGI app served by ``wsgiref`` on ``host:port`` (0 picks a free port) in a thread.

    Use as a context manager, or call :meth:`stop`; stopping closes the socket.
    """

    def __init__(self, app: WSGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = make_server(host, port, app, server_class=_ThreadingWSGIServer,
                                  handler_class=_QuietHandler)
        self.host = host
        self.port: int = self.server.server_port
        self._thread: Optional[threading.Thread] = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"wsgicors-demo-{self.port}", daemon=True)
        self._thread.start()

    def url(self, host: Optional[str] = None) -> str:
        """``http://host:port`` (no trailing slash), by default with the bound host."""
        return f"http://{host or self.host}:{self.port}"

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self.server.shutdown()
        self.server.server_close()
        thread.join(timeout=5)

    def __enter__(self) -> "BackgroundServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

"""Shared helpers for the ``wsgicors check`` tests: small scripted WSGI servers."""

from __future__ import annotations

import threading
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

Header = Tuple[str, str]

ORIGIN = "https://app.example"
URL = "https://api.example/data"


def status_line(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"


class Scripted:
    """A WSGI app whose preflight and actual answers are given verbatim; records what it saw."""

    def __init__(self, preflight: Sequence[Header] = (), actual: Sequence[Header] = (),
                 preflight_status: int = 204, actual_status: int = 200, body: bytes = b"ok") -> None:
        self.preflight, self.actual = list(preflight), list(actual)
        self.preflight_status, self.actual_status, self.body = preflight_status, actual_status, body
        self.seen: List[Dict[str, Any]] = []

    @property
    def methods(self) -> List[str]:
        return [environ["REQUEST_METHOD"] for environ in self.seen]

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ = dict(environ)
        environ["body"] = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.seen.append(environ)
        if environ["REQUEST_METHOD"] == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
            start_response(status_line(self.preflight_status), list(self.preflight))
            return [b""]
        start_response(status_line(self.actual_status), [("Content-Type", "text/plain")] + list(self.actual))
        return [self.body]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    """Threads, so an idle browser pre-connection cannot stall the next request."""

    daemon_threads = True


class LiveServer:
    """A wsgiref server on 127.0.0.1 in a thread; always shut down by the fixture."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.server: WSGIServer = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer,
                                              handler_class=_QuietHandler)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server():
    """``live_server(app) -> LiveServer``; every server started is stopped at teardown."""
    started: List[LiveServer] = []

    def start(app: Callable[..., Any]) -> LiveServer:
        server = LiveServer(app)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def scripted():
    return Scripted


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def live_server_class():
    """The :class:`LiveServer` class, for module-scoped fixtures (they must stop what they start)."""
    return LiveServer


@pytest.fixture
def raw_server():
    """``raw_server(answers)`` -> a started :class:`rawserver.RawServer`; all are stopped afterwards."""
    from check.rawserver import RawServer

    started = []

    def start(answers):
        server = RawServer(answers)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()

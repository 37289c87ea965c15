"""Helpers for the routing tests: WSGI calls with exact PATH_INFO, and policy labels.

Each policy exposes one header named after it (``x-from-<label>``), so the
``Access-Control-Expose-Headers`` of a response says which policy decorated it.
Every view answers the name of the view that ran.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import unquote
from wsgiref.util import setup_testing_defaults

COMMON = "https://common.example"      # allowed by every policy
PARTNER = "https://partner.example"    # allowed by the app-wide credentialed policy only
ADMIN = "https://admin.example.com"    # allowed by the admin policy only
EVIL = "https://evil.example"
HERE = pathlib.Path(__file__).resolve().parent


def policy_options(label: str, *origins: str, credentials: bool = True) -> Dict[str, Any]:
    return dict(origins=[COMMON, *origins], allow_credentials=credentials, expose_headers=[f"x-from-{label}"])


class Result:
    def __init__(self, status: str, headers: List[Tuple[str, str]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def code(self) -> int:
        return int(self.status.split()[0])

    def values(self, name: str) -> List[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def label(self) -> Optional[str]:
        """Which policy decorated the response (None: no CORS headers)."""
        exposed = self.values("Access-Control-Expose-Headers")
        if not exposed:
            assert not self.values("Access-Control-Allow-Origin"), self.headers
            return None
        assert len(exposed) == 1 and exposed[0].startswith("x-from-"), exposed
        return exposed[0][len("x-from-"):]

    @property
    def view(self) -> Optional[str]:
        text = self.body.decode("latin-1")
        return text[len("view:"):] if text.startswith("view:") else None


def call(app: Any, path_info: str, method: str = "GET", origin: Optional[str] = COMMON,
         **extra: str) -> Result:
    """Call ``app`` with exactly this (latin-1) PATH_INFO, as a server would pass it."""
    environ: Dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path_info, "SCRIPT_NAME": ""}
    if origin is not None:
        environ["HTTP_ORIGIN"] = origin
    environ.update(extra)
    setup_testing_defaults(environ)
    captured: Dict[str, Any] = {}

    def start_response(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, list(headers)
        return lambda data: None

    iterable = app(environ, start_response)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return Result(captured["status"], captured["headers"], body)


def preflight(app: Any, path_info: str, method: str = "PUT", origin: str = COMMON, **extra: str) -> Result:
    return call(app, path_info, "OPTIONS", origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD=method, **extra)


def latin1(text: str) -> str:
    """PATH_INFO for a path whose bytes are ``text`` in UTF-8."""
    return text.encode("utf-8").decode("latin-1")


def path_info(raw: str) -> str:
    """What a WSGI server puts in PATH_INFO: the %-decoded bytes as latin-1 (gunicorn, wsgiref)."""
    return unquote(raw, encoding="latin-1")


#: Ways clients and servers vary a request path (p: the path, i: a position in it), as percent-encoded targets.
MUTATIONS = [
    lambda p, i: p[:i] + "/" + p[i:] if p[i - 1:i] == "/" else p,        # repeated slash
    lambda p, i: p[:i] + "%FF" + p[i:],                                   # a byte that is not UTF-8
    lambda p, i: p[:i] + "x/../" + p[i:] if p[i - 1:i] == "/" else p,   # dot segments
    lambda p, i: p[:i] + "./" + p[i:] if p[i - 1:i] == "/" else p,
    lambda p, i: p[:i] + "%2F" + p[i + 1:] if p[i:i + 1] == "/" else p,  # an encoded slash
    lambda p, i: p[:i] + p[i:].upper(),                                   # case
    lambda p, i: p + "/" if not p.endswith("/") else p[:-1],              # trailing slash
    lambda p, i: p + ";x",
    lambda p, i: p[:i] + "+" + p[i:],
    lambda p, i: p.replace("%C3%A9", "%E9"),                              # latin-1, not UTF-8
    lambda p, i: "/" + p,                                                 # a leading double slash
]


def serve(apps: Dict[str, Any]) -> None:
    """``python SCRIPT NAME``: serve ``apps[NAME]()`` on the stdlib server; print the port, then serve until killed."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, apps[sys.argv[1]](), handler_class=Quiet)
    print(server.server_port, flush=True)
    server.serve_forever()


class Wsgiref:
    """``python SCRIPT NAME`` (a module of apps calling :func:`serve`): the stdlib server in a subprocess."""

    def __init__(self, script: str, name: str) -> None:
        self.process = subprocess.Popen([sys.executable, str(HERE / script), name], cwd=HERE,
                                        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                        env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                            [str(HERE), str(HERE.parent), os.environ.get("PYTHONPATH", "")])},
                                        start_new_session=True)
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            import pytest  # the apps modules import this one in servers too, without the tests' path

            pytest.fail(f"the wsgiref server did not start: {line!r}")
        self.port = int(line)

    def request(self, method: str, path: str, headers: Any) -> Any:
        from gunicorn_testing import request

        return request(self.port, method, path, headers)

    def stop(self) -> None:
        from gunicorn_testing import stop

        stop(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()

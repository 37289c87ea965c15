"""Plain WSGI pieces shared by every benchmark: requests, a server stub, bare apps.

Every competitor is driven the same way a WSGI server drives it: a fresh
``environ`` dict per request, ``start_response``, the body iterated and
``close()`` called. Those costs are the same for the bare app and for every
wrapped one, so they cancel out of every overhead figure.
"""

from __future__ import annotations

import io
import itertools
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

ALLOWED_ORIGIN = "https://app.example.com"
REFUSED_ORIGIN = "https://evil.example.com"
PATH = "/api/data"
BODY = b'{"ok": true}'
EXPOSED = ("x-request-id", "x-total")

Headers = List[Tuple[str, str]]
WSGIApp = Callable[..., Iterable[bytes]]


def environ(
    method: str = "GET",
    origin: Optional[str] = None,
    request_method: Optional[str] = None,
    request_headers: Optional[str] = None,
    path: str = PATH,
) -> Dict[str, Any]:
    """A complete PEP 3333 environ, as a server would build it for one request."""
    env: Dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "*/*",
        "HTTP_USER_AGENT": "wsgicors-benchmarks",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if origin is not None:
        env["HTTP_ORIGIN"] = origin
    if request_method is not None:
        env["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = request_method
    if request_headers is not None:
        env["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = request_headers
    return env


class Recorder:
    """A ``start_response`` that remembers the last status and headers (for checks)."""

    def __init__(self) -> None:
        self.status = ""
        self.headers: Headers = []

    def __call__(self, status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
        self.status = status
        self.headers = list(headers)
        return _write


def _write(data: bytes) -> None:
    pass


def _start_response(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
    return _write


def make_loop(app: WSGIApp, env: Union[Dict[str, Any], Sequence[Dict[str, Any]]]) -> Callable[[int], None]:
    """``loop(n)`` serves ``env`` to ``app`` n times, like a server would.

    Given a sequence of environs, each call takes the next one, round robin.
    """
    start_response = _start_response
    envs = itertools.cycle([env] if isinstance(env, dict) else env)

    def loop(n: int) -> None:
        for _ in range(n):
            request = next(envs).copy()
            request["wsgi.input"] = io.BytesIO(b"")
            body = app(request, start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return loop


def serve_once(app: WSGIApp, env: Dict[str, Any]) -> Tuple[str, Dict[str, List[str]]]:
    """One request; returns the status and the headers (lower-cased names -> values)."""
    recorder = Recorder()
    request = env.copy()
    request["wsgi.input"] = io.BytesIO(b"")
    body = app(request, recorder)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    headers: Dict[str, List[str]] = {}
    for name, value in recorder.headers:
        headers.setdefault(name.lower(), []).append(value)
    return recorder.status, headers


def bare_app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The smallest realistic application: a JSON body, fresh header list per call."""
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]


class FloorMiddleware:
    """The practical floor: hand-written CORS for one fixed configuration.

    It checks the origin against a set and appends precomputed headers, with
    none of the generality (no merged Vary, no app-set CORS detection, no
    per-path rules, no validation). Our middleware is measured against it.
    """

    def __init__(self, app: WSGIApp, origins: Iterable[str], credentials: bool = False,
                 expose: Iterable[str] = (), max_age: int = 600) -> None:
        self.app = app
        self.origins = frozenset(origins)
        extra: Headers = []
        if credentials:
            extra.append(("Access-Control-Allow-Credentials", "true"))
        exposed = ", ".join(expose)
        if exposed:
            extra.append(("Access-Control-Expose-Headers", exposed))
        self.extra = extra
        self.preflight_extra = [h for h in extra if h[0] != "Access-Control-Expose-Headers"] + [
            ("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE"),
            ("Access-Control-Max-Age", str(max_age)),
        ]

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        origin: str = environ.get("HTTP_ORIGIN", "")
        allowed = origin in self.origins
        if environ["REQUEST_METHOD"] == "OPTIONS" and "HTTP_ORIGIN" in environ and \
                "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
            vary = ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
            if not allowed:
                start_response("403 Forbidden", [vary, ("Content-Type", "text/plain"), ("Content-Length", "0")])
                return [b""]
            headers = [("Access-Control-Allow-Origin", origin)] + self.preflight_extra
            requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
            if requested:
                headers.append(("Access-Control-Allow-Headers", requested))
            headers.append(vary)
            start_response("204 No Content", headers)
            return [b""]
        extra = self.extra

        def cors_start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
            headers = list(headers)
            if allowed:
                headers.append(("Access-Control-Allow-Origin", origin))
                headers.extend(extra)
            headers.append(("Vary", "Origin"))
            return start_response(status, headers, exc_info)

        return self.app(environ, cors_start_response)


class PrecomputedFloorMiddleware:
    """The floor as issue 16 defines it: everything precomputed, nothing checked.

    What the code does, exactly (:data:`PRECOMPUTED_FLOOR_TEXT` says the same
    in the report):

    - a preflight is ``OPTIONS`` with ``Origin`` and
      ``Access-Control-Request-Method`` present;
    - the origin is looked up once in a dict keyed by the allowed origins (in
      place of the issue's frozenset: the same hash look-up, and the value is
      that origin's precomputed header tuples, so no second look-up);
    - an allowed preflight gets a new list of the precomputed tuples
      (``Access-Control-Allow-Origin``, ``-Allow-Methods``, ``-Max-Age``;
      ``-Allow-Credentials`` too when configured),
      ``Access-Control-Allow-Headers`` echoing the request's
      ``Access-Control-Request-Headers`` verbatim when it is not empty, and a
      precomputed ``Vary``; the requested method is not checked;
    - a refused preflight gets a precomputed 403: the same status and the
      same header list object on every call (no copy);
    - any other request always has ``start_response`` wrapped; the wrapper
      passes ``headers + add``: a new list, the application's headers followed
      by the precomputed ``Access-Control-Allow-Origin`` + ``Vary`` (or
      ``Vary`` alone; with credentials or exposed headers configured, those
      headers sit between the two). That copies the application's list; it never extends
      it in place, because an application may hand the same list to every
      response (``extend`` would save the copy but would grow such a list on
      every request).

    No validation, no Vary merge, no handling of app-set headers. Cheaper than
    :class:`FloorMiddleware` (the issue-6 floor), which looks the origin up in
    a frozenset, copies the application's list and appends to it in up to
    three calls, and builds each preflight's header list per request.
    """

    PREFLIGHT_VARY = ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
    REFUSED = ("403 Forbidden", [PREFLIGHT_VARY, ("Content-Type", "text/plain"), ("Content-Length", "0")])
    VARY_ONLY = [("Vary", "Origin")]

    def __init__(self, app: WSGIApp, origins: Iterable[str], credentials: bool = False,
                 expose: Iterable[str] = (), max_age: int = 600) -> None:
        self.app = app
        extra: Tuple[Tuple[str, str], ...] = ()
        if credentials:
            extra += (("Access-Control-Allow-Credentials", "true"),)
        preflight = extra + (("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE"),
                             ("Access-Control-Max-Age", str(max_age)))
        exposed = ", ".join(expose)
        if exposed:
            extra += (("Access-Control-Expose-Headers", exposed),)
        self.actual = {o: [("Access-Control-Allow-Origin", o), *extra, *self.VARY_ONLY] for o in origins}
        self.preflight = {o: (("Access-Control-Allow-Origin", o),) + preflight for o in origins}

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        if environ["REQUEST_METHOD"] == "OPTIONS" and origin is not None and \
                "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
            found = self.preflight.get(origin)
            if found is None:
                start_response(*self.REFUSED)
                return [b""]
            requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
            if requested:
                start_response("204 No Content", [*found, ("Access-Control-Allow-Headers", requested),
                                                  self.PREFLIGHT_VARY])
            else:
                start_response("204 No Content", [*found, self.PREFLIGHT_VARY])
            return [b""]
        add = self.actual.get(origin, self.VARY_ONLY) if origin is not None else self.VARY_ONLY

        def cors_start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
            return start_response(status, headers + add, exc_info)

        return self.app(environ, cors_start_response)


#: how the report and benchmarks/README.md describe :class:`PrecomputedFloorMiddleware` (kept beside its code)
PRECOMPUTED_FLOOR_TEXT = (
    "tests for a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`), looks the origin up "
    "once in a dict from each allowed origin to its precomputed header tuples (one hash look-up, as in the "
    "issue's frozenset, that also yields the tuples), "
    "answers an allowed preflight with a new list of those tuples, `Access-Control-Allow-Headers` echoing the "
    "requested header names verbatim and a precomputed `Vary` (the requested method is not checked), a refused "
    "one with a precomputed 403 (the same header list object every time), and otherwise always wraps "
    "`start_response` to pass `headers + add`: a copy of the application's list with the precomputed "
    "`Access-Control-Allow-Origin` + `Vary` (or `Vary` alone) appended, never extending the application's "
    "list in place"
)

#: the same for :class:`FloorMiddleware`
FLOOR6_TEXT = (
    "looks the origin up in a frozenset, copies the application's header list and appends to it in up to three "
    "calls, and builds each preflight's header list per request"
)


def app_with_headers(count: int) -> WSGIApp:
    """A bare app whose response carries ``count`` headers (Content-Type, Content-Length, X-Filler-N...)."""
    fixed = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    fixed += [(f"X-Filler-{index}", "value") for index in range(max(0, count - 2))]

    def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", list(fixed))
        return [BODY]

    return app

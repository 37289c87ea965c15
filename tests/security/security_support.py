"""Helpers for tests/security: raw WSGI calls and the fuzz budget."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from wsgicors import CORSMiddleware, Policy

#: Examples per fuzz property: bounded in the default run, long under -m fuzz.
DEFAULT_EXAMPLES = 300
LONG_EXAMPLES = 20_000
FUZZ_EXAMPLES = DEFAULT_EXAMPLES

Headers = List[Tuple[str, str]]


def configure_fuzz(long_run: bool, explicit: Optional[str]) -> None:
    global FUZZ_EXAMPLES
    FUZZ_EXAMPLES = int(explicit) if explicit else (LONG_EXAMPLES if long_run else DEFAULT_EXAMPLES)


class App:
    """A WSGI app with a fixed answer that records every call."""

    def __init__(self, status: str = "200 OK", headers: Optional[Headers] = None, body: bytes = b"payload") -> None:
        self.status = status
        self.headers = headers if headers is not None else [("Content-Type", "text/plain")]
        self.body = body
        self.calls = 0

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> List[bytes]:
        self.calls += 1
        start_response(self.status, list(self.headers))
        return [self.body]


class Result:
    def __init__(self, status: str, headers: Headers, body: bytes, app_calls: int) -> None:
        self.status, self.headers, self.body, self.app_calls = status, headers, body, app_calls

    def values(self, name: str) -> List[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def acao(self) -> List[str]:
        return self.values("Access-Control-Allow-Origin")

    @property
    def cors_headers(self) -> List[Tuple[str, str]]:
        return [(k, v) for k, v in self.headers if k.lower().startswith("access-control-")]

    def vary_tokens(self) -> List[str]:
        values = self.values("Vary")
        assert len(values) <= 1, f"more than one Vary header: {values}"
        return [t.strip().lower() for t in values[0].split(",")] if values else []


def environ(method: str = "GET", path: str = "/", origin: Optional[str] = None,
            request_method: Optional[str] = None, request_headers: Optional[str] = None,
            **extra: str) -> Dict[str, Any]:
    env: Dict[str, Any] = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
    }
    for key, value in (("HTTP_ORIGIN", origin), ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", request_method),
                       ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", request_headers)):
        if value is not None:
            env[key] = value
    env.update(extra)
    return env


def call(middleware: Callable[..., Any], env: Dict[str, Any]) -> Result:
    """One raw WSGI call; the app's call count is read from ``middleware.app``."""
    captured: Dict[str, Any] = {}

    def start_response(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = status, list(headers)
        return lambda data: None

    app = getattr(middleware, "app", None)
    before = getattr(app, "calls", 0)
    iterable = middleware(env, start_response)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return Result(captured["status"], captured["headers"], body, getattr(app, "calls", 0) - before)


def actual(options: Dict[str, Any], origin: Optional[str], **kw: Any) -> Result:
    return call(CORSMiddleware(App(), **options), environ(origin=origin, **kw))


def preflight(options: Dict[str, Any], origin: str, method: str = "PUT",
              headers: Optional[str] = None, **kw: Any) -> Result:
    return call(CORSMiddleware(App(), **options),
                environ("OPTIONS", origin=origin, request_method=method, request_headers=headers, **kw))


def policy_of(middleware: CORSMiddleware, path: str = "/") -> Optional[Policy]:
    return middleware.policy_for({"PATH_INFO": path})

"""Shared test helpers: importable from any test module as ``cors_testing``."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from wsgiref.validate import validator

from webtest import TestApp

from wsgicors import CORSMiddleware

ALLOWED = "https://app.example.com"
OTHER = "https://evil.example.net"


class RecordingApp:
    """A WSGI app that answers with fixed headers and counts its calls."""

    def __init__(self, status: str = "200 OK", headers: Optional[List[Tuple[str, str]]] = None,
                 body: bytes = b"hello") -> None:
        self.status = status
        self.headers = headers if headers is not None else [("Content-Type", "text/plain")]
        self.body = body
        self.calls: List[Dict[str, Any]] = []

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.calls.append(environ)
        start_response(self.status, list(self.headers))
        return [self.body]


def client(app: Callable[..., Any], **options: Any) -> TestApp:
    """WebTest client for ``app`` behind the middleware, validated on both sides."""
    return TestApp(validator(CORSMiddleware(validator(app), **options)))


def preflight_headers(origin: str = ALLOWED, method: str = "PUT", headers: Optional[str] = None) -> Dict[str, str]:
    result = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        result["Access-Control-Request-Headers"] = headers
    return result


def header_values(response: Any, name: str) -> List[str]:
    return [value for key, value in response.headerlist if key.lower() == name.lower()]

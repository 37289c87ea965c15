"""Helpers for ``tests/claims``: drive a WSGI app directly, read headers with repeats kept."""

from __future__ import annotations

import importlib.metadata
import io
from typing import Any, Callable, Dict, List, Optional, Set, Tuple
from wsgiref.util import setup_testing_defaults

Headers = List[Tuple[str, str]]

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example"


def call(app: Callable[..., Any], method: str = "GET", path: str = "/", headers: Optional[Dict[str, str]] = None,
         body: bytes = b"") -> Tuple[int, Headers]:
    """One request straight into a WSGI app: (status code, response headers in order, repeats kept)."""
    environ: Dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": io.BytesIO(body),
                               "CONTENT_LENGTH": str(len(body))}
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key] = value
    setup_testing_defaults(environ)
    seen: Dict[str, Any] = {}

    def start_response(status: str, response_headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
        seen["status"], seen["headers"] = int(status[:3]), list(response_headers)
        return lambda data: None

    result = app(environ, start_response)
    try:
        for _ in result:
            pass
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return seen["status"], seen["headers"]


def values(headers: Headers, name: str) -> List[str]:
    """Every value of header ``name`` (case-insensitive), one per header line."""
    return [value for key, value in headers if key.lower() == name.lower()]


def preflight(app: Callable[..., Any], origin: str = ORIGIN, path: str = "/api", method: str = "PUT",
              request_headers: str = "") -> Tuple[int, Headers]:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if request_headers:
        headers["Access-Control-Request-Headers"] = request_headers
    return call(app, "OPTIONS", path, headers)


def plain_app(extra: Headers = ()) -> Callable[..., Any]:  # type: ignore[assignment]
    """A WSGI app answering 200 ``ok`` on every path, with ``extra`` headers."""

    def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> List[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), *extra])
        return [b"ok"]

    return app


def runtime_requirements(distribution: str) -> Set[str]:
    """Lower-case names of what ``pip install distribution`` pulls in on this Python (no extras)."""
    from packaging.requirements import Requirement

    names = set()
    for text in importlib.metadata.requires(distribution) or []:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.add(requirement.name.lower().replace("_", "-"))
    return names

"""An app whose CORS policy is swapped at run time, for the concurrency tests.

``GET /admin/swap?a`` (or ``?b``) calls ``reconfigure`` from inside a request;
every other path is served under the current policy. Run it under a real
server with ``gunicorn -k gthread --threads 8 reconfigure_app:app``.

The two policies differ in every CORS header, so a response built half from
one and half from the other cannot pass for either.
"""

import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from wsgicors import CORSMiddleware, Policy

SHARED = "https://shared.example"
ONLY_A = "https://a.example"
ONLY_B = "https://b.example"

POLICIES = {
    "a": Policy(origins=[SHARED, ONLY_A], methods=["GET", "PUT"], allow_headers=["x-a"],
                expose_headers=["x-from-a"], allow_credentials=True, max_age=10),
    "b": Policy(origins=[SHARED, ONLY_B], methods=["GET", "PATCH", "DELETE"], allow_headers=["x-b"],
                expose_headers=["x-from-b"], max_age=20, preflight_status=200),
}

#: The probes each client sends: (method, path, request headers).
PROBES: List[Tuple[str, str, Dict[str, str]]] = [
    ("GET", "/data", {"Origin": SHARED}),
    ("GET", "/data", {"Origin": ONLY_A}),
    ("GET", "/data", {"Origin": ONLY_B}),
    ("POST", "/data", {"Origin": SHARED}),
    ("OPTIONS", "/data", {"Origin": SHARED, "Access-Control-Request-Method": "GET"}),
    ("OPTIONS", "/data", {"Origin": SHARED, "Access-Control-Request-Method": "PUT",
                          "Access-Control-Request-Headers": "x-a"}),
    ("OPTIONS", "/data", {"Origin": ONLY_B, "Access-Control-Request-Method": "PATCH",
                          "Access-Control-Request-Headers": "x-b"}),
]


def rules(name: str) -> List[Tuple[str, Optional[Policy]]]:
    return [("/admin/*", None), ("*", POLICIES[name])]


def backend(environ: Dict[str, Any], start_response: Callable[..., Any]) -> List[bytes]:
    if environ["PATH_INFO"] == "/admin/swap":
        app.reconfigure(rules=rules(environ["QUERY_STRING"]))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"swapped"]
    time.sleep(0)  # like any I/O: lets other threads (and a swap) run mid-request
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-From-A", "1"), ("X-From-B", "1")])
    return [b"data"]


app = CORSMiddleware(backend, rules=rules("a"))


def cors_view(status: str, headers: List[Tuple[str, str]]) -> Tuple[Any, ...]:
    """What CORS decided, independent of the server's own headers (Date, Server)."""
    relevant = sorted((k.lower(), v) for k, v in headers if k.lower().startswith("access-control-")
                      or k.lower() == "vary")
    return (status.split()[0],) + tuple(relevant)


def probe_environ(index: int) -> Dict[str, Any]:
    from security_support import environ

    method, path, headers = PROBES[index]
    return environ(method, path, **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})


def expected_views() -> Dict[str, List[Tuple[Any, ...]]]:
    """For each policy, the CORS view of every probe, answered in-process."""
    from security_support import App, call

    views: Dict[str, List[Tuple[Any, ...]]] = {}
    for name in POLICIES:
        middleware = CORSMiddleware(App(), rules=rules(name))
        views[name] = []
        for index in range(len(PROBES)):
            result = call(middleware, probe_environ(index))
            views[name].append(cors_view(result.status, result.headers))
    assert views["a"] != views["b"] and all(va != vb for va, vb in zip(views["a"], views["b"]))
    return views

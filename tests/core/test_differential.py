"""The real middleware answers exactly like the straightforward reference, byte for byte.

``tests/reference_engine.py`` states the behaviour in plain code; the real
request path (precomputed headers, memories, compiled rules) is an
optimisation of it. Hypothesis generates configurations (one policy or path
rules), requests (preflights, actual requests, hostile headers) and
application responses (Vary lines, app-set CORS headers, cookies), and every
status line, header list and body must be identical.
"""

from __future__ import annotations

import io
import re
import warnings
from typing import Any, Dict, List, Optional, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference_engine as reference
from wsgicors import ConfigError, CORSConfigWarning, CORSMiddleware, Policy

EXAMPLES = 400  # per property, in every run (the long fuzzing run is tests/security: pytest -m fuzz)

def example_com_subdomain(origin: str) -> bool:
    """A callable origin entry: asked on every request, never remembered."""
    return origin.endswith(".example.com")


ORIGIN_ENTRIES = [example_com_subdomain, "https://app.example.com", "http://localhost:8080", "https://*.tenant.example.net",
                  "http://127.0.0.1:*", "null", re.compile(r"https://preview-[0-9]+\.example\.org")]
REQUEST_ORIGINS = [None, "https://app.example.com", "https://evil.example.com", "http://localhost:8080",
                   "https://a.tenant.example.net", "https://tenant.example.net", "http://127.0.0.1:3000",
                   "https://preview-7.example.org", "https://preview-x.example.org", "null", "",
                   "HTTPS://APP.EXAMPLE.COM", "https://app.example.com/", "https://app.example.com, https://x.com",
                   "https://app.example.com:443", "https://caf\u00e9.example.com"]
HEADER_NAMES = ["content-type", "x-requested-with", "X-Custom", "authorization", "x-total"]
REQUEST_HEADER_LISTS = [None, "", "content-type", "Content-Type, X-Custom", "x-requested-with,,content-type",
                        " authorization ,x-custom", "x-unknown", "bad header", "a;b", "content-type, CONTENT-TYPE",
                        ",", "x-\u212a", "x" * 9000]
METHODS = ["GET", "PUT", "PATCH", "DELETE", "POST", "PURGE", "get", "CONNECT", "X Y", "M" * 70]
APP_HEADERS = [("Content-Type", "text/plain"), ("Vary", "Accept-Encoding"), ("vary", "origin"),
               ("Vary", "*"), ("VARY", "Accept, Cookie"), ("Vary", ""), ("Access-Control-Allow-Origin", "https://x.example"),
               ("access-control-allow-credentials", "true"), ("Access-Control-Expose-Headers", "x-a"),
               ("Set-Cookie", "a=b"), ("X-Total", "3"), ("x-total", "4"), ("Cache-Control", "no-store")]
PATTERNS = ["*", "/api/*", "/api/exact", "/a*b*c", "/public/*", "/x"]
PATHS = ["/", "/api/exact", "/api/items/1", "/api/../public/x", "/public/./a", "/abc", "/aXbYc", "/x", "/y",
         "/public/file", "/api/", "//api/x", "/api/%2e%2e/x"]


@st.composite
def policy_options(draw: Any) -> Dict[str, Any]:
    star = draw(st.integers(0, 4)) == 0
    entries = draw(st.lists(st.sampled_from(ORIGIN_ENTRIES), min_size=1, max_size=4, unique_by=str))
    credentials = False if star else draw(st.booleans())
    return dict(
        origins="*" if star else entries,
        allow_credentials=credentials,
        allow_insecure_origins=True,  # 'null' and http:// with credentials
        methods=draw(st.one_of(st.just("*"), st.lists(st.sampled_from(["GET", "PUT", "PATCH", "DELETE", "POST",
                                                                         "PURGE"]), min_size=1, unique=True))),
        allow_headers=draw(st.one_of(st.just("*"), st.lists(st.sampled_from(HEADER_NAMES), unique=True))),
        expose_headers=draw(st.one_of(st.just("*"), st.lists(st.sampled_from(["x-total", "X-Request-Id"]),
                                                             unique=True))),
        max_age=draw(st.one_of(st.none(), st.sampled_from([0, 600, 86400]))),
        allow_private_network=draw(st.booleans()),
        preflight_status=draw(st.sampled_from([204, 200])),
        debug=draw(st.booleans()),
    )


@st.composite
def configurations(draw: Any) -> List[Tuple[str, Optional[Policy]]]:
    """Rules as (pattern, policy or None); one ('*', policy) rule is the single-policy case."""
    if draw(st.booleans()):
        return [("*", Policy(**draw(policy_options())))]
    patterns = draw(st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=4))
    return [(pattern, None if draw(st.integers(0, 4)) == 0 else Policy(**draw(policy_options())))
            for pattern in patterns]


@st.composite
def requests(draw: Any) -> Dict[str, Any]:
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": draw(st.sampled_from(["GET", "OPTIONS", "POST", "HEAD", "OPTIONS"])),
        "PATH_INFO": draw(st.sampled_from(PATHS)), "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(),
    }
    optional = {
        "HTTP_ORIGIN": st.sampled_from(REQUEST_ORIGINS),
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": st.one_of(st.none(), st.sampled_from(METHODS)),
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": st.sampled_from(REQUEST_HEADER_LISTS),
        "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK": st.sampled_from([None, "true", " TRUE ", "false"]),
    }
    for key, strategy in optional.items():
        value = draw(strategy)
        if value is not None:
            environ[key] = value
    return environ


def responses() -> Any:
    return st.tuples(st.sampled_from(["200 OK", "404 Not Found", "500 Internal Server Error"]),
                     st.lists(st.sampled_from(APP_HEADERS), max_size=6),
                     st.lists(st.binary(max_size=5), max_size=2))


def serve(app: Any, environ: Dict[str, Any]) -> Tuple[str, List[Tuple[str, str]], bytes]:
    seen: Dict[str, Any] = {}

    def start_response(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
        seen["status"], seen["headers"] = status, list(headers)
        return lambda data: None

    body = app(dict(environ), start_response)
    try:
        data = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return seen["status"], seen["headers"], data


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=configurations(), environ=requests(), response=responses())
def test_the_middleware_answers_byte_for_byte_like_the_reference(
        rules: List[Tuple[str, Optional[Policy]]], environ: Dict[str, Any],
        response: Tuple[str, List[Tuple[str, str]], List[bytes]]) -> None:
    status, headers, chunks = response
    calls: List[str] = []

    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        calls.append(environ["PATH_INFO"])
        start_response(status, list(headers))
        return list(chunks)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)  # W104 (a shadowed rule): held by its own property
        middleware = CORSMiddleware(app, rules=rules)
    real = serve(middleware, environ)
    real_calls = list(calls)
    calls.clear()
    expected = serve(lambda env, sr: reference.handle(rules, app, env, sr), environ)
    assert real == expected
    assert real_calls == calls  # the app ran (or not) in both


@settings(max_examples=EXAMPLES // 4, deadline=None)
@given(options=policy_options(), environs=st.lists(requests(), min_size=2, max_size=12),
       response=responses())
def test_repeated_requests_to_one_policy_answer_like_the_reference(
        options: Dict[str, Any], environs: List[Dict[str, Any]],
        response: Tuple[str, List[Tuple[str, str]], List[bytes]]) -> None:
    """The same middleware serves many requests: nothing it remembers changes an answer."""
    status, headers, chunks = response

    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        start_response(status, list(headers))
        return list(chunks)

    policy = Policy(**options)
    middleware = CORSMiddleware(app, policy=policy)
    for environ in environs * 2:
        expected = serve(lambda env, sr: reference.handle([("*", policy)], app, env, sr), environ)
        assert serve(middleware, environ) == expected


PATTERN_PIECES = st.sampled_from(["/", "a", "b", "*", "/a", "/b/", "**", "."])


@settings(max_examples=EXAMPLES, deadline=None)
@given(patterns=st.lists(st.lists(PATTERN_PIECES, min_size=1, max_size=5).map(lambda p: "/" + "".join(p)),
                         min_size=1, max_size=12),
       paths=st.lists(st.text(alphabet="/ab.", max_size=10).map(lambda p: "/" + p), min_size=1, max_size=10))
def test_rule_dispatch_picks_the_first_matching_rule_like_trying_them_in_order(
        patterns: List[str], paths: List[str]) -> None:
    from wsgicors import Rules
    policies = [Policy(origins=[f"https://r{index}.example.com"]) for index in range(len(patterns))]
    pairs = list(zip(patterns, policies))
    rules = Rules(pairs)
    for path in paths:
        assert rules.policy_for(path) is reference.policy_for(pairs, path), (patterns, path)


@settings(max_examples=EXAMPLES, deadline=None)
@given(patterns=st.lists(st.lists(PATTERN_PIECES, min_size=1, max_size=5).map(lambda p: "/" + "".join(p)),
                         min_size=2, max_size=8),
       paths=st.lists(st.text(alphabet="/ab.", max_size=10).map(lambda p: "/" + p), min_size=1, max_size=20))
def test_a_rule_refused_as_shadowed_is_never_the_first_match(patterns: List[str], paths: List[str]) -> None:
    """W104 names exactly the rules an earlier rule covers: none of them is ever the first match, and each
    other rule is the first match of its own pattern written out (each '*' as one character no rule holds)."""
    policies = [Policy(origins=[f"https://r{index}.example.com"]) for index in range(len(patterns))]
    pairs = list(zip(patterns, policies))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CORSMiddleware(lambda environ, start_response: [], rules=pairs)
    assert all("[wsgicors.W104]" in str(w.message) for w in caught), caught
    flagged = {int(re.match(r"rules\[(\d+)\]", str(w.message)).group(1)) for w in caught}
    for path in paths:
        assert reference.policy_for(pairs, path) not in [policies[index] for index in flagged], (patterns, path)
    for index, pattern in enumerate(patterns):
        if index not in flagged:
            written = pattern.replace("*", "~")
            first = next(i for i, earlier in enumerate(patterns) if reference.glob_matches(earlier, written))
            assert first == index, (patterns, index)

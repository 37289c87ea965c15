"""Fuzzing the request-facing parsers and the whole middleware (hypothesis).

Every test here runs in the default ``pytest`` run with a bounded number of
examples (a few hundred); ``pytest -m fuzz`` selects them and runs each with
20,000; ``WSGICORS_FUZZ_EXAMPLES=N`` sets any count. Header values are drawn
as raw bytes decoded as latin-1 (what a WSGI server hands over), as arbitrary
Unicode (what a broken server might), and as near-misses of real origins.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import security_support
from security_support import call, environ
from wsgicors import CORSMiddleware, Policy
from wsgicors.engine import answer_preflight, merge_vary, parse_header_names
from wsgicors.origins import parse_request_origin

pytestmark = pytest.mark.fuzz

FUZZ = settings(max_examples=security_support.FUZZ_EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

GOOD = "https://good.com"
BYTES_AS_LATIN1 = st.binary(max_size=300).map(lambda b: b.decode("latin-1"))
ANY_TEXT = st.text(max_size=200)
NEAR_ORIGINS = st.builds(
    lambda base, prefix, suffix: prefix + base + suffix,
    st.sampled_from([GOOD, "https://api.good.com", "https://api.good.com:8443", "https://a.b.good.com",
                     "http://good.com", "null", "https://evilgood.com", "https://good.com.evil.net"]),
    st.sampled_from(["", "", "", " ", "\t", "x", "https://", "null,", "\r\n", "\x00", "."]),
    st.sampled_from(["", "", "", "/", ".", ":443", ":8443", ":80", ":0", " ", ",", ", https://evil.net", "\r\n",
                     "\x00", "@evil.net", ".evil.net", "evil", "\u200b", "?", "#"]),
).map(lambda o: o.upper() if o.endswith("evil") else o)
HEADER = st.one_of(BYTES_AS_LATIN1, ANY_TEXT, NEAR_ORIGINS)
TOKENS = st.lists(st.sampled_from(["x-a", "X-A", "x-b", "content-type", "authorization", "x-c", "", " x-a "]),
                  max_size=6).map(",".join)
HEADER_LIST = st.one_of(BYTES_AS_LATIN1, ANY_TEXT, TOKENS)
METHOD = st.one_of(st.sampled_from(["GET", "PUT", "put", "PATCH", "patch", "DELETE", "CONNECT", "X-CUSTOM"]),
                   BYTES_AS_LATIN1, ANY_TEXT)

SUBDOMAIN_LABELS = re.compile(r"([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+")


def _port_ok(port, default):
    return port == "" or (port[0] != "0" and int(port) <= 65535 and port != default)


def _any_scheme_subdomain_of_good_com(origin):
    """A callable is asked about every serialised origin, app and extension schemes too."""
    match = re.fullmatch(r"([a-z][a-z0-9+.-]{0,31})://((?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)+good\.com)",
                         origin)
    return (match is not None and len(match.group(2)) <= 253
            and (match.group(1) not in ("http", "https") or match.group(2) == match.group(2).lower()))


#: (name, options, independent oracle of the origins the policy must admit)
POLICIES = [
    ("exact", dict(origins=[GOOD, "https://api.good.com:8443", "null"], allow_credentials=True,
                   allow_insecure_origins=True, expose_headers=["x-id"], max_age=60),
     lambda o: o in (GOOD, "https://api.good.com:8443", "null")),
    ("subdomains", dict(origins=["https://*.good.com"], allow_credentials=True, allow_headers="*", methods="*"),
     lambda o: o.startswith("https://") and o.endswith(".good.com")
     and SUBDOMAIN_LABELS.fullmatch(o[len("https://"):-len("good.com")]) is not None),
    ("any", dict(origins="*", expose_headers="*"), lambda o: True),
    ("regex", dict(origins=[re.compile(r"https://(api|www)\.good\.com(:[0-9]{1,5})?")], allow_credentials=True,
                   allow_headers=["x-a", "content-type"], methods=["GET", "PUT", "patch"],
                   allow_private_network=True),
     lambda o: (re.fullmatch(r"https://(api|www)\.good\.com(?::([0-9]{1,5}))?", o) is not None
                and _port_ok(re.fullmatch(r"[^:]*(?::[^:]*)?(?::([0-9]*))?", o).group(1) or "", "443"))),
    ("callable", dict(origins=lambda o: o.endswith(".good.com"), expose_headers="*", allow_credentials=True),
     lambda o: _any_scheme_subdomain_of_good_com(o)),
]
POLICY_NAMES = [p[0] for p in POLICIES]
BUILT = {(name, debug): Policy(**options, debug=debug) for name, options, _ in POLICIES for debug in (False, True)}
ORACLES = {name: oracle for name, _, oracle in POLICIES}
STAR = Policy(origins="*")

APP_STATUS = st.sampled_from(["200 OK", "201 Created", "204 No Content", "301 Moved Permanently", "404 Not Found",
                              "405 Method Not Allowed", "500 Internal Server Error"])
APP_HEADERS = st.lists(st.one_of(
    st.tuples(st.sampled_from(["Content-Type", "X-Id", "Set-Cookie", "Cache-Control"]),
              st.text(alphabet="abc=; /", max_size=10)),
    st.tuples(st.sampled_from(["Vary", "vary", "VARY"]),
              st.lists(st.sampled_from(["Accept", "origin", "Cookie", "*", ""]), max_size=3).map(", ".join)),
), max_size=5).flatmap(lambda headers: st.lists(  # the app may answer CORS itself, even several times
    st.tuples(st.sampled_from(["Access-Control-Allow-Origin", "access-control-allow-origin",
                               "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers",
                               "Access-Control-Allow-Methods", "Access-Control-Max-Age"]),
              st.sampled_from(["*", "https://other.net", "true", "x-secret", "null"])),
    max_size=3).map(lambda cors: headers + cors))


def clean(headers):
    for name, value in headers:
        assert type(name) is str and type(value) is str
        assert not re.search(r"[\r\n\x00]", name + value), (name, ascii(value))
        (name + value).encode("latin-1")


def values(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


# --------------------------------------------------------------------------
# The parsers
# --------------------------------------------------------------------------


@FUZZ
@given(st.one_of(HEADER_LIST, st.text(alphabet=", \tx-aA", max_size=50)))
def test_header_list_parser(value):
    names = parse_header_names(value)
    if names is None:
        return
    assert len(set(names)) == len(names)
    lowered = value.lower()
    for name in names:
        assert re.fullmatch(r"[!#$%&'*+.^_`|~0-9a-z-]+", name) and name in lowered
    expected = [p.strip(" \t").lower() for p in value.split(",") if p.strip(" \t")]
    assert list(names) == list(dict.fromkeys(expected))


@FUZZ
@given(st.one_of(HEADER, st.from_regex(r"https?://[a-z0-9.\[\]:_-]{1,30}(:[0-9]{1,6})?", fullmatch=True)))
def test_origin_parser_admits_only_the_exact_serialisation(value):
    parsed = parse_request_origin(value)
    if parsed is None:
        return
    scheme, host, port = parsed
    assert value == f"{scheme}://{host}" + (f":{port}" if port else "")
    assert value.isascii() and scheme == scheme.lower()
    if scheme in ("http", "https"):  # app and extension hosts are opaque: their case is kept
        assert value == value.lower() and _port_ok(port, {"http": "80", "https": "443"}[scheme])
    assert not host.startswith(".") and not host.endswith(".") and ".." not in host


@FUZZ
@given(st.sampled_from(POLICY_NAMES), HEADER)
def test_matcher_admits_only_what_the_oracle_admits(name, origin):
    assert BUILT[name, False].origins.allows(origin) is ORACLES[name](origin)


@FUZZ
@given(st.sampled_from(POLICY_NAMES), HEADER, METHOD, st.one_of(st.none(), HEADER_LIST),
       st.one_of(st.none(), st.sampled_from(["true", "TRUE", "false", ""]), BYTES_AS_LATIN1),
       st.booleans())
def test_preflight_decision(name, origin, method, requested, private_network, debug):
    policy = BUILT[name, debug]
    answer = answer_preflight(policy, origin, method, requested, private_network)
    clean(answer.headers)
    acao = values(answer.headers, "Access-Control-Allow-Origin")
    if answer.allowed:
        assert ORACLES[name](origin)
        assert acao == (["*"] if policy.any_origin else [origin])
        assert answer.status.startswith("204") and answer.body == b""
    else:
        assert answer.status == "403 Forbidden"
        assert not [k for k, _ in answer.headers if k.lower().startswith("access-control-allow-")]
    assert not (acao == ["*"] and values(answer.headers, "Access-Control-Allow-Credentials"))


@FUZZ
@given(APP_HEADERS)
def test_vary_merge(headers):
    result = list(headers)
    merge_vary(result, "Origin")
    vary = values(result, "Vary")
    assert len(vary) == 1
    tokens = [t.strip().lower() for t in vary[0].split(",") if t.strip()]
    assert "*" in tokens or "origin" in tokens
    if values(headers, "Vary") != vary:  # one 'Vary: *' line is left exactly as it was
        assert len(tokens) == len(set(tokens))
    assert [h for h in result if h[0].lower() != "vary"] == [h for h in headers if h[0].lower() != "vary"]


@FUZZ
@given(st.text(alphabet="ab/*", max_size=8).map(lambda p: "/" + p), st.text(alphabet="ab/.", max_size=14))
def test_path_patterns_match_like_the_obvious_regex(pattern, path):
    """The linear glob matcher agrees with a (backtracking) regex on small inputs."""
    middleware = CORSMiddleware(lambda e, s: [], rules=[(pattern, STAR)])
    expected = re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), path, re.DOTALL) is not None
    rewritten = re.search(r"/\.\.?(/|$)", path) is not None or "//" in path  # fail closed on these
    assert (middleware.policy_for({"PATH_INFO": path}) is STAR) is (expected and not rewritten)


# --------------------------------------------------------------------------
# The whole middleware
# --------------------------------------------------------------------------


class FuzzApp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body, self.calls = status, headers, body, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        start_response(self.status, list(self.headers))
        return [self.body]


@st.composite
def requests(draw):
    method = draw(st.one_of(st.sampled_from(["GET", "POST", "OPTIONS", "OPTIONS", "PUT", "HEAD"]), BYTES_AS_LATIN1))
    env = environ(method, path=draw(st.one_of(st.sampled_from(["/", "/api/x", "/public/y", "/other"]),
                                              BYTES_AS_LATIN1)))
    for key, strategy in (("HTTP_ORIGIN", HEADER), ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", METHOD),
                          ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", HEADER_LIST),
                          ("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK", HEADER)):
        if draw(st.booleans()):
            env[key] = draw(strategy)
    return env


@FUZZ
@given(st.sampled_from(POLICY_NAMES), st.booleans(), st.booleans(), requests(), APP_STATUS, APP_HEADERS,
       st.binary(max_size=20))
def test_whole_middleware_invariants(name, debug, scoped, env, status, app_headers, body):
    app = FuzzApp(status, app_headers, body)
    if scoped:
        middleware = CORSMiddleware(app, rules=[("/api/*", BUILT[name, debug]), ("/public/*", STAR)])
    else:
        middleware = CORSMiddleware(app, policy=BUILT[name, debug])
    policy = middleware.policy_for(env)
    result = call(middleware, env)  # no exception escapes, whatever the header bytes

    clean(result.headers)
    origin = env.get("HTTP_ORIGIN")
    preflight = (policy is not None and env["REQUEST_METHOD"] == "OPTIONS" and origin is not None
                 and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in env)
    acao = result.acao
    if policy is None:  # out of scope: exactly what the application sent, its own CORS headers too
        assert app.calls == 1 and result.headers == app_headers
        return
    assert len(acao) <= 1
    assert not (acao == ["*"] and result.values("Access-Control-Allow-Credentials"))
    assert result.values("Access-Control-Allow-Credentials") in ([], ["true"])
    if preflight:
        assert app.calls == 0
        assert result.status in ("403 Forbidden", "204 No Content")
        if acao and acao != ["*"]:
            assert acao == [origin] and ORACLES[name](origin)
        return
    assert app.calls == 1
    assert result.status == status and result.body == body
    # In scope only the policy writes CORS: the app's Access-Control-* headers are gone,
    # everything else it sent is kept in order.
    kept = [h for h in app_headers if h[0].lower() != "vary" and not h[0].lower().startswith("access-control-")]
    assert [h for h in result.headers if h[0].lower() != "vary"][:len(kept)] == kept
    names = [name.lower() for name, _ in result.headers if name.lower().startswith("access-control-")]
    assert len(names) == len(set(names))  # never two of one Access-Control-* header
    # exactly the admitted origins get it: no more (security), no fewer (correctness), whatever the app set
    assert acao == (["*"] if policy.any_origin else [origin] if origin is not None and ORACLES[name](origin)
                    else [])
    if policy.vary_on_origin:
        vary = result.values("Vary")
        assert len(vary) == 1
        tokens = [t.strip().lower() for t in vary[0].split(",")]
        assert "origin" in tokens or "*" in tokens
    exposed = ",".join(result.values("Access-Control-Expose-Headers")).lower()
    assert "set-cookie" not in exposed

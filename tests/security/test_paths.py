"""Path scoping (``rules``): the flask-cors path CVEs cannot happen here.

Patterns match ``PATH_INFO`` as the server decoded it (the path below
``SCRIPT_NAME`` that the application routes on), whole and case-sensitively,
first declared rule first; ``+`` is a plus; a path with a ``.``/``..`` segment,
an empty segment (``//``) or bytes that are not UTF-8 matches no rule (it gets
no CORS at all).
"""

import http.client
import re
import threading
import warnings
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from security_support import App, call, environ
from wsgicors import ConfigError, CORSConfigWarning, CORSMiddleware, Policy

GOOD = "https://good.com"
EVIL = "https://evil.net"
STRICT = Policy(origins=[GOOD], allow_credentials=True)
STAR = Policy(origins="*")
RULES = [
    ("/api/public/*", STAR),
    ("/api/*", STRICT),
    ("/static/*", STAR),
    ("/exact x+y", STRICT),
    ("/health", None),
]


def policy_label(path, script_name=""):
    middleware = CORSMiddleware(App(), rules=RULES)
    star = call(middleware, environ(path=path, origin=EVIL, SCRIPT_NAME=script_name))
    strict = call(middleware, environ(path=path, origin=GOOD, SCRIPT_NAME=script_name))
    if star.acao == ["*"]:
        return "star"
    if strict.acao == [GOOD]:
        assert star.acao == []
        return "strict"
    # Outside every rule: untouched, no Vary, the app answers even a preflight.
    assert strict.headers == star.headers == [("Content-Type", "text/plain")]
    refused = call(middleware, environ("OPTIONS", path=path, origin=EVIL, request_method="PUT"))
    assert refused.app_calls == 1 and refused.cors_headers == []
    return "none"


#: (path, which policy answers it) per concern; 'none' means outside every rule.
CASES = {
    "whole paths": [
        ("/api/users", "strict"),
        ("/api/users/", "strict"),
        ("/api/", "strict"),
        ("/api", "none"),                    # trailing slash: '/api/*' needs the slash; list '/api' too
        ("/apiary", "none"),
        ("/api/public/x", "star"),
        ("/static/app.js", "star"),
        ("/health", "none"),                 # exempted by a None rule
        ("/health/", "none"),
    ],
    "case": [
        ("/API/users", "none"),
        ("/Api/users", "none"),
        ("/API/public/x", "none"),
        ("/STATIC/app.js", "none"),
        ("/api/PUBLIC/x", "strict"),
    ],
    "plus": [
        ("/exact x+y", "strict"),
        ("/exact x y", "none"),
        ("/exact+x+y", "none"),
        ("/api/a+b", "strict"),
        ("/static+/x", "none"),
    ],
    "dot segments": [
        ("/static/../api/users", "none"),    # /static%2F..%2Fapi/users after the server decodes it
        ("/api/public/../users", "none"),
        ("/api/public/..", "none"),
        ("/static/./app.js", "none"),
        ("/static/x/../../api/users", "none"),
        ("/static/..app.js", "star"),        # not a dot segment
        ("/static/.well-known/x", "star"),
        ("/static/x..", "star"),
    ],
    "slashes": [
        # Repeated slashes fail closed (was: matched textually): Werkzeug merges them, traversal drops them.
        ("/api//users", "none"),
        ("//api/users", "none"),
        ("/static//x", "none"),
        ("/api%2Fusers", "none"),            # a server that leaves %2F encoded: literal text
        ("/api/%2e%2e/x", "strict"),         # still encoded: not a dot segment to the app either
    ],
}


@pytest.mark.parametrize("path, expected", CASES["whole paths"])
def test_rules_match_whole_paths_first_rule_first(path, expected):
    assert policy_label(path) == expected


@pytest.mark.parametrize("path, expected", CASES["case"])
def test_matching_is_case_sensitive(path, expected):
    """CVE-2024-6866: flask-cors matched paths case-insensitively."""
    assert policy_label(path) == expected


@pytest.mark.parametrize("path, expected", CASES["plus"])
def test_plus_is_a_plus(path, expected):
    """CVE-2024-6844: flask-cors decoded '+' as a space before matching."""
    assert policy_label(path) == expected


@pytest.mark.parametrize("path, expected", CASES["dot segments"])
def test_dot_segments_match_no_rule(path, expected):
    """A normalising app would route /static/../api elsewhere than '/static/*' says."""
    assert policy_label(path) == expected


@pytest.mark.parametrize("path, expected", CASES["slashes"])
def test_slashes_and_encoded_text(path, expected):
    assert policy_label(path) == expected


def test_rules_match_path_info_not_script_name():
    assert policy_label("/api/users", script_name="/mount") == "strict"
    assert policy_label("/users", script_name="/api") == "none"


@pytest.mark.parametrize("later", ["*/public/*", "/api/public/*"])
def test_declared_order_wins_over_specificity(later):
    """CVE-2024-6839: flask-cors sorted patterns by length, so a broad rule could win."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)
        middleware = CORSMiddleware(App(), rules=[("/api/*", STRICT), (later, STAR)])
    assert call(middleware, environ(path="/api/public/x", origin=EVIL)).acao == []
    assert call(middleware, environ(path="/api/public/x", origin=GOOD)).acao == [GOOD]


def test_a_specific_rule_after_a_broader_one_applies_nowhere_and_is_named():
    """Declared order wins, so '/api/public/*' after '/api/*' never applies: a warning names it (W104)."""
    with pytest.warns(CORSConfigWarning, match=r"rules\[1\]: '/api/public/\*' never applies.*wsgicors\.W104"):
        CORSMiddleware(App(), rules=[("/api/*", STRICT), ("/api/public/*", STAR)])


@pytest.mark.parametrize("pattern, path, matched", [
    ("/a*b*c", "/abc", True), ("/a*b*c", "/axxbyyc", True), ("/a*b*c", "/abcb", False), ("/a*b*c", "/ab", False),
    ("/a*a", "/a", False), ("/a*a", "/aa", True), ("*", "", True), ("/*", "/", True), ("**", "/x", True),
    ("/api/*/items/*.json", "/api/1/items/2.json", True), ("/api/*/items/*.json", "/api/1/items/2.jsonx", False),
    ("/api/*/items/*.json", "/api/items/.json", False), ("/api/*/items/*.json", "/api/x/items/.json", True),
    ("/x*y*z", "/xzy", False), ("/*/*/*/*x", "/" * 5000, False), ("/a*b*c*d", "/a" + "bc" * 5000, False),
])
def test_glob_patterns_match_in_linear_time(pattern, path, matched):
    """A regex translation of '/a*b*c*d' backtracked polynomially on hostile paths."""
    middleware = CORSMiddleware(App(), rules=[(pattern, STAR)])
    assert (middleware.policy_for({"PATH_INFO": path}) is STAR) is matched
    assert (re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), path[:40], re.DOTALL) is not None) is \
        (middleware.policy_for({"PATH_INFO": path[:40]}) is STAR)


def test_one_policy_everywhere_covers_every_path():
    middleware = CORSMiddleware(App(), origins=[GOOD])
    for path in ["/", "/a/../b", "//x", "/X+Y", ""]:
        assert call(middleware, environ(path=path, origin=GOOD)).acao == [GOOD]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.server
def test_through_a_real_server_that_decodes_the_path():
    """wsgiref decodes %2F and %2e into PATH_INFO, as gunicorn and others do."""
    seen = []

    def app(env, start_response):
        seen.append(env["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    server = make_server("127.0.0.1", 0, CORSMiddleware(app, rules=RULES),
                         server_class=WSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        def get(target, origin):
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            try:
                connection.request("GET", target, headers={"Origin": origin})
                response = connection.getresponse()
                response.read()
                return response.getheader("Access-Control-Allow-Origin")
            finally:
                connection.close()

        assert get("/static%2F..%2Fapi/users", EVIL) is None
        assert seen[-1] == "/static/../api/users"
        assert get("/static/%2e%2e/api/users", EVIL) is None
        assert get("/api/a+b", GOOD) == GOOD and seen[-1] == "/api/a+b"
        assert get("/API/users", GOOD) is None
        assert get("/static/app.js", EVIL) == "*"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


ADMIN_EXEMPT = [("/admin/*", None), ("*", "partner")]
API_SPLIT = [("/api/*", "api"), ("*", "site")]


@pytest.mark.parametrize("rules, path, chosen", [
    (ADMIN_EXEMPT, "/admin", None),  # Werkzeug's strict_slashes=False serves the /admin/ view here
    (ADMIN_EXEMPT, "/admin/", None),
    (ADMIN_EXEMPT, "/adminx", "partner"),
    (ADMIN_EXEMPT, "/other", "partner"),
    (API_SPLIT, "/api", None),  # fail closed: its twin /api/ is the api rule's
    (API_SPLIT, "/api/", "api"),
    (API_SPLIT, "/api/v1", "api"),
    ([("/api/*", "api"), ("/api", "site"), ("*", "site")], "/api", "site"),  # named exactly: its own
    ([("/api*", "api"), ("*", "site")], "/api", "api"),  # one rule covers both forms
    ([("/static/*.js", "js"), ("*", "site")], "/static/app.js", "js"),  # the twin is only later rules'
    ([("/api/*", "api")], "/api", None),  # out of scope either way
], ids=lambda value: value if isinstance(value, str) else None)
def test_a_path_whose_trailing_slash_twin_an_earlier_rule_governs_otherwise_gets_no_rule(rules, path, chosen):
    policies = {label: Policy(origins=[f"https://{label}.example"]) for label in ("partner", "api", "site", "js")}
    built = CORSMiddleware(App(), rules=[(pattern, policies.get(label)) for pattern, label in rules])
    assert built.rules.policy_for(path) is policies.get(chosen)

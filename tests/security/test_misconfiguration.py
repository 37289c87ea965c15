"""Misconfiguration classes (PortSwigger, CORScanner): refused, or proven harmless.

Each class of mistake either cannot be configured (a ConfigError with a code
and the fix) or, where the configuration is legitimate, a table of attacker
origins is proven not admitted (no ACAO on the actual response, 403 on the
preflight) while the intended origins are; every answer carries Vary: Origin.
"""

import re
import warnings

import pytest

from security_support import App, actual, call, environ, preflight
from wsgicors import ConfigError, CORSConfigWarning, CORSMiddleware, Policy

# --------------------------------------------------------------------------
# Configurations refused outright
# --------------------------------------------------------------------------

REFUSED = [
    # (misconfiguration class, options, code, words of the hint)
    ("reflect-any: no default allow-all", {}, "wsgicors.E100", "list the origins"),
    ("reflect-any: '*' with credentials", {"origins": "*", "allow_credentials": True},
     "wsgicors.E104", "list the trusted origins"),
    ("reflect-any: regex matching everything, with credentials",
     {"origins": [re.compile(r".*")], "allow_credentials": True}, "wsgicors.E107", "match only your own origins"),
    ("reflect-any: regex matching every https origin, with credentials",
     {"origins": [re.compile(r"https://.+")], "allow_credentials": True}, "wsgicors.E107", "([a-z0-9-]+\\.)*"),
    ("reflect-any: regex matching every http(s) origin, with credentials",
     {"origins": [re.compile(r"https?://[^/]*")], "allow_credentials": True}, "wsgicors.E107", "example\\.com"),
    ("wildcard + credentials", {"origins": ["*"], "allow_credentials": True}, "wsgicors.E104",
     "allow_credentials=False"),
    ("trusted null with credentials", {"origins": ["https://good.com", "null"], "allow_credentials": True},
     "wsgicors.E108", "remove 'null'"),
    ("https trusting http, with credentials", {"origins": ["https://good.com", "http://good.com"],
                                               "allow_credentials": True}, "wsgicors.E106", "use https"),
    ("https trusting http subdomains, with credentials", {"origins": ["http://*.good.com"],
                                                          "allow_credentials": True}, "wsgicors.E106", "use https"),
    ("any subdomain of a shared host: github.io", {"origins": ["https://*.github.io"]}, "wsgicors.E129",
     "'https://yourname.github.io'"),
    ("any subdomain of a shared host: herokuapp.com", {"origins": ["https://*.herokuapp.com"]}, "wsgicors.E129",
     "list your own origins exactly"),
    ("any subdomain of a public suffix: co.uk", {"origins": ["https://*.co.uk"]}, "wsgicors.E121",
     "'https://*.example.co.uk'"),
    ("any subdomain of a top-level domain", {"origins": ["https://*.com"]}, "wsgicors.E121", "example.com"),
    ("suffix match written as a glob", {"origins": ["https://*good.com"]}, "wsgicors.E122",
     "'https://*.good.com'"),
    ("prefix match written as a glob", {"origins": ["https://good.com*"]}, "wsgicors.E122", "https://*.example.com"),
    ("substring: a bare host", {"origins": ["good.com"]}, "wsgicors.E112", "'https://good.com'"),
    ("regex written as a string", {"origins": ["https://.*\\.good\\.com"]}, "wsgicors.E111", "re.compile("),
    ("regex written as a string (anchors)", {"origins": ["^https://good.com$"]}, "wsgicors.E111", "re.compile("),
    ("trailing slash", {"origins": ["https://good.com/"]}, "wsgicors.E115", "'https://good.com'"),
    ("explicit default port", {"origins": ["https://good.com:443"]}, "wsgicors.E124", "'https://good.com'"),
    ("user info", {"origins": ["https://good.com@evil.net"]}, "wsgicors.E119", "'https://evil.net'"),
    ("upper case", {"origins": ["https://GOOD.com"]}, "wsgicors.E114", "'https://good.com'"),
    ("trailing dot", {"origins": ["https://good.com."]}, "wsgicors.E127", "'https://good.com'"),
    ("comma list in one entry", {"origins": ["https://good.com,https://evil.net"]}, "wsgicors.E109",
     "list them separately: ['https://good.com', 'https://evil.net']"),
]


@pytest.mark.parametrize("kind, options, code, hint", REFUSED, ids=[row[0] for row in REFUSED])
def test_misconfiguration_is_refused_with_code_and_hint(kind, options, code, hint):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)
        with pytest.raises(ConfigError) as raised:
            Policy(**options)
    problems = [p for p in raised.value.problems if p.code == code]
    assert problems, f"{kind}: expected {code}, got {raised.value}"
    assert hint in problems[0].hint, problems[0]
    assert code in str(raised.value)


def test_escape_hatches_are_explicit():
    """The two risky-but-legitimate setups work only when asked for by name."""
    Policy(origins=["https://good.com", "null"], allow_credentials=True, allow_insecure_origins=True)
    Policy(origins=["http://good.com"], allow_credentials=True, allow_insecure_origins=True)
    Policy(origins=["https://me.github.io", "https://*.me.github.io", "https://*.example.co.uk"])
    Policy(origins=["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"], allow_credentials=True)


# --------------------------------------------------------------------------
# Legitimate configurations: attacker origins proven not admitted
# --------------------------------------------------------------------------

#: Look-alikes of https://good.com and https://api.good.com; none may ever be admitted.
ATTACKERS = [
    # prefix match
    "https://good.com.evil.net", "https://api.good.com.evil.net", "https://good.com.", "https://good.com..",
    "https://good.comm", "https://good.com.au", "https://good.com-evil.net", "https://good.com_evil.net",
    # suffix match / substring
    "https://evilgood.com", "https://evil-good.com", "https://evil.net.good.com.evil.net", "https://apigood.com",
    "https://xgood.com", "https://good.co", "https://ood.com",
    # unescaped dot
    "https://goodxcom", "https://goodXcom.evil", "https://good-com.evil", "https://apixgood.com",
    "https://api-good.com",
    # scheme and port
    "http://good.com", "http://api.good.com", "https://good.com:443", "https://good.com:8443",
    "https://good.com:80", "https://good.com:0443", "https://good.com:", "wss://good.com", "ftp://good.com",
    "HTTPS://good.com", "Https://good.com", "https:good.com", "https:/good.com", "https:///good.com",
    "//good.com", "good.com",
    # case and Unicode
    "https://GOOD.COM", "https://Good.com", "https://API.good.com", "https://good.COM",
    "https://g\u00f6od.com", "https://xn--god-sna.com", "https://xn--god-5qa.com", "https://\uff47ood.com",
    "https://good\u3002com",
    "https://good\uff0ecom", "https://good.com\u200b", "https://\u0261ood.com", "https://good.\u0441om",
    # user info, path, query, fragment
    "https://good.com@evil.net", "https://evil.net@good.com", "https://good.com\\@evil.net",
    "https://good.com/", "https://good.com/path", "https://good.com?x", "https://good.com#x",
    "https://evil.net#.good.com", "https://evil.net/.good.com", "https://evil.net?.good.com",
    "https://evil.net\\.good.com", "https://good.com%2eevil.net", "https://good%2ecom",
    # lists, blanks and controls
    "https://good.com, https://evil.net", "https://evil.net, https://good.com", "https://good.com,https://good.com",
    "https://good.com https://evil.net", " https://good.com", "https://good.com ", "https://good.com\t",
    "\thttps://good.com", "https://good.com\r\nX-Injected: 1", "https://good.com\n", "https://good.com\x00",
    "https://good.com\x00.evil.net", "https://good.com\x0b", "https://good.com\x1b[31m",
    # opaque and empty
    "null", "NULL", "Null", "", " ", "*", "https://*.good.com", "https://*", "file://", "about:blank",
    "data:text/html,x", "javascript:alert(1)",
    # hosts that are not hosts
    "https://.good.com", "https://api..good.com", "https://-.good.com", "https://[::ffff:good.com]",
    "https://good.com" + "a" * 3000, "https://" + "a." * 1200 + "good.com",
]

#: Legitimate policies; each with the origins it must admit.
POLICIES = [
    ("exact", {"origins": ["https://good.com", "https://api.good.com"]},
     ["https://good.com", "https://api.good.com"]),
    ("exact, with credentials", {"origins": ["https://good.com", "https://api.good.com"],
                                 "allow_credentials": True},
     ["https://good.com", "https://api.good.com"]),
    ("subdomains", {"origins": ["https://*.good.com"], "allow_credentials": True},
     ["https://api.good.com", "https://a.b.good.com", "https://x-1.good.com"]),
    ("subdomains and apex", {"origins": ["https://good.com", "https://*.good.com"], "allow_credentials": True},
     ["https://good.com", "https://api.good.com"]),
    ("any port", {"origins": ["https://good.com:*"]},
     ["https://good.com", "https://good.com:8443", "https://good.com:80"]),
    ("anchored regex", {"origins": [re.compile(r"https://([a-z0-9-]+\.)*good\.com")], "allow_credentials": True},
     ["https://good.com", "https://api.good.com", "https://a.b.good.com"]),
    ("regex without anchors (full match is implied)", {"origins": [re.compile(r"https://(api\.)?good\.com")],
                                                       "allow_credentials": True},
     ["https://good.com", "https://api.good.com"]),
    ("callable", {"origins": lambda origin: origin in ("https://good.com", "https://api.good.com")},
     ["https://good.com", "https://api.good.com"]),
    ("callable that is careless", {"origins": lambda origin: "good.com" in origin},
     []),  # admits look-alikes that *parse*, but never non-origins: see test below
    ("punycode host", {"origins": ["https://g\u00f6od.com"]}, ["https://xn--god-sna.com"]),
]
POLICY_IDS = [row[0] for row in POLICIES]


def _careless(name):
    return name == "callable that is careless"


@pytest.mark.parametrize("name, options, intended", POLICIES, ids=POLICY_IDS)
def test_intended_origins_are_admitted(name, options, intended):
    for origin in intended:
        response = actual(options, origin)
        assert response.acao == [origin], (name, origin)
        assert "origin" in response.vary_tokens()
        allowed = preflight(options, origin)
        assert allowed.status.startswith("204") and allowed.acao == [origin]


@pytest.mark.parametrize("name, options, intended", POLICIES, ids=POLICY_IDS)
@pytest.mark.parametrize("attacker", ATTACKERS, ids=[ascii(a)[1:-1][:40] for a in ATTACKERS])
def test_attacker_origin_is_not_admitted(name, options, intended, attacker):
    if attacker in intended:
        return  # the any-port policy admits https://good.com:80 and :8443 on purpose
    response = actual(options, attacker)
    if _careless(name) and response.acao:
        # A careless callable is the user's code; but it is only ever shown strings
        # that are one browser-serialised origin, so it can be fooled only by a
        # real, registrable look-alike (like https://good.com.evil.net), never by
        # lists, controls, paths, user info or upper case (any scheme: app and
        # extension origins such as capacitor://localhost are asked about too).
        assert re.fullmatch(r"[a-z][a-z0-9+.-]*://[a-z0-9._-]+(:[0-9]+)?", attacker), attacker
        return
    assert response.acao == [], (name, attacker)
    assert response.cors_headers == []
    assert response.status == "200 OK" and response.body == b"payload" and response.app_calls == 1
    assert "origin" in response.vary_tokens(), "missing Vary: Origin lets a cache replay one origin's answer"
    refused = preflight(options, attacker)
    assert refused.status == "403 Forbidden" and refused.app_calls == 0
    assert refused.cors_headers == []


@pytest.mark.parametrize("attacker", ["https://evil.net", "null", "https://good.com.evil.net", "https://x\r\ny"])
def test_any_origin_answers_star_and_never_reflects(attacker):
    """'*' is the same answer for everyone: no reflection, no credentials, no Vary needed."""
    response = actual({"origins": "*"}, attacker)
    assert response.acao == ["*"]
    assert response.values("Access-Control-Allow-Credentials") == []
    allowed = preflight({"origins": "*"}, attacker)
    assert allowed.acao == ["*"] and allowed.values("Access-Control-Allow-Credentials") == []


def test_refused_origin_never_gets_another_origin_back():
    """bottle-cors-plugin answered a refused origin with the first allowed one."""
    options = {"origins": ["https://good.com", "https://api.good.com"], "allow_credentials": True}
    for origin in ("https://evil.net", "https://good.com.evil.net"):
        assert actual(options, origin).acao == []
        assert preflight(options, origin).acao == []


@pytest.mark.parametrize("options", [
    {"origins": ["https://good.com"]},
    {"origins": ["https://*.good.com"], "allow_credentials": True},
    {"origins": [re.compile(r"https://good\.com")]},
], ids=["exact", "subdomains", "regex"])
@pytest.mark.parametrize("request_origin", [None, "https://good.com", "https://evil.net", "null"])
@pytest.mark.parametrize("app_status", ["200 OK", "404 Not Found", "500 Internal Server Error"])
def test_every_in_scope_response_varies_on_origin(options, request_origin, app_status):
    """Missing Vary: a shared cache would serve one origin's answer to another."""
    app = App(app_status, [("Content-Type", "text/plain"), ("Vary", "Accept-Encoding"), ("vary", "Cookie")])
    response = call(CORSMiddleware(app, **options), environ(origin=request_origin))
    assert response.vary_tokens() == ["accept-encoding", "cookie", "origin"]
    if request_origin is not None:
        refused_or_allowed = preflight(options, request_origin)
        assert {"origin", "access-control-request-method", "access-control-request-headers"} <= set(
            refused_or_allowed.vary_tokens())

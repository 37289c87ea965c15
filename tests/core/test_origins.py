"""docs/design.md §2.1: which request origins each kind of configured entry admits."""

import re

import pytest

from wsgicors import Policy
from wsgicors.origins import parse_request_origin

CASES = [
    # (configured entries, request origin, admitted)
    (["https://a.com"], "https://a.com", True),
    (["https://a.com"], "https://a.com/", False),
    (["https://a.com"], "https://A.COM", False),
    (["https://a.com"], "http://a.com", False),
    (["https://a.com"], "https://a.com:443", False),
    (["https://a.com"], "https://a.com:8443", False),
    (["https://a.com"], "https://a.com.", False),
    (["https://a.com"], "https://a.com.evil.net", False),
    (["https://a.com"], "https://evila.com", False),
    (["https://a.com"], "https://a.com, https://a.com", False),
    (["https://a.com"], " https://a.com", False),
    (["https://a.com"], "null", False),
    (["https://a.com:8443"], "https://a.com:8443", True),
    (["https://*.example.com"], "https://a.example.com", True),
    (["https://*.example.com"], "https://a.b.example.com", True),
    (["https://*.example.com"], "https://example.com", False),
    (["https://*.example.com"], "https://.example.com", False),
    (["https://*.example.com"], "https://a..example.com", False),
    (["https://*.example.com"], "https://evilexample.com", False),
    (["https://*.example.com"], "https://a.example.com.evil.net", False),
    (["https://*.example.com"], "http://a.example.com", False),
    (["https://*.example.com"], "https://a.example.com:8443", False),
    (["https://*.example.com"], "https://A.example.com", False),
    (["https://*.example.com:*"], "https://a.example.com:8443", True),
    (["https://*.example.com:*"], "https://a.example.com", True),
    (["https://*.example.com:8443"], "https://a.example.com:8443", True),
    (["https://*.example.com:8443"], "https://a.example.com", False),
    (["http://localhost:*"], "http://localhost:5173", True),
    (["http://localhost:*"], "http://localhost", True),
    (["http://localhost:*"], "http://localhost.evil.net:80", False),
    (["http://localhost:*"], "https://localhost:5173", False),
    (["http://localhost:*"], "http://localhost:99999", False),
    (["http://localhost:*"], "http://localhost:0080", False),
    (["http://[::1]:*"], "http://[::1]:8000", True),
    (["null"], "null", True),
    (["null"], "NULL", False),
    ([re.compile(r"https://[a-z]+\.example\.com")], "https://api.example.com", True),
    ([re.compile(r"https://[a-z]+\.example\.com")], "https://api.example.com.evil.net", False),
    ([re.compile(r"https://[a-z]+\.example\.com")], "xhttps://api.example.com", False),
    ([re.compile(r".*")], "null", False),
    ([re.compile(r".*")], "https://a.com/path", False),
    ([re.compile(r".*")], "https://a.com", True),
    ([lambda origin: True], "https://anything.example", True),
    ([lambda origin: True], "null", False),
    ([lambda origin: True], "https://a.com\r\nX: y", False),
    ([lambda origin: True], "https://" + "a" * 3000 + ".com", False),
    ([lambda origin: "yes"], "https://a.com", False),
    (["https://xn--bcher-kva.example"], "https://xn--bcher-kva.example", True),
    (["https://bücher.example"], "https://bücher.example", False),
]


@pytest.mark.filterwarnings("ignore::wsgicors.CORSConfigWarning")  # '.*' is deliberately broad here
@pytest.mark.parametrize("entries, origin, admitted", CASES, ids=[f"{e[0]!s:.30}|{o:.40}" for e, o, _ in CASES])
def test_origin_matching(entries, origin, admitted):
    assert Policy(origins=entries).origins.allows(origin) is admitted


def test_callable_receives_only_serialised_origins():
    seen = []
    policy = Policy(origins=[lambda origin: seen.append(origin) or False])
    for origin in ["https://a.com", "HTTPS://A.COM", "https://a.com/x", "null", "javascript:alert(1)"]:
        policy.origins.allows(origin)
    assert seen == ["https://a.com"]


def test_callable_that_raises_refuses_the_origin(caplog):
    def broken(origin):
        raise RuntimeError("database down")

    assert Policy(origins=[broken]).origins.allows("https://a.com") is False
    assert "origin predicate raised" in caplog.text


def test_exact_entries_are_checked_before_the_callable():
    calls = []
    policy = Policy(origins=["https://a.com", lambda origin: calls.append(origin) or False])
    assert policy.origins.allows("https://a.com")
    assert calls == []


@pytest.mark.parametrize("origin, parsed", [
    ("https://a.com", ("https", "a.com", "")),
    ("http://a.com:8080", ("http", "a.com", "8080")),
    ("http://[::1]:3000", ("http", "[::1]", "3000")),
    ("https://a.com:443", None),
    ("https://a.com:0", None),
    ("https://-a.com", None),
    ("capacitor://localhost", ("capacitor", "localhost", "")),
    ("chrome-extension://abcdefghijklmnopabcdefghijklmnop",
     ("chrome-extension", "abcdefghijklmnopabcdefghijklmnop", "")),
    ("Capacitor://localhost", None),
    ("https://A.com", None),
    ("https://a.com/", None),
    ("", None),
])
def test_parse_request_origin(origin, parsed):
    assert parse_request_origin(origin) == parsed


def test_wildcard_lookup_does_not_scan_patterns():
    """Matching uses set look-ups per label: 10,000 patterns cost what one costs."""
    many = Policy(origins=[f"https://*.tenant{i}.example.com" for i in range(10_000)] + ["https://a.com"])
    assert many.origins.subdomains.__class__ is frozenset
    assert many.origins.allows("https://x.tenant9999.example.com")
    assert not many.origins.allows("https://x.tenant10000.example.com")


# --------------------------------------------------------------------------
# Internationalised hosts: UTS #46 non-transitional, as browsers convert them
# --------------------------------------------------------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402

from wsgicors import ConfigError  # noqa: E402
from wsgicors.origins import HostError, host_to_ascii  # noqa: E402

#: (host as written, what Chromium puts in the origin (measured, see
#: tests/browser/test_idn_hosts.py), what wsgicors stores; None = refused)
IDN_HOSTS = [
    ("faß.de", "xn--fa-hia.de", "xn--fa-hia.de"),                  # IDNA 2003 would say fass.de
    ("x.straße.de", "x.xn--strae-oqa.de", "x.xn--strae-oqa.de"),
    ("βόλος.gr", "xn--nxasmm1c.gr", "xn--nxasmm1c.gr"),            # final sigma kept
    ("ΒΌΛΟΣ.gr", "xn--nxasmq6b.gr", "xn--nxasmq6b.gr"),            # upper case maps to a medial sigma
    ("क्\u200dष.in", "xn--11b2ezcw70k.in", "xn--11b2ezcw70k.in"),  # ZWJ after a virama: CONTEXTJ allows it
    ("a\u200db.com", None, None),                                   # ZWJ elsewhere: invalid
    ("a\u200cb.com", None, None),                                   # ZWNJ elsewhere: invalid
    ("münchen.de", "xn--mnchen-3ya.de", "xn--mnchen-3ya.de"),
    ("example\u3002com", "example.com", "example.com"),             # ideographic full stop
    ("ＥＸＡＭＰＬＥ.com", "example.com", "example.com"),               # full-width letters
    ("a_b.faß.de", "a_b.xn--fa-hia.de", "a_b.xn--fa-hia.de"),       # ASCII labels kept as written
    ("a\u0646.com", None, None),                                    # bidi rule
    ("\u2603.net", "xn--n3h.net", None),                            # a symbol: browsers accept, IDNA 2008 not
]
IDN_IDS = [ascii(host) for host, _, _ in IDN_HOSTS]


@pytest.mark.parametrize("host, chromium, stored", IDN_HOSTS, ids=IDN_IDS)
def test_internationalised_hosts_are_converted_as_browsers_do(host, chromium, stored):
    if stored is None:
        with pytest.raises(HostError):
            host_to_ascii(host)
    else:
        assert host_to_ascii(host) == stored == chromium


@pytest.mark.parametrize("host, chromium, stored", [row for row in IDN_HOSTS if row[2] is not None],
                         ids=[i for i, row in zip(IDN_IDS, IDN_HOSTS) if row[2] is not None])
def test_configured_internationalised_origins_admit_what_browsers_send(host, chromium, stored):
    policy = Policy(origins=[f"https://{host}"], allow_credentials=True)
    assert policy.origins.allows(f"https://{chromium}")
    assert policy.origins.exact == frozenset({f"https://{stored}"})


def test_fass_de_is_not_stored_as_fass_de():
    """The stdlib codec (IDNA 2003) maps faß.de to fass.de: another registrant's domain."""
    policy = Policy(origins=["https://faß.de"], allow_credentials=True)
    assert not policy.origins.allows("https://fass.de")
    assert policy.origins.allows("https://xn--fa-hia.de")


def test_wildcard_suffixes_are_converted_as_browsers_do():
    policy = Policy(origins=["https://*.straße.de"], allow_credentials=True)
    assert policy.origins.allows("https://a.xn--strae-oqa.de")
    assert not policy.origins.allows("https://a.strasse.de")


@pytest.mark.parametrize("host", ["a\u200db.com", "\u2603.net"], ids=ascii)
def test_unconvertible_hosts_are_refused_with_a_hint(host):
    with pytest.raises(ConfigError) as caught:
        Policy(origins=[f"https://{host}"])
    assert caught.value.problems[0].code == "wsgicors.E128"
    assert caught.value.problems[0].hint


def test_symbol_hosts_are_refused_with_the_punycode_browsers_send():
    with pytest.raises(ConfigError) as caught:
        Policy(origins=["https://\u2603.net"])
    assert "'xn--n3h.net'" in caught.value.problems[0].hint


ABSENT_IDNA = textwrap.dedent("""
    import sys
    sys.modules["idna"] = None  # as if the package were not installed
    from wsgicors import Policy, ConfigError
    assert Policy(origins=["https://xn--fa-hia.de", "https://a.example"]).origins.allows("https://a.example")
    try:
        Policy(origins=["https://faß.de"])
    except ConfigError as error:
        problem = error.problems[0]
        print(problem.code)
        print(problem.hint)
    else:
        raise SystemExit("a non-ASCII host was accepted without idna")
""")


def test_without_idna_non_ascii_hosts_are_refused_with_the_punycode_and_the_package():
    result = subprocess.run([sys.executable, "-c", ABSENT_IDNA], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    code, hint = result.stdout.splitlines()
    assert code == "wsgicors.E131"
    assert "'xn--fa-hia.de'" in hint and "pip install idna" in hint


def test_importing_wsgicors_does_not_import_idna_or_the_suffix_list():
    script = ("import sys, wsgicors; from wsgicors import Policy; Policy(origins=['https://a.example']);"
              "print('idna' in sys.modules, 'wsgicors.psl' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "False"], result.stderr


# --------------------------------------------------------------------------
# App and extension origins (capacitor://, chrome-extension://, ...)
# --------------------------------------------------------------------------

APP_ORIGINS = [
    "capacitor://localhost", "ionic://localhost", "tauri://localhost",
    "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
    "moz-extension://0f3b4ac8-8b3e-4c52-9c2e-5a0c1b9d7e21",
    "safari-web-extension://0f3b4ac8-8b3e-4c52-9c2e-5a0c1b9d7e21",
    "app://myapp", "tauri://localhost:1430",
]


@pytest.mark.parametrize("credentials", [False, True])
@pytest.mark.parametrize("origin", APP_ORIGINS)
def test_app_and_extension_origins_are_matched_byte_for_byte(origin, credentials):
    matcher = Policy(origins=[origin], allow_credentials=credentials).origins
    assert matcher.allows(origin)
    for other in (origin.upper(), origin + "/", origin + ".", "https" + origin[origin.index(":"):], "null"):
        assert not matcher.allows(other), other


@pytest.mark.parametrize("origin", APP_ORIGINS)
def test_callables_and_regexes_are_asked_about_app_origins(origin):
    seen = []
    assert Policy(origins=[lambda o: seen.append(o) or True]).origins.allows(origin)
    assert seen == [origin]
    assert Policy(origins=[re.compile(re.escape(origin))]).origins.allows(origin)


@pytest.mark.parametrize("entry", ["capacitor://*.localhost", "chrome-extension://abc:*", "tauri://*.app.local:*"])
def test_wildcards_stay_http_only(entry):
    with pytest.raises(ConfigError) as caught:
        Policy(origins=[entry])
    assert caught.value.problems[0].code == "wsgicors.E113"


def test_file_pages_send_null_and_the_hint_says_so():
    with pytest.raises(ConfigError) as caught:
        Policy(origins=["file:///home/me/index.html"])
    assert "null" in caught.value.problems[0].hint


def test_only_the_file_hint_mentions_null():
    with pytest.raises(ConfigError) as caught:
        Policy(origins=["ws://a.example"])
    assert "null" not in str(caught.value)


# --------------------------------------------------------------------------
# Callables that read the request: fn(origin, environ)
# --------------------------------------------------------------------------

from wsgicors import CORSMiddleware  # noqa: E402

TENANTS = {"a.api.example": {"https://a-shop.example"}, "b.api.example": {"https://b-shop.example"}}


def tenant_origins(origin, environ):
    """The multi-tenant example of the README: each Host trusts its own shop."""
    return origin in TENANTS.get(environ.get("HTTP_HOST", ""), ())


def _answer(wrapped, host, origin, method="GET"):
    seen = {}
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/", "HTTP_HOST": host, "HTTP_ORIGIN": origin}
    if method == "OPTIONS":
        environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = "PUT"

    def start_response(status, headers, exc_info=None):
        seen["headers"] = dict(headers)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    wrapped_app = CORSMiddleware(app, origins=wrapped, allow_credentials=True)
    wrapped_app(environ, start_response)
    return seen["headers"].get("Access-Control-Allow-Origin")


@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
@pytest.mark.parametrize("host, origin, admitted", [
    ("a.api.example", "https://a-shop.example", True),
    ("b.api.example", "https://b-shop.example", True),
    ("a.api.example", "https://b-shop.example", False),
    ("b.api.example", "https://a-shop.example", False),
    ("c.api.example", "https://a-shop.example", False),
])
def test_a_two_parameter_callable_decides_per_request(host, origin, admitted, method):
    assert (_answer(tenant_origins, host, origin, method) == origin) is admitted


def test_two_parameter_answers_are_never_remembered():
    calls = []

    def by_host(origin, environ):
        calls.append(environ["HTTP_HOST"])
        return environ["HTTP_HOST"] == "a.api.example"

    matcher = Policy(origins=by_host).origins
    for host, expected in [("a.api.example", True), ("b.api.example", False), ("a.api.example", True)] * 3:
        assert matcher.allows("https://shop.example", {"HTTP_HOST": host}) is expected
    assert len(calls) == 9 and not matcher._memo


@pytest.mark.parametrize("predicate, takes_environ", [
    (lambda origin: True, False),
    (lambda origin, environ: True, True),
    (lambda origin, environ=None: True, True),
    (lambda *args: True, False),
    (frozenset({"https://a.example"}).__contains__, False),
])
def test_the_callable_is_called_with_environ_when_it_takes_two_parameters(predicate, takes_environ):
    assert Policy(origins=predicate).origins.predicate_takes_environ is takes_environ


def test_a_callable_needing_three_arguments_is_refused():
    with pytest.raises(ConfigError) as caught:
        Policy(origins=lambda origin, environ, extra: True)
    assert caught.value.problems[0].code == "wsgicors.E130"


def test_without_a_request_a_two_parameter_callable_gets_an_empty_environ():
    seen = []
    Policy(origins=lambda origin, environ: seen.append(environ) or True).origins.allows("https://a.example")
    assert seen == [{}]


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LETTERS = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Lo", "Nd", "Mn")), min_size=1,
                  max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(LETTERS, min_size=2, max_size=4).map(".".join))
def test_a_converted_host_is_ascii_and_converts_to_itself(host):
    try:
        converted = host_to_ascii(host)
    except HostError as error:
        assert error.reason
        return
    assert converted.isascii() and converted == converted.lower()
    assert host_to_ascii(converted) == converted


SCHEME = st.from_regex(r"[a-z][a-z0-9+.-]{0,15}", fullmatch=True).filter(
    lambda s: s not in ("http", "https", "file", "data", "blob", "about", "javascript", "ws", "wss"))
APP_HOST = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?(\.[a-z0-9]{1,10}){0,2}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(SCHEME, APP_HOST, st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}")))
def test_an_app_origin_admits_exactly_itself(scheme, host, port):
    origin = f"{scheme}://{host}{port}"
    matcher = Policy(origins=[origin], allow_credentials=True).origins
    assert matcher.allows(origin)
    assert parse_request_origin(origin) == (scheme, host, port[1:])
    for other in (origin + "/", origin + "x" if port else origin + ".", origin.swapcase(), f"https://{host}{port}"):
        if other != origin:
            assert not matcher.allows(other), other

"""DESIGN §2: which request origins each kind of configured entry admits."""

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
    ("ws://a.com", None),
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

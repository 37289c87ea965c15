"""Regular-expression origins: full match only, and warnings for dot-crossing patterns.

Decision: a pattern that can match across a dot boundary gets a
``CORSConfigWarning`` (code wsgicors.W101) naming the fix, not a ConfigError:
the check reads the pattern's structure and is a heuristic, so power users can
proceed (or make it fatal with ``warnings.simplefilter("error", CORSConfigWarning)``).
A pattern that admits *any* origin is refused with credentials (E107) and
warned about without (W102).
"""

import re
import warnings

import pytest

from wsgicors import ConfigError, CORSConfigWarning, CORSMiddleware, Policy

pytestmark = pytest.mark.filterwarnings("ignore::wsgicors.CORSConfigWarning")


def config_warnings(*entries, **options):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Policy(origins=list(entries), **options)
    return [str(w.message) for w in caught if issubclass(w.category, CORSConfigWarning)]


@pytest.mark.parametrize("pattern, admitted, refused", [
    (r"https://good\.com", "https://good.com", ["https://good.com.evil.net", "https://evil.net/https://good.com"]),
    (r"https://[a-z]+\.good\.com", "https://api.good.com",
     ["https://api.good.com.evil.net", "xhttps://api.good.com", "https://api.good.comx"]),
    (r"^https://good\.com", "https://good.com", ["https://good.com.evil.net"]),
    (r"https://good\.com|https://api\.good\.com", "https://api.good.com",
     ["https://good.com.evil.net", "https://evil.nethttps://api.good.com"]),
    (r"(?:https://good\.com)?", "https://good.com", [""]),
])
def test_regex_origins_must_match_the_whole_origin(pattern, admitted, refused):
    """flask-cors and early Starlette used re.match (start-anchored only)."""
    matcher = Policy(origins=[re.compile(pattern)]).origins
    assert matcher.allows(admitted)
    for origin in refused:
        assert not matcher.allows(origin), origin


@pytest.mark.parametrize("pattern, attacker", [
    (r"https://.*good.com", "https://evilgood.com"),
    (r"https://.*good\.com", "https://evilgood.com"),
    (r"https://api.good.com", "https://apixgood.com"),
    (r"https://good\.com.*", "https://good.com.evil.net"),
    (r"https://good\.com(\..*)?", "https://good.com.evil.net"),
    (r"https://[a-z.]+good\.com", "https://evil.netgood.com"),
    (r"https://\S+good\.com", "https://evilgood.com"),
    (r"https://(.*)good\.com", "https://evilgood.com"),
    (r"https://[^/]*good\.com", "https://evilgood.com"),
    (r"https?://(www|api).good.com", "https://wwwxgood.com"),
])
def test_dot_crossing_regex_warns_with_the_fix(pattern, attacker):
    messages = config_warnings(re.compile(pattern))
    assert messages and all("wsgicors.W101" in m for m in messages), messages
    assert any("\\." in m for m in messages)  # the fix: an escaped dot / whole labels
    # The warning is deserved: the attacker's origin really is admitted.
    assert Policy(origins=[re.compile(pattern)]).origins.allows(attacker) or "unescaped" in messages[0]


@pytest.mark.parametrize("pattern", [
    r"https://good\.com",
    r"https://api\.good\.com(:[0-9]+)?",
    r"https?://(www\.)?good\.com",
    r"https://([a-z0-9-]+\.)*good\.com",
    r"https://(.*\.)?good\.com",
    r"https://.*\.good\.com",
    r"https://[^/]+\.good\.com",
    r"https://[^.]+\.good\.com",
    r"https://(api|www)\.good\.com",
    r"^https://[a-z]+\.good\.com$",
    r"https://[.]good\.com",
    r"http://localhost:[0-9]+",
    r"(?:https://good\.com)?",
    r"https://(\w+\.)*good\.com",
])
def test_safe_regex_does_not_warn(pattern):
    assert config_warnings(re.compile(pattern)) == []


def test_dot_crossing_warning_points_at_the_callers_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Policy(origins=[re.compile(r"https://api.good.com")])
    assert caught[0].filename == __file__


def test_dot_crossing_warning_can_be_made_fatal():
    with warnings.catch_warnings():
        warnings.simplefilter("error", CORSConfigWarning)
        with pytest.raises(CORSConfigWarning, match="W101"):
            CORSMiddleware(lambda e, s: [], origins=[re.compile(r"https://.*good.com")])


@pytest.mark.parametrize("pattern", [r".*", r"https?://.*", r"https://[^/]+", r"(https|http)://[a-z0-9.:-]+"])
def test_catch_all_regex_is_refused_with_credentials_and_warned_without(pattern):
    with pytest.raises(ConfigError) as raised, warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)
        Policy(origins=[re.compile(pattern)], allow_credentials=True)
    assert [p.code for p in raised.value.problems] == ["wsgicors.E107"]
    assert "every website could read" in raised.value.problems[0].message
    messages = config_warnings(re.compile(pattern))
    assert any("wsgicors.W102" in m and "origins='*'" in m for m in messages), messages


def test_regex_never_admits_null_or_non_origins():
    matcher = Policy(origins=[re.compile(r"[a-z]+(://.*)?", re.DOTALL)]).origins
    for origin in ["null", "https://good.com/", "https://good.com\r\n", "HTTPS://GOOD.COM", "https://good.com:443"]:
        assert not matcher.allows(origin), origin


@pytest.mark.parametrize("source", [
    r"https://([a-z0-9]+-?)+\.example\.com",   # the reported one: seconds on a 45-character Origin
    r"https://(a+)+\.example\.com",
    r"https://([a-z.]+\.)+example\.com",        # the separator '.' is also inside the inner run
    r"https://(\w*)*\.example\.com",
])
@pytest.mark.parametrize("credentials", [True, False])
def test_regexes_that_backtrack_exponentially_are_refused(source, credentials):
    with pytest.raises(ConfigError) as caught:
        Policy(origins=[re.compile(source)], allow_credentials=credentials)
    assert "wsgicors.E133" in [problem.code for problem in caught.value.problems]


@pytest.mark.parametrize("source", [
    r"https://([a-z0-9-]+\.)*example\.com",     # '\.' separates iterations and is not in the inner run
    r"https://(\w+\.)*good\.com",
    r"https://([a-z0-9]++-?)+\.example\.com",   # possessive: never gives characters back
    r"https://(app|api)\.example\.com",
])
def test_regexes_with_separated_repetitions_are_accepted(source):
    Policy(origins=[re.compile(source)], allow_credentials=True)


@pytest.mark.parametrize("source", [
    r"https?://app\.example\.com",
    r"(https|http)://app\.example\.com",
    r"http://app\.example\.com",
])
def test_regexes_admitting_plain_http_origins_are_refused_with_credentials(source):
    with pytest.raises(ConfigError) as caught:
        Policy(origins=[re.compile(source)], allow_credentials=True)
    assert "wsgicors.E106" in [problem.code for problem in caught.value.problems]


@pytest.mark.parametrize("source", [r"https?://app\.example\.com", r"http://localhost:\d+"])
def test_plain_http_regexes_are_accepted_without_credentials_or_for_loopback(source):
    Policy(origins=[re.compile(source)])
    if "localhost" in source:
        Policy(origins=[re.compile(source)], allow_credentials=True)
    Policy(origins=[re.compile(source)], allow_credentials=True, allow_insecure_origins=True)

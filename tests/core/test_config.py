"""docs/design.md §2.1: configuration is validated once, every problem with a hint."""

import re

import pytest

from wsgicors import ConfigError, CORSMiddleware, Policy

GOOD = "https://app.example.com"


def problems_of(**options):
    with pytest.raises(ConfigError) as caught:
        Policy(**options)
    return caught.value.problems


# (options, code, text that must appear in the message or hint)
REJECTED = [
    ({"origins": ["https://a.com/"]}, "wsgicors.E115", "did you mean 'https://a.com'?"),
    ({"origins": ["https://a.com/api"]}, "wsgicors.E116", "did you mean 'https://a.com'?"),
    ({"origins": ["https://a.com?x=1"]}, "wsgicors.E117", "did you mean 'https://a.com'?"),
    ({"origins": ["https://a.com#top"]}, "wsgicors.E118", "did you mean 'https://a.com'?"),
    ({"origins": ["https://user:pw@a.com"]}, "wsgicors.E119", "did you mean 'https://a.com'?"),
    ({"origins": ["https://a.com:443"]}, "wsgicors.E124", "did you mean 'https://a.com'?"),
    ({"origins": ["http://a.com:80"]}, "wsgicors.E124", "did you mean 'http://a.com'?"),
    ({"origins": ["https://A.com"]}, "wsgicors.E114", "did you mean 'https://a.com'?"),
    ({"origins": ["HTTPS://a.com"]}, "wsgicors.E114", "did you mean 'https://a.com'?"),
    ({"origins": ["https://*example.com"]}, "wsgicors.E122", "did you mean 'https://*.example.com'?"),
    ({"origins": ["https://a*.example.com"]}, "wsgicors.E122", "did you mean 'https://*.example.com'?"),
    ({"origins": ["https://*.com"]}, "wsgicors.E121", "top-level domain"),
    ({"origins": ["https://*"]}, "wsgicors.E122", "use '*' alone"),
    ({"origins": ["file:///home/me/index.html"]}, "wsgicors.E113", "'null'"),
    ({"origins": ["capacitor://*.localhost"]}, "wsgicors.E113", "http and https"),
    ({"origins": ["a.com"]}, "wsgicors.E112", "did you mean 'https://a.com'?"),
    ({"origins": ["https://a.com "]}, "wsgicors.E110", "did you mean 'https://a.com'?"),
    ({"origins": ["https://a.com, https://b.com"]}, "wsgicors.E109", "['https://a.com', 'https://b.com']"),
    ({"origins": ["https://a.com."]}, "wsgicors.E127", "did you mean 'https://a.com'?"),
    ({"origins": ["https://a..com"]}, "wsgicors.E127", "did you mean 'https://a.com'?"),
    ({"origins": ["https://a.com:99999"]}, "wsgicors.E123", "1 to 65535"),
    ({"origins": ["https://a.com:x"]}, "wsgicors.E123", "'*' for any port"),
    ({"origins": ["https://a.com:08080"]}, "wsgicors.E123", "did you mean 'https://a.com:8080'?"),
    ({"origins": ["https://[0:0:0:0:0:0:0:1]:8080"]}, "wsgicors.E126", "did you mean 'https://[::1]:8080'?"),
    ({"origins": ["https://.*\\.example\\.com"]}, "wsgicors.E111", "re.compile("),
    ({"origins": ["^https://a.com$"]}, "wsgicors.E111", "re.compile("),
    ({"origins": ["https://exa_mple-.com"]}, "wsgicors.E128", "letters, digits"),
    ({"origins": ["*", GOOD]}, "wsgicors.E103", "must be the only entry"),
    ({"origins": "*", "allow_credentials": True}, "wsgicors.E104", "list the trusted origins"),
    ({"origins": ["http://a.com"], "allow_credentials": True}, "wsgicors.E106", "allow_insecure_origins=True"),
    ({"origins": ["http://*.a.com"], "allow_credentials": True}, "wsgicors.E106", "use https"),
    ({"origins": []}, "wsgicors.E100", "'*' for a public resource"),
    ({"origins": None}, "wsgicors.E100", "list the origins"),
    ({"origins": 42}, "wsgicors.E101", "pass a list"),
    ({"origins": [42]}, "wsgicors.E101", "strings, compiled regular expressions"),
    ({"origins": [re.compile(rb"x")]}, "wsgicors.E102", "str pattern"),
    ({"origins": [lambda o: True, lambda o: False]}, "wsgicors.E105", "combine them"),
    ({"origins": [GOOD], "methods": ["CONNECT"]}, "wsgicors.E304", "forbidden methods"),
    ({"origins": [GOOD], "methods": ["trace"]}, "wsgicors.E304", "forbidden methods"),
    ({"origins": [GOOD], "methods": ["TRACK"]}, "wsgicors.E304", "forbidden methods"),
    ({"origins": [GOOD], "methods": ["GE T"]}, "wsgicors.E303", "HTTP tokens"),
    ({"origins": [GOOD], "methods": ["G:ET"]}, "wsgicors.E303", "HTTP tokens"),
    ({"origins": [GOOD], "methods": []}, "wsgicors.E301", "e.g. ['GET', 'POST']"),
    ({"origins": [GOOD], "methods": ["*", "GET"]}, "wsgicors.E302", "alone"),
    ({"origins": [GOOD], "allow_headers": ["cookie"]}, "wsgicors.E311", "never by a script"),
    ({"origins": [GOOD], "allow_headers": ["Host"]}, "wsgicors.E311", "never by a script"),
    ({"origins": [GOOD], "allow_headers": ["origin"]}, "wsgicors.E311", "never by a script"),
    ({"origins": [GOOD], "allow_headers": ["content-length"]}, "wsgicors.E311", "never by a script"),
    ({"origins": [GOOD], "allow_headers": ["Sec-Fetch-Mode"]}, "wsgicors.E311", "never by a script"),
    ({"origins": [GOOD], "allow_headers": ["proxy-authorization"]}, "wsgicors.E311", "never by a script"),
    ({"origins": [GOOD], "allow_headers": ["x y"]}, "wsgicors.E310", "HTTP tokens"),
    ({"origins": [GOOD], "allow_headers": ["x-a\r\nx-b"]}, "wsgicors.E310", "HTTP tokens"),
    ({"origins": [GOOD], "expose_headers": ["Set-Cookie"]}, "wsgicors.E312", "hide Set-Cookie"),
    ({"origins": [GOOD], "expose_headers": ["x-a", "*"]}, "wsgicors.E302", "alone"),
    ({"origins": [GOOD], "max_age": -1}, "wsgicors.E401", "0 disables caching"),
    ({"origins": [GOOD], "max_age": 86401}, "wsgicors.E401", "Chromium 7200"),
    ({"origins": [GOOD], "max_age": True}, "wsgicors.E400", "0 disables caching"),
    ({"origins": [GOOD], "max_age": 1.5}, "wsgicors.E400", "0 disables caching"),
    ({"origins": [GOOD], "max_age": "600"}, "wsgicors.E400", "pass an int, e.g. max_age=600"),
    ({"origins": [GOOD], "preflight_status": 301}, "wsgicors.E401", "2xx"),
    ({"origins": [GOOD], "preflight_status": 404}, "wsgicors.E401", "2xx"),
    ({"origins": [GOOD], "preflight_status": True}, "wsgicors.E400", "2xx"),
    ({"origins": [GOOD], "allow_credentials": "yes"}, "wsgicors.E200", "pass a bool"),
    ({"origins": [GOOD], "allow_private_network": 1}, "wsgicors.E200", "pass a bool"),
]


@pytest.mark.parametrize("options, code, text", REJECTED, ids=[f"{c}-{o}"[:70] for o, c, _ in REJECTED])
def test_rejected_configuration_names_the_problem_and_its_fix(options, code, text):
    problems = problems_of(**options)
    assert [p.code for p in problems] == [code], problems
    assert text in str(problems[0])


def test_design_example_message_is_exact():
    with pytest.raises(ConfigError, match=re.escape(
            "'https://a.com/': an origin has no path; did you mean 'https://a.com'?")):
        Policy(origins=["https://a.com/"])


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_every_problem_is_reported_in_one_error():
    problems = problems_of(origins=["https://a.com/", "HTTPS://B.COM", "https://*.com"],
                           methods=["TRACE"], allow_headers=["cookie"], max_age=-5)
    assert [p.option for p in problems] == ["origins"] * 3 + ["methods", "allow_headers", "max_age"]


def test_error_message_lists_every_problem_on_its_own_line():
    with pytest.raises(ConfigError) as caught:
        Policy(origins=["https://a.com/"], max_age=-5)
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid CORS configuration (2 problems):"
    assert len(lines) == 3


def test_middleware_raises_config_error_at_construction():
    with pytest.raises(ConfigError):
        CORSMiddleware(lambda e, s: [], origins="*", allow_credentials=True)


def test_origins_are_required():
    with pytest.raises(ConfigError):
        CORSMiddleware(lambda e, s: [])


ACCEPTED = [
    ["https://app.example.com"],
    ["http://localhost:8080", "http://127.0.0.1:5000", "http://[::1]:3000"],
    ["https://*.example.com"],
    ["https://*.a.example.com:8443"],
    ["http://localhost:*"],
    ["https://*.example.com:*"],
    ["null"],
    [re.compile(r"https://[a-z]+\.example\.com")],
    [lambda origin: origin.endswith(".example.com")],
    "https://a.example.com https://b.example.com",
    "https://a.example.com, https://b.example.com",
    "*",
    ["https://bücher.example"],
]


@pytest.mark.parametrize("origins", ACCEPTED, ids=[str(o)[:40] for o in ACCEPTED])
def test_accepted_origin_forms(origins):
    Policy(origins=origins)


def test_loopback_http_origins_are_accepted_with_credentials():
    Policy(origins=["http://localhost:8080", "http://127.0.0.1", "http://[::1]:3000", "http://localhost:*"],
           allow_credentials=True)


def test_insecure_origins_can_be_accepted_explicitly():
    Policy(origins=["http://intranet.example"], allow_credentials=True, allow_insecure_origins=True)


def test_internationalised_hosts_are_stored_as_punycode():
    policy = Policy(origins=["https://bücher.example"])
    assert policy.origins.allows("https://xn--bcher-kva.example")


def test_methods_fetch_normalises_are_upper_cased():
    assert Policy(origins=[GOOD], methods=["get", "delete", "patch"]).methods == ("GET", "DELETE", "patch")


def test_header_names_are_lower_cased_and_deduplicated():
    assert Policy(origins=[GOOD], allow_headers=["X-A", "x-a", "Content-Type"]).allow_headers == (
        "x-a", "content-type")


def test_policy_is_immutable():
    policy = Policy(origins=[GOOD])
    with pytest.raises(AttributeError):
        policy.max_age = 5  # type: ignore[misc]


def test_policy_replace_validates_the_new_options():
    policy = Policy(origins=[GOOD])
    assert policy.replace(max_age=60).max_age == 60
    with pytest.raises(ConfigError):
        policy.replace(origins="*", allow_credentials=True)


def test_unknown_option_is_a_config_error_naming_the_option_meant():
    with pytest.raises(ConfigError, match=r"allow_origin: not an option of Policy\(\); did you mean 'origins'\?"):
        Policy(origins=[GOOD], allow_origin=True)


def test_policy_repr_shows_the_origins_and_changed_options():
    assert repr(Policy(origins=[GOOD], max_age=5)) == "Policy(origins=['https://app.example.com'], max_age=5)"

"""When a browser preflights: safelisted methods, headers and header values (Fetch standard)."""

from __future__ import annotations

import pytest

from wsgicors.check import check, is_safelisted_request_header, preflight_needed, unsafe_header_names

ORIGIN = "https://app.example"
URL = "https://api.example/data"

SAFELISTED = [
    ("accept", "application/json"),
    ("accept", "text/html, */*;q=0.8"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("content-language", "de-DE"),
    ("Content-Type", "text/plain"),
    ("content-type", "text/plain;charset=UTF-8"),
    ("content-type", "application/x-www-form-urlencoded"),
    ("content-type", "MULTIPART/FORM-DATA; boundary=x"),
    ("content-type", " text/plain "),
    ("range", "bytes=0-"),
    ("range", "bytes=0-499"),
    ("range", "BYTES=10-20"),
    ("accept", "a" * 128),
    ("save-data", "on"),
    ("dpr", "2.0"),
]

NOT_SAFELISTED = [
    ("x-token", "1"),
    ("authorization", "Bearer t"),
    ("content-type", "application/json"),
    ("content-type", "text/plain; charset=\"utf-8\""),   # '"' is an unsafe byte
    ("content-type", "text"),
    ("accept", "application/json (x)"),                  # '(' is an unsafe byte
    ("accept", "a" * 129),                               # longer than 128 bytes
    ("accept-language", "en_US"),                        # '_' is not allowed in languages
    ("content-language", "de/DE"),
    ("range", "bytes=-500"),                             # suffix ranges are not safelisted
    ("range", "bytes=0-1,5-6"),                          # several ranges
    ("range", "bytes=5-1"),                              # start > end
    ("range", "items=0-1"),
    ("range", "bytes = 0-1"),                            # no whitespace allowed
    ("cache-control", "no-cache"),
    ("save-data", "off"),
]


@pytest.mark.parametrize("name, value", SAFELISTED)
def test_safelisted_request_header(name, value):
    assert is_safelisted_request_header(name, value)


@pytest.mark.parametrize("name, value", NOT_SAFELISTED)
def test_not_safelisted_request_header(name, value):
    assert not is_safelisted_request_header(name, value)


def test_client_hints_are_safelisted_only_in_chromium_mode():
    assert not is_safelisted_request_header("save-data", "on", chromium=False)


def test_unsafe_names_are_lower_cased_sorted_and_unique():
    assert unsafe_header_names([("X-B", "1"), ("x-a", "1"), ("X-b", "2"), ("Accept", "x")]) == ["x-a", "x-b"]


@pytest.mark.parametrize("headers", [{"DP": "1", "X-Token": "t"}, [("DP", "1"), ("X-Token", "t")]],
                         ids=["dict", "pairs"])
def test_the_public_helpers_take_headers_as_check_does(headers):
    """A dict, as check() takes it, was iterated by its names: 'DP' was read as the pair ('D', 'P')."""
    assert unsafe_header_names(headers) == ["dp", "x-token"]
    assert preflight_needed("GET", headers) is True
    assert preflight_needed("GET", {"Accept": "*/*"}) is False


def test_safelisted_values_over_1024_bytes_in_total_become_unsafe():
    headers = [("accept", "a" * 128)] * 8 + [("content-language", "b" * 100)]
    assert unsafe_header_names(headers) == ["accept", "content-language"]


def test_safelisted_values_of_exactly_1024_bytes_stay_safe():
    assert unsafe_header_names([("accept", "a" * 128)] * 8) == []


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_safelisted_method_without_headers_needs_no_preflight(method):
    assert not preflight_needed(method)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "patch"])
def test_other_methods_need_a_preflight(method):
    assert preflight_needed(method)


def test_unsafe_header_needs_a_preflight_for_get():
    assert preflight_needed("GET", [("X-Token", "1")])


def test_json_post_needs_a_preflight(scripted):
    app = scripted()
    result = check(URL, ORIGIN, method="POST", headers={"Content-Type": "application/json"}, body="{}", app=app)
    assert result.preflight_needed and result.unsafe_headers == ["content-type"]
    assert app.methods == ["OPTIONS"]


def test_form_post_is_a_simple_request(scripted):
    app = scripted(actual=[("Access-Control-Allow-Origin", ORIGIN)])
    result = check(URL, ORIGIN, method="POST", body="a=1",
                   headers={"Content-Type": "application/x-www-form-urlencoded"}, app=app)
    assert not result.preflight_needed and result.allowed and app.methods == ["POST"]


def test_string_body_implies_text_plain_and_no_preflight(scripted):
    app = scripted(actual=[("Access-Control-Allow-Origin", ORIGIN)])
    result = check(URL, ORIGIN, method="POST", body="hello", app=app)
    assert not result.preflight_needed
    assert app.seen[0]["CONTENT_TYPE"] == "text/plain;charset=UTF-8" and app.seen[0]["body"] == b"hello"


def test_bytes_body_adds_no_content_type(scripted):
    app = scripted(actual=[("Access-Control-Allow-Origin", ORIGIN)])
    check(URL, ORIGIN, method="POST", body=b"\x00\x01", app=app)
    assert "CONTENT_TYPE" not in app.seen[0]


def test_forbidden_header_is_dropped_with_a_warning_and_needs_no_preflight(scripted):
    app = scripted(actual=[("Access-Control-Allow-Origin", ORIGIN)])
    result = check(URL, ORIGIN, headers={"Sec-Fetch-Foo": "1", "Host": "evil.example"}, app=app)
    assert not result.preflight_needed and app.methods == ["GET"]
    assert len(result.warnings) == 2 and "never lets script set" in result.warnings[0]


def test_user_agent_is_dropped_as_chromium_does(scripted):
    app = scripted(actual=[("Access-Control-Allow-Origin", ORIGIN)])
    result = check(URL, ORIGIN, headers={"User-Agent": "mine"}, app=app)
    assert not result.preflight_needed and "Chromium drops" in result.warnings[0]


def test_method_override_with_forbidden_method_is_dropped(scripted):
    app = scripted(actual=[("Access-Control-Allow-Origin", ORIGIN)])
    result = check(URL, ORIGIN, headers={"X-HTTP-Method-Override": "TRACE"}, app=app)
    assert not result.preflight_needed


@pytest.mark.parametrize("given, sent", [("get", "GET"), ("Delete", "DELETE"), ("put", "PUT"),
                                         ("patch", "patch"), ("Patch", "Patch"), ("PATCH", "PATCH")])
def test_fetch_upper_cases_only_the_six_normalised_methods(scripted, given, sent):
    app = scripted(preflight=[("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Methods", "*")])
    result = check(URL, ORIGIN, method=given, app=app)
    assert result.method == sent
    assert app.seen[-1]["REQUEST_METHOD"] == sent

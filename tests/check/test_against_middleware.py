"""``check`` against our own CORSMiddleware: what it allows, a browser allows."""

from __future__ import annotations

import pytest

from wsgicors import CORSMiddleware
from wsgicors.check import PreflightCache, check

ORIGIN = "https://app.example.com"
URL = "https://api.example.com/items"


def api(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("X-Request-Id", "42"),
                              ("X-Secret", "s"), ("Set-Cookie", "sid=2"), ("Cache-Control", "no-store")])
    return [b"{}"]


@pytest.fixture
def app():
    return CORSMiddleware(api, origins=[ORIGIN, "https://*.example.org"], allow_credentials=True,
                          allow_headers=["content-type", "x-token", "authorization"],
                          expose_headers=["x-request-id"], max_age=600)


@pytest.mark.parametrize("kwargs", [
    {},
    {"method": "POST", "body": "a=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"method": "POST", "body": "{}", "headers": {"Content-Type": "application/json"}},
    {"method": "PUT", "headers": {"X-Token": "1"}, "credentials": True},
    {"method": "PATCH"},
    {"method": "DELETE", "credentials": True, "headers": {"Authorization": "Bearer t"}},
], ids=["simple-get", "form-post", "json-post", "credentialed-put", "patch", "credentialed-delete"])
def test_middleware_allows_configured_requests(app, kwargs):
    result = check(URL, ORIGIN, app=app, **kwargs)
    assert result.allowed, result.render()


def test_middleware_allows_wildcard_subdomain(app):
    assert check(URL, "https://a.example.org", app=app).allowed


@pytest.mark.parametrize("origin, kwargs, code", [
    ("https://evil.example", {}, "acao-missing"),
    ("https://evil.example", {"method": "PUT"}, "preflight-status"),
    ("https://example.org", {}, "acao-missing"),
    ("null", {}, "acao-missing"),
    (ORIGIN, {"method": "PUT", "headers": {"X-Other": "1"}}, "preflight-status"),
    (ORIGIN, {"method": "patch"}, "preflight-status"),
    (ORIGIN, {"method": "OPTIONS"}, "preflight-status"),
], ids=["other-origin", "other-origin-put", "apex-of-wildcard", "null", "unlisted-header", "lower-case-patch",
        "options-not-allowed"])
def test_middleware_refusals_block(app, origin, kwargs, code):
    result = check(URL, origin, app=app, **kwargs)
    assert (result.verdict, result.code) == ("block", code), result.render()


def test_readable_headers_are_safelisted_plus_exposed_never_set_cookie(app):
    result = check(URL, ORIGIN, app=app, credentials=True)
    assert result.readable_headers == ["cache-control", "content-type", "x-request-id"]


def test_expose_star_without_credentials_reveals_all_but_set_cookie():
    star = CORSMiddleware(api, origins="*", expose_headers="*")
    result = check(URL, ORIGIN, app=star)
    assert "x-secret" in result.readable_headers and "set-cookie" not in result.readable_headers


def test_literal_star_in_expose_headers_with_credentials_reveals_nothing_extra(scripted):
    app = scripted(actual=[("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Credentials", "true"),
                           ("Access-Control-Expose-Headers", "*"), ("X-Secret", "s")])
    result = check(URL, ORIGIN, app=app, credentials=True)
    assert result.readable_headers == ["content-type"]


def test_middleware_max_age_is_honoured_by_the_cache(app):
    cache = PreflightCache()
    first = check(URL, ORIGIN, method="PUT", app=app, cache=cache)
    second = check(URL, ORIGIN, method="PUT", app=app, cache=cache)
    assert not first.preflight_cached and second.preflight_cached


def test_refusal_reason_from_debug_mode_is_reported():
    debug = CORSMiddleware(api, origins=[ORIGIN], debug=True)
    result = check(URL, "https://evil.example", method="PUT", app=debug)
    assert "the server says:" in result.explanation


def test_middleware_error_pages_are_readable():
    def missing(environ, start_response):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"nope"]

    result = check(URL, ORIGIN, app=CORSMiddleware(missing, origins=[ORIGIN]))
    assert result.allowed and result.status == 404 and result.body == b"nope"


@pytest.mark.parametrize("path", ["/items", "/missing"])
def test_a_refused_origin_is_told_the_cors_layer_refused_it_not_that_the_error_page_lacks_headers(app, path):
    """A 404 for an origin the middleware does not allow varies on Origin: the policy, not the error page,
    is why the header is missing (it used to say the 404 was 'produced outside the CORS layer')."""
    def api_404_on_missing(environ, start_response):
        if environ["PATH_INFO"] == "/missing":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"no"]
        return api(environ, start_response)

    refusing = CORSMiddleware(api_404_on_missing, origins=[ORIGIN])
    result = check("https://api.example.com" + path, "https://other.example", app=refusing)
    assert (result.allowed, result.code) == (False, "acao-missing")
    assert "a CORS layer answered it and did not allow this origin" in result.explanation
    assert "outside the CORS layer" not in result.explanation


def test_an_error_page_without_vary_origin_is_said_to_come_from_outside_the_cors_layer():
    def bare_404(environ, start_response):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no"]

    result = check(URL, ORIGIN, app=bare_404)
    assert "a 404 page without CORS headers usually means the error was produced outside the CORS layer" in (
        result.explanation)


@pytest.mark.parametrize("kwargs, asked", [
    ({"method": "PUT"}, "allow this origin and method 'PUT'."),
    ({"method": "POST", "headers": {"X-A": "1"}}, "allow this origin and header 'x-a'."),
    ({"method": "PUT", "headers": {"X-A": "1", "X-B": "2"}}, "allow this origin, method 'PUT' and headers 'x-a', 'x-b'."),
], ids=["method", "header", "method-and-headers"])
def test_a_refused_preflight_is_told_to_allow_what_it_asked_for(kwargs, asked):
    """The fix names the method and headers the preflight asked for (it said 'method and these headers'
    whatever was asked, also when no header was)."""
    result = check(URL, "https://other.example", app=CORSMiddleware(api, origins=[ORIGIN]), **kwargs)
    assert result.code == "preflight-status"
    assert "fix: let the CORS layer answer OPTIONS preflights for this URL and " + asked in result.explanation


def test_a_refused_lower_case_method_is_told_fetch_sends_it_as_written():
    result = check(URL, ORIGIN, method="patch", app=CORSMiddleware(api, origins=[ORIGIN]))
    assert result.code == "preflight-status"
    assert "fetch() sends 'patch' as written" in result.explanation
    assert "call fetch() with 'PATCH'." in result.explanation

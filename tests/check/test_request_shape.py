"""What the simulated browser puts on the wire: the preflight and the actual request."""

from __future__ import annotations

import pytest

from wsgicors.check import check

ORIGIN = "https://app.example"
URL = "https://api.example/data?x=1"
ALLOW_ALL = [("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Credentials", "true"),
             ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "x-b, x-a, content-type")]


def _put(scripted, **kwargs):
    app = scripted(preflight=ALLOW_ALL, actual=ALLOW_ALL[:2])
    headers = [("X-B", "1"), ("x-a", "2"), ("X-b", "3"), ("Accept", "text/plain"), ("Cookie", "sid=1")]
    result = check(URL, ORIGIN, method="put", headers=headers, app=app, **kwargs)
    return app, result


def test_preflight_is_options_with_origin_and_request_method(scripted):
    app, _ = _put(scripted, credentials=True)
    preflight = app.seen[0]
    assert preflight["REQUEST_METHOD"] == "OPTIONS"
    assert preflight["HTTP_ORIGIN"] == ORIGIN
    assert preflight["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] == "PUT"


def test_preflight_request_headers_are_lower_case_sorted_unique_without_spaces(scripted):
    app, _ = _put(scripted)
    assert app.seen[0]["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] == "x-a,x-b"


def test_preflight_never_carries_cookies(scripted):
    app, _ = _put(scripted, credentials=True)
    assert "HTTP_COOKIE" not in app.seen[0]


def test_preflight_keeps_path_and_query(scripted):
    app, _ = _put(scripted)
    assert (app.seen[0]["PATH_INFO"], app.seen[0]["QUERY_STRING"]) == ("/data", "x=1")


def test_actual_request_carries_cookie_only_with_credentials(scripted):
    app, result = _put(scripted, credentials=True)
    assert app.seen[1]["HTTP_COOKIE"] == "sid=1" and result.allowed
    app, result = _put(scripted)
    assert "HTTP_COOKIE" not in app.seen[1]
    assert any("credentials are off" in warning for warning in result.warnings)


def test_actual_request_combines_repeated_headers_and_sends_origin(scripted):
    app, _ = _put(scripted)
    actual = app.seen[1]
    assert actual["HTTP_X_B"] == "1, 3" and actual["HTTP_X_A"] == "2"
    assert actual["HTTP_ORIGIN"] == ORIGIN and actual["HTTP_ACCEPT"] == "text/plain"


def test_environ_is_a_proper_wsgi_environ(scripted):
    app, _ = _put(scripted)
    environ = app.seen[1]
    assert environ["wsgi.url_scheme"] == "https" and environ["SERVER_PORT"] == "443"
    assert environ["HTTP_HOST"] == "api.example" and environ["SCRIPT_NAME"] == ""
    assert environ["wsgi.version"] == (1, 0)


def test_environ_passes_wsgiref_validation():
    from wsgiref.validate import validator

    def inner(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", "*")])
        return [b"ok"]

    result = check("http://api.example:8080/a%20b", ORIGIN, app=validator(inner))
    assert result.allowed and result.warnings == []


def test_step_records_request_and_response_headers(scripted):
    _, result = _put(scripted)
    preflight = result.steps[0]
    assert ("Access-Control-Request-Headers", "x-a,x-b") in preflight.request_headers
    assert ("Access-Control-Allow-Methods", "PUT") in preflight.headers


def test_same_origin_request_is_not_a_cors_request(scripted):
    app = scripted()
    result = check("https://app.example/data", ORIGIN, method="PUT", headers={"X-Token": "1"}, app=app)
    assert result.allowed and not result.preflight_needed and app.methods == ["PUT"]
    assert "Same-origin request" in result.steps[0].reason


def test_null_origin_is_always_cross_origin(scripted):
    app = scripted(actual=[("Access-Control-Allow-Origin", "null")])
    result = check(URL, "null", app=app)
    assert result.allowed and app.seen[0]["HTTP_ORIGIN"] == "null"


def test_crashing_app_is_answered_500_with_a_warning():
    def crash(environ, start_response):
        raise RuntimeError("boom")

    result = check(URL, ORIGIN, app=crash)
    assert result.status == 500 and result.code == "acao-missing"
    assert "RuntimeError: boom" in result.warnings[0]


def test_body_iterable_is_closed():
    closed = []

    class Body(list):
        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return Body([b"a", b"b"])

    result = check(URL, ORIGIN, app=app)
    assert closed == [True] and result.body == b"ab"


def test_write_callable_output_is_kept():
    def app(environ, start_response):
        write = start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        write(b"early ")
        return [b"late"]

    assert check(URL, ORIGIN, app=app).body == b"early late"


# What Chromium sends for each (UTS #46 non-transitional); Python's "idna" codec
# (IDNA 2003) would give fass.de and xn--bxa2aea.gr instead: other sites.
@pytest.mark.parametrize("url, expected", [
    ("https://faß.de/api", "https://xn--fa-hia.de/api"),
    ("https://x.straße.de/", "https://x.xn--strae-oqa.de/"),
    ("https://βόλος.gr/", "https://xn--nxasmm1c.gr/"),
])
def test_internationalised_hosts_are_mapped_as_browsers_map_them(url, expected):
    from wsgicors.check.request import _normal_url

    assert _normal_url(url) == expected

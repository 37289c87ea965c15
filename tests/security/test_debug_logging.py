"""Debug mode and logging: one escaped line per decision, off by default.

flask-cors CVE-2024-1681 logged the request path unescaped, so a CR/LF in a
request forged log lines. Here every request-derived value goes through
``ascii()`` before it reaches a log record or the ``X-CORS-Error`` hint.
"""

import logging
import re

import pytest

from security_support import App, call, environ
from wsgicors import CORSMiddleware, Policy

GOOD = "https://good.com"
OPTIONS = dict(origins=[GOOD], methods=["GET", "PUT"], allow_headers=["x-a"])
#: Line breaks for a log reader, terminal escapes, bidi overrides, NUL.
INJECTIONS = ["\r\nwsgicors: preflight allowed", "\n", "\r", "\x85", "\u2028", "\x1b[2J\x1b[31m", "\u202egood",
              "\x00", "\x7f", "\t"]
SAFE_LINE = re.compile(r"[ -~]*")  # printable ASCII only, no line break of any kind


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.DEBUG, logger="wsgicors")
    return caplog


def hinted(result):
    return result.values("X-CORS-Error")


def assert_one_safe_line(records, *expected_words):
    assert len(records) == 1, [r.getMessage() for r in records]
    message = records[0].getMessage()
    assert SAFE_LINE.fullmatch(message), ascii(message)
    assert records[0].name == "wsgicors"
    for word in expected_words:
        assert word in message, (word, message)
    return message


REFUSALS = [
    # (request, words the log line and hint must contain)
    (dict(origin="https://evil.net", request_method="PUT"), ["origin 'https://evil.net' is not allowed"]),
    (dict(origin=GOOD, request_method="DELETE"), ["method 'DELETE' is not allowed", "GET, PUT", "case-sensitive"]),
    (dict(origin=GOOD, request_method="put"), ["method 'put' is not allowed"]),
    (dict(origin=GOOD, request_method="PUT", request_headers="x-b"), ["header 'x-b' is not allowed", "x-a"]),
    (dict(origin=GOOD, request_method="PUT", request_headers="x a"), ["'x a' is malformed"]),
    (dict(origin=GOOD, request_method="PUT", HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK="true"),
     ["private network access", "allow_private_network"]),
]


@pytest.mark.parametrize("request_kw, words", REFUSALS, ids=lambda v: str(v)[:40])
def test_debug_says_why_a_preflight_was_refused(log, request_kw, words):
    result = call(CORSMiddleware(App(), debug=True, **OPTIONS), environ("OPTIONS", **request_kw))
    assert result.status == "403 Forbidden"
    message = assert_one_safe_line(log.records, "preflight refused", *words)
    assert hinted(result) == [message.split("preflight refused: ", 1)[1]]


def test_debug_rejects_invalid_methods_when_echoing(log):
    result = call(CORSMiddleware(App(), debug=True, origins=[GOOD], methods="*"),
                  environ("OPTIONS", origin=GOOD, request_method="CONNECT"))
    assert_one_safe_line(log.records, "method 'CONNECT' is not a valid method")
    assert result.status == "403 Forbidden"


@pytest.mark.parametrize("injection", INJECTIONS, ids=ascii)
@pytest.mark.parametrize("where", ["origin", "method", "headers"])
def test_no_log_or_header_injection(log, injection, where):
    request = dict(origin=GOOD, request_method="PUT", request_headers="x-a")
    request.update({"origin": GOOD + injection} if where == "origin" else
                   {"request_method": "PUT" + injection} if where == "method" else
                   {"request_headers": "x-a," + injection + "x-b"})
    result = call(CORSMiddleware(App(), debug=True, **OPTIONS), environ("OPTIONS", **request))
    if where == "headers" and injection == "\t":
        # A tab around a name is ignored, as browsers do: 'x-b' is simply not allowed.
        assert_one_safe_line(log.records, "header 'x-b' is not allowed")
    else:
        assert_one_safe_line(log.records, ascii(injection)[1:-1])  # shown escaped, e.g. '\r\n'
    for name, value in result.headers:
        assert SAFE_LINE.fullmatch(value), (name, ascii(value))


@pytest.mark.parametrize("injection", INJECTIONS, ids=ascii)
def test_disallowed_origin_on_an_actual_request_logs_one_escaped_line(log, injection):
    result = call(CORSMiddleware(App(), debug=True, **OPTIONS), environ("GET", origin="https://evil.net" + injection))
    assert result.status == "200 OK" and result.cors_headers == [] and hinted(result) == []
    assert_one_safe_line(log.records, "is not allowed; no CORS headers sent")


def test_debug_lines_are_bounded(log):
    result = call(CORSMiddleware(App(), debug=True, **OPTIONS),
                  environ("OPTIONS", origin="https://" + "\r\n" * 500_000, request_method="PUT"))
    message = assert_one_safe_line(log.records)
    assert len(message) < 500 and len(hinted(result)[0]) < 500 and message.endswith("is not allowed")


def test_app_setting_cors_itself_is_explained_as_a_warning_then_per_response_in_debug(log):
    """Reversed behaviour: the app's header is replaced by the policy's (was: left alone)."""
    app = App(headers=[("Access-Control-Allow-Origin", "https://other.net")])
    middleware = CORSMiddleware(app, debug=True, **OPTIONS)
    result = call(middleware, environ("GET", origin=GOOD))
    assert result.acao == [GOOD]
    message = assert_one_safe_line(log.records, "'access-control-allow-origin'", "removed", "enabled=False")
    assert log.records[0].levelname == "WARNING" and "path '/'" in message
    log.clear()
    call(middleware, environ("GET", origin=GOOD))
    assert_one_safe_line(log.records, "removed the application's 'Access-Control-Allow-Origin'",
                         "only the policy's CORS headers were sent")


def test_debug_is_off_by_default(log):
    assert Policy(origins=[GOOD]).debug is False
    middleware = CORSMiddleware(App(), **OPTIONS)
    for request_kw, _ in REFUSALS:
        result = call(middleware, environ("OPTIONS", **request_kw))
        assert result.status == "403 Forbidden" and hinted(result) == []
    call(middleware, environ("GET", origin="https://evil.net\r\n"))
    replaced = CORSMiddleware(App(headers=[("Access-Control-Allow-Origin", "*")]), **OPTIONS)
    call(replaced, environ(origin=GOOD))
    call(replaced, environ(origin=GOOD))
    # Not a debug line: the one warning about the application's own CORS header.
    assert [record.levelname for record in log.records] == ["WARNING"]


def test_debug_hint_reveals_policy_so_keep_it_off_in_production():
    """Documented in SECURITY.md: the hint tells any client the allowed methods and headers."""
    result = call(CORSMiddleware(App(), debug=True, **OPTIONS),
                  environ("OPTIONS", origin=GOOD, request_method="PUT", request_headers="x-secret"))
    assert "x-a" in hinted(result)[0]


def test_a_raising_origin_callable_logs_one_escaped_line(log):
    def broken(origin):
        raise ValueError("lookup failed for " + origin + "\r\nwsgicors: forged line\x1b[0m")

    result = call(CORSMiddleware(App(), origins=broken), environ("GET", origin=GOOD))
    assert result.acao == [] and result.status == "200 OK"
    assert_one_safe_line(log.records, "origin predicate raised", "ValueError", "forged line", GOOD)
    assert log.records[0].levelno == logging.ERROR and log.records[0].exc_info is None

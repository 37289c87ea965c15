"""An exception escaping the application is answered 500 with CORS headers, so the page can read it.

Without this the server sends its own 500 with no ``Access-Control-Allow-Origin``
and the page sees a CORS failure instead of the server error. Debuggers and
test clients can have the exception instead (``propagate_exceptions``, the
``wsgicors.propagate`` environ key).
"""

import logging
from wsgiref.validate import validator

import pytest
from webtest import TestApp

from cors_testing import ALLOWED, OTHER, header_values
from wsgicors import ConfigError, CORSMiddleware, Policy, wrap
from wsgicors.middleware import PROPAGATE_KEY
from wsgicors.paste import filter_factory


class Boom(Exception):
    pass


def raising_app(environ, start_response):
    raise Boom("the application failed")


def started_then_raising_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    raise Boom("after start_response")


def raising_body_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])

    def body():
        yield b"partial"
        raise Boom("while streaming")

    return body()


def call(app, origin=ALLOWED, path="/", **environ):
    """One WSGI call as a server makes it: (status, headers, body)."""
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured.update(status=status, headers=headers)

    base = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "localhost", "SERVER_PORT": "80",
            "wsgi.url_scheme": "http"}
    if origin is not None:
        base["HTTP_ORIGIN"] = origin
    base.update(environ)
    body = b"".join(app(base, start_response))
    return captured["status"], captured["headers"], body


def values(headers, name):
    return [value for key, value in headers if key.lower() == name.lower()]


def test_an_exception_before_the_response_is_answered_500_with_the_cors_headers():
    status, headers, body = call(CORSMiddleware(raising_app, origins=[ALLOWED], allow_credentials=True,
                                                expose_headers=["x-request-id"]))
    assert status == "500 Internal Server Error"
    assert values(headers, "Access-Control-Allow-Origin") == [ALLOWED]
    assert values(headers, "Access-Control-Allow-Credentials") == ["true"]
    assert values(headers, "Access-Control-Expose-Headers") == ["x-request-id"]
    assert values(headers, "Vary") == ["Origin"]
    assert values(headers, "Content-Type") == ["text/plain; charset=utf-8"]
    assert body == b"Internal Server Error\n"
    assert values(headers, "Content-Length") == [str(len(body))]


def test_the_500_for_another_origin_carries_vary_but_no_cors_headers():
    status, headers, _ = call(CORSMiddleware(raising_app, origins=[ALLOWED]), origin=OTHER)
    assert status.startswith("500")
    assert values(headers, "Access-Control-Allow-Origin") == []
    assert values(headers, "Vary") == ["Origin"]


def test_the_500_for_any_origin_says_star():
    status, headers, _ = call(CORSMiddleware(raising_app, origins="*"), origin=OTHER)
    assert (status[:3], values(headers, "Access-Control-Allow-Origin")) == ("500", ["*"])


def test_the_500_is_answered_under_the_rule_that_covers_the_path():
    app = CORSMiddleware(raising_app, rules=[("/api/*", Policy(origins=[ALLOWED])), ("/other/*", None)])
    assert values(call(app, path="/api/x")[1], "Access-Control-Allow-Origin") == [ALLOWED]
    with pytest.raises(Boom):
        call(app, path="/other/x")  # out of scope: untouched


def test_the_traceback_is_logged_at_error_on_the_wsgicors_logger(caplog):
    with caplog.at_level(logging.ERROR, logger="wsgicors"):
        call(CORSMiddleware(raising_app, origins=[ALLOWED]), path="/api/items")
    (record,) = [r for r in caplog.records if r.name == "wsgicors"]
    assert record.levelno == logging.ERROR
    assert record.exc_info[0] is Boom
    assert "/api/items" in record.getMessage() and PROPAGATE_KEY in record.getMessage()


def test_the_logged_path_is_escaped(caplog):
    with caplog.at_level(logging.ERROR, logger="wsgicors"):
        call(CORSMiddleware(raising_app, origins=[ALLOWED]), path="/x\r\nforged: line\x1b[31m")
    message = caplog.records[-1].getMessage()
    assert "\r" not in message and "\n" not in message and "\x1b" not in message


def test_the_500_passes_wsgiref_validate():
    web = TestApp(validator(CORSMiddleware(validator(raising_app), origins=[ALLOWED])))
    response = web.get("/", headers={"Origin": ALLOWED}, status=500)
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]


def test_propagate_exceptions_lets_the_exception_through():
    with pytest.raises(Boom):
        call(CORSMiddleware(raising_app, origins=[ALLOWED], propagate_exceptions=True))


@pytest.mark.parametrize("value", [True, "1"])
def test_the_environ_key_lets_the_exception_through_per_request(value):
    with pytest.raises(Boom):
        call(CORSMiddleware(raising_app, origins=[ALLOWED]), **{PROPAGATE_KEY: value})


def test_webtest_gets_the_exception_through_extra_environ():
    web = TestApp(CORSMiddleware(raising_app, origins=[ALLOWED]), extra_environ={PROPAGATE_KEY: True})
    with pytest.raises(Boom):
        web.get("/", headers={"Origin": ALLOWED})


def test_an_exception_after_start_response_is_reraised():
    with pytest.raises(Boom, match="after start_response"):
        call(CORSMiddleware(started_then_raising_app, origins=[ALLOWED]))


def test_an_exception_while_streaming_the_body_is_left_to_the_server():
    with pytest.raises(Boom, match="while streaming"):
        call(CORSMiddleware(raising_body_app, origins=[ALLOWED]))


def test_a_request_without_origin_is_left_to_the_server():
    with pytest.raises(Boom):
        call(CORSMiddleware(raising_app, origins=[ALLOWED]), origin=None)


@pytest.mark.parametrize("exception", [KeyboardInterrupt, SystemExit, GeneratorExit])
def test_exceptions_that_are_not_errors_always_propagate(exception):
    def app(environ, start_response):
        raise exception()

    with pytest.raises(exception):
        call(CORSMiddleware(app, origins=[ALLOWED]))


def test_propagate_exceptions_is_not_a_policy_option_and_survives_reconfigure():
    middleware = CORSMiddleware(raising_app, origins=[ALLOWED], propagate_exceptions=True)
    middleware.reconfigure(origins=[OTHER])
    with pytest.raises(Boom):
        call(middleware, origin=OTHER)


def test_propagate_exceptions_must_be_a_bool():
    with pytest.raises(ConfigError) as raised:
        CORSMiddleware(raising_app, origins=[ALLOWED], propagate_exceptions="yes")
    assert [p.option for p in raised.value.problems] == ["propagate_exceptions"]


@pytest.mark.parametrize("text, propagates", [("true", True), ("false", False)])
def test_wrap_reads_propagate_exceptions_as_text(text, propagates):
    app = wrap(raising_app, origins=[ALLOWED], propagate_exceptions=text)
    assert app.propagate_exceptions is propagates


@pytest.mark.parametrize("text, propagates", [("true", True), ("off", False)])
def test_the_paste_filter_reads_propagate_exceptions(text, propagates):
    app = filter_factory({}, origins=ALLOWED, propagate_exceptions=text)(raising_app)
    assert app.propagate_exceptions is propagates


def test_a_bad_propagate_exceptions_setting_names_the_key():
    with pytest.raises(ConfigError) as raised:
        filter_factory({}, origins=ALLOWED, propagate_exceptions="sometimes")
    assert [(p.option, p.code) for p in raised.value.problems] == [("propagate_exceptions", "wsgicors.E601")]


def test_repeated_application_errors_are_logged_once_per_interval(caplog):
    # Request-triggered: an attacker adding Origin to 200 requests must not write 200 tracebacks.
    middleware = CORSMiddleware(raising_app, origins=[ALLOWED])
    with caplog.at_level(logging.ERROR, logger="wsgicors"):
        for _ in range(200):
            call(middleware, path="/api/items")
    assert len([r for r in caplog.records if r.name == "wsgicors"]) == 1

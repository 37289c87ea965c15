"""docs/design.md §3.6: PEP 3333 hygiene: streaming, close(), write(), exc_info, str headers."""

import sys
from wsgiref.validate import validator

import pytest
from webtest import TestApp

from cors_testing import ALLOWED, OTHER, preflight_headers
from wsgicors import CORSMiddleware


class StreamingBody:
    """An iterable that records how far it was consumed and how often it was closed."""

    def __init__(self, chunks):
        self.chunks = list(chunks)
        self.produced = 0
        self.closed = 0

    def __iter__(self):
        for chunk in self.chunks:
            self.produced += 1
            yield chunk

    def close(self):
        self.closed += 1


def call(app, environ_extra=None):
    """Call a WSGI app directly; return (status, headers, body iterable)."""
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured.update(status=status, headers=headers, exc_info=exc_info)
        return captured.setdefault("written", []).append

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "x", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", **(environ_extra or {})}
    body = app(environ, start_response)
    return captured, body


def test_body_iterable_is_returned_as_is_so_it_streams():
    body = StreamingBody([b"a", b"b"])

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body

    captured, returned = call(CORSMiddleware(app, origins=[ALLOWED]), {"HTTP_ORIGIN": ALLOWED})
    assert returned is body
    assert body.produced == 0


@pytest.mark.parametrize("origin", [ALLOWED, OTHER, None])
def test_close_is_called_exactly_once_through_a_server(origin):
    body = StreamingBody([b"a", b"b"])

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body

    headers = {"Origin": origin} if origin else {}
    TestApp(validator(CORSMiddleware(validator(app), origins=[ALLOWED]))).get("/", headers=headers)
    assert body.closed == 1


def test_start_response_called_lazily_by_a_generator_app_is_decorated():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"late"

    response = TestApp(validator(CORSMiddleware(validator(app), origins=[ALLOWED]))).get(
        "/", headers={"Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.body == b"late"


def test_write_callable_still_works():
    def app(environ, start_response):
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written ")
        return [b"returned"]

    response = TestApp(validator(CORSMiddleware(validator(app), origins=[ALLOWED]))).get(
        "/", headers={"Origin": ALLOWED})
    assert response.body == b"written returned"
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED


def test_exc_info_is_passed_through_on_a_second_start_response():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise ValueError("boom")
        except ValueError:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"error"]

    captured, body = call(CORSMiddleware(app, origins=[ALLOWED]), {"HTTP_ORIGIN": ALLOWED})
    assert captured["status"] == "500 Internal Server Error"
    assert captured["exc_info"][0] is ValueError
    assert ("Access-Control-Allow-Origin", ALLOWED) in captured["headers"]


def test_exc_info_is_not_invented_when_absent():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    captured, _ = call(CORSMiddleware(app, origins=[ALLOWED]), {"HTTP_ORIGIN": ALLOWED})
    assert captured["exc_info"] is None


def test_app_header_list_is_not_mutated():
    shared = [("Content-Type", "text/plain")]

    def app(environ, start_response):
        start_response("200 OK", shared)
        return [b""]

    call(CORSMiddleware(app, origins=[ALLOWED]), {"HTTP_ORIGIN": ALLOWED})
    assert shared == [("Content-Type", "text/plain")]


@pytest.mark.parametrize("request_headers", [
    {"Origin": ALLOWED},
    {"Origin": OTHER},
    preflight_headers(headers="x-a, content-type"),
    preflight_headers(origin=OTHER),
])
def test_every_emitted_header_is_a_str_pair(request_headers):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    method = "OPTIONS" if "Access-Control-Request-Method" in request_headers else "GET"
    response = TestApp(validator(CORSMiddleware(validator(app), origins=[ALLOWED], max_age=60,
                                                allow_credentials=True, expose_headers=["x-a"]))).request(
        "/", method=method, headers=request_headers, expect_errors=True)
    for name, value in response.headerlist:
        assert type(name) is str and type(value) is str
        value.encode("latin-1")

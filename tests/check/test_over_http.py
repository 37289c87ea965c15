"""``check`` over real HTTP against a wsgiref server on 127.0.0.1 (always shut down)."""

from __future__ import annotations

import socket

import pytest

from wsgicors import CORSMiddleware
from wsgicors.check import NetworkError, check

pytestmark = pytest.mark.server

ORIGIN = "http://localhost:5173"


def api(environ, start_response):
    if environ["PATH_INFO"] == "/old":
        start_response("302 Found", [("Location", "/items")])
        return [b""]
    start_response("200 OK", [("Content-Type", "application/json"), ("X-Request-Id", "7")])
    return [b'{"ok": true}']


def cors_app():
    return CORSMiddleware(api, origins=[ORIGIN], allow_credentials=True, expose_headers=["x-request-id"],
                          allow_headers=["content-type"])


def test_allowed_json_post_over_http(live_server):
    server = live_server(cors_app())
    result = check(server.url("/items"), ORIGIN, method="POST", body='{"a": 1}',
                   headers={"Content-Type": "application/json"}, credentials=True)
    assert result.allowed, result.render()
    assert [step.status for step in result.steps] == [204, 200]
    assert result.readable_headers == ["content-length", "content-type", "x-request-id"]
    assert result.body == b'{"ok": true}'


def test_refused_origin_over_http(live_server):
    server = live_server(cors_app())
    result = check(server.url("/items"), "http://evil.localhost:1", method="PUT")
    assert result.code == "preflight-status" and len(result.steps) == 1


def test_misbehaving_server_over_http(live_server, scripted):
    server = live_server(scripted(actual=[("Access-Control-Allow-Origin", ORIGIN + "/")]))
    result = check(server.url("/x"), ORIGIN)
    assert result.code == "acao-mismatch" and "trailing slash" in result.explanation


def test_redirect_over_http_is_followed_with_a_cors_check_on_each_hop(live_server):
    server = live_server(cors_app())
    result = check(server.url("/old"), ORIGIN)
    assert result.allowed and [(step.status, step.ok) for step in result.steps] == [(302, True), (200, True)]


def test_connection_refused_raises_network_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(NetworkError, match="connection refused"):
        check(f"http://127.0.0.1:{port}/", ORIGIN, timeout=2)

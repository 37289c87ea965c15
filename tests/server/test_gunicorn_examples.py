"""Every example app served by real gunicorn (sync and gthread workers) on 127.0.0.1.

Each server is started once per (example, worker class) by ``gunicorn_testing.Server``.
"""

import pytest

from gunicorn_testing import EXAMPLES, WORKERS, Server, private_options, refused_start_up_log

pytestmark = pytest.mark.server

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example.net"
EXAMPLE_TARGETS = {
    "flask": ["flask_app:app"],
    "flask-factory": ["flask_factory:create_app()"],
    "bottle": ["bottle_app:app"],
    "pyramid-ini": ["--paste", str(EXAMPLES / "pyramid.ini")],
    "paste-ini": ["--paste", str(EXAMPLES / "paste.ini")],
    "wrap": ['wsgicors:wrap("unmodified_app:app", origins=["https://app.example.com"], max_age=600)'],
    "wrap-factory": ['wsgicors:wrap("unmodified_app:create_app()", origins=["https://app.example.com"], max_age=600)'],
}


@pytest.fixture(scope="module")
def gunicorn_options():
    return private_options()


@pytest.fixture(scope="module", params=[(example, worker) for example in EXAMPLE_TARGETS for worker in WORKERS],
                ids=lambda param: "-".join(param))
def server(request, tmp_path_factory, gunicorn_options):
    example, worker = request.param
    running = Server(EXAMPLE_TARGETS[example], worker, tmp_path_factory.mktemp("gunicorn") / "log.txt",
                     gunicorn_options)
    try:
        yield running
    finally:
        running.stop()


def test_allowed_preflight_is_answered(server):
    response = server.request("OPTIONS", "/api/hello", {
        "Origin": ORIGIN, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"})
    assert response.status == 204
    assert response.getheader("Access-Control-Allow-Origin") == ORIGIN
    assert response.getheader("Access-Control-Allow-Headers") == "content-type"
    assert response.getheader("Access-Control-Max-Age") == "600"
    assert response.body == b""


def test_refused_preflight_is_403(server):
    response = server.request("OPTIONS", "/api/hello", {"Origin": EVIL, "Access-Control-Request-Method": "PUT"})
    assert response.status == 403
    assert response.getheader("Access-Control-Allow-Origin") is None


def test_actual_response_carries_cors_headers(server):
    response = server.request("GET", "/api/hello", {"Origin": ORIGIN})
    assert response.status == 200
    assert b"world" in response.body
    assert response.getheader("Access-Control-Allow-Origin") == ORIGIN
    assert response.getheader("Vary") == "Origin"


def test_error_response_carries_cors_headers(server):
    response = server.request("GET", "/api/missing", {"Origin": ORIGIN})
    assert response.status == 404
    assert response.getheader("Access-Control-Allow-Origin") == ORIGIN


def test_other_origin_gets_no_allow_origin(server):
    response = server.request("GET", "/api/hello", {"Origin": EVIL})
    assert response.status == 200
    assert response.getheader("Access-Control-Allow-Origin") is None
    assert response.getheader("Vary") == "Origin"


def test_a_factory_named_without_calling_it_stops_gunicorn_at_start_up(tmp_path, gunicorn_options):
    """Refused when the worker boots (gunicorn exits), not with a 500 on every request."""
    log = refused_start_up_log(
        tmp_path, EXAMPLES, 'wsgicors:wrap("unmodified_app:create_app", origins=["https://app.example.com"])',
        gunicorn_options)
    assert "if it is an app factory, call it: 'unmodified_app:create_app()'" in log

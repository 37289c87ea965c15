"""Under real gunicorn, a raising endpoint gives an allowed origin's fetch a 500 it can read.

Without wsgicors answering it, gunicorn sends its own 500 without
``Access-Control-Allow-Origin`` and the page sees a CORS error instead.
"""

import pathlib

import pytest

from gunicorn_testing import Server, private_options, refused_start_up_log

ORIGIN = "https://app.example.com"  # raising_apps.ORIGIN

pytestmark = pytest.mark.server

HERE = pathlib.Path(__file__).resolve().parent


@pytest.fixture(scope="module", params=["raising_apps:plain", "raising_apps:flask_app"],
                ids=["plain-middleware", "flask-propagate-exceptions"])
def server(request, tmp_path_factory):
    running = Server([request.param], "sync", tmp_path_factory.mktemp("gunicorn") / "log.txt",
                     private_options(), chdir=HERE)
    try:
        yield running
    finally:
        running.stop()


def test_a_raising_endpoint_answers_an_allowed_origin_500_with_cors_headers(server):
    response = server.request("GET", "/boom", {"Origin": ORIGIN})
    assert response.status == 500
    assert response.getheader("Access-Control-Allow-Origin") == ORIGIN
    assert "Origin" in response.getheader("Vary")


def test_the_server_keeps_serving_after_the_error(server):
    for _ in range(3):
        assert server.request("GET", "/boom", {"Origin": ORIGIN}).status == 500


@pytest.mark.parametrize("target, says", [
    ("bad_flask_view:app", "@cross_origin on 'wild'"),
    ("bad_bottle_route:app", "route GET /internal: cors"),
])
def test_a_misconfigured_view_or_route_stops_gunicorn_at_start_up(tmp_path, target, says):
    """Refused when the worker imports the app (gunicorn exits), not with a 500 on every request."""
    text = refused_start_up_log(tmp_path, HERE, target, private_options())
    assert "ConfigError" in text and says in text

"""What a browser sees is the same whichever integration serves it: Flask, Bottle or Pyramid.

Each app has the same policy; the tables list where the frameworks
legitimately differ (their own error pages and OPTIONS answers).
"""

import pytest

from bottle_wsgicors import CORSPlugin
from flask_wsgicors import CORS

A = "https://app.example.com"
EVIL = "https://evil.example.net"
OPTIONS = dict(origins=[A], allow_credentials=True, expose_headers=["x-total"], max_age=600)

ERROR_PAGES = {
    "flask": [("GET", "/nowhere", 404), ("DELETE", "/items", 405), ("GET", "/forbidden", 403), ("GET", "/boom", 500)],
    "bottle": [("GET", "/nowhere", 404), ("DELETE", "/items", 405), ("GET", "/login", 401), ("GET", "/boom", 500)],
    "pyramid": [("GET", "/nowhere", 404), ("DELETE", "/items", 404), ("GET", "/forbidden", 403),
                ("GET", "/teapot", 418)],
}
# OPTIONS without Access-Control-Request-Method is not a preflight: the framework answers it.
PLAIN_OPTIONS_STATUS = {"flask": 200, "bottle": 405, "pyramid": 404}


@pytest.fixture(params=["flask", "bottle", "pyramid"])
def framework(request):
    return request.param


@pytest.fixture
def app(framework, make_flask, make_bottle, make_pyramid):
    if framework == "flask":
        application = make_flask()
        CORS(application, **OPTIONS)
        return application
    if framework == "bottle":
        return make_bottle(CORSPlugin(**OPTIONS))
    return make_pyramid(configure=lambda config: config.add_cors_policy(**OPTIONS))


def test_allowed_origin_gets_cors_headers(app, browser):
    response = browser(app).request("/items")
    assert response.status_int == 200
    assert response.headers.getall("Access-Control-Allow-Origin") == [A]
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "x-total"
    assert response.headers.getall("Vary") == ["Origin"]


def test_other_origin_gets_the_response_with_only_vary_added(app, browser):
    response = browser(app, EVIL).request("/items")
    assert response.status_int == 200
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]
    assert response.headers["Vary"] == "Origin"


def test_request_without_origin_still_varies_on_origin(app, browser):
    response = browser(app).request("/items", origin="")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_preflight_is_answered_before_the_framework_routes_it(app, browser, method):
    response = browser(app).preflight("/items", method, headers="content-type, x-token")
    assert response.status_int == 204
    assert response.body == b""
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type, x-token"
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert response.headers["Vary"] == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    assert app.routed == []


def test_preflight_to_an_unrouted_path_is_answered(app, browser):
    assert browser(app).preflight("/nowhere").status_int == 204


@pytest.mark.parametrize("origin, method, headers", [
    (EVIL, "PUT", None),
    (A, "TRACE", None),
    (A, "PUT", "x-ok, bad header"),
], ids=["origin", "method", "malformed-headers"])
def test_refused_preflight_is_403_without_allow_headers(app, browser, origin, method, headers):
    response = browser(app, origin).preflight("/items", method, headers=headers)
    assert response.status_int == 403
    assert not [name for name in response.headers if name.lower().startswith("access-control-allow")]
    assert app.routed == []


def test_options_without_request_method_is_the_frameworks_own_answer(app, browser, framework):
    response = browser(app).request("/items", method="OPTIONS")
    assert response.status_int == PLAIN_OPTIONS_STATUS[framework]
    assert response.headers["Access-Control-Allow-Origin"] == A


def test_error_pages_carry_cors_headers(app, browser, framework):
    for method, path, status in ERROR_PAGES[framework]:
        response = browser(app).request(path, method=method)
        assert response.status_int == status, path
        assert response.headers["Access-Control-Allow-Origin"] == A, path
        assert response.headers["Vary"] == "Origin", path


OWN = {"Access-Control-Allow-Origin": "https://own.example"}


def app_with_own_cors_route(framework, make_flask, make_bottle, make_pyramid):
    """The same app, plus ``/own`` whose view sets Access-Control-Allow-Origin itself."""
    if framework == "flask":
        app = make_flask()
        app.add_url_rule("/own", "own", lambda: ("own", 200, OWN))
        CORS(app, **OPTIONS)
        return app
    if framework == "bottle":
        import bottle

        app = make_bottle(CORSPlugin(**OPTIONS))
        app.route("/own")(lambda: bottle.HTTPResponse("own", **OWN))
        return app
    from pyramid.response import Response

    def configure(config):
        config.add_cors_policy(**OPTIONS)
        config.add_route("own", "/own")
        config.add_view(lambda request: Response("own", headers=OWN), route_name="own")

    return make_pyramid(configure=configure)


def test_cors_headers_set_by_a_view_are_replaced_by_the_policy(framework, make_flask, make_bottle, make_pyramid,
                                                                browser):
    """Reversed behaviour: in scope only the policy writes CORS headers (was: a view's were left alone)."""
    app = app_with_own_cors_route(framework, make_flask, make_bottle, make_pyramid)
    allowed = browser(app).request("/own")
    assert allowed.headers.getall("Access-Control-Allow-Origin") == [A]
    assert allowed.headers.getall("Access-Control-Allow-Credentials") == ["true"]
    refused = browser(app).request("/own", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert refused.headers.getall("Vary") == ["Origin"]

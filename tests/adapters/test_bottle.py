"""The Bottle plugin: install, route config, exc_info, isolation between apps.

Behaviour every integration shares (preflights before routing, HTTPError pages) is in
test_every_framework.py.
"""

import sys

import bottle
import pytest

from bottle_wsgicors import CORSPlugin
from wsgicors import ConfigError, Policy

A = "https://app.example.com"
B = "https://partner.example.org"
EVIL = "https://evil.example.net"


@pytest.fixture
def app(make_bottle):
    return make_bottle(CORSPlugin(origins=[A], allow_credentials=True, expose_headers="x-total", max_age=600))


def test_plugin_declares_its_name_and_api():
    plugin = CORSPlugin(origins=[A])
    assert (plugin.name, plugin.api) == ("cors", 2)


def call(app, path, **environ):
    """Call the WSGI app directly, recording every start_response call."""
    calls = []

    def start_response(status, headers, exc_info=None):
        calls.append((status, headers, exc_info))

    base = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "localhost", "SERVER_PORT": "80",
            "wsgi.url_scheme": "http", "wsgi.input": None, "wsgi.errors": sys.stderr}
    base.update(environ)
    b"".join(app(base, start_response))
    return calls


def test_exc_info_reaches_the_server_unchanged(make_bottle):
    without = call(make_bottle(), "/boom", HTTP_ORIGIN=A)
    with_cors = call(make_bottle(CORSPlugin(origins=[A])), "/boom", HTTP_ORIGIN=A)
    assert [status for status, _, _ in with_cors] == [status for status, _, _ in without]
    assert [_exception_type(exc_info) for _, _, exc_info in with_cors] == \
        [_exception_type(exc_info) for _, _, exc_info in without]
    assert ("Access-Control-Allow-Origin", A) in with_cors[-1][1]


def _exception_type(exc_info):
    return None if exc_info is None else exc_info[0]


def test_uncaught_exception_propagates_when_catchall_is_off(make_bottle):
    app = make_bottle(CORSPlugin(origins=[A]))
    app.catchall = False
    with pytest.raises(RuntimeError, match="boom"):
        call(app, "/boom", HTTP_ORIGIN=A)


# -- route configuration ----------------------------------------------------------------------


def test_route_cors_dict_layers_options_on_the_plugin_policy(app, browser):
    @app.route("/partner", cors={"origins": [B], "max_age": 5})
    def partner():
        return "partner"

    preflight = browser(app, B).preflight("/partner", "GET")
    assert preflight.status_int == 204
    assert preflight.headers["Access-Control-Max-Age"] == "5"
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert browser(app, B).request("/partner").headers["Access-Control-Allow-Origin"] == B
    assert browser(app, A).preflight("/partner", "GET").status_int == 403
    assert browser(app, B).preflight("/items").status_int == 403


def test_route_cors_can_be_a_ready_policy(app, browser):
    @app.route("/open", cors=Policy(origins="*"))
    def open_route():
        return "open"

    assert browser(app, EVIL).request("/open").headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("route_options", [{"cors": False}, {"skip": ["cors"]}, {"skip": True}],
                         ids=["cors=False", "skip-by-name", "skip-all"])
def test_route_can_opt_out(app, browser, route_options):
    @app.route("/private", **route_options)
    def private():
        return "private"

    actual = browser(app).request("/private")
    assert actual.text == "private"
    assert "Access-Control-Allow-Origin" not in actual.headers
    assert "Vary" not in actual.headers
    assert browser(app).preflight("/private", "GET").status_int == 405  # Bottle's own answer


def test_route_policy_covers_its_405_page(app, browser):
    @app.route("/partner", cors={"origins": [B]})
    def partner():
        return "partner"

    response = browser(app, B).request("/partner", method="DELETE")
    assert response.status_int == 405
    assert response.headers["Access-Control-Allow-Origin"] == B


def test_preflight_uses_the_route_of_the_requested_method(app, browser):
    @app.route("/things", method="GET", cors={"origins": [B]})
    def list_things():
        return "list"

    @app.route("/things", method="POST")
    def create_thing():
        return "created"

    assert browser(app, B).preflight("/things", "GET").status_int == 204
    assert browser(app, B).preflight("/things", "POST").status_int == 403
    assert browser(app, A).preflight("/things", "POST").status_int == 204


def test_bad_route_config_raises_config_error_naming_the_route_and_key(app):
    with pytest.raises(ConfigError) as raised:
        @app.route("/bad", cors={"max_age": "soon"})
        def bad():
            return "bad"
    assert [problem.option for problem in raised.value.problems] == ["route GET /bad: cors.max_age"]


# -- installation -----------------------------------------------------------------------------


def test_bad_plugin_options_raise_config_error_at_construction():
    with pytest.raises(ConfigError) as raised:
        CORSPlugin(origins="*", allow_credentials=True, max_age=-1)
    assert {problem.option for problem in raised.value.problems} == {"origins", "max_age"}


def test_two_apps_with_two_plugins_share_no_state(browser, make_bottle):
    first, second = make_bottle(CORSPlugin(origins=[A])), make_bottle(CORSPlugin(origins=[B], max_age=9))

    @first.route("/only-first", cors={"max_age": 1})
    def only_first():
        return "first"

    assert browser(first).preflight("/items").status_int == 204
    assert browser(first, B).preflight("/items").status_int == 403
    assert browser(second, B).preflight("/items").headers["Access-Control-Max-Age"] == "9"
    assert browser(second).preflight("/items").status_int == 403
    assert browser(second, B).preflight("/only-first", "GET").headers["Access-Control-Max-Age"] == "9"


def test_one_plugin_may_serve_two_apps(browser, make_bottle):
    plugin = CORSPlugin(origins=[A])
    first, second = make_bottle(plugin), make_bottle(plugin)
    assert browser(first).request("/items").headers["Access-Control-Allow-Origin"] == A
    assert browser(second).request("/items").headers["Access-Control-Allow-Origin"] == A


def test_installing_a_second_cors_plugin_is_refused(app):
    with pytest.raises(bottle.PluginError):
        app.install(CORSPlugin(origins=[B]))


def test_uninstalling_removes_cors(app, browser):
    app.uninstall("cors")
    response = browser(app).request("/items")
    assert response.text == "items"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert browser(app).preflight("/items").status_int == 405

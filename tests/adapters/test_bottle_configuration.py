"""Bottle: one precedence rule (app.config, then CORSPlugin arguments, then the route) and early checks.

``cors.*`` keys in ``app.config`` used to override the plugin's arguments on
routed paths only (unrouted 404s used the arguments): the opposite of Flask's
"keyword arguments win". A route option ``cors="false"`` silently left CORS on,
and a bad route ``cors={...}`` surfaced as a 500 on every request.
"""

import bottle
import pytest

from bottle_wsgicors import CORSPlugin
from wsgicors import ConfigError, Policy

A = "https://app.example.com"
B = "https://partner.example.org"


def make_app(config=None):
    app = bottle.Bottle()
    app.config.update(config or {})
    return app


def add_routes(app):
    @app.route("/items")
    def items():
        return "items"

    @app.route("/partner", cors={"max_age": 5})
    def partner():
        return "partner"


@pytest.mark.parametrize("path", ["/items", "/partner", "/nowhere"], ids=["routed", "own-config", "unrouted"])
def test_plugin_arguments_win_over_app_config_on_every_path(browser, path):
    app = make_app({"cors.origins": B, "cors.allow_credentials": "true", "cors.max_age": "60"})
    app.install(CORSPlugin(origins=[A], max_age=600))
    add_routes(app)
    assert browser(app, B).preflight(path, "GET").status_int == 403  # the argument's origins, everywhere
    answer = browser(app, A).preflight(path, "GET")
    assert answer.headers["Access-Control-Allow-Credentials"] == "true"  # from app.config: not an argument
    assert answer.headers["Access-Control-Max-Age"] == ("5" if path == "/partner" else "600")


def test_app_config_fills_what_the_arguments_leave_out(browser):
    app = make_app({"cors.expose_headers": "x-total"})
    app.install(CORSPlugin(origins=[A]))
    add_routes(app)
    for path in ("/items", "/nowhere"):
        assert browser(app).request(path).headers["Access-Control-Expose-Headers"] == "x-total"


def test_a_ready_policy_is_complete_and_ignores_app_config(browser):
    app = make_app({"cors.max_age": "60"})
    app.install(CORSPlugin(policy=Policy(origins=[A])))
    add_routes(app)
    assert "Access-Control-Max-Age" not in browser(app).preflight("/items", "GET").headers


def test_a_bad_app_config_key_is_refused_at_install_naming_it():
    app = make_app({"cors.max_age": "soon"})
    with pytest.raises(ConfigError) as raised:
        app.install(CORSPlugin(origins=[A]))
    assert [p.option for p in raised.value.problems] == ["cors.max_age"]
    assert not app.plugins or not any(isinstance(p, CORSPlugin) for p in app.plugins)


def test_the_origins_may_come_from_app_config_alone(browser):
    app = make_app({"cors.origins": A})
    app.install(CORSPlugin())
    add_routes(app)
    assert browser(app, A).request("/items").headers["Access-Control-Allow-Origin"] == A


def test_no_origins_in_arguments_or_app_config_is_refused_at_install_naming_the_key():
    with pytest.raises(ConfigError) as raised:
        make_app().install(CORSPlugin(max_age=600))
    assert [(p.option, p.code) for p in raised.value.problems] == [("cors.origins", "wsgicors.E100")]


def test_an_argument_problem_other_than_missing_origins_is_still_raised_at_construction():
    with pytest.raises(ConfigError) as raised:
        CORSPlugin(max_age=-1)
    assert [p.option for p in raised.value.problems] == ["max_age"]


def test_app_config_mistakes_are_all_reported_at_install_naming_the_keys():
    app = make_app({"cors.origins": "https://a.com/", "cors.supports_credentials": "true"})
    with pytest.raises(ConfigError) as raised:
        app.install(CORSPlugin())
    assert {(p.option, p.code) for p in raised.value.problems} == {
        ("cors.origins", "wsgicors.E115"), ("cors.supports_credentials", "wsgicors.E600")}


def test_a_cors_config_change_after_install_applies_and_a_bad_one_is_not_stored(browser):
    app = make_app()
    app.install(CORSPlugin(origins=[A]))
    add_routes(app)
    app.config["cors.max_age"] = "30"
    assert browser(app).preflight("/items", "GET").headers["Access-Control-Max-Age"] == "30"
    with pytest.raises(ConfigError):
        app.config["cors.allow_credentials"] = "maybe"
    assert "cors.allow_credentials" not in app.config
    assert browser(app).preflight("/items", "GET").headers["Access-Control-Max-Age"] == "30"


@pytest.mark.parametrize("value", ["false", "off", "no", "0", True, 1, "yes", ["origins"]])
def test_a_route_cors_value_that_is_not_false_none_a_dict_or_a_policy_is_refused(value):
    app = make_app()
    app.install(CORSPlugin(origins=[A]))
    with pytest.raises(ConfigError) as raised:
        @app.route("/internal", cors=value)
        def internal():
            return "internal"
    (problem,) = raised.value.problems
    assert problem.code == "wsgicors.E710" and "GET /internal" in problem.option
    assert "cors=False" in problem.hint


@pytest.mark.parametrize("value", [False, None])
def test_cors_false_or_none_turns_a_route_off(browser, value):
    app = make_app()
    app.install(CORSPlugin(origins=[A]))

    @app.route("/internal", cors=value)
    def internal():
        return "internal"

    assert "Access-Control-Allow-Origin" not in browser(app).request("/internal").headers


def test_a_bad_route_added_after_install_is_refused_where_it_is_declared():
    app = make_app()
    app.install(CORSPlugin(origins=[A], allow_credentials=True))
    with pytest.raises(ConfigError, match="route GET /wild"):
        @app.route("/wild", cors={"origins": "*"})
        def wild():
            return "wild"
    assert [route.rule for route in app.routes] == []


def test_a_bad_route_added_before_install_is_refused_at_install():
    app = make_app()

    @app.route("/slow", cors={"max_age": -1})
    def slow():
        return "slow"

    with pytest.raises(ConfigError, match="route GET /slow: cors.max_age"):
        app.install(CORSPlugin(origins=[A]))
    assert "wsgi" not in app.__dict__  # nothing installed


def test_a_good_app_keeps_serving_after_a_refused_route(browser):
    app = make_app()
    app.install(CORSPlugin(origins=[A]))
    add_routes(app)
    with pytest.raises(ConfigError):
        app.route("/bad", cors="off")(lambda: "bad")
    assert browser(app).request("/items").headers["Access-Control-Allow-Origin"] == A

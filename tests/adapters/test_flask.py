"""The Flask extension: CORS(app), init_app, app.config, @cross_origin, blueprints.

Behaviour every integration shares (preflights before routing, error pages) is in
test_every_framework.py.
"""

import pytest
from flask import Blueprint

from flask_wsgicors import CORS, cross_origin
from wsgicors import ConfigError

A = "https://app.example.com"
B = "https://partner.example.org"
EVIL = "https://evil.example.net"


@pytest.fixture
def app(make_flask):
    application = make_flask()
    CORS(application, origins=[A], allow_credentials=True, expose_headers=["x-total"], max_age=600)
    return application


# -- app-wide policy --------------------------------------------------------------------------


def test_flasks_own_test_client_sees_preflights_actual_and_error_responses(app):
    client = app.test_client()
    preflight = client.options("/items", headers={"Origin": A, "Access-Control-Request-Method": "PUT"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == A
    for path, status in [("/items", 200), ("/forbidden", 403), ("/nowhere", 404)]:
        response = client.get(path, headers={"Origin": A})
        assert (response.status_code, response.headers["Access-Control-Allow-Origin"]) == (status, A)


# -- configuration ----------------------------------------------------------------------------


def test_options_are_read_from_app_config(browser, make_flask):
    app = make_flask(CORS_ORIGINS="https://app.example.com https://*.example.org",
                   CORS_ALLOW_CREDENTIALS=True, CORS_MAX_AGE="120", CORS_METHODS=["GET", "PATCH"])
    CORS(app)
    response = browser(app, "https://x.example.org").preflight("/items", "PATCH")
    assert response.status_int == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://x.example.org"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, PATCH"
    assert response.headers["Access-Control-Max-Age"] == "120"


def test_keyword_arguments_win_over_app_config(browser, make_flask):
    app = make_flask(CORS_ORIGINS=[EVIL], CORS_MAX_AGE=5)
    CORS(app, origins=[A])
    client = browser(app)
    assert client.preflight("/items").headers["Access-Control-Max-Age"] == "5"
    assert client.preflight("/items", origin=EVIL).status_int == 403


@pytest.mark.parametrize("config, key", [
    ({"CORS_ORIGINS": [A], "CORS_MAX_AGE": "soon"}, "CORS_MAX_AGE"),
    ({"CORS_ORIGINS": [A], "CORS_ALLOW_CREDENTIALS": "maybe"}, "CORS_ALLOW_CREDENTIALS"),
    ({"CORS_ORIGINS": ["https://app.example.com/"]}, "CORS_ORIGINS"),
    ({"CORS_ORIGINS": "*", "CORS_ALLOW_CREDENTIALS": True}, "CORS_ORIGINS"),
    ({}, "CORS_ORIGINS"),
    ({"CORS_ORIGINS": [A], "CORS_ORIGIN": [A]}, "CORS_ORIGIN"),
])
def test_bad_config_raises_config_error_naming_the_key_at_init_app(config, key, make_flask):
    app = make_flask(**config)
    with pytest.raises(ConfigError) as raised:
        CORS().init_app(app)
    assert key in [problem.option for problem in raised.value.problems]


def test_misspelt_config_key_gets_a_hint(make_flask):
    with pytest.raises(ConfigError, match="did you mean 'CORS_ORIGINS'"):
        CORS(make_flask(CORS_ORIGIN=[A]), origins=[A])


def test_bad_keyword_argument_is_named_as_the_option(make_flask):
    with pytest.raises(ConfigError) as raised:
        CORS(make_flask(), origins=[A], max_age=-1)
    assert [problem.option for problem in raised.value.problems] == ["max_age"]


def test_one_extension_object_serves_several_apps_with_their_own_config(browser, make_flask):
    cors = CORS(max_age=60)
    first, second = make_flask(CORS_ORIGINS=[A]), make_flask(CORS_ORIGINS=[B])
    cors.init_app(first)
    cors.init_app(second)
    assert browser(first).preflight("/items").status_int == 204
    assert browser(first, B).preflight("/items").status_int == 403
    assert browser(second, B).preflight("/items").status_int == 204
    assert browser(second).preflight("/items").status_int == 403


def test_init_app_twice_replaces_the_policy_without_wrapping_twice(browser, make_flask):
    app = make_flask()
    CORS(app, origins=[A])
    CORS(app, origins=[B])
    response = browser(app, B).request("/items")
    assert response.headers.getall("Access-Control-Allow-Origin") == [B]
    assert browser(app).preflight("/items").status_int == 403


# -- @cross_origin ----------------------------------------------------------------------------


def add_view(app, path, decorator, methods=("GET",), above_route=False):
    def view():
        return "view"

    view.__name__ = path.strip("/").replace("/", "_")
    if above_route:
        decorator(app.route(path, methods=list(methods))(view))
    else:
        app.route(path, methods=list(methods))(decorator(view))


@pytest.mark.parametrize("above_route", [False, True], ids=["under-route", "over-route"])
def test_cross_origin_gives_a_view_its_own_origins(app, browser, above_route):
    add_view(app, "/partner", cross_origin(origins=[B]), above_route=above_route)
    assert browser(app, B).preflight("/partner", "GET").status_int == 204
    assert browser(app, B).request("/partner").headers["Access-Control-Allow-Origin"] == B
    assert browser(app, A).preflight("/partner", "GET").status_int == 403
    assert "Access-Control-Allow-Origin" not in browser(app, A).request("/partner").headers


def test_cross_origin_preflight_is_answered_although_flask_would_answer_options(app, browser):
    add_view(app, "/partner", cross_origin(origins=[B], methods=["GET", "PUT"]))
    response = browser(app, B).preflight("/partner", "PUT")
    assert response.status_int == 204
    assert response.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert "Allow" not in response.headers


def test_cross_origin_options_are_layered_on_the_app_policy(app, browser):
    add_view(app, "/short", cross_origin(max_age=5))
    response = browser(app).preflight("/short", "GET")
    assert response.headers["Access-Control-Max-Age"] == "5"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_cross_origin_disabled_opts_a_view_out(app, browser):
    add_view(app, "/private", cross_origin(enabled=False))
    preflight = browser(app).preflight("/private", "GET")
    assert preflight.status_int == 200  # Flask's automatic OPTIONS answer, nothing from CORS
    assert "Access-Control-Allow-Origin" not in preflight.headers
    actual = browser(app).request("/private")
    assert actual.status_int == 200
    assert "Access-Control-Allow-Origin" not in actual.headers
    assert "Vary" not in actual.headers


def test_cross_origin_used_bare_keeps_the_app_policy(app, browser):
    add_view(app, "/bare", cross_origin)
    assert browser(app).request("/bare").headers["Access-Control-Allow-Origin"] == A


def test_cross_origin_preflight_uses_the_view_of_the_requested_method(app, browser):
    @app.route("/things", methods=["GET"])
    @cross_origin(origins=[B])
    def list_things():
        return "list"

    @app.route("/things", methods=["POST"])
    def create_thing():
        return "created"

    assert browser(app, B).preflight("/things", "GET").status_int == 204
    assert browser(app, B).preflight("/things", "POST").status_int == 403
    assert browser(app, A).preflight("/things", "POST").status_int == 204


def test_cross_origin_policy_covers_its_405_page(app, browser):
    add_view(app, "/partner", cross_origin(origins=[B]))
    response = browser(app, B).request("/partner", method="DELETE")
    assert response.status_int == 405
    assert response.headers["Access-Control-Allow-Origin"] == B


def test_cross_origin_works_without_the_extension(browser, make_flask):
    app = make_flask()
    add_view(app, "/solo", cross_origin(origins=[B], max_age=30))
    preflight = browser(app, B).preflight("/solo", "PUT")
    assert preflight.status_int == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == B
    assert preflight.headers["Access-Control-Max-Age"] == "30"
    actual = browser(app, B).request("/solo")
    assert actual.text == "view"
    assert actual.headers["Access-Control-Allow-Origin"] == B
    assert browser(app, A).preflight("/solo").status_int == 403
    assert "Access-Control-Allow-Origin" not in browser(app, B).request("/items").headers


def test_cross_origin_without_the_extension_reads_app_config(browser, make_flask):
    app = make_flask(CORS_ORIGINS=[B])
    add_view(app, "/solo", cross_origin(max_age=30))
    assert browser(app, B).request("/solo").headers["Access-Control-Allow-Origin"] == B


def test_cross_origin_rejects_bad_options_at_decoration():
    with pytest.raises(ConfigError, match="max_age"):
        cross_origin(origins=[A], max_age=10**6)


def test_cross_origin_conflicting_with_the_app_policy_raises_naming_the_view(make_flask):
    app = make_flask()
    add_view(app, "/wild", cross_origin(origins="*"))
    with pytest.raises(ConfigError, match="@cross_origin on 'wild'"):
        CORS(app, origins=[A], allow_credentials=True)


# -- blueprints -------------------------------------------------------------------------------


def make_blueprint(name="partners", **options):
    blueprint = Blueprint(name, __name__, url_prefix=f"/{name}")

    @blueprint.route("/list")
    def listing():
        return "list"

    CORS(blueprint, **options)
    return blueprint


def test_blueprint_policy_applies_to_its_routes_only(app, browser):
    app.register_blueprint(make_blueprint(origins=[B]))
    assert browser(app, B).request("/partners/list").headers["Access-Control-Allow-Origin"] == B
    assert browser(app, B).preflight("/partners/list").status_int == 204
    assert browser(app, B).preflight("/items").status_int == 403
    assert browser(app, A).preflight("/items").status_int == 204


def test_blueprint_policy_without_an_app_policy_leaves_other_routes_alone(browser, make_flask):
    app = make_flask()
    app.register_blueprint(make_blueprint(origins=[B]))
    assert browser(app, B).request("/partners/list").headers["Access-Control-Allow-Origin"] == B
    response = browser(app, B).request("/items")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Vary" not in response.headers


def test_blueprint_can_opt_out_of_the_app_policy(app, browser):
    app.register_blueprint(make_blueprint(enabled=False))
    assert "Access-Control-Allow-Origin" not in browser(app).request("/partners/list").headers


def test_blueprint_registered_under_another_name_keeps_its_policy(app, browser):
    app.register_blueprint(make_blueprint(origins=[B]), name="renamed", url_prefix="/renamed")
    assert browser(app, B).request("/renamed/list").headers["Access-Control-Allow-Origin"] == B


def test_view_policy_wins_over_its_blueprint_policy(app, browser):
    blueprint = make_blueprint(origins=[B])

    @blueprint.route("/open")
    @cross_origin(origins="*", allow_credentials=False)
    def open_view():
        return "open"

    app.register_blueprint(blueprint)
    assert browser(app, EVIL).request("/partners/open").headers["Access-Control-Allow-Origin"] == "*"


def test_nested_blueprint_inherits_the_parent_blueprint_policy(app, browser):
    parent = make_blueprint("parent", origins=[B])
    child = Blueprint("child", __name__, url_prefix="/child")

    @child.route("/leaf")
    def leaf():
        return "leaf"

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert browser(app, B).request("/parent/child/leaf").headers["Access-Control-Allow-Origin"] == B


def test_bad_blueprint_options_raise_at_registration_naming_the_blueprint(app):
    with pytest.raises(ConfigError, match="blueprint 'partners'"):
        app.register_blueprint(make_blueprint(origins="*", allow_credentials=True))


def test_app_can_leave_cors_to_its_blueprints_and_views(browser, make_flask):
    app = make_flask()
    add_view(app, "/partner", cross_origin(origins=[B]))
    CORS(app, enabled=False)
    assert browser(app, B).request("/partner").headers["Access-Control-Allow-Origin"] == B
    assert browser(app, B).preflight("/partner", "GET").status_int == 204
    assert "Vary" not in browser(app, B).request("/items").headers


# -- @cross_origin on a method of a class-based view --------------------------------------------


def method_view_with_marked_method(enabled=False):
    from flask.views import MethodView

    class Internal(MethodView):
        @cross_origin(enabled=enabled)
        def get(self):
            return "internal"

    return Internal.as_view("internal")


def test_cross_origin_on_a_method_view_method_is_a_config_error_at_cors_app(make_flask):
    """The decorator only marks the view Flask calls: on a method it would be silently ignored, and the
    view would get the app's policy (flask-cors users write it there)."""
    app = make_flask()
    app.add_url_rule("/internal", view_func=method_view_with_marked_method())
    with pytest.raises(ConfigError) as raised:
        CORS(app, origins=[A], allow_credentials=True)
    assert raised.value.problems[0].code == "wsgicors.E720"
    assert "decorators" in raised.value.problems[0].hint
    assert "wsgicors" not in app.extensions


def test_cross_origin_on_a_method_view_method_is_a_config_error_at_registration(app):
    with pytest.raises(ConfigError) as raised:
        app.add_url_rule("/internal", view_func=method_view_with_marked_method())
    assert raised.value.problems[0].code == "wsgicors.E720"


def test_cross_origin_in_a_method_views_decorators_is_its_policy(app):
    from flask.views import MethodView

    class Internal(MethodView):
        decorators = [cross_origin(enabled=False)]

        def get(self):
            return "internal"

    app.add_url_rule("/internal", view_func=Internal.as_view("internal"))
    response = app.test_client().get("/internal", headers={"Origin": A})
    assert "Access-Control-Allow-Origin" not in response.headers


def _host_origins(origin, environ):  # type: ignore[no-untyped-def]
    return origin == "https://" + environ.get("HTTP_HOST", "").replace("api.", "app.", 1)


@pytest.mark.parametrize("where", ["CORS(app)", "@cross_origin"])
def test_a_callable_origin_taking_the_environ_gets_the_requests_environ(where):
    """A two-parameter origins callable is handed the request's WSGI environ in preflights and actual
    requests alike, however the policy was given."""
    from flask import Flask

    app = Flask(__name__)
    view = (lambda: "x") if where == "CORS(app)" else cross_origin(origins=[_host_origins])(lambda: "x")
    app.add_url_rule("/x", "x", view, methods=["GET", "PUT"])
    CORS(app, origins=[_host_origins] if where == "CORS(app)" else ["https://elsewhere.example"])
    client = app.test_client()
    host = {"Host": "api.tenant.example", "Origin": "https://app.tenant.example"}
    preflight = client.options("/x", headers={**host, "Access-Control-Request-Method": "PUT"})
    assert preflight.status_code == 204
    assert client.get("/x", headers=host).headers.getlist("Access-Control-Allow-Origin") == ["https://app.tenant.example"]

"""Flask cases from flask-cors bug reports: @cross_origin with and without CORS(app), set-up errors.

``@cross_origin`` alone (no ``CORS(app)``) is a common flask-cors style; each
case below is a report that broke it. "Every mode" cases run with and without
the extension.
"""

import pytest
from flask import Flask, abort, request
from flask.views import MethodView

from flask_wsgicors import CORS, cross_origin
from wsgicors import ConfigError

A = "https://app.example.com"
B = "https://partner.example.org"

MODES = ["decorator-only", "with-CORS(app)"]


def make_app(mode=MODES[0], **config):
    app = Flask(__name__)
    app.config.update(config)
    if mode == "with-CORS(app)":
        CORS(app, origins=[A])
    return app


def preflight(app, path, method="POST", origin=B, headers=None):
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    return app.test_client().options(path, headers=sent)


# -- @cross_origin without CORS(app) ------------------------------------------------------------


def test_an_auth_before_request_does_not_break_the_views_preflight():
    app = make_app()

    @app.before_request
    def require_auth():
        if request.method != "OPTIONS" and "Authorization" not in request.headers:
            abort(401)
        if request.method == "OPTIONS" and "Authorization" not in request.headers:
            abort(401)  # many real checks do not exempt OPTIONS at all

    @app.route("/data", methods=["GET", "POST"])
    @cross_origin(origins=[B])
    def data():
        return "data"

    answer = preflight(app, "/data", headers="authorization")
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == B
    assert answer.headers["Access-Control-Allow-Headers"] == "authorization"
    refused = app.test_client().get("/data", headers={"Origin": B})
    assert (refused.status_code, refused.headers.get("Access-Control-Allow-Origin")) == (401, B)


@pytest.mark.parametrize("status", [401, 403, 404])
def test_abort_inside_a_decorated_view_keeps_the_cors_headers(status):
    app = make_app()

    @app.route("/guarded")
    @cross_origin(origins=[B])
    def guarded():
        abort(status)

    response = app.test_client().get("/guarded", headers={"Origin": B})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == B
    assert response.headers["Vary"] == "Origin"


def test_an_error_handler_answer_keeps_the_cors_headers():
    app = make_app()

    @app.errorhandler(401)
    def unauthorised(error):
        return {"error": "log in"}, 401

    @app.route("/guarded")
    @cross_origin(origins=[B])
    def guarded():
        abort(401)

    response = app.test_client().get("/guarded", headers={"Origin": B})
    assert response.json == {"error": "log in"}
    assert response.headers["Access-Control-Allow-Origin"] == B


def test_a_500_page_of_a_decorated_view_keeps_the_cors_headers():
    app = make_app()

    @app.route("/broken")
    @cross_origin(origins=[B])
    def broken():
        raise RuntimeError("broken")

    response = app.test_client().get("/broken", headers={"Origin": B})
    assert (response.status_code, response.headers["Access-Control-Allow-Origin"]) == (500, B)


def test_the_preflight_for_post_gets_the_post_views_policy_when_get_is_another_view():
    app = make_app()

    @app.route("/", methods=["GET"])
    def index():
        return "index"

    @app.route("/", methods=["POST"])
    @cross_origin(origins=[B])
    def create():
        return "created"

    answer = preflight(app, "/", "POST", headers="content-type")
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == B
    assert "Allow" not in answer.headers  # not Flask's automatic OPTIONS answer
    assert "Access-Control-Allow-Origin" not in preflight(app, "/", "GET").headers  # GET has no policy
    assert app.test_client().post("/", headers={"Origin": B}).headers["Access-Control-Allow-Origin"] == B


def test_routes_without_a_policy_are_untouched():
    app = make_app()

    @app.route("/partner")
    @cross_origin(origins=[B])
    def partner():
        return "partner"

    @app.route("/plain")
    def plain():
        return "plain"

    response = app.test_client().get("/plain", headers={"Origin": B})
    assert "Access-Control-Allow-Origin" not in response.headers and "Vary" not in response.headers


# -- every mode -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_view_that_handles_options_itself_runs_for_non_preflight_options(mode):
    app = make_app(mode)

    @app.route("/rpc", methods=["POST", "OPTIONS"])
    @cross_origin(origins=[B])
    def rpc():
        if request.method == "OPTIONS":
            return "the view's own OPTIONS answer", 200, {"X-Own": "yes"}
        return "posted"

    response = app.test_client().options("/rpc", headers={"Origin": B})
    assert response.text == "the view's own OPTIONS answer"
    assert response.headers["X-Own"] == "yes"
    assert response.headers["Access-Control-Allow-Origin"] == B
    answer = preflight(app, "/rpc", "POST")
    assert (answer.status_code, answer.headers["Access-Control-Allow-Origin"], answer.text) == (204, B, "")


@pytest.mark.parametrize("mode", MODES)
def test_cors_headers_an_after_request_function_sets_are_replaced_by_the_policys(mode):
    app = make_app(mode)

    @app.after_request
    def hand_rolled_cors(response):  # the reflect-anything recipe the policy must win over
        response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
        response.headers["Access-Control-Allow-Credentials"] = "true"
        return response

    @app.route("/data", methods=["GET", "PUT"])
    @cross_origin(origins=[B])
    def data():
        return "data"

    evil = "https://evil.example"
    actual = app.test_client().get("/data", headers={"Origin": evil})
    assert "Access-Control-Allow-Origin" not in actual.headers
    assert "Access-Control-Allow-Credentials" not in actual.headers
    refused = preflight(app, "/data", "PUT", origin=evil)
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
    allowed = preflight(app, "/data", "PUT")
    assert allowed.status_code == 204
    assert allowed.headers.getlist("Access-Control-Allow-Origin") == [B]
    assert "Access-Control-Allow-Credentials" not in allowed.headers  # the policy has none


@pytest.mark.parametrize("mode", MODES)
def test_cross_origin_in_a_method_views_decorators_answers_its_preflights(mode):
    app = make_app(mode)

    class Items(MethodView):
        decorators = [cross_origin(origins=[B], methods=["GET", "PUT"])]

        def get(self):
            return "items"

        def put(self):
            return "stored"

    app.add_url_rule("/items", view_func=Items.as_view("items"))
    answer = preflight(app, "/items", "PUT")
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == B
    assert answer.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert app.test_client().put("/items", headers={"Origin": B}).headers["Access-Control-Allow-Origin"] == B


@pytest.mark.parametrize("options", [{"max_age": -1}, {"max_age": 10**6}, {"methods": ["TRACE"]},
                                     {"expose_headers": ["set-cookie"]}])
def test_options_wrong_on_their_own_raise_at_decoration(options):
    with pytest.raises(ConfigError):
        cross_origin(**options)


def test_a_view_conflicting_with_the_app_policy_stops_the_app_at_registration():
    app = Flask(__name__)
    CORS(app, origins=[A], allow_credentials=True)
    with pytest.raises(ConfigError, match="@cross_origin on 'wild'"):
        @app.route("/wild")
        @cross_origin(origins="*")
        def wild():
            return "wild"


def test_a_conflicting_view_in_a_blueprint_stops_the_app_at_blueprint_registration():
    from flask import Blueprint

    app = Flask(__name__)
    CORS(app, origins=[A], allow_credentials=True)
    blueprint = Blueprint("partners", __name__)

    @blueprint.route("/wild")
    @cross_origin(origins="*")
    def wild():
        return "wild"

    with pytest.raises(ConfigError, match="@cross_origin on 'partners.wild'"):
        app.register_blueprint(blueprint)


def test_without_the_extension_a_conflicting_view_fails_alone_not_every_route():
    app = make_app(CORS_ALLOW_CREDENTIALS=True)

    @app.route("/wild")
    @cross_origin(origins="*")
    def wild():
        return "wild"

    @app.route("/fine")
    @cross_origin(origins=[B])
    def fine():
        return "fine"

    client = app.test_client()
    assert client.get("/wild", headers={"Origin": B}).status_code == 500
    response = client.get("/fine", headers={"Origin": B})
    assert (response.status_code, response.headers["Access-Control-Allow-Credentials"]) == (200, "true")


# -- configuration is validated first and swapped atomically ----------------------------------


def test_a_refused_cors_app_call_leaves_the_previous_policy_in_force():
    app = Flask(__name__)

    @app.route("/open")
    @cross_origin(origins="*")
    def open_view():
        return "open"

    @app.route("/items")
    def items():
        return "items"

    CORS(app, origins=[A])
    with pytest.raises(ConfigError):
        CORS(app, origins=[A], allow_credentials=True)  # '*' on /open cannot take credentials
    response = app.test_client().get("/items", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_refused_first_cors_app_call_installs_nothing():
    app = Flask(__name__)

    @app.route("/open")
    @cross_origin(origins="*")
    def open_view():
        return "open"

    original = app.wsgi_app
    with pytest.raises(ConfigError):
        CORS(app, origins=[A], allow_credentials=True)
    assert app.wsgi_app == original and "wsgicors" not in app.extensions


def test_a_refused_blueprint_registration_leaves_the_app_working():
    from flask import Blueprint

    app = Flask(__name__)

    @app.route("/items")
    def items():
        return "items"

    CORS(app, origins=[A])
    blueprint = Blueprint("bad", __name__, url_prefix="/bad")
    CORS(blueprint, origins="*", allow_credentials=True)
    with pytest.raises(ConfigError, match="blueprint 'bad'"):
        app.register_blueprint(blueprint)
    response = app.test_client().get("/items", headers={"Origin": A})
    assert (response.status_code, response.headers["Access-Control-Allow-Origin"]) == (200, A)

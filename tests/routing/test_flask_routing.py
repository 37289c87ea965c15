"""Flask: the policy of the view Werkzeug's URL map dispatches to, redirects followed.

A rule belongs to the blueprint whose registration added it, never to a
blueprint whose name happens to prefix its endpoint.
"""

import pytest
from flask import Blueprint, Flask

from flask_wsgicors import CORS, cross_origin
from routing_support import ADMIN, COMMON, EVIL, PARTNER, call, policy_options, preflight


def make_app():
    app = Flask(__name__)
    CORS(app, **policy_options("app", ADMIN))
    partner = Blueprint("partner", __name__)
    CORS(partner, **policy_options("partner", PARTNER))
    partner.add_url_rule("/partner/items/", "items", lambda: "view:partner-items", methods=["GET", "PUT"])
    app.register_blueprint(partner)
    # An app-level endpoint whose name merely looks like the blueprint's.
    app.add_url_rule("/secret", "partner.secret", lambda: "view:secret")
    return app


def test_an_app_endpoint_named_like_a_blueprint_keeps_the_app_policy():
    result = call(make_app(), "/secret", origin=PARTNER)
    assert result.view == "secret"
    assert result.values("Access-Control-Allow-Origin") == []
    assert call(make_app(), "/secret").label == "app"


def test_a_blueprints_rule_gets_the_blueprints_policy():
    assert call(make_app(), "/partner/items/").label == "partner"


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_a_preflight_to_a_redirecting_url_is_answered_with_the_targets_policy(method):
    allowed = preflight(make_app(), "/partner/items", method, origin=PARTNER)
    assert allowed.code == 204 and allowed.values("Access-Control-Allow-Origin") == [PARTNER]
    assert preflight(make_app(), "/partner/items", method, origin=ADMIN).code == 403


def test_the_redirect_itself_carries_the_targets_policy():
    result = call(make_app(), "/partner/items", origin=PARTNER)
    assert result.code == 308
    assert result.values("Access-Control-Allow-Origin") == [PARTNER]
    assert result.label == "partner"


def test_a_merged_slashes_redirect_gets_the_targets_policy():
    result = call(make_app(), "//partner//items/", origin=PARTNER)
    assert result.code == 308 and result.label == "partner"


def test_nested_blueprints_inherit_their_parents_policy():
    app = Flask(__name__)
    CORS(app, **policy_options("app", ADMIN))
    parent = Blueprint("parent", __name__)
    CORS(parent, **policy_options("parent", PARTNER))
    child = Blueprint("child", __name__)
    child.add_url_rule("/c", "c", lambda: "view:child")
    parent.register_blueprint(child, url_prefix="/child")
    app.register_blueprint(parent, url_prefix="/p")
    assert call(app, "/p/child/c").label == "parent"
    assert call(app, "/p/child/c", origin=EVIL).values("Access-Control-Allow-Origin") == []


# -- WSGI middlewares wrapped around app.wsgi_app before CORS(app) ---------------
# They run after the CORS wrapper: the request Flask routes is the one they pass on.

def views_app():
    app = Flask(__name__)
    app.add_url_rule("/admin/data", "admin", cross_origin(**policy_options("admin", ADMIN))(lambda: "view:admin"),
                     methods=["GET", "PUT"])
    app.add_url_rule("/internal/data", "internal", cross_origin(enabled=False)(internal_view), methods=["GET", "PUT"])
    app.add_url_rule("/public", "public", lambda: "view:public", methods=["GET", "PUT"])
    return app


def internal_view():
    return "view:internal", 200, {"Access-Control-Allow-Origin": "https://own.example"}


def strip_v1(app):
    """A middleware that strips an API version prefix (as a reverse proxy's mount would)."""
    inner = app.wsgi_app

    def middleware(environ, start_response):
        if environ["PATH_INFO"].startswith("/v1/"):
            environ["PATH_INFO"] = environ["PATH_INFO"][len("/v1"):]
        return inner(environ, start_response)

    return middleware


def rewritten_app():
    app = views_app()
    app.wsgi_app = strip_v1(app)
    CORS(app, **policy_options("partner", PARTNER))
    return app


@pytest.mark.parametrize("origin, allowed", [(PARTNER, False), (ADMIN, True)])
def test_a_middleware_rewriting_the_path_before_cors_gives_the_view_it_reaches_its_policy(origin, allowed):
    app = rewritten_app()
    actual = call(app, "/v1/admin/data", origin=origin)
    assert actual.view == "admin"
    assert bool(actual.values("Access-Control-Allow-Origin")) is allowed
    answer = preflight(app, "/v1/admin/data", origin=origin)
    assert answer.code == (204 if allowed else 403)


def test_an_exempt_view_reached_through_a_middleware_keeps_its_own_headers():
    app = rewritten_app()
    actual = call(app, "/v1/internal/data", origin=PARTNER)
    assert actual.view == "internal"
    assert actual.values("Access-Control-Allow-Origin") == ["https://own.example"]
    assert preflight(app, "/v1/internal/data", origin=PARTNER).values("Access-Control-Allow-Origin") == []


def test_a_views_own_cors_header_removed_under_the_policy_a_middleware_led_to_is_logged(caplog):
    """The view's own Access-Control-Max-Age goes, under the policy of the view the rewrite reached,
    and the removal is logged as for a direct request (only exempt views keep theirs, unlogged)."""
    app = views_app()
    app.add_url_rule("/own/data", "own", cross_origin(**policy_options("admin", ADMIN))(
        lambda: ("view:own", 200, {"Access-Control-Max-Age": "5"})))
    app.wsgi_app = strip_v1(app)
    CORS(app, **policy_options("partner", PARTNER))
    with caplog.at_level("WARNING", logger="wsgicors"):
        result = call(app, "/v1/own/data", origin=ADMIN)
    assert result.view == "own" and result.values("Access-Control-Max-Age") == []
    assert any("'access-control-max-age'" in r.getMessage() and "removed" in r.getMessage() for r in caplog.records)


def test_a_preflight_through_middlewares_runs_no_hook_or_view():
    app = rewritten_app()
    ran = []
    app.before_request(lambda: ran.append("before_request"))
    app.after_request(lambda response: ran.append("after_request") or response)
    answer = preflight(app, "/v1/admin/data", origin=ADMIN)
    assert answer.code == 204 and answer.body == b""
    assert ran == []


def test_a_middleware_wrapped_after_cors_is_seen_by_the_lookup():
    app = views_app()
    CORS(app, **policy_options("partner", PARTNER))
    app.wsgi_app = strip_v1(app)
    assert call(app, "/v1/admin/data", origin=PARTNER).values("Access-Control-Allow-Origin") == []
    assert preflight(app, "/v1/admin/data", origin=PARTNER).code == 403


def dispatching_app(mounted):
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    app = views_app()
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/other": mounted})
    CORS(app, **policy_options("partner", PARTNER))
    return app


def test_an_app_mounted_by_dispatcher_middleware_answers_cors_with_its_own_policy():
    other = views_app()
    CORS(other, **policy_options("other", ADMIN))
    app = dispatching_app(other)
    partner = call(app, "/other/public", origin=PARTNER)
    assert partner.view == "public" and partner.values("Access-Control-Allow-Origin") == []
    assert call(app, "/other/public", origin=ADMIN).label == "other"
    assert preflight(app, "/other/public", origin=PARTNER).code == 403
    assert preflight(app, "/other/public", origin=ADMIN).code == 204


def test_a_cross_origin_view_of_an_app_mounted_by_dispatcher_middleware_keeps_its_policy():
    other = Flask("other")  # no CORS(app): its @cross_origin view answers CORS itself
    other.add_url_rule("/own", "own", cross_origin(**policy_options("other", ADMIN))(lambda: "view:own"),
                       methods=["GET", "PUT"])
    app = dispatching_app(other)
    assert call(app, "/other/own", origin=PARTNER).values("Access-Control-Allow-Origin") == []
    assert call(app, "/other/own", origin=ADMIN).label == "other"
    assert preflight(app, "/other/own", origin=PARTNER).code == 403
    assert preflight(app, "/other/own", origin=ADMIN).code == 204


def bottle_with_plugin():
    import bottle
    from bottle_wsgicors import CORSPlugin

    other = bottle.Bottle()
    other.route("/own", method=["GET", "PUT"], callback=lambda: "view:own")
    other.route("/exempt", method=["GET", "PUT"], callback=lambda: "view:exempt", cors=False)
    other.install(CORSPlugin(**policy_options("other", ADMIN)))
    return other


def plain_views(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"view:" + environ["PATH_INFO"].strip("/").encode()]


def cors_middleware_with_rules():
    from wsgicors import CORSMiddleware

    return CORSMiddleware(plain_views, rules=[("/exempt", None), ("*", policy_options("other", ADMIN))])


def pyramid_with_include():
    from pyramid.config import Configurator
    from pyramid.response import Response

    config = Configurator()
    config.include("pyramid_wsgicors")
    config.add_cors_policy(**policy_options("other", ADMIN))
    config.add_cors_policy("/exempt", enabled=False)
    for name in ("own", "exempt"):
        config.add_route(name, "/" + name)
        config.add_view(lambda request, name=name: Response("view:" + name), route_name=name)
    return config.make_wsgi_app()


@pytest.mark.parametrize("mounted", [bottle_with_plugin, cors_middleware_with_rules, pyramid_with_include],
                         ids=["Bottle CORSPlugin", "CORSMiddleware", "pyramid_wsgicors"])
def test_an_app_with_wsgicors_of_its_own_mounted_by_dispatcher_middleware_keeps_its_policy(mounted):
    """Its own policy covers its views: the Flask app's credentialed policy never reaches them."""
    app = dispatching_app(mounted())
    partner = call(app, "/other/own", origin=PARTNER)
    assert partner.view == "own" and partner.values("Access-Control-Allow-Origin") == []
    assert partner.values("Access-Control-Allow-Credentials") == []
    assert call(app, "/other/own", origin=ADMIN).label == "other"
    assert preflight(app, "/other/own", origin=PARTNER).code == 403
    assert preflight(app, "/other/own", origin=ADMIN).code == 204


@pytest.mark.parametrize("mounted", [bottle_with_plugin, cors_middleware_with_rules, pyramid_with_include],
                         ids=["Bottle CORSPlugin", "CORSMiddleware", "pyramid_wsgicors"])
def test_the_flask_apps_policy_logs_no_removal_of_the_mounted_apps_own_cors_headers(mounted, caplog):
    """The mounted app's headers stand; the Flask app's policy never saw them, so it says nothing."""
    app = dispatching_app(mounted())
    with caplog.at_level("WARNING", logger="wsgicors"):
        assert call(app, "/other/own", origin=ADMIN).label == "other"
    assert [record.getMessage() for record in caplog.records if "removed" in record.getMessage()] == []


def test_a_middleware_passing_the_headers_as_an_iterator_loses_none_of_them():
    """Flask's CORS(app) reads the headers the middlewares pass on twice (its own record, then the policy)."""
    def as_iterator(app):
        def middleware(environ, start_response):
            return app(environ, lambda status, headers, exc_info=None: start_response(status, iter(headers)))
        return middleware

    app = Flask(__name__)
    app.add_url_rule("/x", "x", lambda: ("view:x", {"X-Request-Id": "7"}))
    app.wsgi_app = as_iterator(app.wsgi_app)
    CORS(app, **policy_options("app", PARTNER))
    result = call(app, "/x", origin=PARTNER)
    assert result.values("X-Request-Id") == ["7"] and result.values("Access-Control-Allow-Origin") == [PARTNER]


@pytest.mark.parametrize("mounted", [bottle_with_plugin, cors_middleware_with_rules, pyramid_with_include],
                         ids=["Bottle CORSPlugin", "CORSMiddleware", "pyramid_wsgicors"])
def test_a_view_a_mounted_app_exempts_gets_no_cors_from_the_flask_app(mounted):
    app = dispatching_app(mounted())
    result = call(app, "/other/exempt", origin=PARTNER)
    assert result.view == "exempt"
    assert result.values("Access-Control-Allow-Origin") == []
    assert result.values("Access-Control-Allow-Credentials") == []
    assert preflight(app, "/other/exempt", origin=PARTNER).values("Access-Control-Allow-Origin") == []


def test_a_plain_wsgi_app_mounted_by_dispatcher_middleware_gets_the_app_wide_policy():
    def plain(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"view:plain"]

    app = dispatching_app(plain)
    assert call(app, "/other/x", origin=PARTNER).label == "partner"
    assert preflight(app, "/other/x", origin=PARTNER).code == 204


def test_the_host_proxy_fix_passes_on_decides_with_host_matching():
    from werkzeug.middleware.proxy_fix import ProxyFix

    app = Flask(__name__, host_matching=True, static_host="static.example")
    app.add_url_rule("/data", "admin", cross_origin(**policy_options("admin", ADMIN))(lambda: "view:admin"),
                     host="admin.example")
    app.add_url_rule("/data", "public", lambda: "view:public", host="www.example")
    app.wsgi_app = ProxyFix(app.wsgi_app, x_host=1)
    CORS(app, **policy_options("partner", PARTNER))
    headers = dict(HTTP_HOST="www.example", HTTP_X_FORWARDED_HOST="admin.example")
    actual = call(app, "/data", origin=PARTNER, **headers)
    assert actual.view == "admin" and actual.values("Access-Control-Allow-Origin") == []
    assert preflight(app, "/data", "GET", PARTNER, **headers).code == 403


# -- before_request functions and url_value_preprocessors -------------------------

def test_a_before_request_answer_carries_the_policy_of_the_rule_flask_matched():
    from flask import request

    app = views_app()
    CORS(app, **policy_options("partner", PARTNER))
    app.url_value_preprocessor(lambda endpoint, values: None)

    @app.before_request
    def login_required():
        if request.endpoint == "admin":
            return "view:login", 401

    assert call(app, "/admin/data", origin=ADMIN).label == "admin"
    assert call(app, "/admin/data", origin=PARTNER).values("Access-Control-Allow-Origin") == []
    assert preflight(app, "/admin/data", origin=ADMIN).code == 204   # preflights never reach the function


# -- the URL map and views changed after CORS(app) --------------------------------

def test_a_view_set_over_a_registered_endpoint_gets_its_own_policy():
    app = Flask(__name__)
    CORS(app, **policy_options("partner", PARTNER))
    app.add_url_rule("/x", "x", lambda: "view:plain")
    CORS.policy_for(app, {"PATH_INFO": "/x", "REQUEST_METHOD": "GET", "SERVER_NAME": "localhost",
                          "SERVER_PORT": "80", "wsgi.url_scheme": "http"})  # policies computed for the plain view

    @app.endpoint("x")  # Flask's way to give a rule's endpoint its view: replaces the plain one
    @cross_origin(**policy_options("admin", ADMIN))
    def admin():
        return "view:admin"

    result = call(app, "/x", origin=PARTNER)
    assert result.view == "admin" and result.values("Access-Control-Allow-Origin") == []
    assert call(app, "/x", origin=ADMIN).label == "admin"


@pytest.mark.parametrize("path, label", [("/late", "admin"), ("/loose", "admin"), ("/loose/", "admin")])
def test_rules_and_map_settings_changed_after_cors_apply(path, label):
    app = Flask(__name__)
    CORS(app, **policy_options("partner", PARTNER))
    admin = cross_origin(**policy_options("admin", ADMIN))
    app.add_url_rule("/late", "late", admin(lambda: "view:late"))
    app.url_map.strict_slashes = False  # /loose serves /loose/ itself, without a redirect
    app.add_url_rule("/loose/", "loose", admin(lambda: "view:loose"))
    result = call(app, path)
    assert result.code == 200 and result.label == label


@pytest.mark.parametrize("origin, allowed", [(PARTNER, False), (ADMIN, True)])
def test_a_redirect_to_another_host_carries_the_policy_of_that_hosts_view(origin, allowed):
    app = Flask(__name__, host_matching=True, static_host="static.example")
    app.add_url_rule("/data", "old", redirect_to="http://b.example/data", host="a.example")
    app.add_url_rule("/data", "b", cross_origin(**policy_options("admin", ADMIN))(lambda: "view:b"),
                     host="b.example", methods=["GET", "PUT"])
    app.add_url_rule("/data", "c", lambda: "view:c", host="c.example")
    CORS(app, **policy_options("partner", PARTNER))
    redirect = call(app, "/data", origin=origin, HTTP_HOST="a.example")
    assert redirect.code == 308 and redirect.values("Location") == ["http://b.example/data"]
    assert bool(redirect.values("Access-Control-Allow-Origin")) is allowed
    assert (preflight(app, "/data", origin=origin, HTTP_HOST="a.example").code == 204) is allowed


def test_a_redirect_to_a_rules_defaults_carries_the_views_policy():
    app = Flask(__name__)
    CORS(app, **policy_options("partner", PARTNER))
    page = cross_origin(**policy_options("admin", ADMIN))(lambda n: "view:page")
    app.add_url_rule("/page/", "page", page, defaults={"n": 1}, methods=["GET", "PUT"])
    app.add_url_rule("/page/<int:n>", "page", methods=["GET", "PUT"])
    redirect = call(app, "/page/1", origin=ADMIN)  # Werkzeug's redirect_defaults: /page/1 is /page/
    assert redirect.code == 308 and redirect.label == "admin"
    assert call(app, "/page/1", origin=PARTNER).values("Access-Control-Allow-Origin") == []
    assert preflight(app, "/page/1", origin=PARTNER).code == 403


@pytest.mark.parametrize("host, view, label", [("admin.example.com", "admin", "admin"),
                                               ("example.com", "public", "partner")])
def test_subdomain_rules_under_server_name_get_their_views_policy(host, view, label):
    app = Flask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    app.add_url_rule("/d", "admin", cross_origin(**policy_options("admin", ADMIN))(lambda: "view:admin"),
                     subdomain="admin")
    app.add_url_rule("/d", "public", lambda: "view:public")
    CORS(app, **policy_options("partner", PARTNER))
    result = call(app, "/d", HTTP_HOST=host)
    assert (result.view, result.label) == (view, label)


def test_generic_rules_never_give_a_view_served_without_its_trailing_slash_another_policy():
    from wsgicors import CORSMiddleware

    app = Flask(__name__)
    app.add_url_rule("/admin/", "admin", lambda: "view:admin", strict_slashes=False)
    wrapped = CORSMiddleware(app, rules=[("/admin/*", None), ("*", policy_options("partner", PARTNER))])
    result = call(wrapped, "/admin", origin=PARTNER)
    assert result.view == "admin"
    assert result.values("Access-Control-Allow-Origin") == []

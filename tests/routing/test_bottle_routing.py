"""Bottle: the policy applied is the policy of the route Bottle itself calls.

Bottle re-decodes ``PATH_INFO`` as UTF-8 before routing (0.13 drops bytes that
are not UTF-8), routes of a mounted Bottle app keep their own plugin, and a
vendored Bottle (pypiserver ships 0.12) raises its own ``HTTPError``.
"""

import os

import bottle
import pytest
import webtest

import bottle_wsgicors
from bottle_wsgicors import CORSPlugin
from wsgicors import logs
from routing_support import ADMIN, COMMON, EVIL, PARTNER, call, latin1, policy_options, preflight

CI = os.environ.get("CI") == "true"


def make_app(module=bottle):
    app = module.Bottle()
    app.install(CORSPlugin(**policy_options("partner", PARTNER)))

    def view(name):
        return lambda **kw: "view:" + name

    app.route("/admin/data", callback=view("admin"), cors=policy_options("admin", ADMIN))
    app.route("/internal/data", callback=view("internal"), cors=False)
    app.route("/café/menu", callback=view("cafe"), cors=policy_options("cafe", "https://cafe.example"))
    app.route("/public", callback=view("public"))
    return app


@pytest.mark.parametrize("path_info, view, label", [
    ("/admin/data", "admin", "admin"),
    ("/admin/dat\xffa", "admin", "admin"),          # %FF dropped by Bottle 0.13: /admin/data runs
    ("/internal/dat\xffa", "internal", None),
    ("/public", "public", "partner"),
    (latin1("/café/menu"), "cafe", "cafe"),       # a non-ASCII route has its own policy
])
def test_the_route_bottle_calls_decides(path_info, view, label):
    result = call(make_app(), path_info)
    assert (result.view, result.label) == (view, label)


@pytest.mark.parametrize("path_info", ["/admin/dat\xffa", "/internal/dat\xffa"])
def test_a_partner_never_reads_a_route_outside_its_policy(path_info):
    result = call(make_app(), path_info, origin=PARTNER)
    assert result.values("Access-Control-Allow-Origin") == []
    assert result.values("Access-Control-Allow-Credentials") == []


def test_a_preflight_to_a_non_ascii_route_gets_that_routes_policy():
    assert preflight(make_app(), latin1("/café/menu"), origin="https://cafe.example").code == 204
    assert preflight(make_app(), latin1("/café/menu"), origin=PARTNER).code == 403


@pytest.mark.parametrize("release, path_info, expected", [
    ("0.13.4", "/a\xffb", "/ab"),
    ("0.12.25", "/a\xffb", None),
    ("0.13.4", latin1("/café"), "/café"),
    ("0.12.25", latin1("/café"), "/café"),
])
def test_paths_are_decoded_as_each_bottle_release_does(release, path_info, expected):
    module = type("bottle_module", (), {"__version__": release})
    assert bottle_wsgicors.bottle_path(module, path_info) == expected


# -- mount ------------------------------------------------------------------

def mounted(prefix):
    outer = bottle.Bottle()
    outer.install(CORSPlugin(origins="*", expose_headers=["x-from-outer"]))
    outer.route("/outer", callback=lambda: "view:outer")
    inner = bottle.Bottle()
    inner.install(CORSPlugin(**policy_options("inner", PARTNER)))
    inner.route("/data", callback=lambda: "view:inner")
    outer.mount(prefix, inner)
    return outer


@pytest.mark.parametrize("prefix", ["/inner/", "/inner"], ids=["routes copied", "WSGI mount"])
def test_a_mounted_apps_own_plugin_governs_its_routes(prefix):
    app = mounted(prefix)
    partner = call(app, "/inner/data", origin=PARTNER)
    assert partner.view == "inner"
    assert partner.values("Access-Control-Allow-Origin") == [PARTNER]
    assert partner.values("Access-Control-Allow-Credentials") == ["true"]
    evil = call(app, "/inner/data", origin=EVIL)
    assert evil.values("Access-Control-Allow-Origin") == []
    assert call(app, "/outer", origin=EVIL).values("Access-Control-Allow-Origin") == ["*"]


@pytest.mark.parametrize("prefix", ["/inner/", "/inner"], ids=["routes copied", "WSGI mount"])
def test_a_preflight_to_a_mounted_route_gets_the_inner_policy(prefix):
    app = mounted(prefix)
    allowed = preflight(app, "/inner/data", origin=PARTNER)
    assert allowed.code == 204 and allowed.values("Access-Control-Allow-Origin") == [PARTNER]
    assert preflight(app, "/inner/data", origin=EVIL).code == 403


def reflecting_inner():
    """An app whose view reflects the Origin with credentials, governed by its own CORSPlugin."""
    inner = bottle.Bottle()
    inner.install(CORSPlugin(**policy_options("inner", ADMIN)))

    @inner.route("/data")
    def data():
        bottle.response.set_header("Access-Control-Allow-Origin", bottle.request.headers.get("Origin", "*"))
        bottle.response.set_header("Access-Control-Allow-Credentials", "true")
        return "view:inner"

    return inner


def reflecting_inner_mounted_into_an_app_without_the_plugin(install_on_outer_later=False):
    """:func:`reflecting_inner`'s routes copied into an outer app that has no CORSPlugin (Bottle 0.13,
    a prefix with a trailing slash)."""
    outer = bottle.Bottle()
    outer.route("/outer", callback=lambda: "view:outer")
    outer.mount("/inner/", reflecting_inner())
    if install_on_outer_later:
        outer.install(CORSPlugin(**policy_options("outer", PARTNER)))
    return outer


def test_a_plugin_whose_routes_an_app_without_it_serves_refuses_to_run_them():
    """The inner plugin never runs (Bottle calls the outer app's entry point): rather than let the view's
    own reflected headers through, the route fails (500, wsgicors.E711 logged by Bottle)."""
    app = reflecting_inner_mounted_into_an_app_without_the_plugin()
    evil = call(app, "/inner/data", origin=EVIL)
    assert evil.code == 500
    assert evil.values("Access-Control-Allow-Origin") == []
    assert evil.values("Access-Control-Allow-Credentials") == []
    assert evil.view is None
    assert call(app, "/outer", origin=EVIL).view == "outer"  # the outer app's own routes are untouched


def test_installing_the_plugin_on_the_outer_app_after_the_mount_gives_the_inner_routes_their_policy():
    app = reflecting_inner_mounted_into_an_app_without_the_plugin(install_on_outer_later=True)
    evil = call(app, "/inner/data", origin=EVIL)
    assert evil.view == "inner" and evil.values("Access-Control-Allow-Origin") == []
    assert call(app, "/inner/data", origin=ADMIN).label == "inner"
    assert call(app, "/outer", origin=PARTNER).label == "outer"


def test_routes_merged_into_an_app_without_the_plugin_never_answer_with_their_own_cors_headers():
    outer = bottle.Bottle()
    outer.merge(reflecting_inner())
    evil = call(outer, "/data", origin=EVIL)
    assert evil.code == 500 and evil.view is None
    assert evil.values("Access-Control-Allow-Origin") == []


def test_merged_routes_keep_their_policy_once_the_app_serving_them_has_the_plugin():
    outer = bottle.Bottle()
    outer.merge(reflecting_inner())
    outer.install(CORSPlugin(**policy_options("outer", PARTNER)))
    assert call(outer, "/data", origin=EVIL).values("Access-Control-Allow-Origin") == []
    assert call(outer, "/data", origin=PARTNER).view == "inner"


def test_a_plugin_app_called_through_its_own_entry_point_runs_its_routes():
    inner = reflecting_inner()
    assert call(inner, "/data", origin=ADMIN).label == "inner"
    assert call(inner, "/data", origin=EVIL).values("Access-Control-Allow-Origin") == []


# -- a vendored Bottle: pypiserver ---------------------------------------------

@pytest.fixture
def pypiserver_app(tmp_path):
    if not CI:
        pytest.importorskip("pypiserver")
    import pypiserver

    app = pypiserver.app(roots=[str(tmp_path)])
    assert type(app).__module__ != "bottle"  # pypiserver's own copy of Bottle
    app.install(CORSPlugin(**policy_options("partner", PARTNER)))
    # One route with its own policy makes the plugin route every request.
    app.route("/cors-admin", callback=lambda: "view:admin", cors=policy_options("admin", ADMIN))
    return app


def test_vendored_bottle_404_comes_out_with_cors_headers(pypiserver_app):
    result = call(pypiserver_app, "/no/such/deep/path")
    assert result.code == 404
    assert result.label == "partner"


def test_vendored_bottle_405_comes_out_with_cors_headers(pypiserver_app):
    result = call(pypiserver_app, "/simple/", "DELETE")
    assert result.code == 405
    assert result.label == "partner"


def test_vendored_bottle_preflight_to_a_get_only_path_is_answered(pypiserver_app):
    result = preflight(pypiserver_app, "/simple/", "DELETE")
    assert result.code == 204 and result.values("Access-Control-Allow-Origin") == [COMMON]


def test_vendored_bottle_route_policy_applies(pypiserver_app):
    assert call(pypiserver_app, "/cors-admin").label == "admin"
    assert call(pypiserver_app, "/cors-admin", origin=PARTNER).values("Access-Control-Allow-Origin") == []


# -- before_request hooks that rewrite PATH_INFO ---------------------------------

def hooked_app(module=bottle):
    """Bottle's "ignore trailing slashes" recipe: the hook strips the slash after the plugin chose."""
    app = module.Bottle()
    app.install(CORSPlugin(origins=[PARTNER], allow_credentials=True))

    @app.hook("before_request")
    def strip_slash():
        module.request.environ["PATH_INFO"] = module.request.environ["PATH_INFO"].rstrip("/")

    app.route("/admin", callback=lambda: "view:admin", cors=False)
    app.route("/staff", callback=lambda: "view:staff", cors={"origins": [ADMIN], "allow_credentials": True})
    app.route("/staff/<rest:path>", callback=lambda rest: "view:other")  # the app-wide policy
    app.route("/public", callback=lambda: "view:public")
    return app


def browser_get(app, path, origin):
    return webtest.TestApp(app).get(path, headers={"Origin": origin}, expect_errors=True)


def test_a_hook_rewriting_to_a_route_without_cors_gets_no_cors_headers():
    response = browser_get(hooked_app(), "/admin/", PARTNER)
    assert response.text == "view:admin"
    assert [name for name in response.headers if name.lower().startswith("access-control-")] == []
    assert response.headers["Vary"] == "Origin"


def test_a_hook_rewrite_is_caught_with_a_vendored_bottle_0_12():
    if not CI:
        pytest.importorskip("pypiserver")
    from pypiserver.bottle_wrapper import bottle as vendored

    assert vendored.__version__.startswith("0.12")
    response = browser_get(hooked_app(vendored), "/admin/", PARTNER)
    assert response.text == "view:admin"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_hook_rewriting_to_a_differently_credentialed_route_gets_that_routes_policy():
    # /staff/ matches the app-wide /staff/<rest> route; the hook makes Bottle run /staff
    app = hooked_app()
    partner = browser_get(app, "/staff/", PARTNER)
    assert partner.text == "view:staff"
    assert "Access-Control-Allow-Origin" not in partner.headers
    assert "Access-Control-Allow-Credentials" not in partner.headers
    admin = browser_get(app, "/staff/", ADMIN)
    assert admin.headers["Access-Control-Allow-Origin"] == ADMIN
    assert admin.headers["Access-Control-Allow-Credentials"] == "true"


def test_a_hook_that_keeps_the_route_keeps_its_policy():
    response = browser_get(hooked_app(), "/public/", PARTNER)
    assert response.text == "view:public"
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER


def test_a_changed_route_is_logged_once(caplog):
    logs.limited.reset()  # earlier tests logged this cause
    app = hooked_app()
    with caplog.at_level("WARNING", logger="wsgicors"):
        for _ in range(3):
            browser_get(app, "/admin/", PARTNER)
    assert len([r for r in caplog.records if "before_request" in r.getMessage()]) == 1


# -- preflights to paths a before_request hook rewrites --------------------------

def vendored_bottle():
    if not CI:
        pytest.importorskip("pypiserver")
    from pypiserver.bottle_wrapper import bottle as vendored

    return vendored


@pytest.fixture(params=["installed", "vendored-0.12"])
def bottle_module(request):
    return bottle if request.param == "installed" else vendored_bottle()


@pytest.mark.parametrize("path, origin, allowed", [
    ("/admin/", PARTNER, False),    # the hook makes Bottle run /admin, which has no CORS
    ("/staff/", PARTNER, False),    # unrewritten: the app-wide policy; rewritten: /staff's own
    ("/staff/", ADMIN, True),
    ("/public/", PARTNER, True),
])
def test_a_preflight_is_answered_with_the_policy_of_the_route_a_hook_rewrites_to(bottle_module, path, origin,
                                                                                allowed):
    result = preflight(hooked_app(bottle_module), path, "GET", origin)
    assert bool(result.values("Access-Control-Allow-Origin")) is allowed
    if allowed:
        assert result.code == 204 and result.values("Access-Control-Allow-Credentials") == ["true"]


def aborting_app(module, raise_in_hook):
    app = module.Bottle()
    app.install(CORSPlugin(origins=[PARTNER], allow_credentials=True))
    app.add_hook("before_request", raise_in_hook)
    app.route("/admin", ["GET", "PUT"], lambda: "view:admin", cors={"origins": [ADMIN]})
    app.route("/public", ["GET", "PUT"], lambda: "view:public")
    return app


def require_login():
    if not bottle.request.get_cookie("session"):
        bottle.abort(401, "log in")


def go_to_login():
    bottle.redirect("/login")


def broken_hook():
    raise KeyError("session")


@pytest.mark.parametrize("hook", [require_login, go_to_login, broken_hook], ids=["abort", "redirect", "raise"])
def test_a_preflight_a_hook_raises_for_is_refused(hook):
    logs.limited.reset()
    result = preflight(aborting_app(bottle, hook), "/public", "PUT", PARTNER)
    assert result.code == 403
    assert [name for name, _ in result.headers if name.lower().startswith("access-control-")] == []


def test_a_preflight_a_hook_refuses_is_logged_once(caplog):
    logs.limited.reset()
    app = aborting_app(bottle, require_login)
    with caplog.at_level("WARNING", logger="wsgicors"):
        for _ in range(3):
            preflight(app, "/public", "PUT", PARTNER)
    assert len([r for r in caplog.records if "fail closed" in r.getMessage()]) == 1


def test_a_hook_that_lets_preflights_through_keeps_cors():
    def login_unless_preflight():
        if bottle.request.method != "OPTIONS":
            require_login()

    app = aborting_app(bottle, login_unless_preflight)
    assert preflight(app, "/public", "PUT", PARTNER).code == 204
    assert preflight(app, "/admin", "PUT", ADMIN).code == 204
    assert preflight(app, "/admin", "PUT", PARTNER).code == 403


def test_the_hooks_see_the_preflight_as_bottle_binds_it_and_after_request_hooks_run():
    seen = []
    app = hooked_app()
    app.add_hook("before_request", lambda: seen.append(("before", bottle.request.path, bottle.request.app is app)))
    app.add_hook("after_request", lambda: seen.append(("after",)))
    preflight(app, latin1("/café/"), "GET", PARTNER)
    assert seen == [("before", "/café", True), ("after",)]  # decoded as Bottle decodes it; the hook stripped "/"


def test_a_preflight_leaves_the_threads_bottle_request_and_response_as_they_were():
    outer_environ = {"PATH_INFO": "/outer", "REQUEST_METHOD": "GET"}
    bottle.request.bind(outer_environ)
    bottle.response.bind()
    bottle.response.set_header("X-Outer", "1")
    preflight(hooked_app(), "/staff/", "GET", ADMIN)
    assert bottle.request.environ is outer_environ
    assert bottle.response.get_header("X-Outer") == "1"


def test_a_response_no_route_ran_for_gets_the_policy_of_the_path_the_hooks_left():
    # /staff/ is unrouted before the hooks (the app-wide policy); a hook strips the slash, then
    # another answers 401 itself: the response belongs to /staff, whose policy admits only ADMIN
    app = hooked_app()
    app.add_hook("before_request", lambda: bottle.abort(401))
    assert browser_get(app, "/staff/", PARTNER).headers.get("Access-Control-Allow-Origin") is None
    assert browser_get(app, "/staff/", ADMIN).headers["Access-Control-Allow-Origin"] == ADMIN

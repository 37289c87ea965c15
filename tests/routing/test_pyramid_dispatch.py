"""Pyramid: the policy is the one of what Pyramid's router dispatches to (routes, traversal, subscribers).

Each app answers ``view:<name>``; each policy exposes ``x-from-<label>`` (``routing_support``).
"""

import pytest
from pyramid.config import Configurator
from pyramid.events import ContextFound, NewRequest
from pyramid.httpexceptions import HTTPForbidden
from pyramid.response import Response

from wsgicors import ConfigError

from routing_support import ADMIN, COMMON, PARTNER, call, policy_options, preflight

SITE = policy_options("site", PARTNER)
ADMIN_POLICY = policy_options("admin", ADMIN)


def view(name):
    return lambda context, request: Response("view:" + name)


def site(*configure, root_factory=None):
    """The site-wide credentialed policy, then ``configure(config)`` for each function given."""
    config = Configurator(root_factory=root_factory)
    config.include("pyramid_wsgicors")
    config.add_cors_policy(**SITE)
    for function in configure:
        function(config)
    return config.make_wsgi_app()


def route(config, name, pattern, **predicates):
    config.add_route(name, pattern, **predicates)
    config.add_view(view(name), route_name=name)


def allows(answer, origin):
    """Whether a preflight answer lets ``origin`` send the actual request."""
    return answer.code == 204 and answer.values("Access-Control-Allow-Origin") == [origin]


def admin_path_policy(config):
    config.add_cors_policy("/admin/*", **ADMIN_POLICY)


def admin_routes(config):
    route(config, "admin", "/admin/data")
    route(config, "public", "/public")


# -- NewRequest subscribers run before the router ---------------------------------

def legacy_rewrite(config):
    def rewrite(event):
        if event.request.path_info.startswith("/legacy/"):
            event.request.path_info = "/admin/" + event.request.path_info[len("/legacy/"):]
    config.add_subscriber(rewrite, NewRequest)


@pytest.fixture
def rewriting():
    return site(admin_path_policy, admin_routes, legacy_rewrite)


def test_a_path_a_new_request_subscriber_rewrites_gets_the_policy_of_the_rewritten_path(rewriting):
    result = call(rewriting, "/legacy/data")
    assert (result.view, result.label) == ("admin", "admin")


def test_a_rewritten_path_never_gets_the_site_policy_for_the_site_origin(rewriting):
    result = call(rewriting, "/legacy/data", origin=PARTNER)
    assert result.view == "admin"
    assert result.values("Access-Control-Allow-Origin") == []


def test_a_preflight_to_a_rewritten_path_is_answered_by_the_rewritten_paths_policy(rewriting):
    assert preflight(rewriting, "/legacy/data", origin=PARTNER).code == 403
    assert allows(preflight(rewriting, "/legacy/data", origin=ADMIN), ADMIN)


def test_a_preflight_never_reaches_the_views():
    ran = []
    app = site(admin_routes, lambda config: config.add_subscriber(lambda event: ran.append(1), ContextFound))
    assert preflight(app, "/admin/data").code == 204
    assert ran == []


# -- route names and route predicates ---------------------------------------------

def method_routes(config):
    route(config, "write", "/items", request_method="PUT")
    route(config, "read", "/items", request_method="GET")
    config.add_cors_policy(route_name="write", **ADMIN_POLICY)


@pytest.mark.parametrize("method, allowed, refused", [("PUT", ADMIN, PARTNER), ("GET", PARTNER, ADMIN)])
def test_a_preflight_is_answered_by_the_policy_of_the_route_for_the_method_it_asks(method, allowed, refused):
    app = site(method_routes)
    assert allows(preflight(app, "/items", method=method, origin=allowed), allowed)
    assert preflight(app, "/items", method=method, origin=refused).code == 403


@pytest.mark.parametrize("method, view", [("PUT", "write"), ("GET", "read")])
def test_an_actual_request_gets_the_policy_of_the_route_that_ran(method, view):
    result = call(site(method_routes), "/items", method=method)
    assert (result.view, result.label) == (view, {"write": "admin", "read": "site"}[view])


def header_routes(config, same_policy=False):
    route(config, "secret", "/items", header="X-Admin")
    route(config, "items", "/items")
    if not same_policy:
        config.add_cors_policy(route_name="secret", **ADMIN_POLICY)


def test_a_preflight_that_may_reach_routes_with_different_policies_is_refused():
    answer = preflight(site(header_routes), "/items", origin=PARTNER)
    assert answer.code == 403
    assert answer.values("Access-Control-Allow-Origin") == []


def test_an_ambiguous_preflight_is_logged_once_as_a_warning_naming_the_routes(caplog):
    app = site(header_routes)
    with caplog.at_level("WARNING", logger="wsgicors"):
        for _ in range(3):
            preflight(app, "/items", origin=PARTNER)
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(warnings) == 1 and "secret, items" in warnings[0]


def test_routes_that_only_a_header_tells_apart_but_share_a_policy_answer_the_preflight():
    answer = preflight(site(lambda config: header_routes(config, same_policy=True)), "/items", origin=PARTNER)
    assert allows(answer, PARTNER)


def test_the_actual_request_gets_the_policy_of_the_route_its_headers_select():
    app = site(header_routes)
    assert call(app, "/items", origin=PARTNER, HTTP_X_ADMIN="1").values("Access-Control-Allow-Origin") == []
    assert call(app, "/items", origin=PARTNER).label == "site"


def test_a_route_policy_covers_its_route_whatever_the_path():
    def catch_all(config):
        route(config, "files", "/files/*rest")
        config.add_cors_policy(route_name="files", enabled=False)
    result = call(site(catch_all), "/files/a//b/../c", origin=PARTNER)
    assert result.view == "files"
    assert result.values("Access-Control-Allow-Origin") == [] and result.values("Vary") == []


def test_a_route_policy_declared_inside_a_prefixed_include_covers_the_prefixed_route():
    def include(config):
        route(config, "admin", "/data")
        config.add_cors_policy(route_name="admin", **ADMIN_POLICY)
    app = site(lambda config: config.include(include, route_prefix="/v1"))
    result = call(app, "/v1/data")
    assert (result.view, result.label) == ("admin", "admin")


def test_a_route_name_that_names_no_route_is_a_config_error():
    with pytest.raises(ConfigError) as raised:
        site(admin_routes, lambda config: config.add_cors_policy(route_name="amdin", enabled=False))
    assert raised.value.problems[0].code == "wsgicors.E702"


def test_a_path_and_a_route_name_together_are_refused():
    with pytest.raises(TypeError):
        site(lambda config: config.add_cors_policy("/admin/*", route_name="admin", enabled=False))


# -- not found, errors before dispatch, paths changed after routing ---------------

@pytest.mark.parametrize("path, label", [("/admin/missing", "admin"), ("//admin/x/../missing", "admin"),
                                         ("/missing", "site")])
def test_a_not_found_page_gets_the_path_policy_of_the_path_pyramid_traversed(path, label):
    result = call(site(admin_path_policy, admin_routes), path)
    assert (result.code, result.label) == (404, label)


def test_a_not_found_page_gets_the_app_wide_policy_when_policies_are_per_route():
    def admin_route_policy(config):
        config.add_cors_policy(route_name="admin", **ADMIN_POLICY)
    result = call(site(admin_routes, admin_route_policy), "/admin/missing")
    assert (result.code, result.label) == (404, "site")


def test_a_preflight_a_new_request_subscriber_refuses_is_refused():
    def refuse(event):
        raise HTTPForbidden()
    app = site(admin_path_policy, admin_routes, lambda config: config.add_subscriber(refuse, NewRequest))
    answer = preflight(app, "/public", origin=PARTNER)
    assert answer.code == 403 and answer.values("Access-Control-Allow-Origin") == []


def test_a_path_changed_after_routing_gets_no_cors():
    def change(event):
        event.request.path_info = "/public"
    app = site(admin_path_policy, admin_routes, lambda config: config.add_subscriber(change, ContextFound))
    result = call(app, "/admin/data", origin=PARTNER)
    assert result.view == "admin"
    assert result.values("Access-Control-Allow-Origin") == []


# -- traversal --------------------------------------------------------------------

class Secret:
    pass


class Root(dict):
    """/admin/keys is the Secret; /keys a public leaf."""

    def __init__(self, request=None):
        super().__init__(keys={}, admin={"keys": Secret()})


def traversal_views(config):
    config.add_view(view("admin"), context=Secret)
    config.add_view(view("public"), context=dict)
    config.add_cors_policy("/admin/*", enabled=False)


@pytest.fixture
def traversal():
    return site(traversal_views, root_factory=Root)


@pytest.mark.parametrize("path, extra", [
    ("/admin/keys", {}), ("//admin//keys/", {}), ("/x/../admin/./keys", {}), ("/keys", {"HTTP_X_VHM_ROOT": "/admin"}),
])
def test_traversal_to_an_exempt_resource_gets_no_cors_by_any_path(traversal, path, extra):
    result = call(traversal, path, origin=PARTNER, **extra)
    assert result.view == "admin"
    assert result.values("Access-Control-Allow-Origin") == [] and result.values("Vary") == []


@pytest.mark.parametrize("path, extra", [("/keys", {}), ("//keys", {}), ("/admin/../keys", {}),
                                         ("/keys", {"HTTP_X_VHM_ROOT": "/"})])
def test_traversal_to_a_public_resource_gets_the_site_policy_by_any_path(traversal, path, extra):
    result = call(traversal, path, origin=PARTNER, **extra)
    assert (result.view, result.label) == ("public", "site")


def test_a_preflight_through_a_virtual_root_gets_the_traversed_paths_policy(traversal):
    exempt = preflight(traversal, "/keys", origin=PARTNER, HTTP_X_VHM_ROOT="/admin")
    assert exempt.view == "admin" and exempt.values("Access-Control-Allow-Origin") == []  # the app answers it
    assert allows(preflight(traversal, "/keys", origin=PARTNER), PARTNER)


def test_a_preflight_for_an_exempt_route_goes_to_the_application_without_another_routes_headers():
    def routes(config):
        route(config, "upload", "/files", request_method="PUT")
        route(config, "files", "/files")  # every method, OPTIONS included
        config.add_cors_policy(route_name="upload", enabled=False)
    answer = preflight(site(routes), "/files", method="PUT", origin=PARTNER)
    assert answer.view == "files"  # Pyramid dispatched the OPTIONS request itself
    assert answer.values("Access-Control-Allow-Origin") == [] and answer.values("Vary") == []


class Traverser:
    """A custom ITraverser: reads the path its own way (here: backwards)."""

    def __init__(self, root):
        self.root = root

    def __call__(self, request):
        from pyramid.traversal import ResourceTreeTraverser
        request.path_info = "/" + "/".join(reversed(request.path_info.strip("/").split("/")))
        return ResourceTreeTraverser(self.root)(request)


def test_path_policies_give_no_cors_under_a_custom_traverser():
    def custom(config):
        from pyramid.interfaces import ITraverser
        from zope.interface import Interface
        config.registry.registerAdapter(Traverser, (Interface,), ITraverser)
        traversal_views(config)
    app = site(custom, root_factory=Root)
    result = call(app, "/keys/admin", origin=PARTNER)  # the traverser serves /admin/keys
    assert result.view == "admin"
    assert result.values("Access-Control-Allow-Origin") == []


def test_a_not_found_redirect_carries_the_requested_paths_policy_and_its_target_keeps_its_own():
    def slash_routes(config):
        route(config, "admin", "/admin/")
        config.add_cors_policy(route_name="admin", **ADMIN_POLICY)
        config.add_notfound_view(lambda request: Response("not found", status=404), append_slash=True)
    app = site(slash_routes)
    redirect = call(app, "/admin", method="DELETE", origin=PARTNER)
    assert redirect.code in (307, 308) and redirect.values("Location")[0].endswith("/admin/")
    assert redirect.values("Access-Control-Allow-Origin") == [PARTNER]  # the requested path: app-wide
    assert preflight(app, "/admin/", method="DELETE", origin=PARTNER).code == 403  # what the browser asks next
    assert call(app, "/admin/", origin=PARTNER).values("Access-Control-Allow-Origin") == []

"""Pyramid: path policies honour include route prefixes; one merged Vary after every callback."""

import pytest
from pyramid.config import Configurator
from pyramid.response import Response

from routing_support import ADMIN, COMMON, PARTNER, call, policy_options


def admin_routes(config):
    config.add_cors_policy("/admin/*", enabled=False)
    config.add_route("admin", "/admin/data")
    config.add_view(lambda request: Response("view:admin"), route_name="admin")


def make_app(extra=None):
    config = Configurator()
    config.include("pyramid_wsgicors")
    config.add_cors_policy(**policy_options("site", PARTNER))
    config.include(admin_routes, route_prefix="/v1")
    if extra:
        extra(config)
    return config.make_wsgi_app()


def test_a_path_policy_declared_in_a_prefixed_include_gets_the_prefix():
    result = call(make_app(), "/v1/admin/data", origin=PARTNER)
    assert result.view == "admin"
    assert result.values("Access-Control-Allow-Origin") == []
    assert result.values("Vary") == []  # exempt: untouched


def callbacks(config):
    def add_cookie_vary(request):
        request.add_response_callback(lambda request, response: response.headers.add("Vary", "Cookie"))
        return Response("view:cookie")

    def assign_vary(request):
        def assign(request, response):
            response.vary = ("Accept-Language",)
        request.add_response_callback(assign)
        return Response("view:assign")

    def set_cors(request):
        def set_star(request, response):
            response.headers["Access-Control-Allow-Origin"] = "*"
        request.add_response_callback(set_star)
        return Response("view:star")

    for name, view in (("cookie", add_cookie_vary), ("assign", assign_vary), ("star", set_cors)):
        config.add_route(name, "/" + name)
        config.add_view(view, route_name=name)


@pytest.mark.parametrize("path, vary", [("/cookie", "Cookie, Origin"), ("/assign", "Accept-Language, Origin")])
def test_response_callbacks_leave_one_vary_that_includes_origin(path, vary):
    result = call(make_app(callbacks), path)
    assert result.values("Vary") == [vary]


def test_cors_headers_a_response_callback_sets_are_replaced_by_the_policys():
    result = call(make_app(callbacks), "/star", origin=PARTNER)
    assert result.values("Access-Control-Allow-Origin") == [PARTNER]
    assert call(make_app(callbacks), "/star", origin="https://evil.example").values(
        "Access-Control-Allow-Origin") == []


def test_a_traversal_path_with_empty_segments_gets_no_cors_when_paths_are_scoped():
    def internal(config):
        config.add_cors_policy("/internal/*", enabled=False)
    result = call(make_app(internal), "//internal/x", origin=PARTNER)
    assert result.values("Access-Control-Allow-Origin") == []

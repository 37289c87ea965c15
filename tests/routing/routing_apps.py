"""The same small site in each framework, for the differential routing tests.

Views answer ``view:<name>``; policies expose ``x-from-<label>`` (see
``routing_support``). Scopes: the site-wide credentialed ``partner`` policy;
``/admin/data`` has the ``admin`` policy; ``/internal/data`` has no CORS;
``/café/menu`` has the ``cafe`` policy; ``/public`` and ``/items/`` the site's.
Pyramid comes three ways: policies by route name; path policies with a
``NewRequest`` subscriber serving ``/legacy/...`` as ``/admin/...`` and an
include under ``route_prefix="/v1"`` (admin); and traversal with path policies.

Run as a script to serve one app on the stdlib server:
``python routing_apps.py NAME`` prints the port, then serves until killed.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from routing_support import ADMIN, PARTNER, policy_options, serve

CAFE = "https://cafe.example"
#: view name -> label of the policy configured for it (None: no CORS)
EXPECTED: Dict[str, Optional[str]] = {
    "admin": "admin", "internal": None, "cafe": "cafe", "public": "partner", "items": "partner",
}
SITE = policy_options("partner", PARTNER)
ADMIN_POLICY = policy_options("admin", ADMIN)
CAFE_POLICY = policy_options("cafe", CAFE)


def flask_app() -> Any:
    from flask import Flask

    from flask_wsgicors import CORS, cross_origin

    app = Flask("routing")
    CORS(app, **SITE)
    app.add_url_rule("/admin/data", "admin", cross_origin(**ADMIN_POLICY)(lambda: "view:admin"))
    app.add_url_rule("/internal/data", "internal", cross_origin(enabled=False)(lambda: "view:internal"))
    app.add_url_rule("/café/menu", "cafe", cross_origin(**CAFE_POLICY)(lambda: "view:cafe"))
    app.add_url_rule("/public", "public", lambda: "view:public")
    app.add_url_rule("/items/", "items", lambda: "view:items")
    return app


def plain_flask_app() -> Any:
    from flask import Flask

    app = Flask("routing-plain")
    for rule, name in (("/admin/data", "admin"), ("/internal/data", "internal"), ("/café/menu", "cafe"),
                       ("/public", "public"), ("/items/", "items")):
        app.add_url_rule(rule, name, (lambda name: lambda: "view:" + name)(name))
    return app


def rules_app() -> Any:
    """Generic rules in front of a plain Flask app: they cannot see its router, so they fail closed."""
    from wsgicors import CORSMiddleware, Policy

    return CORSMiddleware(plain_flask_app(), rules=[
        ("/admin/*", Policy(**ADMIN_POLICY)), ("/internal/*", None), ("/café/*", Policy(**CAFE_POLICY)),
        ("*", Policy(**SITE)),
    ])


def bottle_app() -> Any:
    import bottle

    from bottle_wsgicors import CORSPlugin

    app = bottle.Bottle()
    app.install(CORSPlugin(**SITE))
    app.route("/admin/data", callback=lambda: "view:admin", cors=ADMIN_POLICY)
    app.route("/internal/data", callback=lambda: "view:internal", cors=False)
    app.route("/café/menu", callback=lambda: "view:cafe", cors=CAFE_POLICY)
    app.route("/public", callback=lambda: "view:public")
    app.route("/items/", callback=lambda: "view:items")
    return app


PYRAMID_ROUTES = (("/admin/data", "admin"), ("/internal/data", "internal"), ("/café/menu", "cafe"),
                  ("/public", "public"), ("/items/", "items"))


def _pyramid_views(config: Any, routes: Any = PYRAMID_ROUTES, route_names: str = "") -> None:
    """Routes named ``<route_names><view><pattern>`` (route names are global, includes too)."""
    from pyramid.response import Response

    for pattern, name in routes:
        config.add_route(route_names + name + pattern, pattern)
        config.add_view((lambda name: lambda request: Response("view:" + name))(name),
                        route_name=route_names + name + pattern)


def pyramid_app() -> Any:
    """Policies attached to routes by name (the router's own attribution)."""
    from pyramid.config import Configurator

    config = Configurator()
    config.include("pyramid_wsgicors")
    config.add_cors_policy(**SITE)
    _pyramid_views(config)
    config.add_cors_policy(route_name="admin/admin/data", **ADMIN_POLICY)
    config.add_cors_policy(route_name="internal/internal/data", enabled=False)
    config.add_cors_policy(route_name="cafe/café/menu", **CAFE_POLICY)
    return config.make_wsgi_app()


def _legacy_to_admin(event: Any) -> None:
    """A NewRequest subscriber (runs before Pyramid routes): /legacy/... is served as /admin/...."""
    environ = event.request.environ
    if environ["PATH_INFO"].startswith("/legacy/"):  # PEP 3333 text: any bytes
        environ["PATH_INFO"] = "/admin/" + environ["PATH_INFO"][len("/legacy/"):]


def _v1_admin(config: Any) -> None:
    """An include loaded with route_prefix='/v1': its own path policy and route."""
    config.add_cors_policy("/*", **ADMIN_POLICY)
    _pyramid_views(config, (("/admin/data", "admin"),), route_names="v1:")


def pyramid_paths_app() -> Any:
    """Path policies; a NewRequest subscriber rewriting /legacy/; an include under /v1."""
    from pyramid.config import Configurator
    from pyramid.events import NewRequest

    config = Configurator()
    config.include("pyramid_wsgicors")
    config.add_cors_policy(**SITE)
    for pattern, policy in PYRAMID_PATH_POLICIES:
        if policy is None:
            config.add_cors_policy(pattern, enabled=False)
        else:
            config.add_cors_policy(pattern, **policy_options(policy, *POLICY_ORIGINS[policy]))
    config.add_subscriber(_legacy_to_admin, NewRequest)
    _pyramid_views(config)
    config.include(_v1_admin, route_prefix="/v1")
    return config.make_wsgi_app()


class _Leaf:
    """A traversal resource without children; its view answers ``view:<name>``."""

    def __init__(self, name: str) -> None:
        self.name = name


def _traversal_root(request: Any = None) -> Dict[str, Any]:
    return {"admin": {"data": _Leaf("admin")}, "internal": {"data": _Leaf("internal")},
            "café": {"menu": _Leaf("cafe")}, "public": _Leaf("public"), "items": _Leaf("items")}


def pyramid_traversal_app() -> Any:
    """Traversal (no routes) with path policies: views by resource."""
    from pyramid.config import Configurator
    from pyramid.response import Response

    config = Configurator(root_factory=_traversal_root)
    config.include("pyramid_wsgicors")
    config.add_cors_policy(**SITE)
    for pattern, policy in PYRAMID_PATH_POLICIES[:3]:
        if policy is None:
            config.add_cors_policy(pattern, enabled=False)
        else:
            config.add_cors_policy(pattern, **policy_options(policy, *POLICY_ORIGINS[policy]))
    config.add_view(lambda context, request: Response("view:" + context.name), context=_Leaf)
    return config.make_wsgi_app()


#: the path policies of the Pyramid path apps: pattern -> label (None: exempt); the include adds /v1
PYRAMID_PATH_POLICIES = (("/admin/*", "admin"), ("/internal/*", None), ("/café/*", "cafe"))
POLICY_ORIGINS = {"admin": (ADMIN,), "cafe": (CAFE,)}


def pyramid_path_label(raw: str, virtual_root: Optional[str] = None, paths_app: bool = True) -> Optional[str]:
    """The policy label a Pyramid path app gives a request no view answered (not found).

    The path a route matched, else the path as traversal resolves it: %-decoded as UTF-8, /legacy/ rewritten by the
    subscriber and the /v1 include (``paths_app``; not in the traversal app), the virtual
    root prefixed, empty and dot segments resolved.
    """
    from urllib.parse import unquote

    from pyramid.traversal import split_path_info

    try:
        path = unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None  # Pyramid raises URLDecodeError: the server answers 500, no CORS
    if paths_app and path.startswith("/legacy/"):
        path = "/admin/" + path[len("/legacy/"):]
    routed = paths_app and path in {pattern for pattern, _ in PYRAMID_ROUTES} | {"/v1/admin/data"}
    # a route matched (its view may still not be found: a virtual root gives traversal a view name)
    normalized = path if routed else "/" + "/".join(split_path_info((virtual_root or "") + path))
    if paths_app and (normalized == "/v1" or normalized.startswith("/v1/")):
        return "admin"
    for pattern, label in PYRAMID_PATH_POLICIES:
        if normalized.startswith(pattern[:-1]):
            return label
    return "partner"


def _framework_errors() -> tuple:
    """Exceptions a framework itself raises for a request it cannot decode (a server answers 500)."""
    from pyramid.exceptions import URLDecodeError

    return (URLDecodeError,)


FRAMEWORK_ERRORS = _framework_errors()
APPS = {"flask": flask_app, "rules": rules_app, "bottle": bottle_app, "pyramid": pyramid_app,
        "pyramid_paths": pyramid_paths_app, "pyramid_traversal": pyramid_traversal_app}
#: Apps that choose the policy through the framework's own router (exact); the others may fail closed.
ROUTE_FAITHFUL = {"flask", "bottle", "pyramid", "pyramid_paths", "pyramid_traversal"}
#: Apps whose path policies also cover not-found pages: the label for a raw path no view answered
NOT_FOUND_LABEL = {"pyramid_paths": pyramid_path_label,
                   "pyramid_traversal": lambda raw, root=None: pyramid_path_label(raw, root, paths_app=False)}


# gunicorn targets: routing_apps:flask_site and so on
flask_site = flask_app()
rules_site = rules_app()
bottle_site = bottle_app()
pyramid_site = pyramid_app()
pyramid_paths_site = pyramid_paths_app()
pyramid_traversal_site = pyramid_traversal_app()


if __name__ == "__main__":
    serve(APPS)

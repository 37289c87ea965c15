"""The same small site in each framework, for the differential routing tests.

Views answer ``view:<name>``; policies expose ``x-from-<label>`` (see
``routing_support``). Scopes: the site-wide credentialed ``partner`` policy;
``/admin/data`` has the ``admin`` policy; ``/internal/data`` has no CORS;
``/café/menu`` has the ``cafe`` policy; ``/public`` and ``/items/`` the site's.

Run as a script to serve one app on the stdlib server:
``python routing_apps.py NAME`` prints the port, then serves until killed.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, Optional

from routing_support import ADMIN, PARTNER, policy_options

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


def pyramid_app() -> Any:
    from pyramid.config import Configurator
    from pyramid.response import Response

    config = Configurator()
    config.include("pyramid_wsgicors")
    config.add_cors_policy(**SITE)
    config.add_cors_policy("/admin/*", **ADMIN_POLICY)
    config.add_cors_policy("/internal/*", enabled=False)
    config.add_cors_policy("/café/*", **CAFE_POLICY)
    for pattern, name in (("/admin/data", "admin"), ("/internal/data", "internal"), ("/café/menu", "cafe"),
                          ("/public", "public"), ("/items/", "items")):
        config.add_route(name, pattern)
        config.add_view((lambda name: lambda request: Response("view:" + name))(name), route_name=name)
    return config.make_wsgi_app()


def _framework_errors() -> tuple:
    """Exceptions a framework itself raises for a request it cannot decode (a server answers 500)."""
    from pyramid.exceptions import URLDecodeError

    return (URLDecodeError,)


FRAMEWORK_ERRORS = _framework_errors()
APPS = {"flask": flask_app, "rules": rules_app, "bottle": bottle_app, "pyramid": pyramid_app}
#: Apps that choose the policy through the framework's own router (exact); the others may fail closed.
ROUTE_FAITHFUL = {"flask", "bottle"}


# gunicorn targets: routing_apps:flask_site and so on
flask_site = flask_app()
rules_site = rules_app()
bottle_site = bottle_app()
pyramid_site = pyramid_app()


if __name__ == "__main__":
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, APPS[sys.argv[1]](), handler_class=Quiet)
    print(server.server_port, flush=True)
    server.serve_forever()

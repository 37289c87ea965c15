"""Apps whose hooks or middlewares change the route after the request arrived, for the hook differentials.

Views answer ``view:<name>``; policies expose ``x-from-<label>`` and admit
their own origin besides ``COMMON`` (see ``routing_support``). Every route
takes GET and PUT, so a preflight asking for PUT is answered with the policy
of the view a PUT runs. :data:`EXPECTED` maps each view to its policy label.

Flask apps: the same rewrites done by a WSGI middleware wrapped around
``app.wsgi_app`` before ``CORS(app)`` (so it runs after the CORS wrapper), a
``werkzeug`` ``DispatcherMiddleware`` handing ``/other`` to another Flask app
with its own ``CORS(app)``, ``ProxyFix(x_prefix=1)``, and a ``before_request``
function answering ``/locked/data`` itself (Flask routed it first: its rule's
policy applies, to the preflight too).

Bottle app: a ``before_request`` hook does the rewrites (:func:`rewrite`:
strip an API version prefix ``/v1`` and a trailing slash, map ``/alias/<x>``
to ``/admin/<x>``), and a later one answers ``/locked/data`` itself with a 401
(``view:locked``) for every method, preflights too: no route runs, the
response gets the policy of the path the hooks left (the admin-policy
``/locked/data`` route), and the preflight is refused (fail closed).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from routing_support import ADMIN, PARTNER, policy_options, serve

CAFE = "https://cafe.example"
OTHER = "https://other.example"
#: label -> the origin only that policy admits (COMMON is admitted by every policy)
OWN_ORIGIN = {"partner": PARTNER, "admin": ADMIN, "cafe": CAFE, "other": OTHER}
#: view name -> label of the policy configured for it (None: no CORS)
EXPECTED: Dict[str, Optional[str]] = {
    "admin": "admin", "internal": None, "cafe": "cafe", "public": "partner", "items": "partner",
    "staff": "admin", "staff-other": "partner", "locked": "admin", "other": "other",
}
#: per app, views whose preflight is refused although their responses have a policy: Bottle runs
#: before_request hooks before routing, so one that answers a preflight leaves its route unknown
PREFLIGHT_FAILS_CLOSED = {"bottle": {"locked"}, "vendored-bottle": {"locked"}}
SITE = policy_options("partner", PARTNER)
ADMIN_POLICY = policy_options("admin", ADMIN)
CAFE_POLICY = policy_options("cafe", CAFE)
METHODS = ["GET", "PUT"]


def bottle_hooked_app(module: Any = None) -> Any:
    """A Bottle app (``module``: the installed Bottle or a vendored copy) with path-rewriting hooks."""
    if module is None:
        import bottle as module

    from bottle_wsgicors import CORSPlugin

    app = module.Bottle()
    app.install(CORSPlugin(**SITE))
    environ = lambda: module.request.environ  # noqa: E731 - the request Bottle bound for this hook

    @app.hook("before_request")
    def rewrites():
        environ()["PATH_INFO"] = rewrite(environ()["PATH_INFO"])

    @app.hook("before_request")
    def locked():
        if environ()["PATH_INFO"] == "/locked/data":
            raise module.HTTPResponse("view:locked", 401)

    def view(name: str) -> Any:
        return lambda **kw: "view:" + name

    app.route("/admin/data", METHODS, view("admin"), cors=ADMIN_POLICY)
    app.route("/internal/data", METHODS, view("internal"), cors=False)
    app.route("/café/menu", METHODS, view("cafe"), cors=CAFE_POLICY)
    app.route("/public", METHODS, view("public"))
    app.route("/items", METHODS, view("items"))
    app.route("/staff", METHODS, view("staff"), cors=ADMIN_POLICY)
    app.route("/staff/<rest:path>", METHODS, view("staff-other"))  # the app-wide policy
    app.route("/locked/data", METHODS, view("admin"), cors=ADMIN_POLICY)
    return app


def rewrite(path: str) -> str:
    """What the hooks and middlewares do to a path: strip ``/v1`` and a trailing slash, map ``/alias/``."""
    if path == "/v1" or path.startswith("/v1/"):
        path = path[len("/v1"):] or "/"
    path = path.rstrip("/") or "/"
    if path.startswith("/alias/"):
        path = "/admin/" + path[len("/alias/"):]
    return path


def _flask_views(app: Any) -> None:
    from flask import request

    from flask_wsgicors import cross_origin

    def view(name: str, **policy: Any) -> Any:
        function = lambda **kw: "view:" + name  # noqa: E731
        return cross_origin(**policy)(function) if policy else function

    app.add_url_rule("/admin/data", "admin", view("admin", **ADMIN_POLICY), methods=METHODS)
    app.add_url_rule("/internal/data", "internal", view("internal", enabled=False), methods=METHODS)
    app.add_url_rule("/café/menu", "cafe", view("cafe", **CAFE_POLICY), methods=METHODS)
    app.add_url_rule("/public", "public", view("public"), methods=METHODS)
    app.add_url_rule("/items", "items", view("items"), methods=METHODS)
    app.add_url_rule("/staff", "staff", view("staff", **ADMIN_POLICY), methods=METHODS)
    app.add_url_rule("/staff/<path:rest>", "staff-other", view("staff-other"), methods=METHODS)
    app.add_url_rule("/locked/data", "locked", view("admin", **ADMIN_POLICY), methods=METHODS)

    @app.before_request
    def locked() -> Any:
        if request.endpoint == "locked":
            return "view:locked", 401
        return None


def flask_middleware_app() -> Any:
    """A Flask app whose ``app.wsgi_app`` was wrapped by path-rewriting middlewares before ``CORS(app)``."""
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.middleware.proxy_fix import ProxyFix

    from flask_wsgicors import CORS

    other = Flask("other")
    other.add_url_rule("/data", "other", lambda: "view:other", methods=METHODS)
    CORS(other, **policy_options("other", OTHER))

    app = Flask("hooked")
    _flask_views(app)
    flask_entry = app.wsgi_app

    def rewriting(environ: Dict[str, Any], start_response: Any) -> Any:
        environ["PATH_INFO"] = rewrite(environ.get("PATH_INFO") or "/")
        return flask_entry(environ, start_response)

    app.wsgi_app = ProxyFix(DispatcherMiddleware(rewriting, {"/other": other}), x_prefix=1)  # type: ignore
    CORS(app, **SITE)
    return app


def vendored_bottle_hooked_app() -> Any:
    """The same app built with pypiserver's vendored Bottle 0.12."""
    from pypiserver.bottle_wrapper import bottle as vendored

    return bottle_hooked_app(vendored)


#: name -> builder; the vendored one only where pypiserver is installed
APPS = {"bottle": bottle_hooked_app, "vendored-bottle": vendored_bottle_hooked_app, "flask": flask_middleware_app}

# gunicorn targets: hooked_apps:bottle_site, hooked_apps:flask_site
bottle_site = bottle_hooked_app()
flask_site = flask_middleware_app()


if __name__ == "__main__":
    serve(APPS)

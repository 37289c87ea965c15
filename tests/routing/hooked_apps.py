"""Apps whose hooks or middlewares change the route after the request arrived, for the hook differentials.

Views answer ``view:<name>``; policies expose ``x-from-<label>`` and admit
their own origin besides ``COMMON`` (see ``routing_support``). Every route
takes GET and PUT, so a preflight asking for PUT is answered with the policy
of the view a PUT runs. :data:`EXPECTED` maps each view to its policy label.

Bottle app: ``before_request`` hooks strip an API version prefix (``/v1``),
strip a trailing slash, map ``/alias/<x>`` to ``/admin/<x>``, and answer
``/locked/data`` themselves with a 401 (``view:locked``) for every method,
preflights too: no route runs, the response is the one of the path the hooks
left (the admin-policy ``/locked/data`` route), and the preflight is refused (fail closed).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from routing_support import ADMIN, PARTNER, policy_options

CAFE = "https://cafe.example"
#: label -> the origin only that policy admits (COMMON is admitted by every policy)
OWN_ORIGIN = {"partner": PARTNER, "admin": ADMIN, "cafe": CAFE}
#: view name -> label of the policy configured for it (None: no CORS)
EXPECTED: Dict[str, Optional[str]] = {
    "admin": "admin", "internal": None, "cafe": "cafe", "public": "partner", "items": "partner",
    "staff": "admin", "staff-other": "partner", "locked": "admin",
}
#: views whose preflight gets no CORS although their responses have a policy
PREFLIGHT_FAILS_CLOSED = {"locked"}
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
    def strip_version():
        path = environ()["PATH_INFO"]
        if path == "/v1" or path.startswith("/v1/"):
            environ()["PATH_INFO"] = path[len("/v1"):] or "/"

    @app.hook("before_request")
    def strip_trailing_slash():
        environ()["PATH_INFO"] = environ()["PATH_INFO"].rstrip("/") or "/"

    @app.hook("before_request")
    def aliases():
        if environ()["PATH_INFO"].startswith("/alias/"):
            environ()["PATH_INFO"] = "/admin/" + environ()["PATH_INFO"][len("/alias/"):]

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


def vendored_bottle_hooked_app() -> Any:
    """The same app built with pypiserver's vendored Bottle 0.12."""
    from pypiserver.bottle_wrapper import bottle as vendored

    return bottle_hooked_app(vendored)


#: name -> builder; the vendored one only where pypiserver is installed
APPS = {"bottle": bottle_hooked_app, "vendored-bottle": vendored_bottle_hooked_app}

# gunicorn targets: hooked_apps:bottle_site
bottle_site = bottle_hooked_app()

"""Differential property for apps whose hooks or middlewares change the route: preflight and response
follow the view that runs.

For generated request paths (version prefixes, trailing slashes and aliases
that hooks or middlewares rewrite, an app mounted by ``DispatcherMiddleware``,
a path a hook answers itself, and the path mutations of the routing
differential) and origins that exactly one policy admits, each app
(``hooked_apps``) is sent a ``PUT`` and the preflight for it:

- the ``PUT``'s CORS headers are those of the policy configured for the view
  that ran (no view: the app-wide policy or none; a redirect: its target's);
- the preflight is allowed exactly when that view's policy admits the origin
  (the view the actual request reaches decides, not the path as it arrived);
  when no view runs, it is allowed at most for the app-wide policy's origins.

Part of it runs through real gunicorn and the stdlib ``wsgiref`` server, which
decode the path themselves.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hooked_apps
from gunicorn_testing import Server, private_options
from routing_support import COMMON, HERE, MUTATIONS, Result, Wsgiref, call, path_info, preflight

CI = os.environ.get("CI") == "true"
ORIGINS = [COMMON, *hooked_apps.OWN_ORIGIN.values()]
ROUTES = ["/admin/data", "/internal/data", "/caf%C3%A9/menu", "/public", "/items", "/staff", "/staff/x",
          "/locked/data", "/other/data"]
REWRITES = [
    lambda p: "/v1" + p,             # the version prefix a hook or middleware strips
    lambda p: p + "/",               # a trailing slash it strips
    lambda p: p.replace("/admin/", "/alias/", 1),  # an alias it maps to /admin/
    lambda p: "/v1" + p + "/",
]
APP_WIDE = "partner"


@st.composite
def raw_paths(draw: Any) -> str:
    """A request target: a route, rewritten the way the hooks undo, then perhaps mutated."""
    path = draw(st.sampled_from(ROUTES))
    for _ in range(draw(st.integers(0, 2))):
        path = draw(st.sampled_from(REWRITES))(path)
    for _ in range(draw(st.integers(0, 1))):
        path = draw(st.sampled_from(MUTATIONS))(path, draw(st.integers(1, len(path))))
    return path


def admits(label: Optional[str], origin: str) -> bool:
    """Whether the policy ``label`` lets ``origin`` in (None: no CORS at all)."""
    return label is not None and (origin == COMMON or hooked_apps.OWN_ORIGIN[label] == origin)


def served_by_other(name: str, raw: str) -> bool:
    """Whether the Flask app's DispatcherMiddleware hands the path to the mounted app (by PATH_INFO prefix)."""
    path = path_info(raw)
    return name == "flask" and (path == "/other" or path.startswith("/other/"))


def check(name: str, raw: str, actual: Result, answer: Result, origin: str,
          follow: Callable[[str], Result]) -> None:
    allowed = bool(answer.values("Access-Control-Allow-Origin"))
    assert not allowed or 200 <= answer.code < 300, answer.status
    assert len(actual.values("Access-Control-Allow-Origin")) <= 1
    view = actual.view
    if view is None and 300 <= actual.code < 400:  # a router's redirect: its target's view decides
        view = follow(urlsplit(actual.values("Location")[0]).path).view
    if view is not None:
        expected = hooked_apps.EXPECTED[view]
        if origin == COMMON:
            assert actual.label == expected, (view, actual.label)
        else:
            assert bool(actual.values("Access-Control-Allow-Origin")) == admits(expected, origin), view
        if view in hooked_apps.PREFLIGHT_FAILS_CLOSED.get(name, ()):
            expected = None
        assert allowed == admits(expected, origin), (view, origin, answer.status)
        return
    # no view ran (404, 405): the app-wide policy at most, or the mounted app's own
    wide = "other" if served_by_other(name, raw) else APP_WIDE
    if origin == COMMON:
        assert actual.label in (None, wide), (actual.status, actual.label)
    assert not allowed or admits(wide, origin), (actual.status, origin, answer.status)


def app_names() -> Any:
    names = ["bottle", "flask"]
    try:
        import pypiserver  # noqa: F401 - ships a vendored Bottle 0.12
    except ImportError:
        if CI:
            raise
    else:
        names.append("vendored-bottle")
    return names


_apps: dict = {}


def built(name: str) -> Any:
    """One app per name for the whole run (hypothesis calls the test body many times)."""
    if name not in _apps:
        _apps[name] = hooked_apps.APPS[name]()
    return _apps[name]


@pytest.mark.parametrize("name", app_names())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=raw_paths(), origin=st.sampled_from(ORIGINS))
def test_preflight_and_response_follow_the_view_the_hooks_route_to(name, raw, origin):
    app = built(name)
    target = path_info(raw)
    check(name, raw, call(app, target, "PUT", origin), preflight(app, target, "PUT", origin), origin,
          lambda location: call(app, path_info(location), "PUT", origin))


# -- through real servers (gunicorn, wsgiref) -------------------------------------------------------

SERVER_PATHS = ["/v1/admin/data", "/admin/data/", "/alias/data", "/v1/alias/data/", "/internal/data/",
                "/v1/internal/data", "/staff/", "/v1/staff", "/staff/x", "/v1/public/", "/locked/data",
                "/v1/locked/data/", "/caf%C3%A9/menu/", "//v1/admin/data", "/v1//admin/data", "/alias/dat%FFa",
                "/other/data", "/other/data/", "/other/v1/data", "//other/data"]


@pytest.fixture(scope="module", params=[(server, name) for server in ("gunicorn", "wsgiref")
                                        for name in ("bottle", "flask")], ids="-".join)
def served(request, tmp_path_factory):
    server_kind, name = request.param
    if server_kind == "gunicorn":
        server: Any = Server([f"hooked_apps:{name}_site"], "sync", tmp_path_factory.mktemp("gunicorn") / "log.txt",
                             private_options(), chdir=HERE)
    else:
        server = Wsgiref("hooked_apps.py", name)
    try:
        yield name, server
    finally:
        server.stop()


def over_http(server: Any, method: str, raw: str, headers: Any) -> Result:
    response = server.request(method, raw, headers)
    return Result(f"{response.status} {response.reason}", response.getheaders(), response.body)


@pytest.mark.server
@pytest.mark.parametrize("origin", ORIGINS)
def test_preflight_and_response_follow_the_hooks_through_servers(served, origin):
    name, server = served
    for raw in SERVER_PATHS:
        actual = over_http(server, "PUT", raw, {"Origin": origin})
        answer = over_http(server, "OPTIONS", raw, {"Origin": origin, "Access-Control-Request-Method": "PUT"})
        check(name, raw, actual, answer, origin, lambda location: over_http(server, "PUT", location, {"Origin": origin}))

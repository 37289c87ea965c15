"""Differential property for apps whose hooks change the route: preflight and response follow the view that runs.

For generated request paths (hook-rewritten prefixes, trailing slashes,
aliases, aborting paths, and the path mutations of the routing differential)
and origins that exactly one policy admits, the app is sent a ``PUT`` and the
preflight for it:

- the ``PUT``'s CORS headers are those of the policy configured for the view
  that ran (or, when no view ran, the app-wide policy or none);
- the preflight is allowed exactly when that view's policy admits the origin
  (the app's answer to the actual request decides, not the unrewritten path);
  when no view runs, it is allowed at most for the app-wide policy's origins.

Part of it runs through real gunicorn, which decodes the path itself.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hooked_apps
from gunicorn_testing import Server, private_options, request
from routing_support import COMMON, HERE, MUTATIONS, Result, call, path_info, preflight

CI = os.environ.get("CI") == "true"
ORIGINS = [COMMON, *hooked_apps.OWN_ORIGIN.values()]
ROUTES = ["/admin/data", "/internal/data", "/caf%C3%A9/menu", "/public", "/items", "/staff", "/staff/x",
          "/locked/data"]
REWRITES = [
    lambda p: "/v1" + p,             # the version prefix a hook strips
    lambda p: p + "/",               # a trailing slash a hook strips
    lambda p: p.replace("/admin/", "/alias/", 1),  # an alias a hook maps to /admin/
    lambda p: "/v1" + p + "/",
]


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


def check(actual: Result, answer: Result, origin: str, app_wide: str = "partner") -> None:
    allowed = bool(answer.values("Access-Control-Allow-Origin"))
    assert not allowed or 200 <= answer.code < 300, answer.status
    assert len(actual.values("Access-Control-Allow-Origin")) <= 1
    if actual.view is not None:
        expected = hooked_apps.EXPECTED[actual.view]
        if origin == COMMON:
            assert actual.label == expected, (actual.view, actual.label)
        else:
            assert bool(actual.values("Access-Control-Allow-Origin")) == admits(expected, origin), actual.view
        if actual.view in hooked_apps.PREFLIGHT_FAILS_CLOSED:
            expected = None
        assert allowed == admits(expected, origin), (actual.view, origin, answer.status)
        return
    # no view ran (404, 405, a hook's abort): the app-wide policy at most
    if origin == COMMON:
        assert actual.label in (None, app_wide), (actual.status, actual.label)
    assert not allowed or admits(app_wide, origin), (actual.status, origin, answer.status)


def app_builders() -> Any:
    builders = [pytest.param(hooked_apps.bottle_hooked_app, id="bottle")]
    try:
        import pypiserver  # noqa: F401 - ships a vendored Bottle 0.12
    except ImportError:
        if CI:
            raise
    else:
        builders.append(pytest.param(hooked_apps.vendored_bottle_hooked_app, id="vendored-bottle-0.12"))
    return builders


@pytest.mark.parametrize("build", app_builders())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=raw_paths(), origin=st.sampled_from(ORIGINS))
def test_preflight_and_response_follow_the_view_the_hooks_route_to(build, raw, origin):
    app = _built(build)
    target = path_info(raw)
    check(call(app, target, "PUT", origin), preflight(app, target, "PUT", origin), origin)


_apps: dict = {}


def _built(build: Callable[[], Any]) -> Any:
    """One app per builder for the whole run (hypothesis calls the test body many times)."""
    if build not in _apps:
        _apps[build] = build()
    return _apps[build]


# -- through real gunicorn -------------------------------------------------------

SERVER_PATHS = ["/v1/admin/data", "/admin/data/", "/alias/data", "/v1/alias/data/", "/internal/data/",
                "/v1/internal/data", "/staff/", "/v1/staff", "/staff/x", "/v1/public/", "/locked/data",
                "/v1/locked/data/", "/caf%C3%A9/menu/", "//v1/admin/data", "/v1//admin/data", "/alias/dat%FFa"]


@pytest.fixture(scope="module")
def gunicorn_bottle(tmp_path_factory):
    server = Server(["hooked_apps:bottle_site"], "sync", tmp_path_factory.mktemp("gunicorn") / "log.txt",
                    private_options(), chdir=HERE)
    try:
        yield server
    finally:
        server.stop()


def over_http(server: Any, method: str, raw: str, headers: Any) -> Result:
    response = request(server.port, method, raw, headers)
    return Result(f"{response.status} {response.reason}", response.getheaders(), response.body)


@pytest.mark.server
@pytest.mark.parametrize("origin", ORIGINS)
def test_preflight_and_response_follow_the_hooks_through_gunicorn(gunicorn_bottle, origin):
    for raw in SERVER_PATHS:
        actual = over_http(gunicorn_bottle, "PUT", raw, {"Origin": origin})
        answer = over_http(gunicorn_bottle, "OPTIONS", raw,
                           {"Origin": origin, "Access-Control-Request-Method": "PUT"})
        check(actual, answer, origin)

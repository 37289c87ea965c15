"""Differential property: the policy that decorates a response is the one configured for the view that ran.

For generated request paths (repeated slashes, dot segments, ``%2F``, ``%FF``,
non-ASCII, trailing slashes, case, ``+``, ``;``) each app answers with the name
of the view that actually ran, and the ``Access-Control-Expose-Headers`` of the
response names the policy that decorated it. Adapters that route with the
framework's own router must apply exactly the view's policy; generic path
rules may instead fail closed (no CORS). A credentialed policy's headers never
reach a view outside its scope. Part of it runs through real gunicorn and the
stdlib ``wsgiref`` server, which decode the path themselves.
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routing_apps
from gunicorn_testing import Server, private_options
from routing_support import COMMON, HERE, MUTATIONS, PARTNER, Result, Wsgiref, call, path_info, preflight

SEGMENTS = ["admin", "data", "internal", "public", "items", "caf%C3%A9", "menu", "Admin", "DATA", "",
            ".", "..", "%2E", "%2e%2e", "dat%FFa", "%FF", "a+b", "data;x", "%2F", "admin%2Fdata", "caf%E9",
            "legacy", "v1"]


ROUTES = ["/admin/data", "/internal/data", "/caf%C3%A9/menu", "/public", "/items/", "/legacy/data", "/v1/admin/data"]

@st.composite
def raw_paths(draw: Any) -> str:
    """A request target as a client sends it (percent-encoded): a route, mutated, or free segments."""
    if draw(st.integers(0, 3)) == 0:
        segments = draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=5))
        return "/" + "/".join(segments) + ("/" if draw(st.booleans()) else "")
    path = draw(st.sampled_from(ROUTES))
    for _ in range(draw(st.integers(0, 3))):
        mutate = draw(st.sampled_from(MUTATIONS))
        path = mutate(path, draw(st.integers(1, len(path))))
    return path


def check(name: str, raw: str, result: Result, origin: str, follow: Any, virtual_root: Optional[str] = None) -> None:
    label = result.label if origin == COMMON else None
    allow_origin = result.values("Access-Control-Allow-Origin")
    assert len(allow_origin) <= 1 and len(result.values("Access-Control-Allow-Credentials")) <= 1
    if result.view is not None:
        expected = routing_apps.EXPECTED[result.view]
        if origin == COMMON:
            allowed = {expected} if name in routing_apps.ROUTE_FAITHFUL else {expected, None}
            assert label in allowed, (result.view, label)
        elif origin == PARTNER and expected != "partner":
            assert allow_origin == [], (result.view, allow_origin)  # outside the credentialed scope
        return
    if 300 <= result.code < 400:  # a router's redirect carries its target's policy (or none)
        target = follow(urlsplit(result.values("Location")[0]).path)
        if origin == COMMON and label is not None:
            assert target.view is not None and routing_apps.EXPECTED[target.view] == label
        elif origin == PARTNER and allow_origin:
            assert target.view is not None and routing_apps.EXPECTED[target.view] == "partner"
        return
    # No view ran (404, 405, 400): a router-faithful adapter answers with the app-wide policy
    # (or none); path-scoped policies cover their paths' error pages by design (for Pyramid:
    # the path its traversal resolves, NOT_FOUND_LABEL).
    not_found = routing_apps.NOT_FOUND_LABEL.get(name)
    expected = "partner" if not_found is None else not_found(raw, virtual_root)
    if origin == COMMON and name in routing_apps.ROUTE_FAITHFUL:
        assert label in (None, expected), (result.status, label, expected)
    elif origin == PARTNER and not_found is not None and expected != "partner":
        assert allow_origin == [], (result.status, allow_origin)


@pytest.mark.parametrize("name", sorted(routing_apps.APPS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=raw_paths(), origin=st.sampled_from([COMMON, PARTNER]))
def test_the_policy_is_the_one_of_the_view_that_ran(name, raw, origin):
    app = getattr(routing_apps, f"{name}_site")
    try:
        result = call(app, path_info(raw), origin=origin)
    except routing_apps.FRAMEWORK_ERRORS:  # the framework's own refusal (Pyramid: URLDecodeError), no CORS
        return
    check(name, raw, result, origin, lambda location: call(app, path_info(location), origin=origin))


@pytest.mark.parametrize("name", sorted(routing_apps.APPS))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=raw_paths(), method=st.sampled_from(["PUT", "DELETE", "POST", "GET"]))
def test_a_preflight_the_credentialed_policy_allows_leads_only_to_views_in_its_scope(name, raw, method):
    """The preflight is what lets a browser send a PUT with credentials: it must be the ran view's policy's."""
    app = getattr(routing_apps, f"{name}_site")
    try:
        answer = preflight(app, path_info(raw), method=method, origin=PARTNER)
        if answer.code // 100 != 2 or answer.values("Access-Control-Allow-Origin") != [PARTNER]:
            return
        actual = call(app, path_info(raw), method=method, origin=PARTNER)
    except routing_apps.FRAMEWORK_ERRORS:
        return
    if actual.view is not None:
        assert routing_apps.EXPECTED[actual.view] == "partner", (raw, method, actual.view)


VIRTUAL_ROOTS = ["/", "/admin", "/admin/", "//admin", "/internal", "/x/..", "/café", "/v1", "/legacy"]


@pytest.mark.parametrize("name", sorted(routing_apps.NOT_FOUND_LABEL))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=raw_paths(), origin=st.sampled_from([COMMON, PARTNER]), root=st.sampled_from(VIRTUAL_ROOTS))
def test_the_policy_is_the_one_of_the_view_traversal_reached_through_a_virtual_root(name, raw, origin, root):
    """Pyramid's traverser prefixes the X-Vhm-Root header to the path; routes ignore it."""
    app = getattr(routing_apps, f"{name}_site")
    header = root.encode("utf-8").decode("latin-1")  # as a server puts it in the environ
    try:
        result = call(app, path_info(raw), origin=origin, HTTP_X_VHM_ROOT=header)
    except routing_apps.FRAMEWORK_ERRORS:
        return
    check(name, raw, result, origin, lambda location: call(app, path_info(location), origin=origin), root)


# -- through real servers ------------------------------------------------------

SERVER_PATHS = ["/admin/data", "//admin/data", "/admin//data", "/admin/dat%FFa", "/x/../admin/data",
                "/public/..%2Fadmin/data", "/internal/dat%FFa", "//internal/data", "/caf%C3%A9/menu",
                "/caf%E9/menu", "/items", "//items/", "/public/", "/ADMIN/data", "/admin/data;x",
                "/admin%2Fdata", "/a+b/../admin/data", "/./admin/data", "/legacy/data", "/legacy//data",
                "/v1/admin/data", "//v1/admin/data", "/v1/x", "/admin/missing"]


@pytest.fixture(scope="module", params=[(server, name) for server in ("gunicorn", "wsgiref")
                                        for name in sorted(routing_apps.APPS)],
                ids=lambda param: "-".join(param))
def served(request, tmp_path_factory):
    server_kind, name = request.param
    if server_kind == "gunicorn":
        running: Any = Server([f"routing_apps:{name}_site"], "sync",
                              tmp_path_factory.mktemp("gunicorn") / "log.txt", private_options(), chdir=HERE)
    else:
        running = Wsgiref("routing_apps.py", name)
    try:
        yield name, running
    finally:
        running.stop()


def over_http(server: Any, raw: str, origin: str) -> Result:
    response = server.request("GET", raw, {"Origin": origin})
    return Result(f"{response.status} {response.reason}", response.getheaders(), response.body)


@pytest.mark.server
@pytest.mark.parametrize("origin", [COMMON, PARTNER])
def test_the_policy_is_the_one_of_the_view_that_ran_through_servers(served, origin):
    name, server = served
    for raw in SERVER_PATHS:
        check(name, raw, over_http(server, raw, origin), origin,
              lambda location: over_http(server, location, origin))

"""In scope only the policy writes CORS headers; responses a shared cache stores are safe.

An application (or framework) that sets ``Access-Control-*`` headers itself
would otherwise decide differently from the policy, and the browser would see
its answer: a reflected origin with credentials, a ``*`` that blocks every
credentialed request, a second ``Access-Control-Allow-Credentials``.
"""

import logging

import pytest
from webtest import TestApp

from cors_testing import ALLOWED, OTHER, RecordingApp, client, header_values
from wsgicors import CORSMiddleware, Policy
from wsgicors.engine import answer_preflight

REFLECTING = [("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", OTHER),
              ("Access-Control-Allow-Credentials", "true"), ("Access-Control-Expose-Headers", "x-app")]
STRICT = dict(origins=[ALLOWED], allow_credentials=True, expose_headers=["x-total"])


def cors_header_names(response):
    return [name.lower() for name, _ in response.headerlist if name.lower().startswith("access-control-")]


def test_an_origin_the_app_reflects_but_the_policy_refuses_gets_no_cors_headers():
    response = client(RecordingApp(headers=REFLECTING), **STRICT).get("/", headers={"Origin": OTHER})
    assert cors_header_names(response) == []
    assert header_values(response, "Vary") == ["Origin"]


def test_an_allowed_origin_gets_exactly_the_policys_headers_not_the_apps():
    response = client(RecordingApp(headers=REFLECTING), **STRICT).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]
    assert header_values(response, "Access-Control-Allow-Credentials") == ["true"]
    assert header_values(response, "Access-Control-Expose-Headers") == ["x-total"]


def test_an_app_setting_only_allow_credentials_never_yields_two():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("Access-Control-Allow-Credentials", "true")])
    response = client(app, **STRICT).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Allow-Credentials") == ["true"]


def test_an_app_star_is_replaced_so_credentialed_requests_work():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", "*")])
    response = client(app, **STRICT).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]


@pytest.mark.parametrize("path", ["/health", "/outside"])
def test_exempt_and_out_of_scope_responses_keep_the_apps_headers(path):
    middleware = CORSMiddleware(RecordingApp(headers=REFLECTING),
                                rules=[("/health", None), ("/api/*", Policy(**STRICT))])
    got = TestApp(middleware).get(path, headers={"Origin": OTHER})
    assert [header for header in got.headerlist if header[0] != "Content-Length"] == REFLECTING


def test_each_policy_and_header_name_is_warned_about_once(caplog):
    caplog.set_level(logging.WARNING, logger="wsgicors")
    app = RecordingApp(headers=REFLECTING)
    middleware = client(app, **STRICT)
    for _ in range(3):
        middleware.get("/x", headers={"Origin": OTHER})
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 3  # allow-origin, allow-credentials, expose-headers: once each
    assert all("path '/x'" in m and "enabled=False" in m and "None rule" in m for m in messages)
    assert {m.split("set ", 1)[1].split(" ", 1)[0] for m in messages} == {
        "'access-control-allow-origin'", "'access-control-allow-credentials'", "'access-control-expose-headers'"}


def test_several_vary_lines_leave_as_one_that_includes_origin():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("Vary", "Cookie"), ("vary", "Accept, cookie")])
    response = client(app, **STRICT).get("/")
    assert header_values(response, "Vary") == ["Cookie, Accept, Origin"]


# -- cache safety -------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Origin": OTHER}], ids=["no Origin", "with Origin"])
def test_any_origin_answers_star_with_or_without_origin(headers):
    """Fetch, "CORS protocol and HTTP caches": a stored page load must not break a later fetch()."""
    response = client(RecordingApp(), origins="*").get("/", headers=headers)
    assert header_values(response, "Access-Control-Allow-Origin") == ["*"]
    assert header_values(response, "Vary") == []


PNA_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, " \
           "Access-Control-Request-Private-Network"
PLAIN_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


@pytest.mark.parametrize("allow_private_network, asked, expected", [
    (True, None, PNA_VARY),
    (True, "true", PNA_VARY),
    (False, "true", PNA_VARY),        # refused, and the answer depended on the header
    (False, None, PLAIN_VARY),
])
@pytest.mark.parametrize("origin", [ALLOWED, OTHER])
def test_preflight_vary_lists_private_network_when_it_is_in_play(allow_private_network, asked, expected, origin):
    answer = answer_preflight(Policy(origins=[ALLOWED], allow_private_network=allow_private_network),
                              origin, "PUT", None, asked)
    assert [value for name, value in answer.headers if name == "Vary"] == [expected]


def test_the_warning_names_the_path_as_the_rules_see_it_when_the_application_moves_segments(caplog):
    """Werkzeug's DispatcherMiddleware moves '/api' from PATH_INFO to SCRIPT_NAME in the environ it was
    given: the warning still names '/api/items', the path a None rule would have to name."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    caplog.set_level(logging.WARNING, logger="wsgicors")
    mounted = DispatcherMiddleware(RecordingApp(), {"/api": RecordingApp(headers=REFLECTING)})
    client(mounted, **STRICT).get("/api/items", headers={"Origin": OTHER})
    messages = [record.getMessage() for record in caplog.records]
    assert messages and all("path '/api/items'" in m for m in messages)

"""docs/design.md §3.3: actual (non-preflight) requests."""

import pytest
from webtest import TestApp

from cors_testing import ALLOWED, OTHER, RecordingApp, client, header_values


def test_allowed_origin_gets_its_origin_back(app):
    response = client(app, origins=[ALLOWED]).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]


def test_allowed_origin_request_runs_the_app(app):
    client(app, origins=[ALLOWED]).get("/", headers={"Origin": ALLOWED})
    assert len(app.calls) == 1


def test_allowed_origin_gets_credentials_flag_when_enabled(app):
    response = client(app, origins=[ALLOWED], allow_credentials=True).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Allow-Credentials") == ["true"]


def test_allowed_origin_gets_exposed_headers(app):
    response = client(app, origins=[ALLOWED], expose_headers=["X-Request-Id", "X-Total"]).get(
        "/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Expose-Headers") == ["x-request-id, x-total"]


def test_no_expose_header_by_default(app):
    response = client(app, origins=[ALLOWED]).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Expose-Headers") == []


def test_allowed_origin_gets_no_preflight_only_headers(app):
    response = client(app, origins=[ALLOWED], max_age=600).get("/", headers={"Origin": ALLOWED})
    for name in ("Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"):
        assert header_values(response, name) == []


def test_other_origin_still_runs_the_app(app):
    client(app, origins=[ALLOWED]).post("/", headers={"Origin": OTHER})
    assert len(app.calls) == 1


def test_other_origin_response_is_unchanged_but_for_vary():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("X-Id", "7")], body=b"payload")
    response = client(app, origins=[ALLOWED], allow_credentials=True).get("/", headers={"Origin": OTHER})
    assert response.status_int == 200
    assert response.body == b"payload"
    assert [(k, v) for k, v in response.headerlist if k != "Content-Length"] == [
        ("Content-Type", "text/plain"), ("X-Id", "7"), ("Vary", "Origin")]


def test_other_origin_is_never_answered_with_403(app):
    client(app, origins=[ALLOWED]).post("/", headers={"Origin": OTHER}, status=200)


def test_request_without_origin_gets_no_cors_headers(app):
    response = client(app, origins=[ALLOWED]).get("/")
    assert not [k for k, _ in response.headerlist if k.lower().startswith("access-control-")]


def test_any_origin_answers_star_to_every_origin(app):
    response = client(app, origins="*").get("/", headers={"Origin": OTHER})
    assert header_values(response, "Access-Control-Allow-Origin") == ["*"]


def test_any_origin_answers_star_to_null(app):
    response = client(app, origins="*").get("/", headers={"Origin": "null"})
    assert header_values(response, "Access-Control-Allow-Origin") == ["*"]


def test_any_origin_exposes_star_without_credentials(app):
    response = client(app, origins="*", expose_headers="*").get("/", headers={"Origin": OTHER})
    assert header_values(response, "Access-Control-Expose-Headers") == ["*"]


def test_expose_star_with_credentials_lists_the_response_header_names():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("X-Request-Id", "1"),
                                ("Set-Cookie", "s=1"), ("x-request-id", "2"), ("ETag", '"a"')])
    response = client(app, origins=[ALLOWED], allow_credentials=True, expose_headers="*").get(
        "/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Expose-Headers") == ["Content-Type, X-Request-Id, ETag"]


def test_expose_star_with_credentials_never_lists_set_cookie():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("Set-Cookie", "s=1"), ("Set-Cookie2", "t=1")])
    response = client(app, origins=[ALLOWED], allow_credentials=True, expose_headers="*").get(
        "/", headers={"Origin": ALLOWED})
    assert "set-cookie" not in header_values(response, "Access-Control-Expose-Headers")[0].lower()


@pytest.mark.parametrize("status", ["404 Not Found", "405 Method Not Allowed", "500 Internal Server Error"])
def test_error_responses_of_the_app_are_decorated(status):
    app = RecordingApp(status=status, body=b"error page")
    response = client(app, origins=[ALLOWED], allow_credentials=True).get(
        "/", headers={"Origin": ALLOWED}, expect_errors=True)
    assert response.status == status
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]
    assert header_values(response, "Access-Control-Allow-Credentials") == ["true"]


def test_app_that_sets_its_own_allow_origin_is_overridden_by_the_policy():
    """Reversed behaviour: in scope only the policy writes CORS headers (was: left alone)."""
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("access-control-allow-origin", "https://own.example")])
    response = client(app, origins=[ALLOWED], allow_credentials=True, expose_headers=["x-a"]).get(
        "/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]
    assert header_values(response, "Access-Control-Allow-Credentials") == ["true"]
    assert header_values(response, "Access-Control-Expose-Headers") == ["x-a"]


def test_response_never_carries_two_allow_origin_headers():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", "*")])
    response = client(app, origins="*").get("/", headers={"Origin": OTHER})
    assert len(header_values(response, "Access-Control-Allow-Origin")) == 1


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
def test_every_method_is_decorated_for_an_allowed_origin(app, method):
    response = TestApp(client(app, origins=[ALLOWED]).app).request(
        "/", method=method, headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]


def test_null_origin_is_allowed_only_when_listed(app):
    listed = client(app, origins=[ALLOWED, "null"]).get("/", headers={"Origin": "null"})
    unlisted = client(app, origins=[ALLOWED]).get("/", headers={"Origin": "null"})
    assert header_values(listed, "Access-Control-Allow-Origin") == ["null"]
    assert header_values(unlisted, "Access-Control-Allow-Origin") == []

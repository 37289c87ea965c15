"""docs/design.md §3.2: preflights are answered by the middleware itself."""

import pytest

from cors_testing import ALLOWED, OTHER, RecordingApp, client, header_values, preflight_headers

PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


def test_allowed_preflight_is_204_with_empty_body(app):
    response = client(app, origins=[ALLOWED]).options("/", headers=preflight_headers())
    assert response.status_int == 204
    assert response.body == b""


def test_allowed_preflight_never_calls_the_app(app):
    client(app, origins=[ALLOWED]).options("/", headers=preflight_headers())
    assert app.calls == []


def test_refused_preflight_never_calls_the_app(app):
    client(app, origins=[ALLOWED]).options("/", headers=preflight_headers(origin=OTHER), status=403)
    assert app.calls == []


def test_allowed_preflight_echoes_the_origin_byte_for_byte(app):
    response = client(app, origins=[ALLOWED]).options("/", headers=preflight_headers())
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]


def test_any_origin_preflight_answers_star(app):
    response = client(app, origins="*").options("/", headers=preflight_headers(origin=OTHER))
    assert header_values(response, "Access-Control-Allow-Origin") == ["*"]


def test_allowed_preflight_lists_the_configured_methods(app):
    response = client(app, origins=[ALLOWED], methods=["GET", "PUT"]).options("/", headers=preflight_headers())
    assert header_values(response, "Access-Control-Allow-Methods") == ["GET, PUT"]


def test_default_methods_are_the_common_six(app):
    response = client(app, origins=[ALLOWED]).options("/", headers=preflight_headers(method="DELETE"))
    assert header_values(response, "Access-Control-Allow-Methods") == ["GET, HEAD, POST, PUT, PATCH, DELETE"]


def test_credentials_flag_is_sent_on_preflight_when_enabled(app):
    response = client(app, origins=[ALLOWED], allow_credentials=True).options("/", headers=preflight_headers())
    assert header_values(response, "Access-Control-Allow-Credentials") == ["true"]


def test_credentials_flag_is_absent_by_default(app):
    response = client(app, origins=[ALLOWED]).options("/", headers=preflight_headers())
    assert header_values(response, "Access-Control-Allow-Credentials") == []


def test_allow_headers_is_sent_only_when_headers_were_requested(app):
    response = client(app, origins=[ALLOWED]).options("/", headers=preflight_headers())
    assert header_values(response, "Access-Control-Allow-Headers") == []


def test_default_allow_headers_echo_the_requested_names(app):
    response = client(app, origins=[ALLOWED]).options(
        "/", headers=preflight_headers(headers="x-custom,content-type"))
    assert header_values(response, "Access-Control-Allow-Headers") == ["x-custom, content-type"]


def test_listed_allow_headers_are_answered_with_the_list(app):
    response = client(app, origins=[ALLOWED], allow_headers=["Content-Type", "X-Custom"]).options(
        "/", headers=preflight_headers(headers="x-custom"))
    assert header_values(response, "Access-Control-Allow-Headers") == ["content-type, x-custom"]


def test_requested_header_names_match_case_insensitively(app):
    client(app, origins=[ALLOWED], allow_headers=["X-Custom"]).options(
        "/", headers=preflight_headers(headers="X-CUSTOM"), status=204)


def test_star_allow_headers_with_credentials_echo_authorization(app):
    response = client(app, origins=[ALLOWED], allow_credentials=True).options(
        "/", headers=preflight_headers(headers="authorization"))
    assert header_values(response, "Access-Control-Allow-Headers") == ["authorization"]


def test_star_methods_echo_the_requested_method(app):
    response = client(app, origins=[ALLOWED], methods="*", allow_credentials=True).options(
        "/", headers=preflight_headers(method="PROPFIND"))
    assert header_values(response, "Access-Control-Allow-Methods") == ["PROPFIND"]


def test_max_age_is_sent_when_set(app):
    response = client(app, origins=[ALLOWED], max_age=600).options("/", headers=preflight_headers())
    assert header_values(response, "Access-Control-Max-Age") == ["600"]


def test_max_age_is_omitted_by_default(app):
    response = client(app, origins=[ALLOWED]).options("/", headers=preflight_headers())
    assert header_values(response, "Access-Control-Max-Age") == []


def test_max_age_zero_is_sent(app):
    response = client(app, origins=[ALLOWED], max_age=0).options("/", headers=preflight_headers())
    assert header_values(response, "Access-Control-Max-Age") == ["0"]


@pytest.mark.parametrize("status", [200, 204, 299])
def test_preflight_status_is_configurable(app, status):
    response = client(app, origins=[ALLOWED], preflight_status=status).options("/", headers=preflight_headers())
    assert response.status_int == status
    assert response.body == b""


@pytest.mark.parametrize("origin, method, requested, why", [
    (OTHER, "PUT", None, "origin not allowed"),
    (ALLOWED, "PROPFIND", None, "method not allowed"),
    (ALLOWED, "put", None, "methods are case-sensitive"),
    (ALLOWED, "PUT", "x-secret", "header not allowed"),
    (ALLOWED, "PUT", "x-ok, x-secret", "one header of several not allowed"),
    (ALLOWED, "PUT", "bad header", "malformed header list"),
])
def test_refused_preflight_is_403_without_any_allow_header(app, origin, method, requested, why):
    cors = client(app, origins=[ALLOWED], methods=["GET", "PUT"], allow_headers=["x-ok"])
    response = cors.options("/", headers=preflight_headers(origin, method, requested), status=403)
    assert not [name for name, _ in response.headerlist if name.lower().startswith("access-control-allow-")], why


def test_refused_preflight_has_a_short_plain_text_body(app):
    response = client(app, origins=[ALLOWED]).options("/", headers=preflight_headers(origin=OTHER), status=403)
    assert response.content_type == "text/plain"
    assert 0 < len(response.body) < 100


@pytest.mark.parametrize("origin, status", [(ALLOWED, 204), (OTHER, 403)])
def test_preflight_answers_vary_on_all_three_request_headers(app, origin, status):
    response = client(app, origins=[ALLOWED]).options("/", headers=preflight_headers(origin=origin), status=status)
    assert header_values(response, "Vary") == [PREFLIGHT_VARY]


def test_options_without_request_method_reaches_the_app(app):
    response = client(app, origins=[ALLOWED]).options("/", headers={"Origin": ALLOWED})
    assert len(app.calls) == 1
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]


def test_options_without_origin_reaches_the_app(app):
    client(app, origins=[ALLOWED]).options("/", headers={"Access-Control-Request-Method": "PUT"})
    assert len(app.calls) == 1


def test_private_network_preflight_is_allowed_when_opted_in(app):
    headers = dict(preflight_headers(), **{"Access-Control-Request-Private-Network": "true"})
    response = client(app, origins=[ALLOWED], allow_private_network=True).options("/", headers=headers)
    assert header_values(response, "Access-Control-Allow-Private-Network") == ["true"]


def test_private_network_preflight_is_refused_by_default(app):
    headers = dict(preflight_headers(), **{"Access-Control-Request-Private-Network": "true"})
    client(app, origins=[ALLOWED]).options("/", headers=headers, status=403)


def test_allowed_preflight_with_status_200_declares_an_empty_body():
    response = client(RecordingApp(), origins=[ALLOWED], preflight_status=200).options(
        "/", headers=preflight_headers())
    assert header_values(response, "Content-Length") == ["0"]

"""Kinto, a real Pyramid app whose views write their own CORS headers (``*``), behind pyramid_wsgicors.

In scope only our policy's ``Access-Control-*`` headers reach the client; preflights
to Kinto's routes are answered by our policy; a credentialed unlisted origin never
gets ``Access-Control-Allow-Origin``; an exempt route keeps Kinto's own headers.
One case runs through real gunicorn.
"""

import base64
import os
import pathlib

import pytest

from gunicorn_testing import Server, private_options

TESTS = pathlib.Path(__file__).resolve().parents[1]  # kinto_app.py, the gunicorn target
ATTACKER = "https://attacker.example"


@pytest.fixture(scope="module")
def kinto_app():
    if os.environ.get("CI") != "true":
        pytest.importorskip("kinto")
    import webtest

    import kinto_app

    return webtest.TestApp(kinto_app.make())


def alice(origin):
    token = base64.b64encode(b"alice:secret").decode("ascii")
    return {"Authorization": "Basic " + token, "Origin": origin}


def cors(response):
    return sorted((name.lower(), value) for name, value in response.headerlist
                  if name.lower().startswith("access-control-"))


def test_the_policy_replaces_kintos_own_cors_headers(kinto_app):
    from kinto_app import PAGE
    response = kinto_app.get("/v1/", headers=alice(PAGE))
    assert cors(response) == [("access-control-allow-credentials", "true"), ("access-control-allow-origin", PAGE),
                              ("access-control-expose-headers", "x-from-policy")]
    assert response.headers.getall("Vary") == ["Origin"]


def test_a_credentialed_unlisted_origin_never_gets_allow_origin(kinto_app):
    response = kinto_app.post_json("/v1/buckets", {"data": {"id": "b1"}}, headers=alice(ATTACKER))
    assert response.status_int == 201  # the app ran: enforcement is the browser's
    assert cors(response) == []


def test_a_preflight_to_a_kinto_route_is_answered_by_the_policy(kinto_app):
    from kinto_app import PAGE
    response = kinto_app.options("/v1/buckets", headers={
        "Origin": PAGE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert response.status_int == 204
    assert dict(cors(response))["access-control-allow-origin"] == PAGE
    assert dict(cors(response))["access-control-allow-headers"] == "authorization, content-type"


def test_a_preflight_from_an_unlisted_origin_is_refused(kinto_app):
    response = kinto_app.options("/v1/buckets", headers={
        "Origin": ATTACKER, "Access-Control-Request-Method": "POST"}, expect_errors=True)
    assert response.status_int == 403 and cors(response) == []


def test_a_route_policy_covers_its_kinto_route(kinto_app):
    from kinto_app import ADMIN_PAGE, PAGE
    kinto_app.put_json("/v1/buckets/b2", {"data": {}}, headers=alice(PAGE))
    assert dict(cors(kinto_app.get("/v1/buckets/b2", headers=alice(ADMIN_PAGE))))[
        "access-control-allow-origin"] == ADMIN_PAGE
    assert cors(kinto_app.get("/v1/buckets/b2", headers=alice(PAGE))) == []
    preflight = kinto_app.options("/v1/buckets/b2", headers={
        "Origin": PAGE, "Access-Control-Request-Method": "DELETE"}, expect_errors=True)
    assert preflight.status_int == 403


def test_an_exempt_kinto_route_keeps_kintos_own_headers(kinto_app):
    response = kinto_app.get("/v1/__heartbeat__", headers={"Origin": ATTACKER})
    assert dict(cors(response))["access-control-allow-origin"] == "*"  # Kinto's answer, untouched
    assert "Vary" not in response.headers


@pytest.mark.server
def test_through_gunicorn_an_unlisted_origin_gets_no_allow_origin_and_the_page_gets_ours(tmp_path):
    if os.environ.get("CI") != "true":
        pytest.importorskip("kinto")
    from kinto_app import PAGE
    server = Server(["kinto_app:make()"], "sync", tmp_path / "log.txt", private_options(), chdir=TESTS)
    try:
        attacker = server.request("GET", "/v1/", alice(ATTACKER))
        page = server.request("GET", "/v1/", alice(PAGE))
        preflight = server.request("OPTIONS", "/v1/buckets", {"Origin": PAGE, "Access-Control-Request-Method": "POST"})
    finally:
        server.stop()
    assert attacker.status == 200 and attacker.getheader("Access-Control-Allow-Origin") is None
    assert page.getheaders().count(("Access-Control-Allow-Origin", PAGE)) == 1
    assert [v for k, v in page.getheaders() if k.lower() == "access-control-expose-headers"] == ["x-from-policy"]
    assert preflight.status == 204 and preflight.getheader("Access-Control-Allow-Origin") == PAGE

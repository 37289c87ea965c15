"""Real applications that answer CORS themselves: in scope, only the policy's headers reach the browser.

httpbin (a Flask app) reflects any ``Origin`` with
``Access-Control-Allow-Credentials: true`` from an ``after_request`` hook.
Behind ``CORS(app, origins=[PAGE], allow_credentials=True)`` an unlisted
origin must not read ``/cookies`` with credentials, and the policy's
``expose_headers`` must reach the listed page.

Kinto (Pyramid), which sends ``*`` itself, is in ``test_kinto.py``.
"""

import os

import pytest

from wsgicors.check import check

PAGE = "https://page.example"
ATTACKER = "https://attacker.example"


@pytest.fixture(scope="module")
def httpbin_app():
    if os.environ.get("CI") != "true":
        pytest.importorskip("httpbin")
    import flask
    from httpbin import app

    from flask_wsgicors import CORS

    assert isinstance(app, flask.Flask)
    CORS(app, origins=[PAGE], allow_credentials=True, expose_headers=["x-request-id"])
    return app


def get(app, path, origin, method="GET", **headers):
    client = app.test_client()
    return client.open(path, method=method, headers={"Origin": origin, **headers})


def cors(response):
    return sorted((name.lower(), value) for name, value in response.headers.items()
                  if name.lower().startswith("access-control-"))


def test_httpbin_reflecting_an_unlisted_origin_grants_it_nothing(httpbin_app):
    assert cors(get(httpbin_app, "/cookies", ATTACKER)) == []


def test_httpbin_gives_the_listed_page_exactly_the_policys_headers(httpbin_app):
    assert cors(get(httpbin_app, "/cookies", PAGE)) == [
        ("access-control-allow-credentials", "true"), ("access-control-allow-origin", PAGE),
        ("access-control-expose-headers", "x-request-id")]


def test_httpbin_preflight_from_an_unlisted_origin_is_refused(httpbin_app):
    response = get(httpbin_app, "/cookies", ATTACKER, "OPTIONS", **{"Access-Control-Request-Method": "PUT"})
    assert response.status_code == 403 and cors(response) == []


@pytest.mark.parametrize("origin, verdict", [(ATTACKER, "block"), (PAGE, "allow")])
def test_check_with_credentials_agrees(httpbin_app, origin, verdict):
    result = check("http://localhost/cookies", origin, credentials=True, app=httpbin_app)
    assert result.verdict == verdict, result.explanation

"""Exceptions escaping a framework: a readable 500 for the page, or the exception for a debugger.

Each framework has its own switch for "let exceptions through for the debugger
or the test client"; the adapters honour it and otherwise answer a 500 with
the CORS headers the response would have had.
"""

import pyramid.response
import pytest
import webtest

from bottle_wsgicors import CORSPlugin
from flask_wsgicors import CORS
from wsgicors.middleware import PROPAGATE_KEY

A = "https://app.example.com"


# -- Flask ---------------------------------------------------------------------------------------


def test_flask_propagate_exceptions_under_a_server_still_gives_the_page_a_500_with_cors(make_flask, browser):
    app = make_flask(PROPAGATE_EXCEPTIONS=True)  # Flask re-raises; a real server would send a bare 500
    CORS(app, origins=[A])
    response = browser(app).request("/boom")
    assert response.status_int == 500
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert response.headers["Vary"] == "Origin"


def test_flask_own_500_page_carries_cors(make_flask, browser):
    app = make_flask()
    CORS(app, origins=[A])
    response = browser(app).request("/boom")
    assert (response.status_int, response.headers["Access-Control-Allow-Origin"]) == (500, A)


@pytest.mark.parametrize("mode", ["TESTING", "DEBUG"])
def test_flask_testing_and_debug_mode_hand_the_exception_to_the_test_client_or_debugger(make_flask, mode):
    app = make_flask(**{mode: True})
    CORS(app, origins=[A])
    with pytest.raises(RuntimeError, match="boom"):
        app.test_client().get("/boom", headers={"Origin": A})


def test_flask_the_environ_key_lets_the_exception_through(make_flask):
    app = make_flask(PROPAGATE_EXCEPTIONS=True)
    CORS(app, origins=[A])
    with pytest.raises(RuntimeError, match="boom"):
        webtest.TestApp(app, extra_environ={PROPAGATE_KEY: True}).get("/boom", headers={"Origin": A})


# -- Bottle --------------------------------------------------------------------------------------


def test_bottle_uncaught_exception_with_catchall_off_propagates(make_bottle, browser):
    app = make_bottle(CORSPlugin(origins=[A]))
    app.catchall = False  # Bottle's switch for debugging middleware
    with pytest.raises(RuntimeError, match="boom"):
        browser(app).request("/boom")


def test_bottle_own_500_page_carries_cors(make_bottle, browser):
    response = browser(make_bottle(CORSPlugin(origins=[A]))).request("/boom")
    assert (response.status_int, response.headers["Access-Control-Allow-Origin"]) == (500, A)


# -- Pyramid -------------------------------------------------------------------------------------


def test_pyramid_exception_view_for_every_exception_gives_the_page_a_500_with_cors(make_pyramid, browser):
    def server_error(exc, request):
        return pyramid.response.Response("server error", status=500)

    app = make_pyramid({"cors.origins": A},
                       lambda config: config.add_exception_view(server_error, context=Exception))
    response = browser(app).request("/boom")
    assert (response.status_int, response.headers["Access-Control-Allow-Origin"]) == (500, A)


def test_pyramid_exception_no_view_handles_goes_up_the_tween_chain(make_pyramid, browser):
    """pyramid_tm must see it to abort the transaction, pyramid_debugtoolbar to show it."""
    with pytest.raises(RuntimeError, match="boom"):
        browser(make_pyramid({"cors.origins": A})).request("/boom")

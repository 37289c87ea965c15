"""Shared by the adapter tests: real Flask, Bottle and Pyramid apps, and a browser-like client.

Each ``make_*`` fixture returns a builder for an app with the same routes:
``/items`` (GET and POST), an error route and ``/boom`` (an unhandled
exception); ``app.routed`` records every request the framework routed.
"""

from typing import Dict, Optional

import bottle
import pytest
import webtest
from flask import Flask, abort
from pyramid.config import Configurator
from pyramid.events import ContextFound
from pyramid.httpexceptions import HTTPForbidden

ORIGIN = "https://app.example.com"


class Browser:
    """Requests as a page on ``origin`` would send them, through WebTest (errors allowed)."""

    def __init__(self, app, origin: str = ORIGIN) -> None:
        self.app = app if isinstance(app, webtest.TestApp) else webtest.TestApp(app)
        self.origin = origin

    def preflight(self, path: str, method: str = "PUT", headers: Optional[str] = None,
                  origin: Optional[str] = None) -> webtest.TestResponse:
        sent: Dict[str, str] = {"Origin": origin or self.origin, "Access-Control-Request-Method": method}
        if headers is not None:
            sent["Access-Control-Request-Headers"] = headers
        return self.app.options(path, headers=sent, expect_errors=True)

    def request(self, path: str, method: str = "GET", origin: Optional[str] = None,
                **headers: str) -> webtest.TestResponse:
        sent = {"Origin": origin or self.origin} if origin != "" else {}
        sent.update(headers)
        return self.app.request(path, method=method, headers=sent, expect_errors=True)


@pytest.fixture
def browser():
    """``browser(wsgi_app, origin=...)`` -> a :class:`Browser`."""
    return Browser


def build_flask(**config):
    app = Flask(__name__)
    app.config.update(config)
    app.routed = []
    app.before_request(lambda: app.routed.append(app.name))

    @app.route("/items", methods=["GET", "POST"])
    def items():
        return "items"

    @app.route("/forbidden")
    def forbidden():
        abort(403)

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    return app


def build_bottle(plugin=None):
    app = bottle.Bottle()
    app.routed = []
    app.add_hook("before_request", lambda: app.routed.append(bottle.request.path))
    if plugin is not None:
        app.install(plugin)

    @app.route("/items", method=["GET", "POST"])
    def items():
        return "items"

    @app.route("/login")
    def login():
        bottle.abort(401, "log in")

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    return app


class Teapot(Exception):
    pass


def build_pyramid(settings=None, configure=None):
    """GET-only views, HTTPForbidden, a custom exception view (418) and an unhandled error."""
    routed = []

    def items(request):
        return {"items": []}

    def forbidden(request):
        raise HTTPForbidden()

    def teapot(request):
        raise Teapot()

    def boom(request):
        raise RuntimeError("boom")

    def teapot_view(exc, request):
        request.response.status = 418
        return {"error": "teapot"}

    with Configurator(settings=dict(settings or {})) as config:
        config.include("pyramid_wsgicors")
        if configure:
            configure(config)
        config.add_subscriber(lambda event: routed.append(event.request.path), ContextFound)
        for name, view in [("items", items), ("forbidden", forbidden), ("teapot", teapot), ("boom", boom)]:
            config.add_route(name, f"/{name}")
            config.add_view(view, route_name=name, renderer="json", request_method="GET")
        config.add_exception_view(teapot_view, context=Teapot, renderer="json")
        app = config.make_wsgi_app()
    app.routed = routed
    return app


@pytest.fixture
def make_flask():
    """``make_flask(**app_config)`` -> a Flask app without CORS."""
    return build_flask


@pytest.fixture
def make_bottle():
    """``make_bottle(plugin=None)`` -> a Bottle app, with ``plugin`` installed before its routes."""
    return build_bottle


@pytest.fixture
def make_pyramid():
    """``make_pyramid(settings, configure)`` -> a Pyramid app including pyramid_wsgicors."""
    return build_pyramid

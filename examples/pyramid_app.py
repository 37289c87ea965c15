"""A Pyramid app with wsgicors' tween, configured from settings.

    pip install -e '.[pyramid]'                             # in a clone of wsgicors
    python examples/pyramid_app.py                               # wsgiref, port 8000
    gunicorn --chdir examples --paste examples/pyramid.ini       # settings from the .ini
    gunicorn --chdir examples pyramid_app:app                    # settings from SETTINGS below
"""

import os
from wsgiref.simple_server import make_server

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPForbidden

SETTINGS = {
    "pyramid.includes": "pyramid_wsgicors",
    "cors.origins": "https://app.example.com\nhttps://*.example.com\nhttp://localhost:*",
    "cors.allow_credentials": "true",
    "cors.expose_headers": "x-request-id",
    "cors.max_age": "600",
}


def hello(request):
    request.response.headers["X-Request-Id"] = "42"
    return {"hello": "world"}


def public(request):
    return {"public": True}


def forbidden(request):
    raise HTTPForbidden()


def main(global_config=None, **settings):
    """The PasteDeploy app factory (``use = call:pyramid_app:main``)."""
    with Configurator(settings=settings or SETTINGS) as config:
        config.add_cors_policy("/api/public", origins="*", allow_credentials=False)  # a path of its own
        config.add_route("hello", "/api/hello")
        config.add_view(hello, route_name="hello", renderer="json", request_method=("GET", "POST"))
        config.add_route("public", "/api/public")
        config.add_view(public, route_name="public", renderer="json")
        config.add_route("forbidden", "/api/forbidden")
        config.add_view(forbidden, route_name="forbidden")
        return config.make_wsgi_app()


app = main()

if __name__ == "__main__":
    with make_server("127.0.0.1", int(os.environ.get("PORT", "8000")), app) as server:
        server.serve_forever()

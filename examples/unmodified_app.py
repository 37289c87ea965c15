"""A WSGI app that knows nothing about CORS; wsgicors is added from the outside.

From the gunicorn command line (gunicorn calls ``wsgicors.wrap`` with these literal arguments):

    gunicorn --chdir examples 'wsgicors:wrap("unmodified_app:app", origins=["https://app.example.com"], max_age=600)'

An app factory, called the way gunicorn calls one (literal arguments allowed:
``create_app(greeting="you")``):

    gunicorn --chdir examples 'wsgicors:wrap("unmodified_app:create_app()", origins=["https://app.example.com"])'

From a PasteDeploy pipeline (see paste.ini beside this file):

    gunicorn --chdir examples --paste examples/paste.ini
"""

import json


def create_app(greeting="world"):
    """An app factory: ``unmodified_app:create_app()`` or ``unmodified_app:create_app(greeting="you")``."""

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/api/hello":
            status, body = "200 OK", {"hello": greeting}
        else:
            status, body = "404 Not Found", {"error": "not found"}
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                                ("X-Request-Id", "42")])
        return [data]

    return app


app = create_app()


def app_factory(global_config, **local_config):
    """The PasteDeploy app factory (``use = call:unmodified_app:app_factory``)."""
    return app

"""A Flask application factory with wsgicors' Flask extension.

The extension is created once at import (``cors = CORS()``) and bound to each
app ``create_app()`` builds (``cors.init_app(app)``), the usual pattern for
factories, tests and blueprints; options come from ``app.config`` (``CORS_`` +
the option name, upper-cased) and from ``init_app``'s keyword arguments, which
win.

    pip install -e '.[flask]'                           # from a clone of wsgicors
    flask --app examples/flask_factory.py run --port 8000
    gunicorn --chdir examples 'flask_factory:create_app()'

    curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:8000/api/hello
"""

from typing import Any, Mapping, Optional

from flask import Flask, jsonify

from flask_wsgicors import CORS

cors = CORS()


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = ["https://app.example.com"]
    app.config["CORS_MAX_AGE"] = 600
    app.config.update(config or {})
    cors.init_app(app, expose_headers=["x-request-id"])

    @app.route("/api/hello", methods=["GET", "POST"])
    def hello() -> Any:
        response = jsonify(hello="world")
        response.headers["X-Request-Id"] = "42"
        return response

    return app

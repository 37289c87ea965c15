"""A Flask app with wsgicors' Flask extension.

    pip install -e '.[flask]'                             # in a clone of wsgicors
    python examples/flask_app.py                       # Flask's development server, port 8000
    gunicorn --chdir examples flask_app:app            # or any WSGI server

    curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:8000/api/hello
    curl -i -X OPTIONS -H 'Origin: https://app.example.com' \\
         -H 'Access-Control-Request-Method: PUT' http://127.0.0.1:8000/api/hello
"""

import os

from flask import Flask, abort, jsonify

from flask_wsgicors import CORS, cross_origin

app = Flask(__name__)
app.config["CORS_ORIGINS"] = ["https://app.example.com", "https://*.example.com", "http://localhost:*"]
app.config["CORS_MAX_AGE"] = 600
CORS(app, allow_credentials=True, expose_headers=["x-request-id"])  # keyword arguments win over config


@app.route("/api/hello", methods=["GET", "POST"])
def hello():
    response = jsonify(hello="world")
    response.headers["X-Request-Id"] = "42"
    return response


@app.route("/api/public")
@cross_origin(origins="*", allow_credentials=False)  # any site may read this one
def public():
    return jsonify(public=True)


@app.route("/api/internal")
@cross_origin(enabled=False)  # no CORS at all for this view
def internal():
    return jsonify(internal=True)


@app.route("/api/forbidden")
def forbidden():
    abort(403)


@app.route("/api/boom")
def boom():
    raise RuntimeError("an unhandled error still answers with CORS headers")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))

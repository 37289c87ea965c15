"""A Bottle app with wsgicors' Bottle plugin.

    pip install -e '.[bottle]'                             # in a clone of wsgicors
    python examples/bottle_app.py                      # Bottle's development server, port 8000
    gunicorn --chdir examples bottle_app:app           # or any WSGI server

    curl -i -X OPTIONS -H 'Origin: https://app.example.com' \\
         -H 'Access-Control-Request-Method: PUT' http://127.0.0.1:8000/api/hello
"""

import os

import bottle

from bottle_wsgicors import CORSPlugin

app = bottle.Bottle()
app.install(CORSPlugin(
    origins=["https://app.example.com", "https://*.example.com", "http://localhost:*"],
    allow_credentials=True,
    expose_headers=["x-request-id"],
    max_age=600,
))


@app.route("/api/hello", method=["GET", "POST"])  # preflights work without an OPTIONS route
def hello():
    bottle.response.set_header("X-Request-Id", "42")
    return {"hello": "world"}


@app.route("/api/public", cors={"origins": "*", "allow_credentials": False})  # any site may read it
def public():
    return {"public": True}


@app.route("/api/internal", cors=False)  # no CORS at all for this route
def internal():
    return {"internal": True}


@app.route("/api/forbidden")
def forbidden():
    bottle.abort(401, "log in first")


@app.route("/api/boom")
def boom():
    raise RuntimeError("an unhandled error still answers with CORS headers")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))

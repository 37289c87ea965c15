"""A Bottle app with a route option that does not mean what it says: must not boot under gunicorn."""

import bottle

from bottle_wsgicors import CORSPlugin

app = bottle.Bottle()
app.install(CORSPlugin(origins=["https://app.example.com"]))


@app.route("/internal", cors="false")  # a string, not False: CORS would stay on
def internal():
    return "internal"

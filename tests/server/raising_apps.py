"""Applications whose endpoint raises, for test_errors_under_gunicorn.py (served by real gunicorn)."""

from flask import Flask

from flask_wsgicors import CORS
from wsgicors import CORSMiddleware

ORIGIN = "https://app.example.com"


def _raising(environ, start_response):
    raise RuntimeError("the application failed")


plain = CORSMiddleware(_raising, origins=[ORIGIN])

flask_app = Flask(__name__)
flask_app.config["PROPAGATE_EXCEPTIONS"] = True  # Flask re-raises to the server


@flask_app.route("/boom")
def boom():
    raise RuntimeError("the view failed")


CORS(flask_app, origins=[ORIGIN])

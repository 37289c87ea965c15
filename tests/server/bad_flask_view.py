"""A Flask app whose @cross_origin view conflicts with the app policy: must not boot under gunicorn."""

from flask import Flask

from flask_wsgicors import CORS, cross_origin

app = Flask(__name__)
CORS(app, origins=["https://app.example.com"], allow_credentials=True)


@app.route("/wild")
@cross_origin(origins="*")  # '*' cannot take the app's credentials
def wild():
    return "wild"

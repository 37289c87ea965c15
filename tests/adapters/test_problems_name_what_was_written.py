"""A configuration problem names every option as the user wrote it: a config key, a route key or a keyword.

An option mentioned in a message or hint (``'*' cannot be combined with
allow_credentials=True``) is spelt as it was set: ``CORS_ALLOW_CREDENTIALS`` in
a Flask config, ``cors.allow_credentials`` in a Bottle ``app.config`` or a
route's ``cors={...}``, and the keyword only when a keyword set it.
"""

import re

import bottle
import pytest
from flask import Blueprint, Flask

from bottle_wsgicors import CORSPlugin
from flask_wsgicors import CORS, cross_origin
from wsgicors import ConfigError, CORSConfigWarning
from wsgicors.errors import Problem
from wsgicors.settings import policy_from_settings

SITE = "https://a.example"


def flask_config_app():
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS="*", CORS_ALLOW_CREDENTIALS=True)
    CORS(app)


def flask_keyword_app():
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS="*")
    CORS(app, allow_credentials=True)


def flask_view_over_config():
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS=[SITE], CORS_ALLOW_CREDENTIALS=True)
    CORS(app)
    app.add_url_rule("/v", "v", cross_origin(origins="*")(lambda: "v"))


def flask_blueprint_over_config():
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS=[SITE], CORS_ALLOW_CREDENTIALS=True)
    CORS(app)
    blueprint = Blueprint("bp", __name__)
    CORS(blueprint, origins="*")
    app.register_blueprint(blueprint)


def flask_view_over_keywords():
    app = Flask(__name__)
    CORS(app, origins=[SITE], allow_credentials=True)
    app.add_url_rule("/v", "v", cross_origin(origins="*")(lambda: "v"))


def flask_insecure_origin_in_config():
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS=["http://plain.example"], CORS_ALLOW_CREDENTIALS=True)
    CORS(app)


def bottle_config_app():
    app = bottle.Bottle()
    app.config.update({"cors.origins": "*", "cors.allow_credentials": "true"})
    app.install(CORSPlugin())


def bottle_route_over_config():
    app = bottle.Bottle()
    app.config["cors.allow_credentials"] = "true"
    app.install(CORSPlugin(origins=[SITE]))
    app.route("/x", callback=lambda: "x", cors={"origins": "*"})


def bottle_route_own_keys():
    app = bottle.Bottle()
    app.install(CORSPlugin(origins=[SITE]))
    app.route("/x", callback=lambda: "x", cors={"origins": "*", "allow_credentials": True})


def bottle_route_over_keywords():
    app = bottle.Bottle()
    app.install(CORSPlugin(origins=[SITE], allow_credentials=True))
    app.route("/x", callback=lambda: "x", cors={"origins": "*"})


@pytest.mark.parametrize("build, written", [
    (flask_config_app, "CORS_ALLOW_CREDENTIALS=True"),
    (flask_view_over_config, "CORS_ALLOW_CREDENTIALS=True"),
    (flask_blueprint_over_config, "CORS_ALLOW_CREDENTIALS=True"),
    (flask_insecure_origin_in_config, "CORS_ALLOW_INSECURE_ORIGINS=True"),
    (bottle_config_app, "cors.allow_credentials=True"),
    (bottle_route_over_config, "cors.allow_credentials=True"),
    (bottle_route_own_keys, "cors.allow_credentials=True"),
    (flask_keyword_app, " allow_credentials=True"),
    (flask_view_over_keywords, " allow_credentials=True"),
    (bottle_route_over_keywords, " allow_credentials=True"),
])
def test_a_problem_names_each_option_as_it_was_written(build, written):
    with pytest.raises(ConfigError) as caught:
        build()
    text = str(caught.value)
    assert written in text
    if not written.startswith(" "):  # a key was written: never the keyword's spelling
        assert not re.search(r"[ (]allow_(credentials|insecure_origins)=", text), text


def test_settings_name_the_keys_in_messages_and_hints():
    with pytest.raises(ConfigError) as caught:
        policy_from_settings({"cors.origins": "*", "cors.allow_credentials": "true"}, "cors.")
    (problem,) = caught.value.problems
    assert problem.option == "cors.origins"
    assert "cors.allow_credentials=True" in problem.message
    assert "cors.allow_credentials=False" in problem.hint


@pytest.mark.parametrize("text, expected", [
    ("cannot be combined with allow_credentials=True", "cannot be combined with KEY=True"),
    ("list the trusted origins explicitly", "list the trusted origins explicitly"),  # a word, not a mention
    ("cors.allow_credentials=True", "cors.allow_credentials=True"),                  # already a key
    ("my_allow_credentials=1", "my_allow_credentials=1"),
])
def test_only_name_equals_mentions_are_respelt(text, expected):
    problem = Problem("origins", text, text, "wsgicors.E104").spelt({"allow_credentials": "KEY"})
    assert (problem.message, problem.hint) == (expected, expected)


ANYONE = re.compile(r"https://.*")  # admits every https origin: warned about (W101, W102)


@pytest.mark.parametrize("config, keywords, written", [
    ({"CORS_ORIGINS": [ANYONE]}, {}, "CORS_ORIGINS"),
    ({}, {"origins": [ANYONE]}, "origins"),
])
def test_a_warning_names_the_option_as_it_was_written(config, keywords, written):
    app = Flask(__name__)
    app.config.update(config)
    with pytest.warns(CORSConfigWarning) as caught:
        CORS(app, **keywords)
    texts = [str(warning.message) for warning in caught]
    assert texts and all(text.startswith(f"{written}: ") for text in texts), texts
    assert any(f"use {written}='*'" in text for text in texts), texts

"""``wsgicors.wrap``: CORS around an unmodified app named on a server's command line."""

import pathlib

import pytest

import wsgicors
from wsgicors import ConfigError, CORSMiddleware
from wsgicors.wrapper import load_app, wrap

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
A = "https://app.example.com"


@pytest.fixture(autouse=True)
def examples_importable(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))


def test_wrap_is_exported_from_the_package():
    assert wsgicors.wrap is wrap


def test_wrap_loads_the_app_by_name_and_applies_the_options(browser):
    app = wrap("unmodified_app:app", origins=[A], max_age=600)
    assert isinstance(app, CORSMiddleware)
    preflight = browser(app).preflight("/api/hello")
    assert preflight.status_int == 204
    assert preflight.headers["Access-Control-Max-Age"] == "600"
    assert browser(app).request("/api/missing").headers["Access-Control-Allow-Origin"] == A


def test_wrap_takes_an_app_object():
    import unmodified_app

    assert wrap(unmodified_app.app, origins=[A]).app is unmodified_app.app


def test_wrap_reads_text_values_like_settings_files(browser):
    app = wrap("unmodified_app:app", origins="https://app.example.com https://b.example",
               allow_credentials="true", max_age="30")
    preflight = browser(app, "https://b.example").preflight("/api/hello")
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert preflight.headers["Access-Control-Max-Age"] == "30"


def test_wrap_takes_rules_as_literals(browser):
    app = wrap("unmodified_app:app", rules=[("/api/*", {"origins": [A]})])
    assert browser(app).request("/api/hello").headers["Access-Control-Allow-Origin"] == A
    assert "Vary" not in browser(app).request("/other").headers


@pytest.mark.parametrize("options, option", [
    ({"origins": [A], "max_age": "soon"}, "max_age"),
    ({"origins": "*", "allow_credentials": True}, "origins"),
    ({"origins": [A], "allow_credential": True}, "allow_credential"),
    ({}, "origins"),
])
def test_bad_options_raise_one_config_error_naming_them(options, option):
    with pytest.raises(ConfigError) as raised:
        wrap("unmodified_app:app", **options)
    assert option in [problem.option for problem in raised.value.problems]


@pytest.mark.parametrize("target, error", [
    ("no_such_module_here:app", ImportError),
    ("unmodified_app:missing", ValueError),
    ("unmodified_app:json", TypeError),
    (":app", ValueError),
])
def test_bad_targets_are_reported(target, error):
    with pytest.raises(error):
        load_app(target)

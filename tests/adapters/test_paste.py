"""PasteDeploy: ``[filter:cors] use = egg:wsgicors`` loaded with paste.deploy.loadapp."""

import pathlib

import pytest
from paste.deploy import loadapp

from wsgicors import ConfigError

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
A = "https://app.example.com"

PIPELINE = """
[pipeline:main]
pipeline = cors api

[filter:cors]
use = {use}
{options}

[app:api]
use = call:unmodified_app:app_factory
"""


@pytest.fixture(autouse=True)
def examples_importable(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))


def load(tmp_path, options, use="egg:wsgicors"):
    ini = tmp_path / "app.ini"
    ini.write_text(PIPELINE.format(options=options, use=use))
    return loadapp(f"config:{ini}")


def test_the_example_ini_answers_preflights_and_decorates_responses(browser):
    app = loadapp(f"config:{EXAMPLES / 'paste.ini'}")
    preflight = browser(app, "https://shop.example.com").preflight("/api/hello", "PUT", headers="content-type")
    assert preflight.status_int == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert preflight.headers["Access-Control-Max-Age"] == "600"
    actual = browser(app).request("/api/hello")
    assert actual.json == {"hello": "world"}
    assert actual.headers["Access-Control-Allow-Credentials"] == "true"
    assert actual.headers["Access-Control-Expose-Headers"] == "x-request-id"
    missing = browser(app).request("/api/missing")
    assert missing.status_int == 404
    assert missing.headers["Access-Control-Allow-Origin"] == A


def test_comma_separated_lists_work_too(tmp_path, browser):
    app = load(tmp_path, "origins = https://a.example, https://app.example.com\nmethods = GET, PATCH")
    response = browser(app).preflight("/api/hello", "PATCH")
    assert response.headers["Access-Control-Allow-Methods"] == "GET, PATCH"


@pytest.mark.parametrize("options, key", [
    ("origins = https://app.example.com\nmax_age = soon", "max_age"),
    ("origins = https://app.example.com\nallow_credentials = maybe", "allow_credentials"),
    ("origins = https://app.example.com:443", "origins"),
    ("origins = https://app.example.com\norigin = https://b.example", "origin"),
    ("max_age = 5", "origins"),
])
def test_bad_option_raises_config_error_at_load_time_naming_it(tmp_path, options, key):
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, options)
    assert key in [problem.option for problem in raised.value.problems]


def test_a_wsgicors_07_ini_loads_and_each_old_option_name_is_told_the_new_one(tmp_path):
    """0.7's ini files said ``use = egg:wsgicors#middleware``: the name still loads the filter."""
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, "origin = https://app.example.com\ncredentials = true\nmaxage = 600",
             use="egg:wsgicors#middleware")
    hints = {problem.option: problem.hint for problem in raised.value.problems}
    assert "did you mean 'origins'?" in hints["origin"]
    assert "did you mean 'allow_credentials'?" in hints["credentials"]
    assert "did you mean 'max_age'?" in hints["maxage"]


def test_the_07_entry_point_name_loads_the_same_filter(tmp_path, browser):
    app = load(tmp_path, "origins = https://app.example.com", use="egg:wsgicors#middleware")
    assert browser(app).preflight("/api/hello", "PUT").status_int == 204

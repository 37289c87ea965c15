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


@pytest.mark.parametrize("target, greeting", [
    ("unmodified_app:create_app()", "world"),
    ("unmodified_app:create_app('you')", "you"),
    ('unmodified_app:create_app(greeting="named")', "named"),
    (" unmodified_app : create_app ( ) ", "world"),
])
def test_an_app_factory_is_called_with_literal_arguments_as_gunicorn_does(browser, target, greeting):
    import json

    app = wrap(target, origins=[A])
    response = browser(app).request("/api/hello")
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert json.loads(response.body) == {"hello": greeting}


def test_a_dotted_name_reaches_an_attribute_of_an_attribute():
    import unmodified_app

    assert load_app("unmodified_app:create_app.__call__()")({"PATH_INFO": "/api/hello"}, lambda *a: None)
    assert load_app("unmodified_app:app") is unmodified_app.app


@pytest.mark.parametrize("target, says", [
    ("unmodified_app:create_app", "if it is an app factory, call it: 'unmodified_app:create_app()'"),
    ("unmodified_app:app_factory", "cannot take (environ, start_response)"),
    ("unmodified_app:json.dumps", "cannot take (environ, start_response)"),
    ("unmodified_app:create_app('a', 'b', 'c')", "cannot be called with these arguments"),
])
def test_a_target_that_is_not_a_wsgi_app_is_refused_at_load_time(target, says):
    with pytest.raises(TypeError) as raised:
        load_app(target)
    assert says in str(raised.value)
    assert "WSGI application" in str(raised.value) or "factory" in str(raised.value)


def test_a_factory_returning_something_else_is_refused_naming_what_it_returned():
    with pytest.raises(TypeError, match=r"json\.loads\(\.\.\.\) returned dict, which is not a WSGI application"):
        load_app("unmodified_app:json.loads('{}')")


@pytest.mark.parametrize("target", [
    "unmodified_app:create_app(__import__('os'))",     # not a literal: never evaluated
    "unmodified_app:create_app(*['x'])",
    "unmodified_app:create_app(**{'greeting': 'x'})",
    "unmodified_app:create_app(",
    "unmodified_app:create_app()()",
    "unmodified_app:1",
])
def test_only_names_and_calls_with_literal_arguments_are_read(target):
    with pytest.raises(ValueError):
        load_app(target)


def test_the_check_command_loads_the_same_targets(tmp_path, monkeypatch, capsys):
    from wsgicors.cli import main

    monkeypatch.chdir(EXAMPLES)
    status = main(["check", "http://api.test/api/hello", "--origin", A,
                   "--app", "unmodified_app:create_app('check')"])
    assert status == 1, "the factory's app has no CORS: blocked, but loaded"
    assert "Traceback" not in capsys.readouterr().err
    assert main(["check", "http://api.test/api/hello", "--origin", A, "--app", "unmodified_app:create_app"]) == 2
    assert "if it is an app factory, call it" in capsys.readouterr().err


def test_wrap_reads_rule_options_as_text_like_its_own_options(browser):
    app = wrap("unmodified_app:app", rules=[
        ("/api/*", {"origins": "https://app.example.com", "max_age": "600", "allow_credentials": "false"}),
    ])
    preflight = browser(app).preflight("/api/hello")
    assert preflight.headers["Access-Control-Max-Age"] == "600"
    assert "Access-Control-Allow-Credentials" not in preflight.headers


def test_wrap_rule_problems_name_the_rule_and_come_in_one_error():
    with pytest.raises(ConfigError) as raised:
        wrap("unmodified_app:app", rules=[
            ("/a/*", {"origins": [A], "max_age": "soon"}),
            ("/b/*", {"origins": "*", "allow_credentials": "yes"}),
            ("c", {"origins": [A]}),
        ])
    assert [(p.option, p.code) for p in raised.value.problems] == [
        ("rules[0].max_age", "wsgicors.E601"), ("rules[1].origins", "wsgicors.E104"), ("rules[2]", "wsgicors.E502")]


@pytest.mark.parametrize("target", ["unmodified_app:app", "object"], ids=["by-name", "app-object"])
@pytest.mark.parametrize("given", [
    {"rules": [("/*", {"origins": A})]},
    {"policy": wsgicors.Policy(origins=[A])},
], ids=["rules", "policy"])
def test_wrap_refuses_policy_options_with_rules_or_policy_as_cors_middleware_does(target, given):
    app = load_app("unmodified_app:app") if target == "object" else target
    with pytest.raises(ConfigError) as raised:
        wrap(app, allow_credentials=True, **given)
    with pytest.raises(ConfigError) as middleware:
        CORSMiddleware(load_app("unmodified_app:app"), allow_credentials=True, **given)
    assert [(p.option, p.code) for p in raised.value.problems] == [("rules", "wsgicors.E500")]
    assert raised.value.problems == middleware.value.problems


def test_wrap_reports_an_unknown_name_before_the_rules_conflict_as_cors_middleware_does():
    with pytest.raises(ConfigError) as raised:
        wrap("unmodified_app:app", rules=[("/*", {"origins": A})], supports_credentials=True)
    assert [(p.option, p.code) for p in raised.value.problems] == [("supports_credentials", "wsgicors.E600")]

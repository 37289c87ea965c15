"""The README's integration recipes run as written and do what they say."""

import ast
import pathlib
import re

import bottle
import pytest
from flask import Blueprint, Flask
from pyramid.config import Configurator

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECTION = (ROOT / "README.md").read_text(encoding="utf-8").split("## Integrations")[1].split("\n## ")[0]
A = "https://app.example.com"
PARTNER = "https://partner.example"


def block(language, after):
    """The first ``language`` code block following the text ``after``."""
    return SECTION.split(after, 1)[1].split(f"```{language}\n", 1)[1].split("```", 1)[0]


def run(source, **namespace):
    exec(compile(source.replace(": ...", ": return 'ok'"), "README", "exec"), namespace)
    return namespace


def test_flask_recipe(browser):
    app, blueprint = Flask(__name__), Blueprint("partners", __name__, url_prefix="/partners")
    blueprint.add_url_rule("/list", "listing", lambda: "list")
    run(block("python", "**Flask**"), app=app, blueprint=blueprint)
    app.register_blueprint(blueprint)
    assert browser(app, "https://any.example").request("/public").headers["Access-Control-Allow-Origin"] == "*"
    assert browser(app, PARTNER).request("/partners/list").headers["Access-Control-Allow-Origin"] == PARTNER
    assert browser(app).preflight("/anything").headers["Access-Control-Allow-Credentials"] == "true"


def test_flask_app_factory_recipe(browser):
    namespace = run(block("python", "**Flask app factory**"), __name__="readme_factory")
    first, second = namespace["create_app"](), namespace["create_app"]()
    for app in (first, second):
        app.add_url_rule("/api/hello", "hello", lambda: "hello")
        preflight = browser(app).preflight("/api/hello")
        assert preflight.status_int == 204 and preflight.headers["Access-Control-Max-Age"] == "600"
        assert browser(app).request("/api/hello").headers["Access-Control-Allow-Origin"] == A
        assert browser(app, "https://evil.example").preflight("/api/hello").status_int == 403


def test_flask_factory_example_serves_cors(browser, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    import flask_factory

    app = flask_factory.create_app({"CORS_ORIGINS": [PARTNER]})
    response = browser(app, PARTNER).request("/api/hello")
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    assert response.headers["Access-Control-Expose-Headers"] == "x-request-id"
    assert browser(flask_factory.create_app()).request("/api/hello").headers["Access-Control-Allow-Origin"] == A


def test_gunicorn_commands_in_the_readme_are_the_ones_the_server_tests_run():
    from server.test_gunicorn_examples import EXAMPLE_TARGETS

    served = [target for targets in EXAMPLE_TARGETS.values() for target in targets]
    commands = re.findall(r"gunicorn --chdir examples '([^']+)'", (ROOT / "README.md").read_text())
    assert commands, "the README shows how to serve an example"
    for target in commands:
        assert target in served, target


def test_bottle_recipe(browser):
    app = bottle.Bottle()
    run(block("python", "**Bottle**"), app=app)
    assert browser(app, PARTNER).preflight("/partner").status_int == 204
    assert browser(app).preflight("/partner").status_int == 403
    assert browser(app).preflight("/elsewhere").headers["Access-Control-Max-Age"] == "600"


def test_pyramid_recipe(browser):
    ini = block("ini", "**Pyramid**")
    settings = {}
    for key, value in re.findall(r"^(\S+) = (.*(?:\n +.*)*)", ini, re.M):
        settings[key] = value
    assert settings.pop("pyramid.includes") == "pyramid_wsgicors"
    with Configurator(settings=settings) as config:
        run(block("python", "**Pyramid**"), config=config)
        app = config.make_wsgi_app()
    assert browser(app, "https://shop.example.com").preflight("/x").headers["Access-Control-Max-Age"] == "600"
    assert browser(app, "https://any.example").preflight("/public/x").headers["Access-Control-Allow-Origin"] == "*"


def test_gunicorn_recipe_is_a_literal_wrap_call(monkeypatch, browser):
    import wsgicors

    command = block("sh", "**gunicorn, app unchanged**").strip()
    target = command.split("'")[1]
    module, call = target.split(":", 1)
    expression = ast.parse(call, mode="eval").body
    assert (module, expression.func.id) == ("wsgicors", "wrap")
    args = [ast.literal_eval(arg) for arg in expression.args]
    kwargs = {keyword.arg: ast.literal_eval(keyword.value) for keyword in expression.keywords}
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    app = wsgicors.wrap("unmodified_app:app", **kwargs)
    assert args == ["myproject.wsgi:application"]
    assert browser(app).preflight("/api/hello").headers["Access-Control-Max-Age"] == "600"


@pytest.mark.parametrize("extra", ["flask", "bottle", "pyramid"])
def test_install_extras_named_in_the_recipes_exist(extra):
    setup = (ROOT / "setup.cfg").read_text()
    assert f"pip install -e '.[{extra}]'" in SECTION
    assert re.search(rf"^{extra} =", setup, re.M)

"""Each option is declared once (wsgicors.options.OPTIONS); everything else derives from it.

These tests iterate the declarations, so a new option is covered by adding it
and its example: settable from text settings, Flask config, Pyramid settings
and PasteDeploy; in the signature, ``help(Policy)``, ``repr`` and the README.
"""

import inspect
import pydoc
from pathlib import Path

import flask
import pytest
from flask_wsgicors import CORS
from pyramid.config import Configurator
from pyramid_wsgicors import _Configuration

from wsgicors import ConfigError, Policy, policy_from_settings
from wsgicors.options import OPTIONS, markdown_table
from wsgicors.paste import filter_factory

ROOT = Path(__file__).resolve().parents[2]
BASE = {"origins": "https://app.example"}


def shown(policy, option):
    value = getattr(policy, option.attribute or option.name)
    return value.describe() if hasattr(value, "describe") else value


def settings_with(option, key):
    settings = {key("origins"): BASE["origins"]}
    settings[key(option.name)] = option.example[0]
    return settings


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_every_option_is_settable_from_text_settings(option):
    policy = policy_from_settings(settings_with(option, lambda name: "cors." + name), "cors.")
    assert shown(policy, option) == option.example[1]


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_every_option_is_settable_from_flask_config(option):
    app = flask.Flask(__name__)
    app.config.update(settings_with(option, lambda name: "CORS_" + name.upper()))
    CORS(app)
    assert shown(CORS.policy_for(app, {"PATH_INFO": "/"}), option) == option.example[1]


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_every_option_is_settable_from_pyramid_settings(option):
    settings = settings_with(option, lambda name: "cors." + name)
    with Configurator(settings=settings) as config:
        config.include("pyramid_wsgicors")
    assert shown(_Configuration(settings).default, option) == option.example[1]


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_every_option_is_settable_from_a_paste_filter_section(option):
    middleware = filter_factory({}, **settings_with(option, str))(lambda environ, start_response: [])
    assert shown(middleware.policy_for({"PATH_INFO": "/"}), option) == option.example[1]


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_every_option_is_a_parameter_of_policy_with_its_default(option):
    parameter = inspect.signature(Policy).parameters[option.name]
    assert parameter.default == option.default


def test_origins_is_the_only_positional_parameter():
    kinds = [p.kind for p in inspect.signature(Policy).parameters.values()]
    assert kinds[0] is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert set(kinds[1:-1]) == {inspect.Parameter.KEYWORD_ONLY}
    assert kinds[-1] is inspect.Parameter.VAR_KEYWORD  # unknown names: a ConfigError with a hint
    assert Policy(BASE["origins"]).matcher.allows(BASE["origins"])


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_help_policy_documents_every_option(option):
    text = pydoc.render_doc(Policy, renderer=pydoc.plaintext)
    assert f"{option.name}: {option.type} (default" in text


@pytest.mark.parametrize("option", OPTIONS[1:], ids=lambda o: o.name)
def test_repr_shows_an_option_that_differs_from_its_default(option):
    policy = policy_from_settings({**BASE, option.name: option.example[0]})
    assert f"{option.name}=" in repr(policy)
    assert f"{option.name}=" not in repr(Policy(**BASE))


def test_readme_options_table_is_the_declarations():
    assert markdown_table() in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_adapters_guide_lists_every_flask_config_key(option):
    """docs/adapters.md lists the Flask keys by hand (CORS_VARY was missing)."""
    listed = (ROOT / "docs" / "adapters.md").read_text(encoding="utf-8").split("Configuration keys are", 1)[1]
    assert f"`CORS_{option.name.upper()}`" in listed.split("Values", 1)[0]


@pytest.mark.parametrize("value, hint", [("600", "pass an int, e.g. max_age=600"), (" 30 ", "pass an int, e.g. max_age=30")])
def test_a_whole_number_written_as_text_in_code_is_told_to_pass_an_int(value, hint):
    with pytest.raises(ConfigError) as raised:
        Policy(origins=["https://app.example.com"], max_age=value)
    (problem,) = raised.value.problems
    assert (problem.code, problem.hint) == ("wsgicors.E400", hint)


def test_text_that_is_no_number_keeps_the_browsers_cap_hint():
    with pytest.raises(ConfigError) as raised:
        Policy(origins=["https://app.example.com"], max_age="soon")
    assert "browsers cap it" in raised.value.problems[0].hint

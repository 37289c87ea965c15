"""Keywords that take True or False refuse anything else, and a Pyramid path or route policy's problems
name its directive.

Text such as ``"false"`` is truthy: read as Python, ``enabled="false"`` would
silently leave CORS on where the user meant to turn it off, as a Bottle
route's ``cors="false"`` would (E710). Every adapter's ``enabled`` refuses it
instead (E200), naming where it was written, and the hint of every such
keyword names the bool the text means (it used to offer ``allow_credentials=True``
for ``allow_credentials="false"``).
"""

import pytest
from flask import Blueprint, Flask
from pyramid.config import Configurator
from pyramid.response import Response

from flask_wsgicors import CORS, cross_origin
from wsgicors import ConfigError, CORSConfigWarning, CORSMiddleware, Policy

SITE = "https://a.example"
#: (value, the bool the hint offers): text is read as it reads in settings files, anything else as Python does
NOT_A_BOOL = [("false", False), ("off", False), ("no", False), ("true", True), (0, False), (1, True), (None, False)]


def pyramid_app(declare, settings=None):
    with Configurator(settings=settings or {"cors.origins": SITE, "cors.allow_credentials": "true"}) as config:
        config.include("pyramid_wsgicors")
        config.add_route("items", "/api/items")
        config.add_view(lambda request: Response("items"), route_name="items")
        declare(config)
        return config.make_wsgi_app()


def flask_view(enabled):
    cross_origin(enabled=enabled)


def flask_app(enabled):
    CORS(Flask(__name__), origins=[SITE], enabled=enabled)


def flask_blueprint(enabled):
    CORS(Blueprint("bp", __name__), origins=[SITE], enabled=enabled)


def pyramid_route(enabled):
    pyramid_app(lambda config: config.add_cors_policy(route_name="items", enabled=enabled))


def pyramid_path(enabled):
    pyramid_app(lambda config: config.add_cors_policy("/internal/*", enabled=enabled))


@pytest.mark.parametrize("value, meant", NOT_A_BOOL)
@pytest.mark.parametrize("declare, written", [
    (flask_view, "@cross_origin(): enabled"),
    (flask_app, "CORS(): enabled"),
    (flask_blueprint, "CORS(): enabled"),
    (pyramid_route, "config.add_cors_policy(route_name='items'): enabled"),
    (pyramid_path, "config.add_cors_policy('/internal/*'): enabled"),
])
def test_enabled_that_is_not_a_bool_is_refused_where_it_was_written(declare, written, value, meant):
    with pytest.raises(ConfigError) as raised:
        declare(value)
    [problem] = raised.value.problems
    assert (problem.option, problem.code) == (written, "wsgicors.E200")
    assert repr(value) in problem.message
    assert problem.hint == f"pass a bool, e.g. enabled={meant}"


@pytest.mark.parametrize("keyword", ["allow_credentials", "allow_private_network", "allow_insecure_origins", "debug"])
@pytest.mark.parametrize("value, meant", NOT_A_BOOL)
def test_a_bool_option_written_as_text_in_code_is_told_the_bool_it_means(keyword, value, meant):
    """Policy(allow_credentials="false") was told 'e.g. allow_credentials=True': the opposite of what was meant."""
    with pytest.raises(ConfigError) as raised:
        Policy(origins=SITE, **{keyword: value})
    assert [(p.option, p.code, p.hint) for p in raised.value.problems] == [
        (keyword, "wsgicors.E200", f"pass a bool, e.g. {keyword}={meant}")]


@pytest.mark.parametrize("value, meant", NOT_A_BOOL)
def test_propagate_exceptions_written_as_text_is_told_the_bool_it_means(value, meant):
    with pytest.raises(ConfigError) as raised:
        CORSMiddleware(lambda environ, start_response: [], origins=SITE, propagate_exceptions=value)
    assert [(p.option, p.code, p.hint) for p in raised.value.problems] == [
        ("propagate_exceptions", "wsgicors.E200", f"pass a bool, e.g. propagate_exceptions={meant}")]


@pytest.mark.parametrize("declare", [flask_view, flask_app, flask_blueprint, pyramid_route, pyramid_path])
@pytest.mark.parametrize("value", [True, False])
def test_enabled_true_or_false_is_accepted(declare, value):
    declare(value)


@pytest.mark.parametrize("declare, option, code", [
    (lambda config: config.add_cors_policy("api/*", origins=[SITE]),
     "config.add_cors_policy('api/*'): path", "wsgicors.E502"),
    (lambda config: config.add_cors_policy("/public/*", origins="*"),
     "config.add_cors_policy('/public/*'): origins", "wsgicors.E104"),
    (lambda config: config.add_cors_policy(route_name="items", origins="*"),
     "config.add_cors_policy(route_name='items'): origins", "wsgicors.E104"),
    (lambda config: config.add_cors_policy("/public/*", orgins="*"),
     "config.add_cors_policy('/public/*'): orgins", "wsgicors.E600"),
    (lambda config: config.include(lambda inner: inner.add_cors_policy("/x/*", origins=[SITE]),
                                   route_prefix="/{tenant}"),
     "config.add_cors_policy('/x/*')", "wsgicors.E701"),
])
def test_a_path_or_route_policy_problem_names_its_directive(declare, option, code):
    """Several add_cors_policy calls may be wrong; each problem says which one (Flask names the view or
    blueprint, Bottle the route), and a pattern's problem names the path, not the core's rules[0]."""
    with pytest.raises(ConfigError) as raised:
        pyramid_app(declare)
    assert [(p.option, p.code) for p in raised.value.problems] == [(option, code)]


def test_the_app_wide_policy_problem_names_the_option_alone():
    with pytest.raises(ConfigError) as raised:
        pyramid_app(lambda config: config.add_cors_policy(origins="*"))
    assert [p.option for p in raised.value.problems] == ["origins"]


def test_a_path_policy_an_earlier_one_shadows_is_named_in_a_warning():
    def declare(config):
        config.add_cors_policy("/api/*", origins="*", allow_credentials=False)
        config.add_cors_policy("/api/public/*", enabled=False)

    with pytest.warns(CORSConfigWarning, match=r"'/api/public/\*' never applies.*wsgicors\.W104"):
        pyramid_app(declare)

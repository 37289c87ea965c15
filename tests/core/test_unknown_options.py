"""An unknown option, wherever it is written, is a ConfigError naming it, the entry point and the option meant."""

import bottle
import flask
import pytest
from bottle_wsgicors import CORSPlugin
from flask_wsgicors import CORS, cross_origin
from pyramid.config import Configurator

from wsgicors import ConfigError, CORSMiddleware, Policy, policy_from_settings, wrap
from wsgicors.options import BY_NAME, FOREIGN_NAMES, unknown_option_hint
from wsgicors.paste import filter_factory

GOOD = "https://app.example.com"


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def flask_config(name):
    application = flask.Flask(__name__)
    application.config.update({"CORS_ORIGINS": [GOOD], name: True})
    CORS(application)


def pyramid_settings(name):
    with Configurator(settings={"cors.origins": GOOD, name: "true"}) as config:
        config.include("pyramid_wsgicors")


def add_cors_policy(name):
    with Configurator(settings={}) as config:
        config.include("pyramid_wsgicors")
        config.add_cors_policy(origins=[GOOD], **{name: True})


def bottle_route(name):
    application = bottle.Bottle()
    plugin = CORSPlugin(origins=[GOOD])
    application.install(plugin)
    route = application.route("/", cors={}, **{"cors." + name: True})(lambda: "ok")
    plugin.route_policy(application.routes[-1])
    return route


def reconfigure(name):
    CORSMiddleware(app, origins=[GOOD]).reconfigure(**{name: True})


# entry point -> (call with an unknown name, what the error calls the entry point, how the name is written)
ENTRY_POINTS = {
    "Policy": (lambda n: Policy(origins=[GOOD], **{n: True}), "Policy()", str),
    "Policy.replace": (lambda n: Policy(origins=[GOOD]).replace(**{n: True}), "Policy.replace()", str),
    "CORSMiddleware": (lambda n: CORSMiddleware(app, origins=[GOOD], **{n: True}), "CORSMiddleware()", str),
    "reconfigure": (reconfigure, "reconfigure()", str),
    "wrap": (lambda n: wrap(app, origins=[GOOD], **{n: True}), "wrap()", str),
    "rules": (lambda n: CORSMiddleware(app, rules=[("/*", {"origins": [GOOD], n: True})]),
              "a rule's options", lambda n: f"rules[0].{n}"),
    "CORS": (lambda n: CORS(flask.Flask(__name__), origins=[GOOD], **{n: True}), "CORS()", str),
    "init_app": (lambda n: CORS().init_app(flask.Flask(__name__), origins=[GOOD], **{n: True}), "init_app()", str),
    "cross_origin": (lambda n: cross_origin(origins=[GOOD], **{n: True}), "@cross_origin()", str),
    "Flask app.config": (lambda n: flask_config("CORS_" + n.upper()), "Flask app.config",
                         lambda n: "CORS_" + n.upper()),
    "CORSPlugin": (lambda n: CORSPlugin(origins=[GOOD], **{n: True}), "CORSPlugin()", str),
    "Bottle route": (bottle_route, "the route's cors.* config", lambda n: f"cors.{n}"),
    "Pyramid settings": (lambda n: pyramid_settings("cors." + n), "the Pyramid settings", lambda n: f"cors.{n}"),
    "add_cors_policy": (add_cors_policy, "config.add_cors_policy()", str),
    "PasteDeploy": (lambda n: filter_factory({}, origins=GOOD, **{n: "true"}), "the PasteDeploy filter section", str),
    "policy_from_settings": (lambda n: policy_from_settings({"origins": GOOD, n: "true"}), "the CORS settings", str),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_unknown_option_names_what_was_written_where_and_what_was_meant(entry):
    call, called, written = ENTRY_POINTS[entry]
    with pytest.raises(ConfigError) as error:
        call("allow_origin")
    problems = [p for p in error.value.problems if p.code == "wsgicors.E600"]
    assert len(problems) == 1, error.value
    problem = problems[0]
    assert problem.option.endswith(written("allow_origin"))
    assert f"not an option of {called}" in problem.message
    meant = "CORS_ORIGINS" if entry == "Flask app.config" else (
        "cors.origins" if entry in ("Bottle route", "Pyramid settings") else "origins")
    assert f"did you mean {meant!r}?" in problem.hint
    assert "insecure" not in str(error.value)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_no_bare_type_error_names_policy_init(entry):
    call = ENTRY_POINTS[entry][0]
    with pytest.raises(ConfigError) as error:
        call("allowed_origins")
    assert "__init__" not in str(error.value)


# Other libraries' names -> the hint (ours, or what we do instead).
FOREIGN = [
    # flask-cors
    ("resources", "use rules=[('/api/*', {...})] on CORSMiddleware/wrap"),
    ("supports_credentials", "did you mean 'allow_credentials'?"),
    ("send_wildcard", "did you mean 'origins'?"),
    ("vary_header", "no equivalent"),
    ("automatic_options", "no equivalent: preflights are always answered before routing"),
    ("always_send", "no equivalent"),
    # django-cors-headers
    ("CORS_ALLOWED_ORIGINS", "did you mean 'origins'?"),
    ("CORS_ALLOWED_ORIGIN_REGEXES", "re.compile"),
    ("CORS_ALLOW_ALL_ORIGINS", "origins='*'"),
    ("CORS_URLS_REGEX", "use rules=[('/api/*', {...})]"),
    ("CORS_PREFLIGHT_MAX_AGE", "did you mean 'max_age'?"),
    ("CORS_ALLOW_METHODS", "did you mean 'methods'?"),
    ("CORS_ORIGIN_WHITELIST", "did you mean 'origins'?"),
    ("CORS_ORIGIN_ALLOW_ALL", "origins='*'"),
    # Starlette
    ("allow_origins", "did you mean 'origins'? (Starlette's allow_origins)"),
    ("allow_origin_regex", "must match the whole origin"),
    ("allow_methods", "did you mean 'methods'?"),
    # wsgicors 0.7
    ("origin", "did you mean 'origins'?"),
    ("headers", "did you mean 'allow_headers'?"),
    ("maxage", "did you mean 'max_age'?"),
    ("credentials", "did you mean 'allow_credentials'?"),
    # misspellings
    ("allow_credential", "did you mean 'allow_credentials'?"),
    ("orgins", "did you mean 'origins'?"),
    ("max_ages", "did you mean 'max_age'?"),
    ("expose_header", "did you mean 'expose_headers'?"),
    ("allow_insecure_origin", "did you mean 'allow_insecure_origins'?"),
]


@pytest.mark.parametrize("name, hint", FOREIGN)
def test_other_libraries_names_and_misspellings_get_the_option_meant(name, hint):
    with pytest.raises(ConfigError) as error:
        Policy(origins=[GOOD], **{name: True})
    assert hint in error.value.problems[0].hint


@pytest.mark.parametrize("key, hint", [
    ("CORS_ALLOWED_ORIGINS", "did you mean 'CORS_ORIGINS'?"),
    ("CORS_ALLOW_ALL_ORIGINS", "did you mean 'CORS_ORIGINS'?"),
    ("CORS_SUPPORTS_CREDENTIALS", "did you mean 'CORS_ALLOW_CREDENTIALS'?"),
    ("CORS_PREFLIGHT_MAX_AGE", "did you mean 'CORS_MAX_AGE'?"),
    ("CORS_RESOURCES", "CORS(blueprint, ...)"),
])
def test_flask_config_keys_from_other_libraries_get_our_key(key, hint):
    with pytest.raises(ConfigError) as error:
        flask_config(key)
    assert hint in error.value.problems[0].hint


@pytest.mark.parametrize("name", [
    "allow_origin", "allow_origins", "allowed_origins", "allowed_origin", "cors_origins", "ALLOW_ORIGIN",
    "allow-origin", "allow_all_origins", "origin_allow_all", "allow_origin_regex", "allow_all", "allow_any_origin",
    *FOREIGN_NAMES,
])
def test_a_weaker_option_is_never_suggested_unless_asked_for(name):
    assert "mean 'allow_insecure_origins'" not in unknown_option_hint(name)


def test_every_mapped_name_points_at_an_option_or_says_what_to_do():
    for name, (ours, note) in FOREIGN_NAMES.items():
        assert ours in BY_NAME or ours == "rules" or (not ours and note), name


def test_text_settings_report_every_problem_at_once():
    with pytest.raises(ConfigError) as error:
        policy_from_settings({"origins": "https://a.example/", "allow_credentials": "maybe",
                              "max_age": "soon", "allow_origin": "x"})
    assert sorted(p.code for p in error.value.problems) == [
        "wsgicors.E115", "wsgicors.E600", "wsgicors.E601", "wsgicors.E601"]


def _problem(build):
    with pytest.raises(ConfigError) as raised:
        build()
    (problem,) = raised.value.problems
    return problem


@pytest.mark.parametrize("build, offered", [
    (lambda: CORS(flask.Flask(__name__), origins=[GOOD], resources={"/api/*": {}}), "CORS(blueprint, ...)"),
    (lambda: cross_origin(origins=[GOOD], resources={"/api/*": {}}), "@cross_origin(...)"),
    (lambda: CORSPlugin(origins=[GOOD], resources={"/api/*": {}}), "@app.route(path, cors={...})"),
    (lambda: pyramid_directive(resources={"/api/*": {}}), "config.add_cors_policy(path, ...)"),
], ids=["flask-cors", "cross-origin", "bottle-plugin", "pyramid-directive"])
def test_resources_hint_points_to_what_an_entry_point_without_rules_offers(build, offered):
    problem = _problem(build)
    assert problem.code == "wsgicors.E600" and offered in problem.hint and "'rules'" not in problem.hint


def test_resources_hint_still_points_to_rules_where_rules_are_taken():
    assert "did you mean 'rules'?" in _problem(lambda: CORSMiddleware(app, resources={})).hint


@pytest.mark.parametrize("entry", ["Policy", "Policy.replace", "rules", "Flask app.config", "CORSPlugin",
                                   "Bottle route", "Pyramid settings", "add_cors_policy", "PasteDeploy",
                                   "policy_from_settings"])
def test_an_entry_point_that_takes_no_rules_never_suggests_rules(entry):
    call = ENTRY_POINTS[entry][0]
    for name in ("resources", "urls_regex"):
        with pytest.raises(ConfigError) as error:
            call(name)
        (problem,) = [p for p in error.value.problems if p.code == "wsgicors.E600"]
        assert "did you mean" not in problem.hint and "'rules'" not in problem.hint.split(";")[0]


@pytest.mark.parametrize("settings, entry_hint", [
    ({"cors.origins": GOOD, "cors.resources": "/api/*"}, "config.add_cors_policy(path, ...)"),
])
def test_pyramid_settings_name_the_directive_for_resources(settings, entry_hint):
    with pytest.raises(ConfigError) as error:
        with Configurator(settings=settings) as config:
            config.include("pyramid_wsgicors")
    assert entry_hint in error.value.problems[0].hint


def test_paste_resources_hint_says_a_filter_has_one_policy():
    hint = _problem(lambda: filter_factory({}, origins=GOOD, resources="/api/*")).hint
    assert "one policy for every path" in hint and "CORSMiddleware(app, rules=" in hint


def test_always_send_hint_says_star_answers_without_origin():
    assert "origins='*' answers '*' with or without Origin" in unknown_option_hint("always_send")


def pyramid_directive(**options):
    with Configurator(settings={"cors.origins": GOOD}) as config:
        config.include("pyramid_wsgicors")
        config.add_cors_policy(**options)

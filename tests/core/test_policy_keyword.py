"""``policy=`` takes a Policy and ``rules=`` a list of pairs, wherever they are written.

A dict of options or an origin string given as ``policy=`` used to be accepted
and fail at the first request (``AttributeError: 'dict' object has no
attribute 'debug'``) or while the middleware was built; ``rules`` given as a
dict (flask-cors's ``resources`` is one) was reported as "'/api/*' is not a
(path pattern, policy) pair".
"""

import bottle
import pytest
from pyramid.config import Configurator

from bottle_wsgicors import CORSPlugin
from wsgicors import ConfigError, CORSMiddleware, wrap


def app(environ, start_response):
    start_response("200 OK", [])
    return [b""]


def pyramid_app(**directive):
    with Configurator(settings={}) as config:
        config.include("pyramid_wsgicors")
        config.add_cors_policy(**directive)
        return config.make_wsgi_app()


@pytest.mark.parametrize("build, entry", [
    (lambda policy: CORSMiddleware(app, policy=policy), "CORSMiddleware()"),
    (lambda policy: CORSMiddleware(app, origins="*").reconfigure(policy=policy), "reconfigure()"),
    (lambda policy: wrap(app, policy=policy), "wrap()"),
    (lambda policy: bottle.Bottle().install(CORSPlugin(policy=policy)), "CORSPlugin()"),
    (lambda policy: pyramid_app(policy=policy), "config.add_cors_policy()"),
], ids=["middleware", "reconfigure", "wrap", "bottle", "pyramid"])
@pytest.mark.parametrize("policy, how", [
    ({"origins": "*"}, "Policy(**options)"),
    ("https://a.example", "Policy(origins=[...], ...)"),
], ids=["dict", "string"])
def test_a_policy_keyword_that_is_not_a_policy_is_refused_where_it_was_written(build, entry, policy, how):
    with pytest.raises(ConfigError) as raised:
        build(policy)
    assert [(p.option, p.code, p.hint) for p in raised.value.problems] == [(
        "policy", "wsgicors.E501",
        f"pass policy={how}, or give {entry} the options themselves as keyword arguments")]


def test_rules_given_as_a_dict_are_told_to_be_a_list_in_order():
    with pytest.raises(ConfigError) as raised:
        CORSMiddleware(app, rules={"/api/*": {"origins": "*"}})
    [problem] = raised.value.problems
    assert (problem.option, problem.code) == ("rules", "wsgicors.E501")
    assert "rules=list(your_dict.items())" in problem.hint

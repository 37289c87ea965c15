"""docs/design.md §3.1: per-path policies, first match wins, others pass through."""

import pytest

from cors_testing import ALLOWED, OTHER, RecordingApp, client, header_values, preflight_headers
from wsgicors import ConfigError, CORSMiddleware, Policy

RULES = [
    ("/api/public/*", Policy(origins="*")),
    ("/api/*", Policy(origins=[ALLOWED], allow_credentials=True)),
    ("/health", None),
    ("/exact", Policy(origins=[OTHER])),
]


@pytest.mark.parametrize("path, origin, expected", [
    ("/api/public/x", OTHER, "*"),
    ("/api/users", ALLOWED, ALLOWED),
    ("/api/users", OTHER, None),
    ("/api/a/b/c", ALLOWED, ALLOWED),
    ("/api/", ALLOWED, ALLOWED),
    ("/exact", OTHER, OTHER),
    ("/exact/", OTHER, None),
    ("/API/users", ALLOWED, None),
    ("/apiary", ALLOWED, None),
])
def test_first_matching_rule_decides(path, origin, expected):
    response = client(RecordingApp(), rules=RULES).get(path, headers={"Origin": origin})
    assert header_values(response, "Access-Control-Allow-Origin") == ([expected] if expected else [])


@pytest.mark.parametrize("path", ["/health", "/elsewhere", "/"])
def test_paths_outside_every_rule_pass_through_untouched(path):
    response = client(RecordingApp(), rules=RULES).get(path, headers={"Origin": ALLOWED})
    assert [(k, v) for k, v in response.headerlist if k != "Content-Length"] == [("Content-Type", "text/plain")]


def test_preflight_outside_every_rule_reaches_the_app():
    app = RecordingApp()
    client(app, rules=RULES).options("/elsewhere", headers=preflight_headers())
    assert len(app.calls) == 1


def test_rules_match_path_info_not_script_name():
    app = RecordingApp()
    cors = client(app, rules=[("/api/*", Policy(origins=[ALLOWED]))])
    response = cors.get("/api/x", headers={"Origin": ALLOWED}, extra_environ={"SCRIPT_NAME": "/mount"})
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]


def test_rules_accept_a_dict_of_policy_options():
    response = client(RecordingApp(), rules=[("/*", {"origins": [ALLOWED]})]).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]


def test_rule_problems_name_the_rule():
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(RecordingApp(), rules=[("/a/*", {"origins": ["https://a.com/"]}), ("b", Policy(origins="*")),
                                              ("/c", "not a policy")])
    assert [p.option for p in caught.value.problems] == ["rules[0].origins", "rules[1]", "rules[2]"]


def test_rules_and_policy_options_together_are_refused():
    with pytest.raises(ConfigError, match="together"):
        CORSMiddleware(RecordingApp(), rules=RULES, origins=[ALLOWED])


def test_empty_rules_are_refused():
    with pytest.raises(ConfigError, match="no rules"):
        CORSMiddleware(RecordingApp(), rules=[])


def test_a_ready_policy_can_be_passed():
    response = client(RecordingApp(), policy=Policy(origins=[ALLOWED])).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Allow-Origin") == [ALLOWED]

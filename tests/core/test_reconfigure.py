"""reconfigure: the options given change, the rest stay; validated as a whole, swapped atomically."""

import threading

import pytest
from webtest import TestApp

from cors_testing import ALLOWED, OTHER, RecordingApp, header_values, preflight_headers
from wsgicors import ConfigError, CORSMiddleware, Policy


def test_reconfigure_applies_to_the_next_request():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED])
    middleware.reconfigure(origins=[OTHER])
    assert middleware.policy_for({"PATH_INFO": "/"}).origins.allows(OTHER)
    assert not middleware.policy_for({"PATH_INFO": "/"}).origins.allows(ALLOWED)


def _policy(middleware):
    return middleware.policy_for({"PATH_INFO": "/"})


def test_reconfigure_changes_only_the_options_given():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED], methods=["GET"],
                                allow_headers=["x-token"], max_age=60)
    middleware.reconfigure(origins=[OTHER])
    policy = _policy(middleware)
    assert policy.origins.allows(OTHER) and not policy.origins.allows(ALLOWED)
    assert (policy.methods, policy.allow_headers, policy.max_age) == (("GET",), ("x-token",), 60)


def test_reconfigure_never_widens_what_it_was_not_asked_to_change():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED], methods=["GET"], allow_headers=["x-token"])
    middleware.reconfigure(origins=[ALLOWED, OTHER])
    web = TestApp(middleware)
    for headers in (preflight_headers(OTHER, "DELETE"), preflight_headers(OTHER, "GET", "x-other")):
        refused = web.options("/", headers=headers, status=403)
        assert header_values(refused, "Access-Control-Allow-Origin") == []


def test_reconfigure_options_layer_on_a_policy_given_whole():
    middleware = CORSMiddleware(RecordingApp(), policy=Policy(origins=[ALLOWED], max_age=60))
    middleware.reconfigure(expose_headers=["x-request-id"])
    assert (_policy(middleware).max_age, _policy(middleware).expose_headers) == (60, ("x-request-id",))


def test_reconfigure_options_are_validated_together_with_the_kept_ones():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED], allow_credentials=True)
    before = _policy(middleware)
    with pytest.raises(ConfigError) as raised:
        middleware.reconfigure(origins="*")  # credentials are still on
    assert [p.code for p in raised.value.problems] == ["wsgicors.E104"]
    assert _policy(middleware) is before


def test_reconfigure_with_a_policy_replaces_everything():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED], methods=["GET"], max_age=60)
    middleware.reconfigure(policy=Policy(origins=[OTHER]))
    assert (_policy(middleware).max_age, "DELETE" in _policy(middleware).methods) == (None, True)


def test_reconfigure_options_while_rules_are_in_force_are_refused_with_a_hint():
    middleware = CORSMiddleware(RecordingApp(), rules=[("/api/*", Policy(origins=[ALLOWED]))])
    before = middleware.rules
    with pytest.raises(ConfigError) as raised:
        middleware.reconfigure(origins=[OTHER])
    (problem,) = raised.value.problems
    assert problem.code == "wsgicors.E505" and "rules=[" in problem.hint and "policy=" in problem.hint
    assert middleware.rules is before


def test_reconfigure_options_with_policy_or_rules_are_refused():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED])
    with pytest.raises(ConfigError) as raised:
        middleware.reconfigure(policy=Policy(origins=[OTHER]), max_age=5)
    assert [p.code for p in raised.value.problems] == ["wsgicors.E500"]


def test_reconfigure_accepts_rules():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED])
    middleware.reconfigure(rules=[("/api/*", Policy(origins=[OTHER]))])
    assert middleware.policy_for({"PATH_INFO": "/other"}) is None


def test_failed_reconfigure_keeps_the_old_policy():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED])
    before = middleware.policy_for({"PATH_INFO": "/"})
    with pytest.raises(ConfigError):
        middleware.reconfigure(origins="*", allow_credentials=True)
    assert middleware.policy_for({"PATH_INFO": "/"}) is before


def test_reconfigured_middleware_answers_with_the_new_policy():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED])
    web = TestApp(middleware)
    middleware.reconfigure(origins=[OTHER])
    assert header_values(web.get("/", headers={"Origin": OTHER}), "Access-Control-Allow-Origin") == [OTHER]
    assert header_values(web.get("/", headers={"Origin": ALLOWED}), "Access-Control-Allow-Origin") == []


def test_reconfigure_from_two_threads_at_once_keeps_both_changes(monkeypatch):
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED], methods=["GET"], max_age=60)
    replace = Policy.replace
    other = []

    def replace_while_another_thread_reconfigures(policy, **changes):
        if not other:  # the first call: another reconfigure starts between our read and our write
            other.append(threading.Thread(target=middleware.reconfigure, kwargs={"max_age": 5}))
            other[0].start()
            other[0].join(0.5)  # without serialising, it finishes here and our write discards it
        return replace(policy, **changes)

    monkeypatch.setattr(Policy, "replace", replace_while_another_thread_reconfigures)
    middleware.reconfigure(methods=["GET", "PUT"])
    other[0].join(5)
    policy = _policy(middleware)
    assert (policy.methods, policy.max_age) == (("GET", "PUT"), 5)

"""DESIGN §2: reconfigure swaps the whole configuration atomically, validated first."""

import pytest
from webtest import TestApp

from cors_testing import ALLOWED, OTHER, RecordingApp, header_values
from wsgicors import ConfigError, CORSMiddleware, Policy


def test_reconfigure_applies_to_the_next_request():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED])
    middleware.reconfigure(origins=[OTHER])
    assert middleware.policy_for({"PATH_INFO": "/"}).origins.allows(OTHER)
    assert not middleware.policy_for({"PATH_INFO": "/"}).origins.allows(ALLOWED)


def test_reconfigure_builds_exactly_as_the_constructor():
    middleware = CORSMiddleware(RecordingApp(), origins=[ALLOWED], max_age=60)
    middleware.reconfigure(origins=[ALLOWED])
    assert middleware.policy_for({"PATH_INFO": "/"}).max_age is None


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

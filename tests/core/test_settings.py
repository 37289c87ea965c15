"""Text settings (PasteDeploy, Pyramid, env) become the same typed options everywhere."""

import pytest

from wsgicors import ConfigError
from wsgicors.paste import filter_factory
from wsgicors.settings import options_from_settings, parse_bool, policy_from_settings

from cors_testing import ALLOWED, RecordingApp, header_values
from webtest import TestApp


def test_text_settings_become_typed_options():
    options = options_from_settings({
        "cors.origins": "https://a.example\n  https://*.b.example",
        "cors.allow_credentials": "true",
        "cors.max_age": "600",
        "cors.methods": "GET, POST",
        "other.key": "ignored",
    }, "cors.")
    assert options == {"origins": "https://a.example\n  https://*.b.example", "allow_credentials": True,
                       "max_age": 600, "methods": "GET, POST"}


@pytest.mark.parametrize("text, value", [("true", True), ("Yes", True), ("on", True), ("1", True),
                                         ("false", False), ("NO", False), ("off", False), ("0", False)])
def test_booleans_are_read_like_asbool(text, value):
    assert parse_bool(text) is value


def test_problems_name_the_setting_key():
    with pytest.raises(ConfigError) as caught:
        policy_from_settings({"cors.origins": "https://a.com/", "cors.max_age": "soon",
                              "cors.allow_credentials": "maybe"}, "cors.")
    # Every problem at once: the unreadable values do not hide the origin's mistake.
    assert [p.option for p in caught.value.problems] == ["cors.max_age", "cors.allow_credentials", "cors.origins"]
    with pytest.raises(ConfigError) as caught:
        policy_from_settings({"cors.origins": "https://a.com/"}, "cors.")
    assert [p.option for p in caught.value.problems] == ["cors.origins"]


@pytest.mark.parametrize("key, text, hint", [
    ("max_age", "soon", "write whole seconds (0..86400, e.g. 600), or none to omit the header"),
    ("preflight_status", "ok", "write a 2xx status such as 204"),
    ("allow_credentials", "yes please", "write true or false"),
])
def test_unreadable_text_is_told_how_to_write_the_setting(key, text, hint):
    """The hint says what to write for that setting, not the message again ('not a whole number; write a
    whole number')."""
    with pytest.raises(ConfigError) as raised:
        options_from_settings({"cors." + key: text}, "cors.")
    assert [(p.option, p.code, p.hint) for p in raised.value.problems] == [("cors." + key, "wsgicors.E601", hint)]


def test_unknown_setting_suggests_the_closest_option():
    with pytest.raises(ConfigError, match="did you mean 'cors.allow_credentials'"):
        policy_from_settings({"cors.origins": ALLOWED, "cors.allow_credential": "true"}, "cors.")


def test_upper_case_keys_for_flask_style_config():
    policy = policy_from_settings({"CORS_ORIGINS": [ALLOWED], "CORS_MAX_AGE": 5, "DEBUG": True},
                                  "CORS_", upper=True)
    assert policy.max_age == 5


def test_overrides_win_over_settings():
    policy = policy_from_settings({"cors.origins": "https://a.example", "cors.max_age": "5"}, "cors.", max_age=9)
    assert policy.max_age == 9


def test_max_age_none_text_means_omitted():
    assert policy_from_settings({"origins": ALLOWED, "max_age": "none"}).max_age is None


def test_paste_filter_factory_wraps_an_app():
    cors_filter = filter_factory({}, origins=f"{ALLOWED} https://*.example.org", allow_credentials="true")
    response = TestApp(cors_filter(RecordingApp())).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Access-Control-Allow-Credentials") == ["true"]


def test_paste_filter_factory_validates_at_load_time():
    with pytest.raises(ConfigError, match="max_age"):
        filter_factory({}, origins=ALLOWED, max_age="-1")

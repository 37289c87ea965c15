"""The vary option, max_age as a timedelta, pattern-looking header names (docs/design.md §3.4)."""

import datetime
import re

import pytest

from cors_testing import ALLOWED, OTHER, RecordingApp, client, header_values, preflight_headers
from wsgicors import ConfigError, Policy, policy_from_settings

PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


def codes(error):
    return [problem.code for problem in error.value.problems]


# -- vary ---------------------------------------------------------------------

@pytest.mark.parametrize("origin", [ALLOWED, OTHER, None])
def test_vary_names_join_origin_in_every_actual_response(app, origin):
    headers = {"Origin": origin} if origin else {}
    response = client(app, origins=[ALLOWED], vary=["Authorization", "X-Tenant"]).get("/", headers=headers)
    assert header_values(response, "Vary") == ["Origin, Authorization, X-Tenant"]


def test_vary_names_alone_with_a_plain_star_policy(app):
    response = client(app, origins="*", vary=["X-Tenant"]).get("/", headers={"Origin": OTHER})
    assert header_values(response, "Vary") == ["X-Tenant"]


@pytest.mark.parametrize("origin, status", [(ALLOWED, 204), (OTHER, 403)])
def test_vary_names_join_the_preflight_vary_allowed_or_refused(app, origin, status):
    response = client(app, origins=[ALLOWED], vary=["X-Tenant"]).options(
        "/", headers=preflight_headers(origin=origin), status=status)
    assert header_values(response, "Vary") == [PREFLIGHT_VARY + ", X-Tenant"]


def test_vary_names_merge_into_the_applications_single_vary():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("Vary", "Accept"), ("vary", "x-tenant")])
    response = client(app, origins=[ALLOWED], vary=["X-Tenant", "Authorization"]).get(
        "/", headers={"Origin": ALLOWED})
    assert header_values(response, "Vary") == ["Accept, x-tenant, Origin, Authorization"]


def test_vary_names_already_in_the_vary_are_not_repeated(app):
    response = client(app, origins=[ALLOWED], vary=["origin", "X-Tenant", "x-tenant"]).options(
        "/", headers=preflight_headers())
    assert header_values(response, "Vary") == [PREFLIGHT_VARY + ", X-Tenant"]


def test_vary_from_text_settings():
    policy = policy_from_settings({"cors.origins": ALLOWED, "cors.vary": "Authorization X-Tenant"}, "cors.")
    assert policy.vary == ("Authorization", "X-Tenant")


@pytest.mark.parametrize("names, code", [(["X Tenant"], "wsgicors.E310"), (["X-Tenant-.*"], "wsgicors.E313"),
                                         (5, "wsgicors.E300")])
def test_invalid_vary_names_are_refused(names, code):
    with pytest.raises(ConfigError) as error:
        Policy(origins=[ALLOWED], vary=names)
    assert codes(error) == [code]


def test_vary_with_a_callable_entry(app):
    cors = client(app, origins=[lambda origin: origin.endswith(".tenant.example")], vary=["X-Tenant"])
    allowed = cors.get("/", headers={"Origin": "https://a.tenant.example", "X-Tenant": "a"})
    refused = cors.get("/", headers={"Origin": OTHER, "X-Tenant": "a"})
    assert header_values(allowed, "Access-Control-Allow-Origin") == ["https://a.tenant.example"]
    assert header_values(allowed, "Vary") == header_values(refused, "Vary") == ["Origin, X-Tenant"]


# -- max_age as a timedelta ---------------------------------------------------

@pytest.mark.parametrize("delta, seconds", [(datetime.timedelta(minutes=10), 600),
                                            (datetime.timedelta(0), 0), (datetime.timedelta(days=1), 86400)])
def test_max_age_takes_a_timedelta_of_whole_seconds(app, delta, seconds):
    response = client(app, origins=[ALLOWED], max_age=delta).options("/", headers=preflight_headers())
    assert header_values(response, "Access-Control-Max-Age") == [str(seconds)]


def test_a_fractional_timedelta_is_refused_with_a_hint():
    with pytest.raises(ConfigError, match=r"use e.g. datetime.timedelta\(seconds=1\)") as error:
        Policy(origins=[ALLOWED], max_age=datetime.timedelta(seconds=1.5))
    assert codes(error) == ["wsgicors.E402"]


def test_a_timedelta_over_a_day_is_out_of_range():
    with pytest.raises(ConfigError) as error:
        Policy(origins=[ALLOWED], max_age=datetime.timedelta(days=2))
    assert codes(error) == ["wsgicors.E401"]


# -- pattern-looking header names ---------------------------------------------

@pytest.mark.parametrize("option", ["allow_headers", "expose_headers"])
@pytest.mark.parametrize("name", [r"X-Company-.*", "^x-company", "x-company-(id|user)", "X-*", r"x-\w+", "x-.+"])
def test_pattern_looking_header_names_are_refused_with_a_hint(option, name):
    with pytest.raises(ConfigError, match=re.escape(f"or {option}='*' for any name")) as error:
        Policy(origins=[ALLOWED], **{option: [name]})
    assert codes(error) == ["wsgicors.E313"]


@pytest.mark.parametrize("name", ["x-company-id", "X.Version", "x_tenant", "content-type"])
def test_ordinary_header_names_still_pass(name):
    assert Policy(origins=[ALLOWED], allow_headers=[name]).allow_headers == (name.lower(),)

"""Table-driven: deliberately broken CORS answers, and the verdict and sentence ``check`` gives.

Each row is one misbehaviour: (id, server script, request, verdict, failure code, words the
explanation must contain).
"""

from __future__ import annotations

import pytest

from wsgicors.check import check

ORIGIN = "https://app.example"
URL = "https://api.example/data"
GOOD = [("Access-Control-Allow-Origin", ORIGIN)]
GOOD_CREDENTIALED = GOOD + [("Access-Control-Allow-Credentials", "true")]
PUT_WITH_TOKEN = {"method": "PUT", "headers": {"X-Token": "1"}}

CASES = [
    # --- the actual response's Access-Control-Allow-Origin
    ("acao_trailing_slash", {"actual": [("Access-Control-Allow-Origin", ORIGIN + "/")]}, {},
     "block", "acao-mismatch", ["'https://app.example/'", "trailing slash"]),
    ("acao_default_port", {"actual": [("Access-Control-Allow-Origin", ORIGIN + ":443")]}, {},
     "block", "acao-mismatch", ["default port :443"]),
    ("acao_upper_case", {"actual": [("Access-Control-Allow-Origin", "https://APP.example")]}, {},
     "block", "acao-mismatch", ["case"]),
    ("acao_http_for_https", {"actual": [("Access-Control-Allow-Origin", "http://app.example")]}, {},
     "block", "acao-mismatch", ["different scheme"]),
    ("acao_null_for_real_origin", {"actual": [("Access-Control-Allow-Origin", "null")]}, {},
     "block", "acao-mismatch", ["'null'"]),
    ("acao_other_origin", {"actual": [("Access-Control-Allow-Origin", "https://other.example")]}, {},
     "block", "acao-mismatch", ["'https://other.example'", "'https://app.example'"]),
    ("acao_two_headers", {"actual": GOOD + GOOD}, {},
     "block", "acao-multiple", ["2 Access-Control-Allow-Origin headers", "exactly one"]),
    ("acao_comma_list", {"actual": [("Access-Control-Allow-Origin", ORIGIN + ", https://b.example")]}, {},
     "block", "acao-list", ["a list"]),
    ("acao_missing", {"actual": []}, {},
     "block", "acao-missing", ["no Access-Control-Allow-Origin"]),
    ("acao_missing_on_error_page", {"actual": [], "actual_status": 500}, {},
     "block", "acao-missing", ["500 page"]),
    ("acao_star_without_credentials", {"actual": [("Access-Control-Allow-Origin", "*")]}, {},
     "allow", None, []),
    ("acao_star_with_credentials",
     {"actual": [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")]},
     {"credentials": True}, "block", "acao-wildcard-credentials", ["'*'", "credentials"]),
    ("acao_with_surrounding_spaces", {"actual": [("Access-Control-Allow-Origin", f"  {ORIGIN}  ")]}, {},
     "allow", None, []),
    ("error_status_with_cors_headers", {"actual": GOOD, "actual_status": 404}, {},
     "allow", None, ["404"]),
    # --- Access-Control-Allow-Credentials
    ("acac_capital_true", {"actual": GOOD + [("Access-Control-Allow-Credentials", "True")]},
     {"credentials": True}, "block", "acac-invalid", ["'True'", "exactly 'true'"]),
    ("acac_missing", {"actual": GOOD}, {"credentials": True},
     "block", "acac-missing", ["Access-Control-Allow-Credentials"]),
    ("acac_sent_twice", {"actual": GOOD_CREDENTIALED + [("Access-Control-Allow-Credentials", "true")]},
     {"credentials": True}, "block", "acac-invalid", ["more than once"]),
    ("acac_ignored_without_credentials", {"actual": GOOD + [("Access-Control-Allow-Credentials", "yes")]},
     {}, "allow", None, []),
    # --- preflight status
    ("preflight_404", {"preflight_status": 404}, PUT_WITH_TOKEN,
     "block", "preflight-status", ["404 Not Found", "2xx", "No actual request was sent"]),
    ("preflight_500", {"preflight_status": 500, "preflight": GOOD}, PUT_WITH_TOKEN,
     "block", "preflight-status", ["500 Internal Server Error"]),
    ("preflight_301",
     {"preflight_status": 301, "preflight": GOOD + [("Location", URL + "/")]}, PUT_WITH_TOKEN,
     "block", "preflight-redirect", ["301", "never follow redirects", "'https://api.example/data/'"]),
    ("preflight_307", {"preflight_status": 307, "preflight": [("Location", URL + "?v=2")]}, PUT_WITH_TOKEN,
     "block", "preflight-redirect", ["307"]),
    ("preflight_304_is_no_redirect", {"preflight_status": 304, "preflight": GOOD}, PUT_WITH_TOKEN,
     "block", "preflight-status", ["304 Not Modified", "2xx"]),
    ("preflight_300_is_no_redirect",
     {"preflight_status": 300, "preflight": GOOD + [("Location", URL + "/")]}, PUT_WITH_TOKEN,
     "block", "preflight-status", ["300 Multiple Choices", "2xx"]),
    ("preflight_200_is_fine",
     {"preflight_status": 200, "preflight": GOOD + [("Access-Control-Allow-Methods", "PUT"),
                                                    ("Access-Control-Allow-Headers", "x-token")], "actual": GOOD},
     PUT_WITH_TOKEN, "allow", None, []),
    ("preflight_acao_trailing_slash",
     {"preflight": [("Access-Control-Allow-Origin", ORIGIN + "/"), ("Access-Control-Allow-Methods", "PUT"),
                    ("Access-Control-Allow-Headers", "x-token")]},
     PUT_WITH_TOKEN, "block", "acao-mismatch", ["trailing slash", "No actual request was sent"]),
    ("preflight_acac_missing_with_credentials",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "x-token")],
      "actual": GOOD_CREDENTIALED}, dict(PUT_WITH_TOKEN, credentials=True),
     "block", "acac-missing", ["preflight response", "No actual request was sent"]),
    ("preflight_two_acao",
     {"preflight": GOOD + GOOD + [("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "*")]},
     PUT_WITH_TOKEN, "block", "acao-multiple", ["preflight response"]),
    ("preflight_star_origin_without_credentials",
     {"preflight": [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "PUT"),
                    ("Access-Control-Allow-Headers", "x-token")], "actual": [("Access-Control-Allow-Origin", "*")]},
     PUT_WITH_TOKEN, "allow", None, []),
    # --- Access-Control-Allow-Methods
    ("acam_missing_for_put", {"preflight": GOOD + [("Access-Control-Allow-Headers", "x-token")]},
     PUT_WITH_TOKEN, "block", "method-not-allowed", ["no Access-Control-Allow-Methods", "'PUT'"]),
    ("acam_lower_case_delete", {"preflight": GOOD + [("Access-Control-Allow-Methods", "delete")]},
     {"method": "DELETE"}, "block", "method-not-allowed", ["case-sensitive", "'delete'"]),
    ("acam_upper_case_patch_for_lower_case_request",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "PATCH")], "actual": GOOD},
     {"method": "patch"}, "block", "method-not-allowed", ["'patch'", "upper-cases only"]),
    ("acam_lower_case_patch_for_upper_case_request",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "patch")], "actual": GOOD},
     {"method": "PATCH"}, "block", "method-not-allowed", ["case-sensitive"]),
    ("acam_lower_case_patch_for_lower_case_request",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "patch")], "actual": GOOD},
     {"method": "patch"}, "allow", None, []),
    ("acam_lower_case_put_is_normalised_by_fetch",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "PUT")], "actual": GOOD},
     {"method": "put"}, "allow", None, []),
    ("acam_star_without_credentials", {"preflight": GOOD + [("Access-Control-Allow-Methods", "*")],
                                       "actual": GOOD}, {"method": "DELETE"}, "allow", None, []),
    ("acam_star_with_credentials",
     {"preflight": GOOD_CREDENTIALED + [("Access-Control-Allow-Methods", "*")], "actual": GOOD_CREDENTIALED},
     {"method": "DELETE", "credentials": True}, "block", "method-not-allowed", ["literally named '*'"]),
    ("acam_malformed", {"preflight": GOOD + [("Access-Control-Allow-Methods", "GET; PUT")]},
     {"method": "PUT"}, "block", "acam-malformed", ["'GET; PUT'", "not a method name"]),
    ("acam_malformed_even_for_safelisted_method",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "[POST]")]},
     {"method": "POST", "headers": {"X-Token": "1"}}, "block", "acam-malformed", []),
    ("acam_empty_elements_and_blanks_ignored",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", ",, \tPUT ,,")], "actual": GOOD},
     {"method": "PUT"}, "allow", None, []),
    ("acam_split_over_two_headers",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "GET"), ("Access-Control-Allow-Methods", "PUT")],
      "actual": GOOD}, {"method": "PUT"}, "allow", None, []),
    # --- Access-Control-Allow-Headers
    ("acah_missing", {"preflight": GOOD + [("Access-Control-Allow-Methods", "PUT")]}, PUT_WITH_TOKEN,
     "block", "header-not-allowed", ["'x-token'", "Access-Control-Allow-Headers"]),
    ("acah_lists_other_header",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "x-other")]},
     PUT_WITH_TOKEN, "block", "header-not-allowed", ["'x-token'", "'x-other'"]),
    ("acah_case_insensitive",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "X-TOKEN")],
      "actual": GOOD}, PUT_WITH_TOKEN, "allow", None, []),
    ("acah_malformed",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "PUT"),
                           ("Access-Control-Allow-Headers", "x-token x-other")]},
     PUT_WITH_TOKEN, "block", "acah-malformed", ["'x-token x-other'"]),
    ("acah_star_without_credentials",
     {"preflight": GOOD + [("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "*")],
      "actual": GOOD}, PUT_WITH_TOKEN, "allow", None, []),
    ("acah_star_with_credentials",
     {"preflight": GOOD_CREDENTIALED + [("Access-Control-Allow-Methods", "PUT"),
                                        ("Access-Control-Allow-Headers", "*")], "actual": GOOD_CREDENTIALED},
     dict(PUT_WITH_TOKEN, credentials=True), "block", "header-not-allowed", ["literally named '*'"]),
    ("acah_star_with_authorization_chromium_allows",
     {"preflight": GOOD + [("Access-Control-Allow-Headers", "*")], "actual": GOOD},
     {"headers": {"Authorization": "Bearer t"}}, "allow", None, []),
    ("acah_lists_authorization",
     {"preflight": GOOD + [("Access-Control-Allow-Headers", "authorization")], "actual": GOOD},
     {"headers": {"Authorization": "Bearer t"}}, "allow", None, []),
]


@pytest.mark.parametrize("server, request_kwargs, verdict, code, words",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_misbehaving_server_verdict(scripted, server, request_kwargs, verdict, code, words):
    app = scripted(**server)
    result = check(URL, ORIGIN, app=app, **request_kwargs)
    assert (result.verdict, result.code) == (verdict, code), result.render()
    for word in words:
        assert word in result.explanation, result.explanation


def test_blocked_explanation_is_one_sentence_naming_the_fix(scripted):
    result = check(URL, ORIGIN, app=scripted(actual=[("Access-Control-Allow-Origin", ORIGIN + "/")]))
    assert result.explanation == (
        "Access-Control-Allow-Origin is 'https://app.example/' but the page origin is 'https://app.example' "
        "(trailing slash); the browser needs them byte-for-byte equal; fix: send "
        "'Access-Control-Allow-Origin: https://app.example'.")


def test_refused_preflight_sends_no_actual_request(scripted):
    app = scripted(preflight_status=404)
    result = check(URL, ORIGIN, app=app, **PUT_WITH_TOKEN)
    assert app.methods == ["OPTIONS"]
    assert [step.kind for step in result.steps] == ["preflight"]


def test_blocked_actual_request_is_the_second_step(scripted):
    app = scripted(preflight=GOOD + [("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "*")])
    result = check(URL, ORIGIN, app=app, **PUT_WITH_TOKEN)
    assert [(step.kind, step.ok) for step in result.steps] == [("preflight", True), ("request", False)]
    assert result.code == "acao-missing"


def test_authorization_under_star_is_allowed_by_every_engine_with_a_standard_warning(scripted):
    app = scripted(preflight=GOOD + [("Access-Control-Allow-Headers", "*")], actual=GOOD)
    result = check(URL, ORIGIN, app=app, headers={"Authorization": "Bearer t"})
    assert {name: found.allowed for name, found in result.engines.items()} == {
        "chromium": True, "firefox": True, "webkit": True}
    assert not any("block this request" in warning for warning in result.warnings)
    assert any("Fetch standard" in warning and "'authorization'" in warning for warning in result.warnings)


def test_authorization_listed_explicitly_does_not_warn(scripted):
    app = scripted(preflight=GOOD + [("Access-Control-Allow-Headers", "*, authorization")], actual=GOOD)
    result = check(URL, ORIGIN, app=app, headers={"Authorization": "Bearer t"})
    assert result.allowed and result.warnings == []


def test_debug_header_of_refused_preflight_is_quoted(scripted):
    app = scripted(preflight_status=403, preflight=[("X-CORS-Error", "origin 'https://app.example' is not allowed")])
    result = check(URL, ORIGIN, app=app, **PUT_WITH_TOKEN)
    assert "the server says:" in result.explanation and "is not allowed" in result.explanation


def test_hostile_header_value_is_escaped_in_the_explanation(scripted):
    app = scripted(actual=[("Access-Control-Allow-Origin", "https://evil.example\x1b[31m")])
    result = check(URL, ORIGIN, app=app)
    assert "\x1b" not in result.explanation and "\\x1b" in result.explanation

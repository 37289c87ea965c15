"""The pinned Python API: names, the callable ``wsgicors.check`` module, results and usage errors."""

from __future__ import annotations

import json

import pytest

import wsgicors
from wsgicors.check import CheckResult, PreflightCache, Step, UsageError, check

ORIGIN = "https://app.example"
URL = "https://api.example/data"


def allow_all(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", "*")])
    return [b"ok"]


def test_calling_the_check_module_still_works_but_is_deprecated():
    import wsgicors.check as module

    assert wsgicors.check is module
    with pytest.warns(DeprecationWarning, match="from wsgicors.check import check"):
        assert wsgicors.check(URL, ORIGIN, app=allow_all).allowed


def test_check_cors_is_the_check_function_but_deprecated():
    with pytest.warns(DeprecationWarning, match="from wsgicors.check import check"):
        assert wsgicors.check_cors is check


def test_pinned_names_exist():
    assert callable(PreflightCache) and callable(Step) and callable(CheckResult)


def test_result_fields_for_an_allowed_request():
    result = check(URL, ORIGIN, app=allow_all)
    assert (result.verdict, result.allowed, result.code) == ("allow", True, None)
    assert result.explanation.startswith("A page at https://app.example can read")
    assert [(s.method, s.url, s.status, s.ok) for s in result.steps] == [("GET", URL, 200, True)]


def test_to_dict_is_json_ready_with_the_contract_keys():
    report = json.loads(json.dumps(check(URL, ORIGIN, app=allow_all).to_dict()))
    assert report["verdict"] == "allow" and report["readable_headers"] == ["content-type"]
    assert report["warnings"] == []
    assert set(report["steps"][0]) >= {"method", "url", "status", "ok", "reason"}


def test_render_shows_each_step_and_the_verdict():
    text = check(URL, ORIGIN, method="PUT", app=allow_all).render()
    assert "1. BLOCKED preflight OPTIONS https://api.example/data -> 200" in text
    assert "Verdict: BLOCKED" in text and "Access-Control-Allow-Methods" in text


def test_headers_accept_pairs_and_dicts():
    pairs = check(URL, ORIGIN, headers=[("X-A", "1")], app=allow_all)
    mapping = check(URL, ORIGIN, headers={"X-A": "1"}, app=allow_all)
    assert pairs.unsafe_headers == mapping.unsafe_headers == ["x-a"]


def test_url_is_normalised_like_a_browser():
    assert check("HTTPS://API.example:443/data#frag", ORIGIN, app=allow_all).url == URL


@pytest.mark.parametrize("url, origin, kwargs, words", [
    ("ftp://api.example/", ORIGIN, {}, "http:// or https://"),
    ("https://user:pw@api.example/", ORIGIN, {}, "credentials"),
    (URL, "https://app.example/", {}, "did you mean 'https://app.example'"),
    (URL, "https://app.example:443", {}, "did you mean 'https://app.example'"),
    (URL, "HTTPS://APP.example", {}, "did you mean 'https://app.example'"),
    (URL, "app.example", {}, "is not an origin"),
    (URL, ORIGIN, {"method": "TRACE"}, "forbidden"),
    (URL, ORIGIN, {"method": "GE T"}, "not a valid HTTP method"),
    (URL, ORIGIN, {"body": "x"}, "cannot have a body"),
    (URL, ORIGIN, {"headers": {"X-A": "1\r\nX-B: 2"}}, "CR, LF or NUL"),
    (URL, ORIGIN, {"headers": {"Bad Name": "1"}}, "not a valid HTTP token"),
    (URL, ORIGIN, {"headers": {"X-A": "\u2603"}}, "not a byte string"),
], ids=["scheme", "userinfo", "origin-slash", "origin-port", "origin-case", "origin-bare", "trace",
        "bad-method", "get-body", "crlf", "bad-name", "non-latin-1"])
def test_input_a_browser_rejects_raises_usage_error(url, origin, kwargs, words):
    with pytest.raises(UsageError, match=words):
        check(url, origin, app=allow_all, **kwargs)


def test_usage_error_is_a_value_error():
    assert issubclass(UsageError, ValueError)


def test_url_is_percent_encoded_and_idn_host_is_punycode():
    result = check("https://bücher.example/a b?q=\"x\"", ORIGIN, app=allow_all)
    assert result.url == "https://xn--bcher-kva.example/a%20b?q=%22x%22"


def test_render_says_when_the_preflight_came_from_the_cache():
    def app(environ, start_response):
        start_response("204 No Content", [("Access-Control-Allow-Origin", "*"),
                                          ("Access-Control-Allow-Methods", "PUT")])
        return []

    cache = PreflightCache()
    check(URL, ORIGIN, method="PUT", app=app, cache=cache)
    assert "answered from the preflight cache" in check(URL, ORIGIN, method="PUT", app=app, cache=cache).render()

"""Named regressions for the other libraries' CVEs and mistakes (the table in SECURITY.md).

SECURITY.md links each row of its table to the test that shows the mistake
cannot happen here; the rows not covered below live in the sibling modules.
"""

import gc
import tracemalloc

from security_support import App, call, environ, preflight
from wsgicors import CORSMiddleware, Policy
from wsgicors.engine import merge_vary
from wsgicors.origins import MEMO_MAX_LENGTH, MEMO_SIZE

GOOD = "https://good.com"


def test_vary_is_merged_into_one_header():
    """flask-cors added Vary as a second header line instead of merging it."""
    app = App(headers=[("Vary", "Accept-Encoding"), ("Content-Type", "text/plain"), ("vary", "Cookie")])
    result = call(CORSMiddleware(app, origins=[GOOD]), environ(origin=GOOD))
    assert result.values("Vary") == ["Accept-Encoding, Cookie, Origin"]
    for before, after in [
        ([("Vary", ""), ("Vary", "*")], [("Vary", "*")]),  # found by test_fuzz.py::test_vary_merge
        ([("Vary", "Accept"), ("X", "1"), ("vary", "*")], [("Vary", "Accept, *"), ("X", "1")]),
        ([("Vary", "Accept, *")], [("Vary", "Accept, *")]),
    ]:
        merge_vary(before, "Origin")
        assert before == after


def test_preflight_to_an_unrouted_path_is_answered():
    """flask-cors left a preflight to a path without an OPTIONS route as the app's 404."""
    app = App("404 Not Found")
    result = call(CORSMiddleware(app, origins=[GOOD]), environ("OPTIONS", "/nowhere", GOOD, "DELETE"))
    assert result.status == "204 No Content" and result.app_calls == 0 and result.acao == [GOOD]


def test_private_network_access_is_off_by_default():
    """flask-cors CVE-2024-6221 sent Access-Control-Allow-Private-Network: true by default."""
    request = dict(HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK="true")
    refused = preflight({"origins": [GOOD]}, GOOD, **request)
    assert refused.status == "403 Forbidden" and refused.values("Access-Control-Allow-Private-Network") == []
    allowed = preflight({"origins": [GOOD], "allow_private_network": True}, GOOD, **request)
    assert allowed.values("Access-Control-Allow-Private-Network") == ["true"]
    assert preflight({"origins": [GOOD]}, GOOD).values("Access-Control-Allow-Private-Network") == []


def test_refused_preflight_is_403_without_cors_headers():
    """wsgicors 0.7 answered every preflight 204, refused or not (and '*' with credentials)."""
    result = preflight({"origins": [GOOD], "allow_credentials": True}, "https://evil.net")
    assert result.status == "403 Forbidden" and result.app_calls == 0
    assert result.cors_headers == [] and result.body
    assert preflight({"origins": [GOOD], "allow_credentials": True}, GOOD).acao == [GOOD]


def test_header_values_are_str():
    """wsgicors 0.7 emitted an int Access-Control-Max-Age (PEP 3333 wants str)."""
    for result in (preflight({"origins": [GOOD], "max_age": 600, "preflight_status": 200}, GOOD),
                   preflight({"origins": [GOOD]}, "https://evil.net"),
                   call(CORSMiddleware(App(), origins=[GOOD], expose_headers="*", allow_credentials=True),
                        environ(origin=GOOD))):
        assert result.headers and all(type(k) is str and type(v) is str for k, v in result.headers)
    assert ("Access-Control-Max-Age", "600") in preflight({"origins": [GOOD], "max_age": 600}, GOOD).headers


def test_origin_memory_is_bounded():
    """wsgicors 0.7 cached every origin it saw, without bound (memory DoS).

    Ours remembers at most MEMO_SIZE answers per policy, for origins of at most
    MEMO_MAX_LENGTH characters: 20,000 distinct long origins retain well under
    what keeping them all would (about 7 MB).
    """
    middleware = CORSMiddleware(App(), origins=[GOOD, "https://*.good.com"], allow_headers="*")
    matcher = middleware.policy_for({"PATH_INFO": "/"}).origins
    labels = ("a" * 60 + ".") * 3

    def burst(start, count):
        for index in range(start, start + count):
            call(middleware, environ("OPTIONS", origin=f"https://x{index}.{labels}good.com", request_method="PUT",
                                     request_headers=f"x-h{index}"))
            call(middleware, environ(origin=f"https://x{index}.{labels}evil.net"))
            assert len(matcher._memo) <= MEMO_SIZE

    burst(0, 100)  # warm up: imports, interned strings, first table
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        burst(100, 10_000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(f"https://x10000.{labels}good.com") <= MEMO_MAX_LENGTH
    assert grown < MEMO_SIZE * 2 * MEMO_MAX_LENGTH, f"{grown} bytes kept after 20,000 distinct origins"


def test_two_middlewares_do_not_share_configuration():
    """bottle-cors-plugin kept its configuration in a module-level singleton."""
    first = CORSMiddleware(App(), origins=[GOOD])
    second = CORSMiddleware(App(), origins=["https://other.net"])
    first.reconfigure(origins=["https://third.net"])
    assert call(second, environ(origin="https://other.net")).acao == ["https://other.net"]
    assert call(second, environ(origin="https://third.net")).acao == []
    assert call(first, environ(origin=GOOD)).acao == []


def test_suffix_patterns_do_not_combine():
    """jub0bs/cors GHSA-vhxv-fg4m-p2w8: patterns for foo.com and bar.com admitted barfoo.com."""
    matcher = Policy(origins=["https://*.foo.com", "https://*.bar.com", "https://foo.com", "https://bar.com"]).origins
    for origin in ["https://barfoo.com", "https://foobar.com", "https://x.barfoo.com", "https://bar.foo.com.bar.com.x",
                   "https://foo.combar.com", "https://x.foo.com.bar", "https://barfoo.com.bar"]:
        assert not matcher.allows(origin), origin
    for origin in ["https://x.foo.com", "https://x.bar.com", "https://bar.foo.com", "https://foo.bar.com",
                   "https://foo.com", "https://bar.com"]:
        assert matcher.allows(origin), origin

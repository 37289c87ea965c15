"""Engine limits a plain fetch cannot show, measured with a moved clock or a changed address space.

The measured rows of ``LIMITS`` (``tests/browser/scenarios.py``, rendered into
``docs/browser-matrix.md``) are checked here in the real engines; the rows
recorded as not measured say why, and ``wsgicors check`` says so too.
"""

from __future__ import annotations

import tempfile
from typing import Any, Dict, Iterator, List

import pytest

from browser.harness import FETCH_TIMEOUT_MS, Browsers, EngineMissing, FakeClock, Servers, unavailable
from browser.scenarios import LIMITS_BY_ID
from wsgicors.check import PreflightCache, check
from wsgicors.check.engines import ENGINES

pytestmark = [pytest.mark.browser,
              pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning")]

#: Seconds on either side of a cap where the cache must still serve / must have expired.
MARGIN = 60
LONG_MAX_AGE = 1_000_000


def preflighted_put(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    """Allows the page's PUT with X-Custom; a preflight may be cached for ``LONG_MAX_AGE`` seconds."""
    headers = [("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN", "null")), ("Content-Length", "3")]
    if environ["REQUEST_METHOD"] == "OPTIONS":
        headers += [("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "x-custom"),
                    ("Access-Control-Allow-Private-Network", "true"),
                    ("Access-Control-Max-Age", str(LONG_MAX_AGE))]
    start_response("200 OK", headers)
    return [b"ok\n"]


def put_spec(url: str, timeout_ms: int = FETCH_TIMEOUT_MS) -> Dict[str, Any]:
    return {"url": url, "method": "PUT", "headers": {"X-Custom": "1"}, "body": None, "credentials": False,
            "timeout": timeout_ms, "delay": 0}


def preflight_count(requests: List[Dict[str, Any]]) -> int:
    return sum(1 for r in requests if r["method"] == "OPTIONS")


@pytest.fixture(scope="module")
def clock() -> Iterator[FakeClock]:
    with tempfile.TemporaryDirectory() as directory:
        try:
            yield FakeClock(directory)
        except EngineMissing as error:
            unavailable("libfaketime", str(error))


MEASURED_CAPS = [name for name, engine in ENGINES.items() if engine.max_age_cap_measured]


def test_caps_measured_here_are_those_the_limits_table_calls_measured() -> None:
    assert set(MEASURED_CAPS) == set(LIMITS_BY_ID["max-age-cap"].measured)
    for name in MEASURED_CAPS:
        assert f"{ENGINES[name].max_age_cap} s" in LIMITS_BY_ID["max-age-cap"].measured[name]
    for name, why in LIMITS_BY_ID["max-age-cap"].not_measured.items():
        assert f"{ENGINES[name].max_age_cap} s" in why and "not measured" in why


def test_check_says_whether_a_cap_is_measured_or_documented() -> None:
    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        return preflighted_put(environ, start_response)

    result = check("http://api.test/data", "http://page.test", method="PUT", headers={"X-Custom": "1"}, app=app)
    for name, engine in ENGINES.items():
        found = check("http://api.test/data", "http://page.test", method="PUT", headers={"X-Custom": "1"},
                      app=app, browser=name)
        reason = found.steps[0].reason
        assert f"caps Access-Control-Max-Age at {engine.max_age_cap} s" in reason
        assert ("measured)" in reason and "not measured" not in reason) == engine.max_age_cap_measured, reason
    assert result.allowed


@pytest.mark.parametrize("engine", MEASURED_CAPS)
def test_preflight_cache_expires_at_the_engines_cap(servers: Servers, clock: FakeClock, engine: str) -> None:
    """A preflight cached for "a million seconds" serves requests until the cap, then is sent again."""
    cap = ENGINES[engine].max_age_cap
    browsers = Browsers(servers, **clock.launch_options(engine))
    key = f"{engine}-max-age-cap"
    servers.api_app.mount(key, preflighted_put)
    url, page = f"{servers.api_origin}/s/{key}/data", servers.page_origin + "/"
    try:
        browser = browsers.get(engine)
        seen = []
        for offset in (0, cap - MARGIN, cap + MARGIN):
            clock.advance_to(offset)
            results = browser.call(page, "runFetches", [put_spec(url)])
            assert [r["verdict"] for r in results] == ["allow"], results
            seen.append(preflight_count(servers.api_app.take(key)))
    finally:
        clock.advance_to(0)
        browsers.close()
    assert seen == [1, 0, 1], f"preflights at +0, +{cap - MARGIN}, +{cap + MARGIN} s"
    # check's model of the same engine, with its own clock moved the same way
    now = [0.0]
    cache = PreflightCache(clock=lambda: now[0])
    counts = []
    for offset in (0, cap - MARGIN, cap + MARGIN):
        now[0] = float(offset)
        found = check(url, servers.page_origin, method="PUT", headers={"X-Custom": "1"}, cache=cache,
                      browser=engine, timeout=10.0)
        counts.append(sum(1 for step in found.steps if step.kind == "preflight"))
    servers.api_app.take(key)
    assert counts == seen


#: How each engine is told that the page's address is public (the API stays on loopback).
PUBLIC_PAGE = {
    "chromium": lambda servers: {"args": [f"--ip-address-space-overrides=127.0.0.1:{servers.page.port}=public"]},
    "firefox": lambda servers: {"prefs": {
        "network.lna.address_space.public.override": f"127.0.0.1:{servers.page.port}"}},
}
#: A fetch held by a permission prompt is aborted after this long (milliseconds).
PROMPT_WAIT_MS = 1500


def star_headers(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    """Allows the page; a preflight answers ``Access-Control-Allow-Headers: *``."""
    headers = [("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN", "null")), ("Content-Length", "3")]
    if environ["REQUEST_METHOD"] == "OPTIONS":
        headers.append(("Access-Control-Allow-Headers", "*"))
    start_response("200 OK", headers)
    return [b"ok\n"]


def test_firefox_blocks_authorization_under_star_with_its_preference_off(servers: Servers) -> None:
    assert set(LIMITS_BY_ID["authorization-star-pref-off"].measured) == {"firefox"}
    browsers = Browsers(servers, prefs={"network.cors_preflight.authorization_covered_by_wildcard": False})
    key = "firefox-authorization-star-pref-off"
    servers.api_app.mount(key, star_headers)
    spec = dict(put_spec(f"{servers.api_origin}/s/{key}/data"), method="GET", headers={"Authorization": "Bearer t"})
    try:
        results = browsers.get("firefox").call(servers.page_origin + "/", "runFetches", [spec])
    finally:
        browsers.close()
    assert [r["verdict"] for r in results] == ["block"], results
    assert [r["method"] for r in servers.api_app.take(key)] == ["OPTIONS"]


@pytest.mark.parametrize("engine", sorted(LIMITS_BY_ID["public-page-to-loopback"].measured))
def test_public_page_to_loopback_sends_nothing(servers: Servers, engine: str) -> None:
    """Local Network Access: a public page's fetch to loopback never reaches the server, even when
    the server would allow it with ``Access-Control-Allow-Private-Network: true``."""
    browsers = Browsers(servers, **PUBLIC_PAGE[engine](servers))
    key = f"{engine}-public-to-loopback"
    servers.api_app.mount(key, preflighted_put)
    url, page = f"{servers.api_origin}/s/{key}/data", servers.page_origin + "/"
    get = dict(put_spec(url, PROMPT_WAIT_MS), method="GET", headers={})
    try:
        results = browsers.get(engine).call(page, "runFetches", [get, put_spec(url, PROMPT_WAIT_MS)])
    finally:
        browsers.close()
    assert [r["verdict"] for r in results] == ["block", "block"], results
    assert servers.api_app.take(key) == []

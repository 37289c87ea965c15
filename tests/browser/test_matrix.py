"""Real Chromium, Firefox and WebKit, ``wsgicors check`` and the expectation agree on every scenario.

The scenarios live in :mod:`browser.scenarios` (also rendered into
``docs/browser-matrix.md``). Each runs against live servers once per engine,
as a ``fetch()`` from a page in that headless browser, and once through
``wsgicors.check.check``; the server records what each of them sent. The
expected verdict is recorded per engine (measured), and ``check``'s verdict for
each engine must equal it.

``MATRIX_OBSERVATIONS=FILE pytest tests/browser`` also appends what each
engine did (one JSON object a line) to ``FILE``: the way to re-measure after a
browser update.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import pytest

from browser.harness import DEFAULT_PORT_HOST, ENGINE_NAMES, ENGINES, FETCH_TIMEOUT_MS, Servers, engine_label
from browser.scenarios import (ALLOW, BLOCK_MESSAGES, COOKIE_SCENARIOS, DOCS, LABELS, SCENARIOS, SESSION_COOKIE,
                               VERSION_MENTION, VERSIONED_FILES, WPT_CASES, CookieScenario, Ctx, Scenario, render_markdown)
from wsgicors.check import CheckResult, PreflightCache, check

pytestmark = [
    pytest.mark.browser,
    # Selenium's own WebKitGTK driver class still uses a RemoteConnection argument it deprecated.
    pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning"),
]

Request = Dict[str, Optional[str]]


@dataclass
class Run:
    scenario: Scenario
    ctx: Ctx
    key: str
    page_url: str
    url: str

    @property
    def sid(self) -> str:
        return f"session-{self.key}"


def prepare(servers: Servers, scenario: Scenario, client: str) -> Run:
    """Mount the scenario's server for ``client`` (an engine or ``check``) under ``/s/<client>-<id>``."""
    key = f"{client}-{scenario.id}"
    page_url = servers.page_origin + "/"
    origin = servers.page_origin
    if scenario.page == "default-port":
        page_url, origin = f"http://{DEFAULT_PORT_HOST}/", f"http://{DEFAULT_PORT_HOST}"
    elif scenario.page == "sandbox":
        origin = "null"
    ctx = Ctx(origin=origin, page=servers.page_origin, api=f"{servers.api_origin}/s/{key}",
              other=f"{servers.other_api_origin}/s/{key}")
    servers.api_app.mount(key, scenario.app(ctx))
    return Run(scenario, ctx, key, page_url, ctx.api + scenario.path)


def login_url(servers: Servers, key: str, name: str, value: str, attributes: str) -> str:
    from urllib.parse import urlencode

    query = urlencode({"name": name, "value": value, "path": f"/s/{key}", "attributes": attributes})
    return f"{servers.api_origin}/login?{query}"


def run_in_browser(browsers: Any, servers: Servers, engine: str, run: Run) -> List[Dict[str, Any]]:
    """The scenario's fetches from a page, as ``[{verdict, status, headers, body | error}, ...]``."""
    s = run.scenario
    specs = [{"url": run.url, "method": f.method, "headers": dict(f.headers), "body": f.body,
              "credentials": f.credentials, "timeout": FETCH_TIMEOUT_MS, "delay": int(f.delay * 1000)}
             for f in s.fetches()]
    browser = browsers.get(engine)
    if s.cookie:
        status = browser.call(run.page_url, "login",
                              login_url(servers, run.key, "sid", run.sid, SESSION_COOKIE.attributes))
        assert status == 200
    return browser.call(run.page_url, "runSandboxed" if s.page == "sandbox" else "runFetches", specs)


_CHECKED: Dict[str, "tuple[List[CheckResult], List[Request]]"] = {}


def run_check(servers: Servers, scenario: Scenario) -> "tuple[List[CheckResult], List[Request]]":
    """The same fetches through ``wsgicors check`` (once per scenario), sharing one preflight cache."""
    if scenario.id not in _CHECKED:
        run = prepare(servers, scenario, "check")
        cache = PreflightCache()
        results = []
        for f in scenario.fetches():
            headers = dict(f.headers)
            if scenario.cookie:
                headers["Cookie"] = f"sid={run.sid}"
            if f.delay:
                time.sleep(f.delay)
            results.append(check(run.url, run.ctx.origin, method=f.method, headers=headers,
                                 credentials=f.credentials, body=f.body, cache=cache, timeout=10.0))
        _CHECKED[scenario.id] = (results, servers.api_app.take(run.key))
    return _CHECKED[scenario.id]




def preflights(requests: List[Request]) -> List[Request]:
    return [r for r in requests if r["method"] == "OPTIONS" and r["acrm"] is not None]


def actual_requests(requests: List[Request]) -> List[Request]:
    return [r for r in requests if r not in preflights(requests)]


def observe(record: Dict[str, Any]) -> None:
    path = os.environ.get("MATRIX_OBSERVATIONS")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, sort_keys=True) + "\n")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_engine_check_and_expectation_agree(browsers: Any, servers: Servers, scenario: Scenario,
                                            engine: str) -> None:
    run = prepare(servers, scenario, engine)
    browser_results = run_in_browser(browsers, servers, engine, run)
    browser_requests = servers.api_app.take(run.key)
    checked, check_requests = run_check(servers, scenario)
    name = ENGINE_NAMES[engine]
    observe({"engine": engine, "scenario": scenario.id, "verdicts": [r["verdict"] for r in browser_results],
             "preflights": len(preflights(browser_requests)), "results": browser_results,
             "cookies": [r["cookie"] for r in actual_requests(browser_requests)]})

    report = "\n\n".join(r.render() for r in checked)
    context = (f"\n{name}: {browser_results}\nserver saw ({name}): {browser_requests}\ncheck:\n{report}")
    expected = [f.expect_in(engine) for f in scenario.fetches()]
    assert [r["verdict"] for r in browser_results] == expected, f"{name}'s verdicts" + context
    assert [r.engines[engine].verdict for r in checked] == expected, f"check's verdicts for {name}" + context
    for result in browser_results:
        if result["verdict"] == "block":
            assert BLOCK_MESSAGES[engine] in result["error"], context
    # Readable headers and the failure code are those of the scenario's own (last) fetch.
    own = scenario.repeat - 1
    last = checked[own]
    if browser_results[own]["verdict"] == ALLOW:
        readable = set(browser_results[own]["headers"])
        assert readable == set(last.readable_headers), "readable headers" + context
        assert set(scenario.readable) <= readable, context
        assert not set(scenario.unreadable) & readable, context
    if engine == "chromium" and scenario.expect != ALLOW:
        assert last.code == scenario.code, "check's failure code" + context
    if scenario.preflights_of(engine) is not None:
        assert len(preflights(browser_requests)) == scenario.preflights_of(engine), f"{name}'s preflights" + context
    if scenario.preflights is not None:
        assert len(preflights(check_requests)) == scenario.preflights, "check's preflights" + context
    if scenario.cookie:
        sent = f"sid={run.sid}" if SESSION_COOKIE.sent[engine] else None
        assert actual_requests(browser_requests), context
        for request in actual_requests(browser_requests):
            assert request["cookie"] == sent, "the session cookie" + context
        for request in actual_requests(check_requests):
            assert request["cookie"] == f"sid=session-check-{scenario.id}", context
    for request in preflights(browser_requests) + preflights(check_requests):
        assert request["cookie"] is None, "a preflight never carries cookies" + context
        assert request["acrpn"] is None, "loopback to loopback is not a private-network request" + context
    if scenario.page == "sandbox":
        assert {r["origin"] for r in browser_requests} == {"null"}, context
    if scenario.warning is not None:
        assert any(scenario.warning.lower() in w.lower() for w in last.warnings), context


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("cookie", COOKIE_SCENARIOS, ids=[c.id for c in COOKIE_SCENARIOS])
def test_cookie_set_cross_site_is_stored_and_sent_as_measured(browsers: Any, servers: Servers,
                                                              cookie: CookieScenario, engine: str) -> None:
    """A credentialed cross-site response sets a cookie; does the next credentialed fetch carry it?"""
    key = f"{engine}-cookie-{cookie.id}"
    servers.api_app.mount(key, cookie_echo)
    page = servers.page_origin + "/"
    browser = browsers.get(engine)
    assert browser.call(page, "login", login_url(servers, key, "c", key, cookie.attributes)) == 200
    results = browser.call(page, "runFetches", [{
        "url": f"{servers.api_origin}/s/{key}/data", "method": "GET", "headers": {}, "body": None,
        "credentials": True, "timeout": FETCH_TIMEOUT_MS, "delay": 0}])
    requests = servers.api_app.take(key)
    observe({"engine": engine, "cookie": cookie.id, "results": results, "cookies": [r["cookie"] for r in requests]})
    assert [r["verdict"] for r in results] == [ALLOW], results
    assert [r["cookie"] for r in requests] == [f"c={key}" if cookie.sent[engine] else None], (
        f"{ENGINE_NAMES[engine]}: Set-Cookie: c=...; {cookie.attributes}")
    checked = check(login_url(servers, f"check-{key}", "c", key, cookie.attributes), servers.page_origin,
                    credentials=True, timeout=10.0)
    predicted = checked.engines[engine].cookies
    assert predicted is not None and len(predicted) == 1, checked.render()
    assert predicted[0].sent == cookie.sent[engine], (
        f"check's cookie verdict for {ENGINE_NAMES[engine]}: {predicted[0]}")


def cookie_echo(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    """Allows the page with credentials; the server records the Cookie header it receives."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3"),
                              ("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN", "null")),
                              ("Access-Control-Allow-Credentials", "true"), ("Vary", "Origin")])
    return [b"ok\n"]


def test_docs_table_is_current() -> None:
    """``docs/browser-matrix.md`` is generated from the same tables; regenerate it when this fails."""
    assert len(SCENARIOS) >= 30
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/browser-matrix.md is stale: run `python tests/browser/scenarios.py`")
    readme = (DOCS.parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"[a matrix of {len(SCENARIOS)} scenarios](docs/browser-matrix.md)" in readme


def test_readme_names_only_existing_scenarios() -> None:
    """Each engine claim in the README's matrix section names the scenario (or cookie row) backing it."""
    readme = (DOCS.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("[a matrix of"):]
    section = section[:section.index("\n## ")]
    named = set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", section))
    known = {s.id for s in SCENARIOS} | {c.id for c in COOKIE_SCENARIOS}
    assert named and named <= known, named - known


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_run_is_the_version_the_docs_name(browsers: Any, engine: str) -> None:
    """The docs' engine versions come from the drivers; a browser update fails here until re-measured."""
    version = browsers.get(engine).version
    assert engine_label(engine, version) == LABELS[engine], (
        f"{ENGINE_NAMES[engine]} {version} runs, the docs name {LABELS[engine]}: re-run the matrix, then "
        "`python tests/browser/scenarios.py --versions`")


def test_docs_name_engines_with_the_versions_measured() -> None:
    stale = {f"{path.name}: {mention}" for path in VERSIONED_FILES for engine, pattern in VERSION_MENTION.items()
             for mention in pattern.findall(path.read_text(encoding="utf-8")) if mention != LABELS[engine]}
    assert not stale, f"run `python tests/browser/scenarios.py --versions`: {sorted(stale)}"


def test_every_ported_wpt_case_names_existing_scenarios_or_says_why_not() -> None:
    """The WPT table in ``docs/browser-matrix.md`` names only scenario ids that exist; a case
    without a scenario carries the reason it is not portable."""
    known = {s.id for s in SCENARIOS}
    for case in WPT_CASES:
        assert set(case.scenarios) <= known, (case.file, case.case, set(case.scenarios) - known)
        assert case.scenarios or case.note, (case.file, case.case)

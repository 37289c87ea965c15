"""Real Chromium, ``wsgicors check`` and the expectation agree on every scenario.

The scenarios live in :mod:`browser.scenarios` (also rendered into
``docs/browser-matrix.md``). Each runs against the same live server twice:
once as a ``fetch()`` from a page in headless Chromium, once through
``wsgicors.check.check``; the server records what each of them sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional

import pytest

from browser.harness import DEFAULT_PORT_HOST, FETCH_TIMEOUT_MS, Servers
from browser.scenarios import ALLOW, DOCS, SCENARIOS, Ctx, Scenario, render_markdown
from wsgicors.check import CheckResult, PreflightCache, check

pytestmark = pytest.mark.browser


@dataclass
class Run:
    scenario: Scenario
    ctx: Ctx
    page_url: str
    url: str

    @property
    def sid(self) -> str:
        return f"session-{self.scenario.id}"


def prepare(servers: Servers, scenario: Scenario) -> Run:
    """Mount the scenario's server under ``/s/<id>`` and work out its URLs."""
    page_url = servers.page_origin + "/"
    origin = servers.page_origin
    if scenario.page == "default-port":
        page_url, origin = f"http://{DEFAULT_PORT_HOST}/", f"http://{DEFAULT_PORT_HOST}"
    elif scenario.page == "sandbox":
        origin = "null"
    ctx = Ctx(origin=origin, page=servers.page_origin, api=f"{servers.api_origin}/s/{scenario.id}",
              other=f"{servers.other_api_origin}/s/{scenario.id}")
    servers.api_app.mount(scenario.id, scenario.app(ctx))
    return Run(scenario, ctx, page_url, ctx.api + scenario.path)


class Pages:
    """One browser context for the module and one page per page origin, opened on first use.

    Scenarios do not disturb each other: each has its own URLs (so its own
    preflight-cache entries) and cookies are cleared before each one.
    """

    def __init__(self, chromium: Any) -> None:
        self.context = chromium.new_context()
        self.context.set_default_timeout(30_000)
        self.pages: Dict[str, Any] = {}

    def open(self, url: str) -> Any:
        if url not in self.pages:
            page = self.context.new_page()
            page.goto(url)
            self.pages[url] = page
        self.context.clear_cookies()
        return self.pages[url]

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def pages(chromium: Any) -> Iterator[Pages]:
    opened = Pages(chromium)
    try:
        yield opened
    finally:
        opened.close()


def run_in_chromium(pages: Pages, servers: Servers, run: Run) -> List[Dict[str, Any]]:
    """The scenario's fetches from a page, as ``[{verdict, status, headers, body | error}, ...]``."""
    s = run.scenario
    specs = [{"url": run.url, "method": f.method, "headers": dict(f.headers), "body": f.body,
              "credentials": f.credentials, "timeout": FETCH_TIMEOUT_MS} for f in s.fetches()]
    page = pages.open(run.page_url)
    if s.cookie:
        assert page.evaluate("url => login(url)", f"{servers.api_origin}/login?sid={run.sid}") == 200
    runner = "specs => runSandboxed(specs)" if s.page == "sandbox" else "specs => runFetches(specs)"
    return page.evaluate(runner, specs)


def run_check(run: Run) -> List[CheckResult]:
    """The same fetches through ``wsgicors check``, sharing one preflight cache like a browser."""
    cache = PreflightCache()
    results = []
    for f in run.scenario.fetches():
        headers = dict(f.headers)
        if run.scenario.cookie:
            headers["Cookie"] = f"sid={run.sid}"
        results.append(check(run.url, run.ctx.origin, method=f.method, headers=headers, credentials=f.credentials,
                             body=f.body, cache=cache, timeout=10.0))
    return results


def preflights(requests: List[Dict[str, Optional[str]]]) -> List[Dict[str, Optional[str]]]:
    return [r for r in requests if r["method"] == "OPTIONS" and r["acrm"] is not None]


def actual_requests(requests: List[Dict[str, Optional[str]]]) -> List[Dict[str, Optional[str]]]:
    return [r for r in requests if r not in preflights(requests)]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_chromium_and_check_agree(pages: Pages, servers: Servers, scenario: Scenario) -> None:
    run = prepare(servers, scenario)
    browser_results = run_in_chromium(pages, servers, run)
    browser_requests = servers.api_app.take(scenario.id)
    checked = run_check(run)
    check_requests = servers.api_app.take(scenario.id)

    report = "\n\n".join(r.render() for r in checked)
    context = f"\nChromium: {browser_results}\nserver saw (Chromium): {browser_requests}\ncheck:\n{report}"
    expected = [f.expect for f in scenario.fetches()]
    assert [r["verdict"] for r in browser_results] == expected, "Chromium" + context
    assert [r.verdict for r in checked] == expected, "check" + context
    for result in browser_results:
        if result["verdict"] == "block":
            assert "Failed to fetch" in result["error"], context
    # Readable headers and the failure code are those of the scenario's own (last) fetch.
    own = scenario.repeat - 1
    last = checked[own]
    if scenario.expect == ALLOW:
        readable = set(browser_results[own]["headers"])
        assert readable == set(last.readable_headers), "readable headers" + context
        assert set(scenario.readable) <= readable, context
        assert not set(scenario.unreadable) & readable, context
    else:
        assert last.code == scenario.code, "check's failure code" + context
    if scenario.preflights is not None:
        assert len(preflights(browser_requests)) == scenario.preflights, "Chromium's preflights" + context
        assert len(preflights(check_requests)) == scenario.preflights, "check's preflights" + context
    if scenario.cookie:
        assert actual_requests(browser_requests), context
        for request in actual_requests(browser_requests):
            assert request["cookie"] == f"sid={run.sid}", "the session cookie must arrive" + context
        for request in actual_requests(check_requests):
            assert request["cookie"] == f"sid={run.sid}", context
    for request in preflights(browser_requests) + preflights(check_requests):
        assert request["cookie"] is None, "a preflight never carries cookies" + context
    if scenario.page == "sandbox":
        assert {r["origin"] for r in browser_requests} == {"null"}, context
    if scenario.warning is not None:
        assert any(scenario.warning.lower() in w.lower() for w in last.warnings), context


def test_docs_table_is_current() -> None:
    """``docs/browser-matrix.md`` is generated from the same table; regenerate it when this fails."""
    assert len(SCENARIOS) >= 30
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/browser-matrix.md is stale: run `python tests/browser/scenarios.py`")
    readme = (DOCS.parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"[a matrix of {len(SCENARIOS)} scenarios](docs/browser-matrix.md)" in readme

"""``check`` and headless Chromium agree: same verdict, same readable headers, same requests on the wire.

These scenarios probe the simulator's own rules (safelisting edges, list parsing, case rules, caching
order, redirects); the project's browser matrix covers configurations of the middleware.
"""

from __future__ import annotations

import os
import shutil

import pytest

from wsgicors.check import check

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FETCH = """async ([url, options]) => {
    try { const r = await fetch(url, options); return {verdict: "allow", headers: [...r.headers.keys()]}; }
    catch (error) { return {verdict: "block", headers: []}; }
}"""

O = "{O}"  # replaced by the page's origin
ACAO = ("Access-Control-Allow-Origin", O)
ACAC = ("Access-Control-Allow-Credentials", "true")


def acam(value):
    return ("Access-Control-Allow-Methods", value)


def acah(value):
    return ("Access-Control-Allow-Headers", value)


# id, expected verdict, preflight headers (204) or (status, headers), actual headers or (status, headers), fetch
SCENARIOS = [
    ("authorization-under-star", "allow", [ACAO, acah("*")], [ACAO], {"headers": {"Authorization": "Bearer x"}}),
    ("authorization-under-star-credentials", "block", [ACAO, ACAC, acah("*")], [ACAO, ACAC],
     {"headers": {"Authorization": "x"}, "credentials": True}),
    ("lower-case-patch-vs-PATCH", "block", [ACAO, acam("PATCH")], [ACAO], {"method": "patch"}),
    ("PATCH-vs-lower-case-patch", "block", [ACAO, acam("patch")], [ACAO], {"method": "PATCH"}),
    ("lower-case-patch-listed", "allow", [ACAO, acam("patch")], [ACAO], {"method": "patch"}),
    ("lower-case-put-normalised", "allow", [ACAO, acam("PUT")], [ACAO], {"method": "put"}),
    ("acam-over-two-headers", "allow", [ACAO, acam("GET"), acam("PUT")], [ACAO], {"method": "PUT"}),
    ("acam-malformed-with-safelisted-method", "block", [ACAO, acam("GET;PUT"), acah("x-a")], [ACAO],
     {"method": "POST", "headers": {"X-A": "1"}, "body": "x"}),
    ("acam-star-delete", "allow", [ACAO, acam("*")], [ACAO], {"method": "DELETE"}),
    ("acah-empty-elements", "allow", [ACAO, acah(" , x-a ,,")], [ACAO], {"headers": {"X-A": "1"}}),
    ("acah-not-a-token", "block", [ACAO, acah("x-a, x b")], [ACAO], {"headers": {"X-A": "1"}}),
    ("acah-sorted-unique-request", "allow", [ACAO, acah("x-b, X-A")], [ACAO],
     {"headers": [("X-B", "1"), ("x-a", "2")]}),
    ("acao-with-blanks", "allow", None, [("Access-Control-Allow-Origin", f"  {O}  ")], {}),
    ("acao-twice-same-value", "block", None, [ACAO, ACAO], {}),
    ("acao-null", "block", None, [("Access-Control-Allow-Origin", "null")], {}),
    ("acac-twice", "block", None, [ACAO, ACAC, ACAC], {"credentials": True}),
    ("acac-capital", "block", None, [ACAO, ("Access-Control-Allow-Credentials", "True")], {"credentials": True}),
    ("preflight-301", "block", (301, [ACAO, acam("PUT"), ("Location", "/elsewhere")]), [ACAO], {"method": "PUT"}),
    ("preflight-500-with-headers", "block", (500, [ACAO, acam("PUT")]), [ACAO], {"method": "PUT"}),
    ("max-age-negative", "allow", [ACAO, acam("PUT"), ("Access-Control-Max-Age", "-1")], [ACAO], {"method": "PUT"}),
    ("range-simple", "allow", None, [ACAO], {"headers": {"Range": "bytes=0-"}}),
    ("range-suffix-preflights", "block", None, [ACAO], {"headers": {"Range": "bytes=-5"}}),
    ("accept-language-underscore-preflights", "block", None, [ACAO], {"headers": {"Accept-Language": "en_US"}}),
    ("accept-129-bytes-preflights", "block", None, [ACAO], {"headers": {"Accept": "a" * 129}}),
    ("content-type-quote-preflights", "block", None, [ACAO],
     {"method": "POST", "headers": {"Content-Type": 'text/plain; charset="utf-8"'}, "body": "x"}),
    ("content-type-form-simple", "allow", None, [ACAO],
     {"method": "POST", "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": "a=1"}),
    ("client-hint-dpr-simple", "allow", None, [ACAO], {"headers": {"DPR": "2"}}),
    ("user-agent-dropped", "allow", None, [ACAO], {"headers": {"User-Agent": "me"}}),
    ("expose-star", "allow", None, [ACAO, ("Access-Control-Expose-Headers", "*"), ("X-Secret", "1")], {}),
    ("expose-star-credentials-literal", "allow", None,
     [ACAO, ACAC, ("Access-Control-Expose-Headers", "*"), ("X-Secret", "1")], {"credentials": True}),
    ("expose-list", "allow", None, [ACAO, ("Access-Control-Expose-Headers", "x-a"), ("X-A", "1"), ("X-B", "2")], {}),
    ("redirect-cross-origin-to-star", "allow", None, (302, [ACAO, ("Location", "{R}")]), {}),
    ("redirect-cross-origin-target-allows-page-origin", "block", None,
     (302, [ACAO, ("Location", "{R}?page-origin")]), {}),
    ("redirect-cross-origin-target-echoes-null", "allow", None, (302, [ACAO, ("Location", "{R}?echo")]), {}),
    ("redirect-303-post", "allow", [ACAO, acah("content-type")], (303, [ACAO, ("Location", "{R}")]),
     {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": "{}"}),
]


class World:
    """A page origin, an API with the scenarios, a second API origin (redirect target), and Chromium."""

    def __init__(self, live_server_class):
        self.seen = []
        self.servers = []
        try:
            self.page_server = self._start(live_server_class, self.page)
            self.api_server = self._start(live_server_class, self.api)
            self.other_server = self._start(live_server_class, self.other)
            self.origin = f"http://127.0.0.1:{self.page_server.port}"
            self.api_base = f"http://localhost:{self.api_server.port}"
            self.redirect_target = f"http://localhost:{self.other_server.port}/final"
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            self.tab = self.browser.new_page()
            self.tab.goto(self.origin + "/")
        except Exception:
            self.close()
            raise

    def _start(self, live_server_class, app):
        server = live_server_class(app)
        self.servers.append(server)
        return server

    def close(self):
        if getattr(self, "browser", None) is not None:
            self.browser.close()
        if getattr(self, "playwright", None) is not None:
            self.playwright.stop()
        for server in self.servers:
            server.stop()

    def fill(self, value):
        return value.replace(O, self.origin).replace("{R}", self.redirect_target)

    def page(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<!doctype html><title>page</title>"]

    def record(self, environ):
        self.seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("HTTP_ORIGIN"),
                          environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
                          environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")))

    def api(self, environ, start_response):
        self.record(environ)
        _, _, preflight, actual, _ = SCENARIO_BY_ID[environ["PATH_INFO"].rsplit("/", 1)[-1]]
        answer = preflight if environ["REQUEST_METHOD"] == "OPTIONS" else actual
        status, headers = answer if isinstance(answer, tuple) else (204 if answer is preflight else 200, answer)
        start_response(f"{status} Scripted", [(n, self.fill(v)) for n, v in headers or []]
                       + ([] if status == 204 else [("Content-Type", "text/plain")]))
        return [b""] if status == 204 else [b"ok"]

    def other(self, environ, start_response):
        self.record(environ)
        query = environ["QUERY_STRING"]
        origin = {"echo": environ.get("HTTP_ORIGIN", ""), "page-origin": self.origin}.get(query, "*")
        allow = [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Headers", "content-type")]
        start_response("204 No Content" if environ["REQUEST_METHOD"] == "OPTIONS" else "200 OK",
                       allow + [("Content-Type", "text/plain")])
        return [b"" if environ["REQUEST_METHOD"] == "OPTIONS" else b"final"]

    def browser_fetch(self, url, kwargs):
        options = {"method": kwargs.get("method", "GET"), "headers": kwargs.get("headers", {}),
                   "credentials": "include" if kwargs.get("credentials") else "same-origin"}
        if isinstance(options["headers"], list):
            options["headers"] = [list(pair) for pair in options["headers"]]
        if "body" in kwargs:
            options["body"] = kwargs["body"]
        return self.tab.evaluate(FETCH, [url, options])


SCENARIO_BY_ID = {scenario[0]: scenario for scenario in SCENARIOS}


@pytest.fixture(scope="module")
def world(live_server_class):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed")
    pytest.importorskip("playwright.sync_api")
    created = World(live_server_class)
    yield created
    created.close()


@pytest.mark.parametrize("scenario_id, expected, kwargs",
                         [(s[0], s[1], s[4]) for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_check_agrees_with_chromium(world, scenario_id, expected, kwargs):
    url = f"{world.api_base}/s/{scenario_id}"
    world.seen.clear()
    browser = world.browser_fetch(url, kwargs)
    browser_wire = list(world.seen)
    world.seen.clear()
    result = check(url, world.origin, **kwargs)
    check_wire = list(world.seen)
    assert (browser["verdict"], result.verdict) == (expected, expected), result.render()
    assert sorted(browser["headers"]) == result.readable_headers
    assert browser_wire == check_wire

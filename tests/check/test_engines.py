"""``check`` models Chromium, Firefox and WebKit: one row per measured difference.

Each row names the browser-matrix scenario (tests/browser/scenarios.py) in which the real engines
showed the difference; the matrix compares ``check(...).engines[engine]`` with each real engine.
"""

from __future__ import annotations

import json

import pytest

from wsgicors.check import PreflightCache, UsageError, check
from wsgicors.cli import main

ORIGIN = "http://127.0.0.1:5000"
URL = "http://localhost:8000/data"
OTHER = "http://127.0.0.1:9000/data"
ENGINES = ("chromium", "firefox", "webkit")
ACAO = ("Access-Control-Allow-Origin", ORIGIN)


def router(routes, seen=None):
    """URL -> (status, headers) for the actual request; ``"OPTIONS " + URL`` for preflights."""
    def app(environ, start_response):
        url = f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}{environ['PATH_INFO']}"
        method = environ["REQUEST_METHOD"]
        if seen is not None:
            seen.append((method, url, {k: v for k, v in environ.items() if k.startswith("HTTP_")}))
        status, headers = routes.get(f"{method} {url}", routes.get(url, ("404 Not Found", [])))
        start_response(status, list(headers))
        return [b"ok"]
    return app


NO_PREFLIGHT = router({URL: ("200 OK", [ACAO])})


def verdicts(result):
    return {name: found.verdict for name, found in result.engines.items()}


# (scenario, check kwargs, app, verdict per engine)
ROWS = [
    ("client-hint-dpr", {"headers": {"DPR": "2"}}, NO_PREFLIGHT, ("allow", "block", "block")),
    ("client-hint-viewport-width", {"headers": {"Viewport-Width": "1024"}}, NO_PREFLIGHT, ("allow", "block", "block")),
    ("user-agent-dropped", {"headers": {"User-Agent": "bot"}}, NO_PREFLIGHT, ("allow", "block", "block")),
    ("authorization-under-star", {"headers": {"Authorization": "Bearer t"}},
     router({f"OPTIONS {URL}": ("204 No Content", [ACAO, ("Access-Control-Allow-Headers", "*")]),
             URL: ("200 OK", [ACAO])}), ("allow", "allow", "allow")),
    ("authorization-cross-origin-redirect", {"headers": {"Authorization": "Bearer t"}},
     router({f"OPTIONS {URL}": ("204 No Content", [ACAO, ("Access-Control-Allow-Headers", "authorization")]),
             URL: ("302 Found", [ACAO, ("Location", OTHER)]),
             OTHER: ("200 OK", [("Access-Control-Allow-Origin", "*")])}), ("allow", "block", "block")),
    ("json-post-301", {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": "{}"},
     router({f"OPTIONS {URL}": ("204 No Content", [ACAO, ("Access-Control-Allow-Headers", "content-type")]),
             URL: ("301 Moved Permanently", [ACAO, ("Location", URL + "2")]),
             URL + "2": ("200 OK", [ACAO])}), ("allow", "block", "block")),
]


@pytest.mark.parametrize("kwargs, app, expected", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_each_engine_has_its_measured_verdict(kwargs, app, expected):
    assert verdicts(check(URL, ORIGIN, app=app, **kwargs)) == dict(zip(ENGINES, expected))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kwargs, app, expected", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_browser_picks_the_engine_behind_the_verdict(engine, kwargs, app, expected):
    result = check(URL, ORIGIN, app=app, browser=engine, **kwargs)
    assert result.verdict == dict(zip(ENGINES, expected))[engine]
    assert result.engines[engine].verdict == result.verdict and result.browser == engine


def test_engine_verdict_api():
    found = check(URL, ORIGIN, app=NO_PREFLIGHT, headers={"DPR": "2"}).engines
    assert found["chromium"].allowed and found["chromium"].explanation is None and found["chromium"].reason is None
    assert not found["firefox"].allowed and found["firefox"].explanation == found["firefox"].reason
    assert "preflight" in found["firefox"].reason


def test_unknown_engine_is_a_usage_error():
    with pytest.raises(UsageError, match="chromium, firefox, webkit"):
        check(URL, ORIGIN, app=NO_PREFLIGHT, browser="opera")


def test_the_chosen_engine_alone_sends_first_the_others_when_asked():
    seen = []
    result = check(URL, ORIGIN, app=router({URL: ("200 OK", [ACAO])}, seen), headers={"DPR": "2"})
    assert [method for method, _, _ in seen] == ["GET"]  # Chromium: no preflight
    assert result.engines["firefox"].verdict == "block"
    assert [method for method, _, _ in seen] == ["GET", "OPTIONS"]  # Firefox's own preflight, then 404


def test_identical_requests_are_not_sent_again_for_other_engines():
    seen = []
    check(URL, ORIGIN, app=router({URL: ("200 OK", [ACAO])}, seen)).engines
    assert len(seen) == 1


# --- the preflight cache per engine

def put_app(max_age, methods="PUT"):
    return router({f"OPTIONS {URL}": ("204 No Content", [ACAO, ("Access-Control-Allow-Methods", methods),
                                                          ("Access-Control-Max-Age", max_age)]),
                   URL: ("200 OK", [ACAO])})


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def cached_again(app, first, second, elapsed=0.0):
    """Per engine (each with its own cache): is the second fetch served from the preflight cache?"""
    found = {}
    for engine in ENGINES:
        clock = Clock()
        cache = PreflightCache(clock=clock)
        check(URL, ORIGIN, app=app, cache=cache, browser=engine, **first)
        cache.settle()
        clock.now = elapsed
        found[engine] = check(URL, ORIGIN, app=app, cache=cache, browser=engine, **second).preflight_cached
    return found


PUT = {"method": "PUT"}


@pytest.mark.parametrize("elapsed, cached", [
    (599, {"chromium": True, "firefox": True, "webkit": True}),
    (601, {"chromium": True, "firefox": True, "webkit": False}),
    (7201, {"chromium": False, "firefox": True, "webkit": False}),
])
def test_max_age_caps_per_engine(elapsed, cached):
    """Scenario max-age-day: Chromium 7200 s, Firefox 86400 s, WebKit 600 s."""
    assert cached_again(put_app("86400"), PUT, PUT, elapsed) == cached


@pytest.mark.parametrize("value", ["soon", "1.5"])
def test_unparsable_max_age_is_five_seconds_except_in_firefox(value):
    """Scenarios max-age-garbage, max-age-fraction."""
    assert cached_again(put_app(value), PUT, PUT) == {"chromium": True, "firefox": False, "webkit": True}


def test_firefox_keys_the_cache_by_credentials_mode():
    """Scenario cache-credentials-then-without."""
    app = router({f"OPTIONS {URL}": ("204 No Content", [ACAO, ("Access-Control-Allow-Credentials", "true"),
                                                          ("Access-Control-Allow-Methods", "PUT"),
                                                          ("Access-Control-Max-Age", "600")]),
                  URL: ("200 OK", [ACAO, ("Access-Control-Allow-Credentials", "true")])})
    assert cached_again(app, dict(PUT, credentials=True), PUT) == {"chromium": True, "firefox": False, "webkit": True}


def test_a_cached_star_covers_other_methods_except_in_firefox():
    """Scenario cache-star-method."""
    assert cached_again(put_app("600", methods="*"), PUT, {"method": "DELETE"}) == {
        "chromium": True, "firefox": False, "webkit": True}


# --- cookies set by a credentialed cross-site response

COOKIES = [  # attributes -> stored and sent next time, per engine (the matrix's COOKIE_SCENARIOS)
    ("", (True, True, False)),
    ("SameSite=None", (False, False, False)),
    ("SameSite=None; Secure", (False, True, False)),
    ("SameSite=None; Secure; Partitioned", (True, True, False)),
    ("Secure", (False, True, False)),
    ("SameSite=None; Partitioned", (False, False, False)),
    ("SameSite=Lax", (False, False, False)),
    ("SameSite=Strict", (False, False, False)),
]


@pytest.mark.parametrize("attributes, sent", COOKIES, ids=[row[0] or "unspecified" for row in COOKIES])
def test_set_cookie_fate_per_engine(attributes, sent):
    cookie = "sid=1; Path=/" + (f"; {attributes}" if attributes else "")
    app = router({URL: ("200 OK", [ACAO, ("Access-Control-Allow-Credentials", "true"), ("Set-Cookie", cookie)])})
    result = check(URL, ORIGIN, app=app, credentials=True)
    found = {name: [c.sent for c in engine.cookies] for name, engine in result.engines.items()}
    assert found == {engine: [flag] for engine, flag in zip(ENGINES, sent)}


def test_no_cookie_verdict_without_credentials_or_on_the_same_site():
    app = router({URL: ("200 OK", [("Access-Control-Allow-Origin", "*"), ("Set-Cookie", "sid=1")])})
    assert all(e.cookies is None for e in check(URL, ORIGIN, app=app).engines.values())
    same = "https://api.example.com/x"
    app = router({same: ("200 OK", [("Access-Control-Allow-Origin", "https://app.example.com"),
                                    ("Access-Control-Allow-Credentials", "true"), ("Set-Cookie", "sid=1")])})
    result = check(same, "https://app.example.com", app=app, credentials=True)
    assert result.allowed and all(e.cookies is None for e in result.engines.values())


# --- the command line

@pytest.fixture
def hint_app(tmp_path, monkeypatch):
    (tmp_path / "engineapp.py").write_text(
        "def app(environ, start_response):\n"
        "    if environ['REQUEST_METHOD'] == 'OPTIONS':\n"
        "        start_response('404 Not Found', [])\n"
        "        return [b'']\n"
        f"    start_response('200 OK', [('Access-Control-Allow-Origin', {ORIGIN!r})])\n"
        "    return [b'ok']\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return "engineapp:app"


@pytest.mark.parametrize("engine, status", [("chromium", 0), ("firefox", 1), ("webkit", 1)])
def test_cli_browser_sets_verdict_and_exit_status(hint_app, capsys, engine, status):
    assert main(["check", URL, "--origin", ORIGIN, "--app", hint_app, "-H", "DPR: 2", "--browser", engine,
                 "--json"]) == status
    data = json.loads(capsys.readouterr().out)
    assert data["browser"] == engine and data["verdict"] == ("allow" if status == 0 else "block")
    assert set(data["engines"]) == set(ENGINES)
    assert data["engines"]["chromium"] == {"verdict": "allow", "reason": None, "cookies": None}
    assert data["engines"]["firefox"]["verdict"] == "block" and data["engines"]["firefox"]["reason"]


def test_human_output_names_each_disagreeing_engine_in_one_sentence(hint_app, capsys):
    main(["check", URL, "--origin", ORIGIN, "--app", hint_app, "-H", "DPR: 2"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Engines differ:")]
    assert len(lines) == 2
    assert lines[0].startswith("Engines differ: Firefox blocks this request:")
    assert lines[1].startswith("Engines differ: WebKit (Safari) blocks this request:")


def test_json_always_carries_all_three_engines(hint_app, capsys):
    main(["check", URL, "--origin", ORIGIN, "--app", hint_app, "--json"])
    data = json.loads(capsys.readouterr().out)
    assert {name: e["verdict"] for name, e in data["engines"].items()} == dict.fromkeys(ENGINES, "allow")


@pytest.mark.parametrize("page, api, cross", [
    ("https://app.example.com", "https://api.example.com/x", False),
    ("https://a.github.io", "https://b.github.io/x", True),          # a public suffix (private section)
    ("https://app.example.co.uk", "https://api.example.co.uk/x", False),
    ("http://app.example.com", "https://api.example.com/x", True),   # schemeful
    ("http://127.0.0.1:5000", "http://localhost:8000/x", True),
])
def test_cookie_verdicts_only_for_cross_site_requests(page, api, cross):
    app = router({api: ("200 OK", [("Access-Control-Allow-Origin", page), ("Access-Control-Allow-Credentials", "true"),
                                   ("Set-Cookie", "sid=1; SameSite=None; Secure; Partitioned")])})
    result = check(api, page, app=app, credentials=True)
    assert result.allowed and (result.engines["chromium"].cookies is not None) is cross

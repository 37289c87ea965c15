"""Headless Chromium drives the ``wsgicors demo`` page: edit the policy, click, read both verdicts.

``WSGICORS_WRITE_DOCS=1 pytest tests/demo`` also refreshes ``docs/demo.png``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from wsgicors.demo import ACTIONS, Demo

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "demo.png"


@pytest.fixture
def page(demo: Demo, chromium: Any) -> Iterator[Any]:
    """The demo page in a fresh browser context, with the initial policy and an empty check cache."""
    assert demo.reconfigure(Demo.initial_form(demo.page_origin))["applied"]
    demo.cache.clear()
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    try:
        opened = context.new_page()
        opened.goto(demo.page_url)
        yield opened
    finally:
        context.close()


def run(page: Any, name: str) -> Tuple[str, str, str]:
    """Click one request button; (browser verdict, check verdict, check explanation)."""
    page.click(f"#run-{name}")
    card = page.wait_for_selector(f'#action-{name}[data-state="done"]')
    return (card.get_attribute("data-browser"), card.get_attribute("data-check"),
            card.query_selector(".check .explanation").inner_text())


def apply(page: Any, **fields: Any) -> Dict[str, Any]:
    """Fill policy fields (text, or a bool for the checkbox), press Apply; the server's answer."""
    for name, value in fields.items():
        if isinstance(value, bool):
            page.set_checked(f"#{name}", value)
        else:
            page.fill(f"#{name}", value)
    with page.expect_response("**/policy") as response:
        page.click("#apply")
    return response.value.json()


def test_initial_policy_allows_some_requests_and_explains_the_others(page: Any, demo: Demo, tmp_path: Path) -> None:
    assert page.inner_text("#page-origin") == demo.page_origin
    assert page.inner_text("#api-origin") == demo.api_origin
    assert page.input_value("#origins") == demo.page_origin

    assert run(page, "get")[:2] == ("allow", "allow")
    assert run(page, "json")[:2] == ("allow", "allow")
    browser, checked, why = run(page, "put")
    assert (browser, checked) == ("block", "block")
    assert "PUT" in why and "403" in why
    browser, checked, why = run(page, "credentials")
    assert (browser, checked) == ("block", "block")
    assert "Access-Control-Allow-Credentials" in why
    for name in ACTIONS:
        assert page.inner_text(f"#action-{name} .agreement") == "browser and check agree"
    # The browser column shows what script may read: x-request-id is exposed, x-secret is not.
    readable = page.inner_text("#action-get .browser .detail")
    assert "x-request-id" in readable and "x-secret" not in readable
    # The log shows what reached the API, from both clients, refused preflights included.
    log = page.inner_text("#log-body")
    assert "preflight OPTIONS /api/items/1" in log and "page" in log and "check" in log

    page.screenshot(path=str(tmp_path / "demo.png"), full_page=True)
    assert (tmp_path / "demo.png").stat().st_size > 10_000
    if os.environ.get("WSGICORS_WRITE_DOCS"):
        page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_configuration_problems_are_shown_and_the_old_policy_stays(page: Any, demo: Demo) -> None:
    answer = apply(page, origins=demo.page_origin + "/")
    assert answer["applied"] is False
    problems = page.inner_text("#problems")
    assert "wsgicors.E115" in problems and f"did you mean '{demo.page_origin}'" in problems
    assert page.inner_text("#policy-status").startswith("Not applied")
    assert run(page, "get")[:2] == ("allow", "allow")

    answer = apply(page, origins="*", allow_credentials=True)
    assert [p["code"] for p in answer["problems"]] == ["wsgicors.E104"]
    assert "allow_credentials" in page.inner_text("#problems")


def test_fixing_the_policy_allows_put_and_credentialed_requests(page: Any, demo: Demo) -> None:
    answer = apply(page, origins=demo.page_origin, methods="GET, POST, PUT",
                   allow_headers="content-type, x-custom", allow_credentials=True)
    assert answer["applied"] is True, answer
    assert page.inner_text("#policy-status").startswith("Applied policy #")
    assert run(page, "put")[:2] == ("allow", "allow")

    first = log_mark(demo)
    assert run(page, "credentials")[:2] == ("allow", "allow")
    assert json.loads(page.inner_text("#action-credentials .browser .body"))["session_cookie_received"] is False
    assert run(page, "credentials")[:2] == ("allow", "allow")
    body = json.loads(page.inner_text("#action-credentials .browser .body"))
    assert body["session_cookie_received"] is True, "the partitioned session cookie came back"
    cookies = [e["cookie"] for e in demo.log.after(first) if e["client"] == "page" and e["path"] == "/api/me"]
    assert cookies == [False, True]


def test_max_age_caches_preflights_in_the_browser_and_in_check(page: Any, demo: Demo) -> None:
    apply(page, methods="GET, POST, PUT", allow_headers="x-custom", max_age="600")
    mark = log_mark(demo)
    for _ in range(2):
        assert run(page, "put")[:2] == ("allow", "allow")
    preflights = [e["client"] for e in demo.log.after(mark) if e["preflight"]]
    assert sorted(preflights) == ["check", "page"], "one preflight each, then both use their cache"
    assert "from the preflight cache" in page.inner_text("#action-put .check .preflight")


def log_mark(demo: Demo) -> int:
    entries = demo.log.after(0)
    return entries[-1]["id"] if entries else 0


def test_page_loads_without_console_errors_and_shows_the_real_urls(demo: Demo, chromium: Any) -> None:
    context = chromium.new_context()
    try:
        opened = context.new_page()
        errors: list = []
        opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        opened.on("pageerror", lambda error: errors.append(str(error)))
        failed: list = []
        opened.on("requestfailed", lambda request: failed.append(request.url))
        opened.goto(demo.page_url, wait_until="networkidle")
        assert errors == [] and failed == []
        for name, action in ACTIONS.items():
            shown = opened.inner_text(f"#action-{name} .action-head code")
            assert shown.startswith(f'fetch("{demo.api_origin}{action["path"]}"'), shown
        assert "Things to try" in opened.inner_text("#try-section")
    finally:
        context.close()


def test_a_refused_policy_leaves_the_form_showing_the_policy_in_force(page: Any, demo: Demo) -> None:
    answer = apply(page, origins="*", methods="GET, PUT", allow_credentials=True)
    assert answer["applied"] is False
    assert page.input_value("#origins") == demo.page_origin
    assert page.input_value("#methods") == "GET, POST"
    assert page.is_checked("#allow_credentials") is False
    assert "stays in force" in page.inner_text("#policy-status")


def test_result_cards_name_their_policy_and_go_stale_on_a_change(page: Any, demo: Demo) -> None:
    run(page, "get")
    version = demo.version
    assert page.inner_text("#action-get .policy-used") == f"results under policy #{version}"
    apply(page, methods="GET, POST, PUT")
    card = page.wait_for_selector('#action-get[data-state="stale"]')
    assert "stale" in card.get_attribute("class")
    assert f"policy #{version + 1} is in force now" in page.inner_text("#action-get .policy-used")
    run(page, "get")
    assert page.inner_text("#action-get .policy-used") == f"results under policy #{version + 1}"


def test_the_log_labels_page_check_and_other_clients(page: Any, demo: Demo) -> None:
    import urllib.request

    mark = log_mark(demo)
    run(page, "get")
    request = urllib.request.Request(demo.api_origin + "/api/items", headers={"Origin": demo.page_origin,
                                                                               "User-Agent": "curl/8"})
    urllib.request.urlopen(request, timeout=10).read()
    run(page, "get")
    clients = [e["client"] for e in demo.log.after(mark)]
    assert clients == ["page", "check", "other", "page", "check"]
    rows = page.inner_text("#log-body").splitlines()
    assert any("\tother\t" in row for row in rows) and not any("browser" in row for row in rows)


ATTACK_PAGE = """<!doctype html><meta charset="utf-8"><title>evil</title>
<form id="f" method="post" enctype="text/plain" action="{target}/policy">
<input name='{{"origins": "https://evil.example", "allow_credentials": "true", "x": "' value='"}}'>
</form>
<script>
fetch("{target}/policy", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
  body: JSON.stringify({{origins: "https://evil.example", allow_credentials: "true"}})}})
  .finally(() => {{ document.title = "fetched"; document.getElementById("f").submit(); }});
</script>"""


def test_another_site_in_the_same_browser_cannot_change_the_policy(demo: Demo, chromium: Any) -> None:
    """A real cross-site page tries a no-cors text/plain fetch and a text/plain form post (JSON smuggling)."""
    from wsgicors.demo import BackgroundServer

    html = ATTACK_PAGE.format(target=demo.page_origin).encode()

    def evil(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(html)))])
        return [html]

    before = demo.in_force()
    with BackgroundServer(evil, "127.0.0.1", names=["localhost"]) as attacker:
        context = chromium.new_context()
        try:
            opened = context.new_page()
            with opened.expect_navigation(url=f"{demo.page_origin}/policy"):
                opened.goto(attacker.url("localhost") + "/")
            assert "only the demo page" in opened.content() or "application/json" in opened.content()
        finally:
            context.close()
    assert demo.in_force() == before


def test_the_three_engines_predictions_stand_beside_the_real_browsers_verdict(page: Any) -> None:
    for name in ("get", "put"):
        browser, _, _ = run(page, name)
        rows = page.query_selector_all(f"#action-{name} .check tr.engine")
        predictions = {row.get_attribute("data-engine"): row.get_attribute("data-verdict") for row in rows}
        assert set(predictions) == {"chromium", "firefox", "webkit"}
        assert predictions["chromium"] == browser, "headless Chromium's own verdict is the one compared"
        assert "(yours)" in page.inner_text(f'#action-{name} .check tr.engine[data-engine="chromium"]')

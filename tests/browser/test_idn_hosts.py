"""Internationalised hosts: wsgicors stores what real Chromium sends.

For each host of the table in tests/core/test_origins.py, Chromium's own
``new URL("https://" + host).origin`` (the origin a page on that host sends)
is compared with what ``host_to_ascii`` stores. Hosts IDNA 2008 refuses but
browsers accept (symbols) are refused by wsgicors with the punycode Chromium
sends in the hint.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from browser.harness import launch_chromium
from wsgicors import ConfigError, Policy
from wsgicors.origins import HostError, host_to_ascii

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from test_origins import IDN_HOSTS  # noqa: E402

pytestmark = pytest.mark.browser

ORIGIN_OF = "host => { try { return new URL('https://' + host).origin } catch (error) { return null } }"


@pytest.fixture(scope="module")
def chromium_origins():
    """{host: the origin Chromium serialises for https://host, or None when its URL parser refuses it}."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            return {host: page.evaluate(ORIGIN_OF, host) for host, _, _ in IDN_HOSTS}
        finally:
            browser.close()


@pytest.mark.parametrize("host, chromium, stored", IDN_HOSTS, ids=[ascii(row[0]) for row in IDN_HOSTS])
def test_the_table_says_what_chromium_sends(chromium_origins, host, chromium, stored):
    assert chromium_origins[host] == (None if chromium is None else f"https://{chromium}")


@pytest.mark.parametrize("host, chromium, stored", IDN_HOSTS, ids=[ascii(row[0]) for row in IDN_HOSTS])
def test_our_conversion_equals_chromiums_or_refuses_with_its_punycode(chromium_origins, host, chromium, stored):
    sent = chromium_origins[host]
    try:
        ours = f"https://{host_to_ascii(host)}"
    except HostError as error:
        # refused: Chromium refuses it too, or the hint names what Chromium sends
        assert sent is None or sent[len("https://"):] in error.hint, (sent, error.hint)
        with pytest.raises(ConfigError):
            Policy(origins=[f"https://{host}"])
        return
    assert ours == sent
    assert Policy(origins=[f"https://{host}"], allow_credentials=True).origins.allows(sent)

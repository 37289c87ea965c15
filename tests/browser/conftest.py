"""Fixtures for the real-browser tests: one Chromium and one pair of servers per module."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from browser.harness import Servers, launch_chromium


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    started = Servers()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def chromium(servers: Servers) -> Iterator[Any]:
    """Headless Chromium, shared by the module's tests (each test opens its own context)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, servers.chromium_args())
        try:
            yield browser
        finally:
            browser.close()

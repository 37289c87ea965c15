"""Fixtures for the ``wsgicors demo`` tests."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from browser.harness import launch_chromium
from wsgicors.demo import Demo


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    """The playground, in-process, on free ports."""
    with Demo() as started:
        yield started


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()

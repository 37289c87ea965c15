"""Fixtures for the real-browser tests: one pair of servers and one browser per engine per module.

Under ``CI=true`` a missing browser or driver fails the tests; elsewhere they
are skipped with the reason (how to install what is missing).
"""

from __future__ import annotations

from typing import Iterator

import pytest

from browser.harness import Browsers, Servers


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    started = Servers()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def browsers(servers: Servers) -> Iterator[Browsers]:
    started = Browsers(servers)
    try:
        yield started
    finally:
        started.close()

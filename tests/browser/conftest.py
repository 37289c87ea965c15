"""Fixtures for the real-browser tests: one pair of servers and one browser per engine per module (the matrix is one module).

Under ``CI=true`` a missing browser or driver fails the tests; elsewhere they
are skipped with the reason (how to install what is missing).
"""

from __future__ import annotations

import os
from typing import Dict, Iterator

import pytest

from browser.harness import Browser, EngineMissing, Servers, launch


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    started = Servers()
    try:
        yield started
    finally:
        started.stop()


class Browsers:
    """Each engine is launched on first use and kept for the module; :meth:`close` stops them all."""

    def __init__(self, servers: Servers) -> None:
        self._servers = servers
        self._running: Dict[str, Browser] = {}
        self._missing: Dict[str, str] = {}

    def get(self, engine: str) -> Browser:
        if engine in self._missing:
            self._unavailable(engine, self._missing[engine])
        if engine not in self._running:
            try:
                self._running[engine] = launch(engine, self._servers)
            except EngineMissing as error:
                self._missing[engine] = str(error)
                self._unavailable(engine, str(error))
        return self._running[engine]

    @staticmethod
    def _unavailable(engine: str, reason: str) -> None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{engine} is required under CI=true: {reason}", pytrace=False)
        pytest.skip(f"{engine} not available: {reason}")

    def close(self) -> None:
        errors = []
        for browser in self._running.values():
            try:
                browser.close()
            except Exception as error:  # noqa: BLE001 - close the others, then report
                errors.append(error)
        self._running.clear()
        if errors:
            raise errors[0]


@pytest.fixture(scope="module")
def browsers(servers: Servers) -> Iterator[Browsers]:
    started = Browsers(servers)
    try:
        yield started
    finally:
        started.close()

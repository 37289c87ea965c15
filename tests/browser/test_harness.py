"""The browser harness itself: missing engines fail under CI, and no process outlives its driver."""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any

import pytest

from browser import harness
from browser.harness import Browsers

pytestmark = pytest.mark.browser


NO_SERVERS: Any = None  # the launchers below never look at them


def _missing(servers: Any, *options: Any) -> Any:
    raise harness.EngineMissing("/usr/bin/nothing not found: apt-get install -y nothing")


@pytest.mark.parametrize("engine", harness.ENGINES)
def test_missing_engine_fails_under_ci(monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    monkeypatch.setitem(harness.LAUNCHERS, engine, _missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI=true.*apt-get install"):
        Browsers(servers=NO_SERVERS).get(engine)


@pytest.mark.parametrize("engine", harness.ENGINES)
def test_missing_engine_is_skipped_with_the_reason_outside_ci(monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    monkeypatch.setitem(harness.LAUNCHERS, engine, _missing)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not available.*apt-get install"):
        Browsers(servers=NO_SERVERS).get(engine)


def test_stopping_a_driver_tree_kills_and_reaps_every_descendant() -> None:
    if not os.access(harness.TINI, os.X_OK):
        harness.unavailable("tini", "apt-get install -y tini")
    process = subprocess.Popen([harness.TINI, "-s", "--", "sh", "-c", "sleep 300 & sleep 300 & wait"],
                               start_new_session=True)
    deadline = time.monotonic() + 10
    while len(harness.descendants(process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    below = harness.descendants(process.pid)
    assert len(below) == 3  # sh and its two sleeps
    harness.stop_process_tree(process)
    assert process.returncode is not None
    for pid in below:
        assert not os.path.exists(f"/proc/{pid}"), f"process {pid} outlived (or was not reaped by) its tree"

"""The benchmark suite in smoke mode: it must run end to end (no timing assertions)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.benchmarks


@pytest.mark.server  # the socket-level part starts gunicorn on 127.0.0.1
def test_smoke_mode_runs_every_part_and_writes_the_report(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--output", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    text = output.read_text(encoding="utf-8")
    assert "Traceback" not in completed.stderr
    for heading in ("## Machine", "## Targets (issue 16)", "## Growth curves", "## Targets (issue 6)",
                    "### Plain WSGI app", "### Flask", "### Bottle",
                    "### Pyramid", "### Number of configured origins", "### Socket level"):
        assert heading in text, heading
    assert "python -m benchmarks --smoke" in text
    assert text.count("| target | figure (this run) | verdict |") == 1 and text.count("\n| ") > 40
    for row in ("| allowed actual GET | ", "| allowed preflight | ", "| refused preflight | ", "| `import wsgicors` |",
                "| a response with 50 headers vs 5 (allowed GET) |", "| path rules (allowed GET matching the last rule) |"):
        assert row in text, row
    assert "A/A control:" in text
    # issue-16 rows: each run in a fresh interpreter, the difference beside the floor ratios, both import figures
    assert "in its own fresh Python interpreter" in text and "ours − floor:" in text
    assert "with bytecode cached; the first fresh interpreter" in text
    # our middleware did the CORS work in the plain WSGI run
    assert "| allowed actual GET | 200 | 200 ACAO Vary | 200 ACAO Vary |" in text


def test_a_missing_competitor_is_reported_as_na_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks import competitors as c
    from benchmarks import report, socket_level, suites
    from benchmarks.timing import Settings

    def missing(config: c.Config) -> object:
        raise c.Unavailable("not written yet")

    def broken(config: c.Config) -> object:
        raise RuntimeError("half-built adapter")

    settings = Settings.smoke()
    group = suites.run_group("wsgi", "Plain WSGI app", [
        c.Competitor("bare", "bare app", c.bare),
        c.Competitor("floor", "hand-written floor", c.floor),
        c.Competitor("ours", "wsgicors (this)", c.ours),
        c.Competitor("old", "wsgicors 0.7", missing),
        c.Competitor("adapter", "an adapter", broken),
    ], settings, suites.SCENARIOS[:2])
    text = report.render(report.Inputs(
        command="python -m benchmarks", smoke=True, settings=settings, groups=[group], scaling=[],
        sockets=socket_level.SocketResult(error="skipped"), old_version="", old_reason="not loaded",
        elapsed=0.0))
    assert "n/a — wsgicors 0.7: not written yet" in text
    assert "n/a — an adapter: RuntimeError: half-built adapter" in text
    assert "| allowed actual GET |" in text
